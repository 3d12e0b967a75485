using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>A hash to check typed passwords against when the account does not exist.</summary>
public static class DummyPassword
{
    private static string? _hash;

    public static void Verify(IPasswordHasher<PortalUser> hasher, string password)
    {
        var user = new PortalUser { DisplayName = "" };
        // Made once per process from a random value: it matches nothing anyone can type.
        _hash ??= hasher.HashPassword(user, Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
        hasher.VerifyHashedPassword(user, _hash, password);
    }
}
