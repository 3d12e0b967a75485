using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Integrations.Verification;

/// <summary>
/// SMTP, checked as far as a real send goes without sending: greeting, EHLO, STARTTLS with the
/// certificate checked as the sender checks it (private CA included), AUTH with the configured
/// login, and MAIL FROM with the From address; then RSET and QUIT. So an untrusted certificate, a
/// wrong password or a refused sender shows up at verification, not at the first alert.
/// </summary>
[ForTypes(TypeKeys.Email)]
public sealed class SmtpVerifier : IIntegrationVerifier
{
    public async Task<VerificationResult> VerifyAsync(ConfiguredIntegration c, CancellationToken ct)
    {
        var options = Delivery.Senders.EmailIntegrationOptions.From(c);
        var (host, port, starttls, user) = (options.Host, options.Port, options.StartTls, options.Username);
        var server = $"{host}:{port}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(15));
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, timeout.Token);
        await using var session = new SmtpLines(client.GetStream());

        var greeting = await session.ReadReplyAsync(timeout.Token);
        if (greeting.Code != 220)
        {
            return greeting.IsTransient
                ? VerificationResult.RetryLater($"{server} is not taking connections now ({greeting.First}).")
                : VerificationResult.Failed($"{server} did not greet as an SMTP server ({greeting.First}).");
        }

        var ehlo = await session.CommandAsync("EHLO integrations-portal", timeout.Token);
        if (ehlo.Code != 250)
        {
            return VerificationResult.Failed($"{server} refused EHLO ({ehlo.First}).");
        }

