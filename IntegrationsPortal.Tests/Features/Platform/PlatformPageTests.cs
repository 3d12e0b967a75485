using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Platform.Pages;
using IntegrationsPortal.Tests.Components;

namespace IntegrationsPortal.Tests.Features.Platform;

/// <summary>The Platform page in bunit, on the real PlatformService and a SQLite file, as the first user (a platform administrator).</summary>
public sealed class PlatformPageTests : ComponentTest
{
    private async Task<IRenderedComponent<PlatformPage>> RenderAsync()
    {
        await UsePortalServicesAsync(PortalRoles.Admin);
        RenderPopovers();
        return Render<PlatformPage>();
    }

    [Fact]
    public async Task Create_ListsTheNewOrganizationWithNoUsersAndActive()
    {
        var page = await RenderAsync();

        page.Find("input[data-testid=create-org-name]").Input("Globex Water");
        page.Find("form[data-testid=create-org]").Submit();

        page.WaitForAssertion(() => Assert.Equal("Globex Water", page.Find("[data-testid='org-Globex Water']").TextContent.Trim()), TimeSpan.FromSeconds(15));
        Assert.Equal("0", page.Find("[data-testid='org-users-Globex Water']").TextContent.Trim());
        Assert.Equal("Active", page.Find("[data-testid='org-status-Globex Water']").TextContent.Trim());
        Assert.Equal("1", page.Find("[data-testid='org-users-Acme Energy']").TextContent.Trim());
    }

    [Fact]
    public async Task Create_TakenName_ShowsTheErrorNextToTheField_AndAddsNoRow()
    {
        var page = await RenderAsync();
        page.WaitForElement("[data-testid='org-Acme Energy']", TimeSpan.FromSeconds(15));

        page.Find("input[data-testid=create-org-name]").Input("acme energy");
        page.Find("form[data-testid=create-org]").Submit();

        page.WaitForAssertion(() => Assert.Contains("Another organization has this name.", page.Find("form[data-testid=create-org]").TextContent, StringComparison.Ordinal),
            TimeSpan.FromSeconds(15));
        Assert.Single(page.FindAll("tbody tr"));
    }

    [Fact]
    public async Task Suspend_OwnOrganization_ShowsWhyItIsRefused()
    {
        var page = await RenderAsync();
        var dialogs = Render<MudBlazor.MudDialogProvider>();
        page.WaitForElement("[data-testid='suspend-Acme Energy']", TimeSpan.FromSeconds(15)).Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Nothing is deleted", dialogs.Markup, StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Suspend").Click();

        page.WaitForAssertion(() => Assert.Contains("you would lock yourself out", page.Find("[data-testid=platform-error]").TextContent, StringComparison.Ordinal),
            TimeSpan.FromSeconds(15));
        Assert.Equal("Active", page.Find("[data-testid='org-status-Acme Energy']").TextContent.Trim());
    }
}
