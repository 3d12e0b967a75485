using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using IntegrationsPortal.Components.Shared;

namespace IntegrationsPortal.Tests.Components.Shared;

/// <summary>
/// The rule of docs/decisions/040: MudDataGrid and MudTable key their rows by item, so every row type
/// they show is an <see cref="IGridRow"/> and equal by its key; otherwise a live refresh replaces the
/// rows, and the buttons in them, under the operator's pointer.
/// </summary>
public sealed partial class GridRowTests
{
    private static readonly Assembly Portal = typeof(IGridRow).Assembly;

    [Fact]
    public void EveryGridAndTable_ShowsARowTypeThatIsAGridRow()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "IntegrationsPortal.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("The repository root (IntegrationsPortal.sln) was not found above the test output.");
        }

        var rowTypes = Directory.EnumerateFiles(Path.Combine(root.FullName, "IntegrationsPortal"), "*.razor", SearchOption.AllDirectories)
            .SelectMany(file => GridDeclaration().Matches(File.ReadAllText(file)).Select(m => (File: Path.GetFileName(file), Type: m.Groups["type"].Value)))
            .ToList();

        Assert.NotEmpty(rowTypes);
        var notGridRows = rowTypes
            .Where(g => Portal.GetTypes().SingleOrDefault(t => t.Name == g.Type) is not { } type || !typeof(IGridRow).IsAssignableFrom(type))
            .Select(g => $"{g.File}: {g.Type}")
            .ToList();
        Assert.Empty(notGridRows);
    }

    [Fact]
    public void EveryGridRow_DeclaresItsOwnEquality_NotTheRecordsValueEquality()
    {
        var byValue = Portal.GetTypes()
            .Where(t => typeof(IGridRow).IsAssignableFrom(t) && !t.IsInterface)
            .Where(t => IsCompilerGenerated(t.GetMethod(nameof(Equals), [t])) || IsCompilerGenerated(t.GetMethod(nameof(GetHashCode), Type.EmptyTypes)))
            .Select(t => t.Name)
            .ToList();

        Assert.Empty(byValue);
    }

    private static bool IsCompilerGenerated(MethodInfo? method) =>
        method is null || method.DeclaringType is null || method.GetCustomAttribute<CompilerGeneratedAttribute>() is not null
        || method.DeclaringType == typeof(object);

    [GeneratedRegex("""<(MudDataGrid|MudTable)\b[^>]*?\bT="(?<type>\w+)""")]
    private static partial Regex GridDeclaration();
}