        if (starttls)
        {
            if (ehlo.Extension("STARTTLS") is null)
            {
                return VerificationResult.Failed($"{server} does not offer STARTTLS; turn the option off or use a server that does.");
            }

            var ready = await session.CommandAsync("STARTTLS", timeout.Token);
            if (ready.Code != 220)
            {
                return VerificationResult.Failed($"{server} refused STARTTLS ({ready.First}).");
            }

            using var ca = PrivateCaTrust.Load(options.CaCertificate);
            var refused = SslPolicyErrors.None;
            try
            {
                await session.StartTlsAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = host,
                    RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                    {
                        var accepted = PrivateCaTrust.Accepts(certificate, chain, errors, ca);
                        refused = accepted ? SslPolicyErrors.None : errors;
                        return accepted;
                    },
                }, timeout.Token);
            }
            catch (AuthenticationException) when (refused != SslPolicyErrors.None)
            {
                return VerificationResult.Failed($"STARTTLS with {server} failed: {PrivateCaTrust.Describe(refused, ca is not null)}.");
            }

            // RFC 3207: what the server offered before TLS no longer counts.
            ehlo = await session.CommandAsync("EHLO integrations-portal", timeout.Token);
            if (ehlo.Code != 250)
            {
                return VerificationResult.Failed($"{server} refused EHLO after STARTTLS ({ehlo.First}).");
            }
        }

        if (user is not null && await LogInAsync(session, ehlo, server, starttls, user, options.Password, timeout.Token) is { } problem)
        {
            return problem;
        }

        var from = options.FromAddress;
        var mail = await session.CommandAsync($"MAIL FROM:<{from}>", timeout.Token);
        await session.CommandAsync("RSET", timeout.Token);
        await session.QuitAsync(timeout.Token);
        return mail.Code switch
        {
            250 => VerificationResult.Success(
                $"{server} accepted {(user is null ? "mail" : $"the login of {user}")} from {from}{(starttls ? " over STARTTLS" : "")}."),
            530 when !starttls && mail.Text.Contains("STARTTLS", StringComparison.OrdinalIgnoreCase) =>
                VerificationResult.Failed($"{server} requires STARTTLS ({mail.First}): turn on 'Use STARTTLS'."),
            530 when user is null => VerificationResult.Failed($"{server} requires a login ({mail.First}): set a username and password."),
            _ when mail.IsTransient => VerificationResult.RetryLater($"{server} did not take mail from {from} for now ({mail.First})."),
            _ => VerificationResult.Failed($"{server} refused mail from {from} ({mail.First})."),
        };
    }

    /// <summary>AUTH PLAIN, else LOGIN (what SmtpClient can use too); null when the server accepted the login.</summary>
    private static async Task<VerificationResult?> LogInAsync(
        SmtpLines session, SmtpReply ehlo, string server, bool starttls, string user, string password, CancellationToken ct)
    {
        var mechanisms = (ehlo.Extension("AUTH") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        SmtpReply reply;
        if (mechanisms.Contains("PLAIN", StringComparer.OrdinalIgnoreCase))
        {
            reply = await session.CommandAsync($"AUTH PLAIN {Base64($"\0{user}\0{password}")}", ct);
        }
        else if (mechanisms.Contains("LOGIN", StringComparer.OrdinalIgnoreCase))
        {
            reply = await session.CommandAsync("AUTH LOGIN", ct);
            if (reply.Code == 334)
            {
                reply = await session.CommandAsync(Base64(user), ct);
            }

            if (reply.Code == 334)
            {
                reply = await session.CommandAsync(Base64(password), ct);
            }
        }
        else if (mechanisms.Length == 0)
        {
            return VerificationResult.Failed(starttls
                ? $"{server} does not offer AUTH, so the username and password cannot be used; clear them or use another server."
                : $"{server} does not offer AUTH without TLS; turn on 'Use STARTTLS'.");
        }
        else
        {
            return VerificationResult.Failed($"{server} offers only AUTH {string.Join(' ', mechanisms)}; the portal logs in with PLAIN or LOGIN.");
        }

        return reply.Code switch
        {
            235 => null,
            _ when reply.IsTransient => VerificationResult.RetryLater($"{server} could not check the login now ({reply.First})."),
            _ => VerificationResult.Failed($"{server} refused the username or password ({reply.First})."),
        };
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}

/// <summary>One SMTP reply: its code and every line's text ("250-SIZE 1000" gives "SIZE 1000").</summary>
public sealed record SmtpReply(int Code, IReadOnlyList<string> Lines)
{
    public string Text => string.Join(' ', Lines);

    /// <summary>The first line, as the server said it, for messages.</summary>
    public string First => Lines.Count == 0 ? $"{Code}" : $"{Code} {Lines[0]}".Trim();

    /// <summary>4xx: the server asks to try later.</summary>
    public bool IsTransient => Code is >= 400 and < 500;

    /// <summary>An EHLO keyword's parameters ("" when it has none); null when not offered.</summary>
    public string? Extension(string keyword) =>
        Lines.Select(l => l.Split(' ', 2)).FirstOrDefault(parts => string.Equals(parts[0], keyword, StringComparison.OrdinalIgnoreCase)) is { } found
            ? found.Length > 1 ? found[1] : ""
            : null;
}

/// <summary>Commands and replies over a connection that can be switched to TLS halfway.</summary>
internal sealed class SmtpLines(Stream stream) : IAsyncDisposable
{
    private Stream _stream = stream;
    private StreamReader _reader = new(stream, Encoding.ASCII, false, 1024, leaveOpen: true);

    public async Task<SmtpReply> CommandAsync(string command, CancellationToken ct)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(command + "\r\n"), ct);
        return await ReadReplyAsync(ct);
    }

    /// <summary>Reads one reply, continuation lines ("250-...") included; code 0 when the server hung up.</summary>
    public async Task<SmtpReply> ReadReplyAsync(CancellationToken ct)
    {
        var lines = new List<string>();
        var code = 0;
        while (await _reader.ReadLineAsync(ct) is { } line)
        {
            _ = int.TryParse(line.AsSpan(0, Math.Min(3, line.Length)), NumberStyles.None, CultureInfo.InvariantCulture, out code);
            lines.Add(line.Length > 4 ? line[4..] : "");
            if (line.Length < 4 || line[3] != '-')
            {
                break;
            }
        }

        return new SmtpReply(code, lines);
    }

    public async Task StartTlsAsync(SslClientAuthenticationOptions options, CancellationToken ct)
    {
        var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, ct);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }

        _reader.Dispose();
        _stream = ssl;
        _reader = new StreamReader(ssl, Encoding.ASCII, false, 1024, leaveOpen: true);
    }

    public async Task QuitAsync(CancellationToken ct)
    {
        try
        {
            await CommandAsync("QUIT", ct);
        }
        catch (IOException)
        {
            // The server may hang up first; the check is done either way.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync();
    }
}
