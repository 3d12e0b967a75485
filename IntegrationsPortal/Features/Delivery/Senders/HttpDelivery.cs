using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Integrations.Verification;
using IntegrationsPortal.Infrastructure.Http;

namespace IntegrationsPortal.Features.Delivery.Senders;

/// <summary>
/// The shared part of every sender that speaks HTTP: sends one request through the policy-guarded
/// client, records it for the history with secrets redacted, and sorts the answer into success,
/// retry, throttled, gone or final.
/// </summary>
public sealed class HttpDelivery(IHttpClientFactory clients, OutboundAddressPolicy policy, TimeProvider time)
{
    public const string ClientName = "delivery";
    public const int BodyCap = 20 * 1024;
    private const string Redacted = "[redacted]";
    private const string TruncatedMark = "\n[truncated at 20 KB]";
    private static readonly HashSet<string> SecretHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Authorization", "Proxy-Authorization", "Cookie",
    };

    /// <summary>
    /// Sends <paramref name="request"/>. With <paramref name="digest"/> the request goes through a
    /// handler whose credentials answer only a Digest challenge (never Basic); its content is a
    /// byte array, so it is sent again after the 401.
    /// </summary>
    public async Task<DeliveryOutcome> SendAsync(
        HttpRequestMessage request, ConfiguredIntegration integration, TimeSpan timeout,
        Func<int, bool> isSuccess, CancellationToken ct, NetworkCredential? digest = null)
    {
        var requestBody = request.Content is null ? null : Cap(await request.Content.ReadAsStringAsync(ct));
        var recorded = new DeliveryOutcome
        {
            Url = request.RequestUri?.ToString(),
            Method = request.Method.Method,
            RequestHeaders = Redact(request.Headers, request.Content?.Headers, integration),
            RequestBody = requestBody, // the dispatcher redacts secrets from the whole outcome
        };

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutSource.CancelAfter(timeout);
        using var digestClient = digest is null ? null : policy.CreateDigestClient(request.RequestUri!, digest, Timeout.InfiniteTimeSpan);
        var client = digestClient ?? clients.CreateClient(ClientName);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token);
            var body = await ReadCappedAsync(response.Content, timeoutSource.Token);
            var status = (int)response.StatusCode;
            var answered = recorded with
            {
                StatusCode = status,
                ResponseHeaders = Redact(response.Headers, response.Content.Headers, integration),
                ResponseBody = body,
            };
            if (isSuccess(status))
            {
                return answered;
            }

            var kind = status switch
            {
                410 => FailureKind.Gone,
                429 or 502 or 504 => FailureKind.Throttled,
                _ => FailureKind.Retry,
            };
            return answered with
            {
                Failure = kind,
                ErrorClass = "status",
                ErrorMessage = $"The receiver answered {status} {response.ReasonPhrase}".TrimEnd(),
                RetryAfter = RetryAfter.Wait(response.Headers, time),
            };
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return recorded with { Failure = FailureKind.Throttled, ErrorClass = "timeout", ErrorMessage = $"No answer within {timeout.TotalSeconds:0} s." };
        }
        catch (HttpRequestException e) when (OutboundAddressPolicy.FindRefusal(e) is { } refused)
        {
            return recorded with { Failure = FailureKind.Final, ErrorClass = "refused_address", ErrorMessage = refused.Message };
        }
        catch (HttpRequestException e)
        {
            return recorded with { Failure = FailureKind.Retry, ErrorClass = "network", ErrorMessage = NetworkMessage(e) };
        }
    }

    /// <summary>"200-299,304": ranges and single codes; empty means any 2xx.</summary>
    public static Func<int, bool> ParseSuccessCodes(string? text)
    {
        var ranges = new List<(int From, int To)>();
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var bounds = part.Split('-', 2, StringSplitOptions.TrimEntries);
            if (int.TryParse(bounds[0], out var from) && (bounds.Length == 1 ? from : int.TryParse(bounds[1], out var to) ? to : -1) is var upper and >= 0)
            {
                ranges.Add((from, upper));
            }
        }

        if (ranges.Count == 0)
        {
            ranges.Add((200, 299));
        }

        return status => ranges.Any(r => status >= r.From && status <= r.To);
    }

    private static async Task<string> ReadCappedAsync(HttpContent content, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        // Pooled: a fresh 20 KB buffer per attempt was most of the dispatcher's garbage.
        var buffer = ArrayPool<byte>.Shared.Rent(BodyCap + 1);
        try
        {
            var read = 0;
            int n;
            while (read < BodyCap + 1 && (n = await stream.ReadAsync(buffer.AsMemory(read, BodyCap + 1 - read), ct)) > 0)
            {
                read += n;
            }

            var text = Encoding.UTF8.GetString(buffer, 0, Math.Min(read, BodyCap));
            return read > BodyCap ? text + TruncatedMark : text;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static string Cap(string text) => Limits.Shorten(text, BodyCap, TruncatedMark);

    private static string Redact(HttpHeaders headers, HttpHeaders? contentHeaders, ConfiguredIntegration integration)
    {
        var secrets = integration.Secrets.Values.Where(s => s.Length >= 4).ToList();
        var lines = new StringBuilder();
        foreach (var (name, values) in headers.Concat(contentHeaders ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
        {
            var value = string.Join(", ", values);
            var hidden = SecretHeaders.Contains(name) || secrets.Any(s => value.Contains(s, StringComparison.Ordinal));
            lines.Append(name).Append(": ").Append(hidden ? Redacted : value).Append('\n');
        }

        return lines.ToString();
    }

    private static string NetworkMessage(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => "The host name does not resolve.",
        HttpRequestError.ConnectionError => "The connection was refused or dropped.",
        HttpRequestError.SecureConnectionError => "The TLS handshake failed.",
        HttpRequestError.ResponseEnded => "The receiver closed the connection before answering.",
        _ => "A network error: " + e.HttpRequestError,
    };
}
