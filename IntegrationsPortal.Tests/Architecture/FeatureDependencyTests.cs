using System.Reflection;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using NetArchTest.Rules;

namespace IntegrationsPortal.Tests.Architecture;

/// <summary>
/// The feature dependency rules of docs/decisions/041, read from the compiled portal: a reference that
/// breaks them (a new cycle between features, Infrastructure reaching into a feature) fails here with
/// the types that make it.
/// </summary>
public sealed class FeatureDependencyTests
{
    private const string Features = "IntegrationsPortal.Features";
    private const string Kernel = "IntegrationsPortal.Kernel";
    private const string Infrastructure = "IntegrationsPortal.Infrastructure";
    private const string Components = "IntegrationsPortal.Components";
    private const string SharedComponents = "IntegrationsPortal.Components.Shared";
    private const string Migrations = "IntegrationsPortal.Infrastructure.Data.Migrations";

    private static readonly Assembly Portal = typeof(PortalDbContext).Assembly;

    // Read once: each rule below selects from the same loaded types (the tests of one class run one at a time).
    private static readonly Types PortalTypes = Types.InAssembly(Portal);

    /// <summary>Feature cores from the bottom up: each may use those before it, none after it (041).</summary>
    public static readonly IReadOnlyList<string> Order =
    [
        "Accounts", "Audit", "Settings", "Resources", "Catalog", "Integrations", "Delivery", "Mqtt", "Recipients",
        "Ingestion", "Uplinks", "Routing", "Operations", "Flows", "Platform", "ApiKeys", "Api",
    ];

    /// <summary>The sub-namespaces that hold a feature's UI; UI composes features and is above every core.</summary>
    private static readonly string[] UiFolders = ["Pages", "Components", "Editor"];

    /// <summary>
    /// Upward references the code has today, each to be removed (041 says why each is still there). A type
    /// listed here that no longer makes the reference fails the test too, so the list only shrinks. None
    /// is left: the last, the registry of each type's code, became Catalog's role-neutral TypeCode (041).
    /// </summary>
    private static readonly (string Feature, string Type, string Uses)[] KnownExceptions =
    [
    ];

    public static TheoryData<string> FeatureNames => [.. Order];

    [Fact]
    public void EveryFeatureFolder_IsInTheOrder()
    {
        var namespaces = Portal.GetTypes()
            .Select(t => t.Namespace)
            .OfType<string>()
            .Where(n => n.StartsWith(Features + ".", StringComparison.Ordinal))
            .Select(n => n.Split('.')[2])
            .Distinct()
            .Order(StringComparer.Ordinal);

        Assert.Equal(Order.Order(StringComparer.Ordinal), namespaces);
    }

    [Fact]
    public void Infrastructure_UsesNoFeatureKernelOrComponent()
    {
        var result = PortalTypes
            .That().ResideInNamespaceMatching(Within(Infrastructure))
            .And().DoNotResideInNamespaceMatching(Within(Migrations))
            .And().DoNotHaveNameMatching(@"^(Postgres)?PortalDbContext$")
            .ShouldNot().HaveDependencyOnAny(Features, Kernel, Components)
            .GetResult();

        AssertNone(result, "Infrastructure uses no feature, kernel type or component");
    }

    [Fact]
    public void PortalDbContext_UsesFeatureEntityTypesOnly()
    {
        using var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite("Data Source=:memory:").Options, new CurrentUser());
        var entities = db.Model.GetEntityTypes().Select(e => e.ClrType).ToHashSet();
        var allowed = entities.Select(t => t.FullName!).ToHashSet(StringComparer.Ordinal);
        var others = Portal.GetTypes()
            .Where(t => t.FullName is { } name && !t.IsNested && !allowed.Contains(name)
                        && (name.StartsWith(Features + ".", StringComparison.Ordinal) || name.StartsWith(Kernel + ".", StringComparison.Ordinal)))
            .Select(t => t.FullName!)
            .ToArray();

