using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace IntegrationsPortal.Infrastructure.Crypto;

/// <summary>
/// Encrypts the Data Protection key files (which sign the sign-in cookies) with the vault's active
/// key-encryption key, AES-256-GCM, so a copy of App_Data/keys alone cannot forge an Admin's cookie.
/// The key id is stored with each file and bound in as associated data, so rotation keeps older files
/// readable while their key stays configured. Key files written before this (unencrypted) still load.
/// </summary>
public sealed class VaultXmlEncryptor(KeyRing keys) : IXmlEncryptor
{
    internal const string ElementName = "vaultEncrypted";

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var (keyId, key) = keys.Active;
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(key, tag.Length))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(keyId));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement(ElementName,
            new XAttribute("keyId", keyId),
            new XElement("value", Convert.ToBase64String([.. nonce, .. tag, .. ciphertext])));
        return new EncryptedXmlInfo(element, typeof(VaultXmlDecryptor));
    }

    internal static byte[] AssociatedData(string keyId) => Encoding.UTF8.GetBytes("data-protection-key:" + keyId);
}

/// <summary>Opens what <see cref="VaultXmlEncryptor"/> wrote; Data Protection creates it with the app's services.</summary>
public sealed class VaultXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement)
    {
        var keyId = (string?)encryptedElement.Attribute("keyId") ?? throw new CryptographicException("The key file names no vault key.");
        var blob = Convert.FromBase64String((string?)encryptedElement.Element("value") ?? "");
        var nonceSize = AesGcm.NonceByteSizes.MaxSize;
        var tagSize = AesGcm.TagByteSizes.MaxSize;
        var plaintext = new byte[blob.Length - nonceSize - tagSize];
        using (var aes = new AesGcm(services.GetRequiredService<KeyRing>().Get(keyId), tagSize))
        {
            aes.Decrypt(blob.AsSpan(0, nonceSize), blob.AsSpan(nonceSize + tagSize), blob.AsSpan(nonceSize, tagSize), plaintext, VaultXmlEncryptor.AssociatedData(keyId));
        }

        return XElement.Parse(Encoding.UTF8.GetString(plaintext));
    }
}
