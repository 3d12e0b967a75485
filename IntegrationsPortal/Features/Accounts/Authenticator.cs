using System.Text;
using Microsoft.AspNetCore.Identity;
using QRCoder;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>
/// What the two-factor page and the sign-in form share about authenticator apps (TOTP through
/// Identity's authenticator token provider): the otpauth link and its QR code, the key as a person
/// types it, and codes as people type them (with spaces or dashes).
/// </summary>
public static class Authenticator
{
    public const string Issuer = "IntegrationsPortal";

    /// <summary>How many one-time recovery codes a user gets when enabling two-factor sign-in.</summary>
    public const int RecoveryCodeCount = 10;

    /// <summary>The otpauth link authenticator apps read from the QR code.</summary>
    public static string OtpAuthUri(string userName, string key) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(userName)}?secret={key}&issuer={Uri.EscapeDataString(Issuer)}&digits=6";

    /// <summary>The QR code as a PNG data URI (the CSP allows data: images; no script needed).</summary>
    public static string QrCodeDataUri(string otpAuthUri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(otpAuthUri, QRCodeGenerator.ECCLevel.Q);
        using var code = new PngByteQRCode(data);
        var png = code.GetGraphic(5);
        return "data:image/png;base64," + Convert.ToBase64String(png);
    }

    /// <summary>The key in groups of four, lower case, as apps that ask for it typed show it.</summary>
    public static string FormatKey(string key)
    {
        var text = new StringBuilder();
        for (var i = 0; i < key.Length; i += 4)
        {
            text.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        }

        return text.ToString().TrimEnd().ToLowerInvariant();
    }

    /// <summary>
    /// A typed code without the spaces apps show in it, upper case as recovery codes are stored
    /// (their dash stays: Identity compares recovery codes as written).
    /// </summary>
    public static string Normalize(string? code) => (code ?? "").Replace(" ", "", StringComparison.Ordinal).Trim().ToUpperInvariant();

    /// <summary>Whether <paramref name="code"/> is the user's current authenticator code.</summary>
    public static Task<bool> IsCurrentCodeAsync(UserManager<PortalUser> users, PortalUser user, string? code) =>
        users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, Normalize(code));
}
