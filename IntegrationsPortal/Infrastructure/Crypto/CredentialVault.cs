using System.Security.Cryptography;
using System.Text.Json;

namespace IntegrationsPortal.Infrastructure.Crypto;

/// <summary>
/// Secrets as stored: the data key wrapped by key-encryption key <see cref="KeyId"/>, and the
/// secrets (a JSON map) encrypted under that data key. Neither is readable without the KEK, which
/// lives outside the database.
/// </summary>
public sealed record SealedSecrets(string KeyId, byte[] WrappedDataKey, byte[] Ciphertext);

/// <summary>
/// Envelope encryption for integration credentials: a random AES-256-GCM data key per integration,
/// wrapped by a key-encryption key from the <see cref="KeyRing"/>. The owner's id is bound in as
/// associated data, so a sealed blob copied onto another integration does not open. Rotation
/// rewraps data keys only: the secrets themselves are never decrypted for it.
/// </summary>
public sealed class CredentialVault(KeyRing keys)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public SealedSecrets Seal(Guid ownerId, IReadOnlyDictionary<string, string> secrets)
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        try
        {
            var plaintext = JsonSerializer.SerializeToUtf8Bytes(secrets);
            var (keyId, kek) = keys.Active;
            return new SealedSecrets(keyId, Encrypt(kek, dataKey, ownerId), Encrypt(dataKey, plaintext, ownerId));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    public Dictionary<string, string> Open(Guid ownerId, SealedSecrets sealedSecrets)
    {
        var dataKey = Decrypt(keys.Get(sealedSecrets.KeyId), sealedSecrets.WrappedDataKey, ownerId);
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(Decrypt(dataKey, sealedSecrets.Ciphertext, ownerId)) ?? [];
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>Re-wraps the data key under the active KEK; the ciphertext is kept as it is.</summary>
    public SealedSecrets Rewrap(Guid ownerId, SealedSecrets sealedSecrets)
    {
        var (activeId, activeKek) = keys.Active;
        if (sealedSecrets.KeyId == activeId)
        {
            return sealedSecrets;
        }

        var dataKey = Decrypt(keys.Get(sealedSecrets.KeyId), sealedSecrets.WrappedDataKey, ownerId);
        try
        {
            return sealedSecrets with { KeyId = activeId, WrappedDataKey = Encrypt(activeKek, dataKey, ownerId) };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    public string ActiveKeyId => keys.Active.Id;

    private static byte[] Encrypt(byte[] key, byte[] plaintext, Guid ownerId)
    {
        // Layout: nonce | tag | ciphertext.
        var output = new byte[NonceSize + TagSize + plaintext.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), ownerId.ToByteArray());
        return output;
    }

    private static byte[] Decrypt(byte[] key, byte[] sealedBytes, Guid ownerId)
    {
        if (sealedBytes.Length < NonceSize + TagSize)
        {
            throw new CryptographicException("The stored credentials are damaged.");
        }

        var plaintext = new byte[sealedBytes.Length - NonceSize - TagSize];
        using var aes = new AesGcm(key, TagSize);
        // Throws AuthenticationTagMismatchException for a wrong key or tampered bytes: fail loudly.
        aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize),
            sealedBytes.AsSpan(NonceSize, TagSize), plaintext, ownerId.ToByteArray());
        return plaintext;
    }
}