        var result = PortalTypes
            .That().HaveNameMatching(@"^(Postgres)?PortalDbContext$")
            .ShouldNot().HaveDependencyOnAny(others)
            .GetResult();

        AssertNone(result, "the DbContext names feature types only as its entities");
    }

    [Fact]
    public void Kernel_UsesNoFeatureOrComponent()
    {
        var result = PortalTypes
            .That().ResideInNamespaceMatching(Within(Kernel))
            .ShouldNot().HaveDependencyOnAny(Features, Components)
            .GetResult();

        AssertNone(result, "the shared kernel uses no feature");
    }

    [Fact]
    public void SharedComponents_UseNoFeature()
    {
        var result = PortalTypes
            .That().ResideInNamespaceMatching(Within(SharedComponents))
            .ShouldNot().HaveDependencyOnAny(Features)
            .GetResult();

        AssertNone(result, "shared components use no feature");
    }

    [Theory]
    [MemberData(nameof(FeatureNames))]
    public void FeatureCore_UsesOnlyTheCoresBelowIt(string feature)
    {
        var found = new List<(string Type, string Uses)>();
        foreach (var (forbidden, uses) in Forbidden(feature))
        {
            // The feature's one registration class (FlowsExtensions) registers its own UI's services too.
            var ownUi = forbidden.StartsWith($"{Features}.{feature}.", StringComparison.Ordinal);
            var result = PortalTypes
                .That().ResideInNamespaceMatching(Within($"{Features}.{feature}"))
                .And().DoNotResideInNamespaceMatching(UiOf(feature))
                .And().DoNotHaveNameMatching(ownUi ? $"^{feature}Extensions$" : "^$")
                .ShouldNot().HaveDependencyOn(forbidden)
                .GetResult();
            found.AddRange((result.FailingTypeNames ?? []).Select(Declaring).Distinct().Select(t => (t, uses)));
        }

        var known = KnownExceptions.Where(e => e.Feature == feature).Select(e => (e.Type, e.Uses)).ToHashSet();
        var unexpected = found.Distinct().Where(f => !known.Contains(f)).Select(f => $"{f.Type} uses {f.Uses}").Order().ToList();
        var gone = known.Where(k => !found.Contains(k)).Select(k => $"{k.Type} -> {k.Uses}").Order().ToList();

        Assert.True(unexpected.Count == 0,
            $"{feature} may use only the features before it in FeatureDependencyTests.Order and no UI (docs/decisions/041):\n  " + string.Join("\n  ", unexpected));
        Assert.True(gone.Count == 0, "These known exceptions are gone: take them out of KnownExceptions (and 041):\n  " + string.Join("\n  ", gone));
    }

    /// <summary>What <paramref name="feature"/>'s core may not use: the features above it, and any feature's UI.</summary>
    private static IEnumerable<(string Namespace, string Label)> Forbidden(string feature)
    {
        var index = Order.ToList().IndexOf(feature);
        foreach (var above in Order.Skip(index + 1))
        {
            yield return ($"{Features}.{above}", above);
        }

        foreach (var any in Order.Take(index + 1))
        {
            foreach (var folder in UiFolders)
            {
                yield return ($"{Features}.{any}.{folder}", $"{any}.{folder}");
            }
        }
    }

    private static string Within(string ns) => "^" + Regex.Escape(ns) + @"(\..+)?$";

    private static string UiOf(string feature) => "^" + Regex.Escape($"{Features}.{feature}") + @"\.(" + string.Join('|', UiFolders) + @")(\..+)?$";

    /// <summary>The top-level type a compiler-made nested type (a lambda's closure, an async state machine) belongs to.</summary>
    private static string Declaring(string typeName) => typeName.Split('/', '+')[0];

    private static void AssertNone(NetArchTest.Rules.TestResult result, string rule) =>
        Assert.True(result.IsSuccessful, $"Broken rule: {rule} (docs/decisions/041):\n  " +
            string.Join("\n  ", (result.FailingTypeNames ?? []).Select(Declaring).Distinct().Order()));
}
