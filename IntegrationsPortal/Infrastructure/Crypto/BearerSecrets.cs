using System.Security.Cryptography;
using System.Text;

namespace IntegrationsPortal.Infrastructure.Crypto;

/// <summary>
/// Secrets the portal issues to programs (API keys, uplink tokens): 256 random bits, shown once,
/// kept only as a SHA-256 hash. A hash without a salt is enough here because the secret itself is
/// random and long; nothing a person chose is hashed.
/// </summary>
public static class BearerSecrets
{
    /// <summary>A new secret: the prefix that says what it is, then 32 random bytes in base64url.</summary>
    public static string Issue(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
