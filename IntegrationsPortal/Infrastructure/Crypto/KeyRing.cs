using System.Security.Cryptography;

namespace IntegrationsPortal.Infrastructure.Crypto;

/// <summary>
/// The key-encryption keys, by id. They come from configuration (<c>Portal:Vault:Keys:{id}</c>,
/// base64 of 32 bytes, e.g. from an environment variable or a secret store) and from key files
/// (<c>{id}.kek</c>) in <c>Portal:Vault:KeyDirectory</c>, never from the database. The active key
/// (<c>Portal:Vault:ActiveKeyId</c>, else the newest file) wraps new data keys; older keys stay
/// to open what they wrapped until a rewrap moves everything to the active one.
/// </summary>
public sealed class KeyRing
{
    private readonly Dictionary<string, byte[]> _keys;

    public KeyRing(IReadOnlyDictionary<string, byte[]> keys, string activeKeyId)
    {
        if (keys.Count == 0 || !keys.ContainsKey(activeKeyId))
        {
            throw new InvalidOperationException($"The vault's active key '{activeKeyId}' is not configured.");
        }

        if (keys.FirstOrDefault(k => k.Value.Length != 32) is { Key: not null } wrongSize)
        {
            throw new InvalidOperationException($"Vault key '{wrongSize.Key}' must be 32 bytes (base64 of 32 random bytes).");
        }

        _keys = new Dictionary<string, byte[]>(keys);
        Active = (activeKeyId, _keys[activeKeyId]);
    }

    public (string Id, byte[] Key) Active { get; }

    public IReadOnlyCollection<string> KeyIds => _keys.Keys;

    public byte[] Get(string keyId) =>
        _keys.TryGetValue(keyId, out var key)
            ? key
            : throw new CryptographicException($"Vault key '{keyId}' is not configured; the credentials it protects cannot be opened.");

    /// <summary>
    /// Loads keys from configuration and the key directory. With none at all (a first start), makes
    /// one key file, readable by this user only, and says so in the log: it must be backed up.
    /// </summary>
    public static KeyRing Load(IConfiguration configuration, string defaultKeyDirectory, ILogger logger, TimeProvider time)
    {
        var section = configuration.GetSection("Portal:Vault");
        var directory = section["KeyDirectory"] is { Length: > 0 } configured ? configured : defaultKeyDirectory;
        var keys = section.GetSection("Keys").GetChildren()
            .Where(k => !string.IsNullOrEmpty(k.Value))
            .ToDictionary(k => k.Key, k => Convert.FromBase64String(k.Value!));

        var files = Directory.Exists(directory)
            ? new DirectoryInfo(directory).GetFiles("*.kek").OrderBy(f => f.Name, StringComparer.Ordinal).ToList()
            : [];
        foreach (var file in files)
        {
            keys.TryAdd(Path.GetFileNameWithoutExtension(file.Name), Convert.FromBase64String(File.ReadAllText(file.FullName).Trim()));
        }

        var activeId = section["ActiveKeyId"] is { Length: > 0 } active ? active : files.LastOrDefault() is { } newest
            ? Path.GetFileNameWithoutExtension(newest.Name)
            : keys.Keys.LastOrDefault();
        if (activeId is null)
        {
            activeId = CreateKeyFile(directory, time);
            keys[activeId] = Convert.FromBase64String(File.ReadAllText(Path.Combine(directory, activeId + ".kek")));
            logger.LogWarning("Created vault key {KeyId} in {Directory}. Back it up: without it, stored credentials cannot be opened.", activeId, directory);
        }

        return new KeyRing(keys, activeId);
    }

    /// <summary>Writes a new random key file and returns its id (used at first start and by rotation).</summary>
    public static string CreateKeyFile(string directory, TimeProvider time)
    {
        Data.DataFiles.OwnerOnlySubfolder(directory);
        var id = $"kek-{time.GetUtcNow():yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        var path = Path.Combine(directory, id + ".kek");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options))
        {
            writer.Write(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        }

        return id;
    }
}
