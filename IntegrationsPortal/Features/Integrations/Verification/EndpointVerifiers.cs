using System.Net;
using System.Net.Sockets;
using System.Text;
using IntegrationsPortal.Features.Catalog;

namespace IntegrationsPortal.Features.Integrations.Verification;

/// <summary>
/// Webhook and HTTP destinations have no "who am I": the check is that the endpoint answers HTTP
/// at all, and does not refuse our credentials. Many webhook receivers answer 405 to HEAD, which
/// still proves the endpoint is there.
/// </summary>
public sealed class HttpReachableVerifier(IHttpClientFactory httpClients) : IIntegrationVerifier
{
    public string Key => Verifiers.HttpReachable;

    public async Task<VerificationResult> VerifyAsync(ConfiguredIntegration c, CancellationToken ct)
    {
        var url = new Uri(c.Get("url") ?? c.Get("base_url")!);
        var auth = c.Get("auth") ?? "NONE";
        using var request = new HttpRequestMessage(HttpMethod.Head, url);
        if (auth == "BASIC")
        {
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{c.Get("username")}:{c.Get("password")}")));
        }

        using var digestClient = auth == "DIGEST" ? DigestClient(url, c) : null;
        var client = digestClient ?? httpClients.CreateClient(HttpApiVerifier.HttpClientName);
        using var response = await client.SendAsync(request, ct);
        var status = (int)response.StatusCode;
        return response.StatusCode switch
        {
            HttpStatusCode.NotFound or HttpStatusCode.Gone => VerificationResult.Failed($"The endpoint answered {status}: check the URL."),
            HttpStatusCode.Unauthorized when auth == "NONE" =>
                VerificationResult.Failed("The endpoint asks for credentials (401): choose Basic or Digest authentication and set them."),
            HttpStatusCode.Unauthorized => VerificationResult.Failed($"The endpoint refused the username or password ({auth.ToLowerInvariant()} authentication, 401)."),
            >= HttpStatusCode.InternalServerError => VerificationResult.RetryLater($"The endpoint answered {status}."),
            _ => VerificationResult.Success($"The endpoint answered ({status})."),
        };
    }

    /// <summary>Digest needs the challenge round trip, which only a handler with credentials does; registered for Digest alone so it never answers Basic.</summary>
    private static HttpClient DigestClient(Uri url, ConfiguredIntegration c) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            Credentials = new CredentialCache { { new Uri(url.GetLeftPart(UriPartial.Authority)), "Digest", new NetworkCredential(c.Get("username"), c.Get("password")) } },
        })
        { Timeout = TimeSpan.FromSeconds(15) };
}

/// <summary>SMTP: the server must greet us (220) and answer EHLO; we quit before sending anything.</summary>
public sealed class SmtpVerifier : IIntegrationVerifier
{
    public string Key => Verifiers.Smtp;

    public async Task<VerificationResult> VerifyAsync(ConfiguredIntegration c, CancellationToken ct)
    {
        var host = c.Get("smtp_host")!;
        var port = int.Parse(c.Get("smtp_port") ?? "587", System.Globalization.CultureInfo.InvariantCulture);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, timeout.Token);
        await using var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };

        var greeting = await ReadReplyAsync(reader, timeout.Token);
        if (!greeting.StartsWith("220", StringComparison.Ordinal))
        {
            return VerificationResult.Failed($"{host}:{port} did not greet as an SMTP server ({First(greeting)}).");
        }

        await writer.WriteLineAsync("EHLO integrations-portal".AsMemory(), timeout.Token);
        var ehlo = await ReadReplyAsync(reader, timeout.Token);
        await writer.WriteLineAsync("QUIT".AsMemory(), timeout.Token);
        if (!ehlo.StartsWith("250", StringComparison.Ordinal))
        {
            return VerificationResult.Failed($"{host}:{port} refused EHLO ({First(ehlo)}).");
        }

        if (c.Get("starttls") == "true" && !ehlo.Contains("STARTTLS", StringComparison.OrdinalIgnoreCase))
        {
            return VerificationResult.Failed($"{host}:{port} does not offer STARTTLS; turn the option off or use a server that does.");
        }

        return VerificationResult.Success($"{host}:{port} answered as an SMTP server.");
    }

    /// <summary>Reads one SMTP reply, including continuation lines ("250-...").</summary>
    private static async Task<string> ReadReplyAsync(StreamReader reader, CancellationToken ct)
    {
        var reply = new StringBuilder();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            reply.AppendLine(line);
            if (line.Length < 4 || line[3] != '-')
            {
                break;
            }
        }

        return reply.ToString();
    }

    private static string First(string reply) => reply.Split('\n')[0].Trim();
}
