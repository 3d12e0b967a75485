#:property PublishAot=false
// Writes _framework/blazor.web.js, an embedded resource of the 9.0 runtime pack's
// Microsoft.AspNetCore.Components.Endpoints.dll, to the path given. The build runs this
// because the .NET 10 package that normally ships the script is not on our registry
// (docs/decisions/001-blazor-script-from-9-runtime-pack.md).
// Usage: dotnet run --file tools/extract-blazor-script.cs -- <Endpoints.dll> <output.js>
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

const string ResourceName = "_framework/blazor.web.js";
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: extract-blazor-script <Microsoft.AspNetCore.Components.Endpoints.dll> <output.js>");
    return 2;
}

using var stream = File.OpenRead(args[0]);
using var pe = new PEReader(stream);
var metadata = pe.GetMetadataReader();
foreach (var handle in metadata.ManifestResources)
{
    var resource = metadata.GetManifestResource(handle);
    if (metadata.GetString(resource.Name) != ResourceName)
    {
        continue;
    }

    // Embedded resources live in the CLI resources section: an int32 length, then the bytes.
    var directory = pe.PEHeaders.CorHeader!.ResourcesDirectory;
    var section = pe.GetSectionData(directory.RelativeVirtualAddress);
    var reader = section.GetReader((int)resource.Offset, section.Length - (int)resource.Offset);
    var length = reader.ReadInt32();
    var bytes = reader.ReadBytes(length);
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
    File.WriteAllBytes(args[1], bytes);
    Console.WriteLine($"extract-blazor-script: wrote {bytes.Length} bytes to {args[1]}");
    return 0;
}

Console.Error.WriteLine($"extract-blazor-script: resource {ResourceName} not found in {args[0]}");
return 1;
