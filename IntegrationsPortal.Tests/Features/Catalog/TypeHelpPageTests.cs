using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Catalog.Pages;
using IntegrationsPortal.Tests.Components;

namespace IntegrationsPortal.Tests.Features.Catalog;

/// <summary>In-app help: a page per type generated from its catalog data, and the catalog's overview.</summary>
public sealed class TypeHelpPageTests : ComponentTest
{
    public static TheoryData<string> TypeKeys => new(CatalogData.Types.Select(t => t.Key));

    [Theory]
    [MemberData(nameof(TypeKeys))]
    public async Task EveryType_HasAHelpPage_WithItsFields_AnExample_AndTheOtherSide(string key)
    {
        await UsePortalServicesAsync(PortalRoles.Viewer);
        var type = CatalogData.Types.Single(t => t.Key == key);

        var page = Render<TypeHelpPage>(p => p.Add(x => x.Key, key));

        var fields = page.Find("[data-testid=type-help-fields]").TextContent;
        Assert.All(type.Properties, property => Assert.Contains(property.Label, fields, StringComparison.Ordinal));
        Assert.False(string.IsNullOrWhiteSpace(page.Find("[data-testid=type-help-example]").TextContent));
        Assert.Equal(TypeHelp.OtherSide(type), page.Find("[data-testid=type-help-other-side]").TextContent);
        Assert.NotNull(page.Find("a[href='/catalog/how-integrations-work']"));
    }

    [Fact]
    public async Task WebhookHelp_ShowsTheSignatureHeaders_AndAnEgressPayload()
    {
        await UsePortalServicesAsync(PortalRoles.Viewer);

        var page = Render<TypeHelpPage>(p => p.Add(x => x.Key, "webhook"));

        Assert.Contains("webhook-signature", page.Find("[data-testid=type-help-other-side]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Signing secret", page.Find("[data-testid=type-help-fields]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Example payload", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HowIntegrationsWork_ExplainsDirectionsVerificationAndMappings()
    {
        await UsePortalServicesAsync(PortalRoles.Viewer);

        var text = Render<HowIntegrationsWorkPage>().Find("[data-testid=how-integrations-work]").TextContent;

        Assert.Contains("egress", text, StringComparison.Ordinal);
        Assert.Contains("ingress", text, StringComparison.Ordinal);
        Assert.Contains("verified first", text, StringComparison.Ordinal);
        Assert.Contains("Resource mappings", text, StringComparison.Ordinal);
    }
}
