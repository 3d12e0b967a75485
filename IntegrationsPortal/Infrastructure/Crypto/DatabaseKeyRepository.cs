using System.Xml.Linq;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace IntegrationsPortal.Infrastructure.Crypto;

/// <summary>
/// The Data Protection key ring in the portal's database (the DataProtectionKeys table, on SQLite and
/// PostgreSQL alike), so every node of a cluster signs and opens the same sign-in cookies and antiforgery
/// tokens (docs/decisions/046). Each key is stored as <see cref="VaultXmlEncryptor"/> wrote it, so a copy of
/// the database alone opens none. Keys that an earlier version kept as files (the data folder's keys/) are
/// copied into the table the first time the ring is read and the table is empty: an upgrade keeps everyone
/// signed in. The files stay where they are (still encrypted) and are not read again.
/// </summary>
public sealed class DatabaseKeyRepository(IServiceProvider services, string legacyKeyFolder, ILoggerFactory logging) : IXmlRepository
{
    private readonly EntityFrameworkCoreXmlRepository<PortalDbContext> _table = new(services, logging);
    private readonly ILogger _logger = logging.CreateLogger<DatabaseKeyRepository>();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var stored = _table.GetAllElements();
        return stored.Count > 0 ? stored : ImportKeyFiles();
    }

    public void StoreElement(XElement element, string friendlyName) => _table.StoreElement(element, friendlyName);

    private IReadOnlyCollection<XElement> ImportKeyFiles()
    {
        var files = Directory.Exists(legacyKeyFolder)
            ? Directory.GetFiles(legacyKeyFolder, "*.xml").Order(StringComparer.Ordinal).ToList()
            : [];
        if (files.Count == 0)
        {
            return [];
        }

        foreach (var file in files)
        {
            // The file's name is the one Data Protection gave it ("key-{id}"), kept as the row's friendly name.
            _table.StoreElement(XElement.Load(file), Path.GetFileNameWithoutExtension(file));
        }

        _logger.LogInformation(
            "Copied {Count} Data Protection keys from {Folder} into the database; the portal no longer reads that folder.",
            files.Count, legacyKeyFolder);
        return _table.GetAllElements();
    }
}
