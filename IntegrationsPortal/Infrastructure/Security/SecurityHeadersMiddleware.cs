using System.Security.Cryptography;

namespace IntegrationsPortal.Infrastructure.Security;

/// <summary>
/// Browser hardening for every response: no framing, no MIME sniffing, no referrer leaks, no
/// powerful browser features, a window of our own (COOP) and a CSP that allows only our own scripts,
/// the import map that carries this request's nonce, and the circuit's WebSocket to this origin
/// (<c>connect-src 'self'</c> covers same-origin ws: and wss: in current browsers). Blazor and
/// MudBlazor need inline styles; 'unsafe-eval' is not needed.
/// </summary>
public sealed class SecurityHeadersMiddleware(RequestDelegate next)
{
    private const string NonceKey = "csp-nonce";

    // The reconnect dialog's "Reload" links are inline handlers (onclick="location.reload()"): a
    // nonce cannot cover an attribute, so that one handler is allowed by its hash.
    private const string ReloadHandlerHash = "'sha256-9gOBGqEQINNDuds+tkXbNzih6klbz+KeCyxEj4KRLeM='";

    private const string PermissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

    /// <summary>This request's CSP nonce, for the inline scripts the portal renders itself (App.razor's import map).</summary>
    public static string Nonce(HttpContext context) => context.Items[NonceKey] as string ?? "";

    public Task InvokeAsync(HttpContext context)
    {
        // base64url: CSP's grammar takes '-' and '_', and a nonce without '+', '/' or '=' is written into
        // the page as it is, not HTML-encoded (&#x2B;), so the attribute and the header read the same.
        var nonce = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = PermissionsPolicy;
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers.ContentSecurityPolicy =
                $"default-src 'self'; script-src 'self' 'nonce-{nonce}' 'unsafe-hashes' {ReloadHandlerHash}; " +
                "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
                "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";
            return Task.CompletedTask;
        });
        return next(context);
    }
}
