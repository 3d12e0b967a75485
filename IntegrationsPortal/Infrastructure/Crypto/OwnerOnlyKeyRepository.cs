using System.Xml.Linq;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace IntegrationsPortal.Infrastructure.Crypto;

/// <summary>
/// Data Protection's file store, kept owner-only: the folder 0700 and each key file 0600. The
/// framework's store creates them with the process umask (0755/0644), which lets every local user
/// copy the (vault-encrypted) keys.
/// </summary>
public sealed class OwnerOnlyKeyRepository(string directory, ILoggerFactory logging) : IXmlRepository
{
    private readonly FileSystemXmlRepository _files = new(DataFiles.OwnerOnlySubfolder(directory), logging);

    public IReadOnlyCollection<XElement> GetAllElements() => _files.GetAllElements();

    public void StoreElement(XElement element, string friendlyName)
    {
        _files.StoreElement(element, friendlyName);
        DataFiles.MakeFilesOwnerOnly(directory, "*.xml");
    }
}
