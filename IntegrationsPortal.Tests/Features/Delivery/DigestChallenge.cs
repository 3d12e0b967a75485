using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>The server side of HTTP Digest (RFC 7616, MD5, qop=auth), enough to check a client's answer.</summary>
public static partial class DigestChallenge
{
    private const string Realm = "receiver";
    private const string Nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";

    /// <summary>True when the request carries a correct Digest answer; else writes the 401 challenge.</summary>
    public static async Task<bool> CheckAsync(HttpContext context, ReceivedRequest request, string user, string password)
    {
        if (request.Headers.TryGetValue("Authorization", out var header) && header.StartsWith("Digest ", StringComparison.Ordinal))
        {
            var fields = Field().Matches(header).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value);
            var ha1 = Md5($"{user}:{Realm}:{password}");
            var ha2 = Md5($"{request.Method}:{fields.GetValueOrDefault("uri")}");
            var expected = Md5($"{ha1}:{Nonce}:{fields.GetValueOrDefault("nc")}:{fields.GetValueOrDefault("cnonce")}:auth:{ha2}");
            if (fields.GetValueOrDefault("username") == user && fields.GetValueOrDefault("response") == expected)
            {
                return true;
            }
        }

        context.Response.StatusCode = 401;
        context.Response.Headers.WWWAuthenticate = $"Digest realm=\"{Realm}\", qop=\"auth\", nonce=\"{Nonce}\", algorithm=MD5";
        await context.Response.WriteAsync("{\"error\":\"authenticate\"}");
        return false;
    }

    private static string Md5(string text) =>
#pragma warning disable CA5351 // Digest is defined on MD5; this is the test's receiver, not a security control.
        Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));
#pragma warning restore CA5351

    [GeneratedRegex("(\\w+)=(?:\"([^\"]*)\"|([^,\\s]*))")]
    private static partial Regex Field();
}
