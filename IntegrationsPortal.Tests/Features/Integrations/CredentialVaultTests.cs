using System.Security.Cryptography;
using IntegrationsPortal.Infrastructure.Crypto;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace IntegrationsPortal.Tests.Features.Integrations;

public sealed class CredentialVaultTests
{
    private static readonly Dictionary<string, string> Secrets = new() { ["auth_token"] = "tok-123456", ["password"] = "pässwörd ✓" };

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(32);

    private static CredentialVault VaultWith(params (string Id, byte[] Key)[] keys) =>
        new(new KeyRing(keys.ToDictionary(k => k.Id, k => k.Key), keys[^1].Id));

    [Fact]
    public void Seal_ThenOpen_GivesTheSecretsBack_UnderTheActiveKey()
    {
        var vault = VaultWith(("k1", NewKey()));
        var owner = Guid.NewGuid();

        var sealedSecrets = vault.Seal(owner, Secrets);

        Assert.Equal("k1", sealedSecrets.KeyId);
        Assert.Equal(Secrets, vault.Open(owner, sealedSecrets));
    }

    [Fact]
    public void Seal_TheSameSecretsTwice_GivesDifferentBytes()
    {
        var vault = VaultWith(("k1", NewKey()));
        var owner = Guid.NewGuid();

        var first = vault.Seal(owner, Secrets);
        var second = vault.Seal(owner, Secrets);

        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
        Assert.NotEqual(first.WrappedDataKey, second.WrappedDataKey);
    }

    [Fact]
    public void SecretsCopiedOntoAnotherIntegration_DoNotOpen()
    {
        var vault = VaultWith(("k1", NewKey()));
        var sealedSecrets = vault.Seal(Guid.NewGuid(), Secrets);

        Assert.ThrowsAny<CryptographicException>(() => vault.Open(Guid.NewGuid(), sealedSecrets));
        Assert.Throws<AuthenticationTagMismatchException>(() => vault.Open(Guid.NewGuid(), sealedSecrets));
    }

    [Fact]
    public void TamperedCiphertext_DoesNotOpen()
    {
        var vault = VaultWith(("k1", NewKey()));
        var owner = Guid.NewGuid();
        var sealedSecrets = vault.Seal(owner, Secrets);
        var tampered = sealedSecrets.Ciphertext.ToArray();
        tampered[^1] ^= 0x01;

        Assert.Throws<AuthenticationTagMismatchException>(() => vault.Open(owner, sealedSecrets with { Ciphertext = tampered }));
        var truncated = Assert.Throws<CryptographicException>(() => vault.Open(owner, sealedSecrets with { Ciphertext = [1, 2, 3] }));
        Assert.Equal("The stored credentials are damaged.", truncated.Message);
    }

    [Fact]
    public void WrongKeyMaterial_UnderTheSameKeyId_FailsLoudly()
    {
        var owner = Guid.NewGuid();
        var sealedSecrets = VaultWith(("k1", NewKey())).Seal(owner, Secrets);

        Assert.Throws<AuthenticationTagMismatchException>(() => VaultWith(("k1", NewKey())).Open(owner, sealedSecrets));
    }

    [Fact]
    public void AKeyRingWithoutTheKeyId_FailsLoudly_NamingTheKey()
    {
        var owner = Guid.NewGuid();
        var sealedSecrets = VaultWith(("k-old", NewKey())).Seal(owner, Secrets);

        var error = Assert.Throws<CryptographicException>(() => VaultWith(("k-new", NewKey())).Open(owner, sealedSecrets));

        Assert.Equal("Vault key 'k-old' is not configured; the credentials it protects cannot be opened.", error.Message);
    }

    [Fact]
    public void Rewrap_MovesTheDataKeyToTheActiveKey_AndLeavesTheCiphertextAlone()
    {
        var k1 = NewKey();
        var owner = Guid.NewGuid();
        var old = VaultWith(("k1", k1)).Seal(owner, Secrets);
        var rotated = VaultWith(("k1", k1), ("k2", NewKey()));

        var rewrapped = rotated.Rewrap(owner, old);

        Assert.Equal("k2", rewrapped.KeyId);
        Assert.Equal(old.Ciphertext, rewrapped.Ciphertext);
        Assert.NotEqual(old.WrappedDataKey, rewrapped.WrappedDataKey);
        Assert.Equal(Secrets, rotated.Open(owner, rewrapped));
        Assert.Same(rewrapped, rotated.Rewrap(owner, rewrapped));
    }

    [Fact]
    public void KeyRing_WhoseActiveKeyIsMissing_OrAKeyIsTheWrongSize_RefusesToStart()
    {
        var missing = Assert.Throws<InvalidOperationException>(() => new KeyRing(new Dictionary<string, byte[]> { ["k1"] = NewKey() }, "k2"));
        var wrongSize = Assert.Throws<InvalidOperationException>(() => new KeyRing(new Dictionary<string, byte[]> { ["k1"] = new byte[16] }, "k1"));

        Assert.Equal("The vault's active key 'k2' is not configured.", missing.Message);
        Assert.Equal("Vault key 'k1' must be 32 bytes (base64 of 32 random bytes).", wrongSize.Message);
    }

    [Fact]
    public void KeyRing_LoadsKeysFromConfiguration_AndTheActiveKeyId()
    {
        using var directory = new TempDirectory();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Portal:Vault:Keys:2025"] = Convert.ToBase64String(NewKey()),
            ["Portal:Vault:Keys:2026"] = Convert.ToBase64String(NewKey()),
            ["Portal:Vault:ActiveKeyId"] = "2025",
        }).Build();

        var ring = KeyRing.Load(configuration, directory.Path, NullLogger.Instance, TimeProvider.System);

        Assert.Equal("2025", ring.Active.Id);
        Assert.Equal(["2025", "2026"], ring.KeyIds.Order(StringComparer.Ordinal));
        Assert.Empty(Directory.GetFiles(directory.Path));
    }

    [Fact]
    public void KeyRing_OnFirstStart_MakesAKeyFileOnlyItsOwnerCanRead_AndUsesItAfterARestart()
    {
        using var directory = new TempDirectory();
        var keys = Path.Combine(directory.Path, "vault");
        var empty = new ConfigurationBuilder().Build();

        var first = KeyRing.Load(empty, keys, NullLogger.Instance, TimeProvider.System);
        var afterRestart = KeyRing.Load(empty, keys, NullLogger.Instance, TimeProvider.System);

        var file = Assert.Single(Directory.GetFiles(keys, "*.kek"));
        Assert.Equal(first.Active.Id, Path.GetFileNameWithoutExtension(file));
        Assert.Equal(first.Active.Key, afterRestart.Active.Key);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
    }
}
