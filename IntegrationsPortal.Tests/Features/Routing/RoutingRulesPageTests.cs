using AngleSharp.Dom;
using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Routing;
using IntegrationsPortal.Features.Routing.Pages;
using IntegrationsPortal.Tests.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IntegrationsPortal.Tests.Features.Routing;

/// <summary>The routing rules page in bunit, on the real RoutingRuleService and a SQLite file.</summary>
public sealed class RoutingRulesPageTests : ComponentTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private PortalServices _portal = default!;
    private Tenant _acme = default!;
    private Guid _primary;
    private Guid _second;

    [Fact]
    public async Task NewRule_WithItsOwnIntegrationAsFallback_IsRefusedNextToTheFallback_NothingIsSaved_ThenSavedWhenCorrected()
    {
        var (page, dialogs) = await RenderAsync(PortalRoles.Operator);

        page.Find("[data-testid=routing-rule-new]").Click();
        dialogs.WaitForElement("form[data-testid=routing-rule-form]", Patience);
        await ChooseAsync(dialogs, "routing-rule-capability", Capabilities.Notify);
        await ChooseAsync<Guid?>(dialogs, "routing-rule-integration", _primary);
        await ChooseAsync<Guid?>(dialogs, "routing-rule-fallback", _primary);
        dialogs.Find("input[data-testid=routing-rule-priority]").Change("5");
        dialogs.Find("form[data-testid=routing-rule-form]").Submit();

        dialogs.WaitForAssertion(() => Assert.Contains(
            "The fallback must be another integration than the rule's own.", FieldOf(dialogs, "routing-rule-fallback").TextContent, StringComparison.Ordinal), Patience);
        Assert.DoesNotContain("another integration", FieldOf(dialogs, "routing-rule-integration").TextContent, StringComparison.Ordinal);
        Assert.Empty(await ListAsync());

        await ChooseAsync<Guid?>(dialogs, "routing-rule-fallback", _second);
        dialogs.Find("form[data-testid=routing-rule-form]").Submit();

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("form[data-testid=routing-rule-form]")), Patience);
        var rule = Assert.Single(await ListAsync());
        Assert.Equal((Capabilities.Notify, _primary, _second, 5), (rule.Capability, rule.Integration.Id, rule.Fallback?.Id, rule.Priority));
        page.WaitForAssertion(() => Assert.Contains("Primary hook", Row(page, rule.Id).QuerySelector("[data-testid=routing-rule-integration-cell]")!.TextContent, StringComparison.Ordinal), Patience);
        Assert.Contains("Second hook", Row(page, rule.Id).QuerySelector("[data-testid=routing-rule-fallback-cell]")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_OpensWithTheRulesValues_AndSavesTheNewPriority()
    {
        var (page, dialogs) = await RenderAsync(PortalRoles.Operator);
        var id = await AddRuleAsync(priority: 3);
        page.WaitForElement($"[data-rule-id='{id}']", Patience);

        Row(page, id).QuerySelector("[data-testid=routing-rule-edit]")!.Click();
        dialogs.WaitForElement("form[data-testid=routing-rule-form]", Patience);
        Assert.Equal("3", dialogs.Find("input[data-testid=routing-rule-priority]").GetAttribute("value"));
        dialogs.Find("input[data-testid=routing-rule-priority]").Change("7");
        dialogs.Find("form[data-testid=routing-rule-form]").Submit();

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("form[data-testid=routing-rule-form]")), Patience);
        var rule = Assert.Single(await ListAsync());
        Assert.Equal((id, 7, _primary, _second), (rule.Id, rule.Priority, rule.Integration.Id, rule.Fallback?.Id));
        page.WaitForAssertion(() => Assert.Contains(">7<", Row(page, id).InnerHtml.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal), Patience);
    }

    [Fact]
    public async Task Delete_AsksFirst_KeepsTheRuleOnCancel_AndRemovesItOnYes()
    {
        var (page, dialogs) = await RenderAsync(PortalRoles.Operator);
        var id = await AddRuleAsync(priority: 1);
        page.WaitForElement($"[data-rule-id='{id}']", Patience);

        Row(page, id).QuerySelector("[data-testid=routing-rule-delete]")!.Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Delete the notify rule to 'Primary hook'?", dialogs.Markup, StringComparison.Ordinal), Patience);
        Assert.Single(await ListAsync());
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        dialogs.WaitForAssertion(() => Assert.DoesNotContain("Delete the notify rule", dialogs.Markup, StringComparison.Ordinal), Patience);
        Assert.Single(await ListAsync());

        Row(page, id).QuerySelector("[data-testid=routing-rule-delete]")!.Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Delete the notify rule", dialogs.Markup, StringComparison.Ordinal), Patience);
        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Delete").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll($"[data-rule-id='{id}']")), Patience);
        Assert.Empty(await ListAsync());
    }

    [Fact]
    public async Task Viewer_SeesTheRulesAsTheyChange_ButNoWriteButtons()
    {
        var (page, _) = await RenderAsync(PortalRoles.Viewer);

        // Added by an Operator elsewhere (another tab, a program): the open page follows.
        var id = await AddRuleAsync(priority: 2);

        page.WaitForElement($"[data-rule-id='{id}']", Patience);
        Assert.Contains("Primary hook", Row(page, id).TextContent, StringComparison.Ordinal);
        // Its target has not been verified: the rule says it cannot route now.
        Assert.Contains("'Primary hook' is", Row(page, id).QuerySelector("[data-testid=routing-rule-warning]")!.TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=routing-rule-new]"));
        Assert.Empty(page.FindAll("[data-testid=routing-rule-edit]"));
        Assert.Empty(page.FindAll("[data-testid=routing-rule-delete]"));
    }

    private async Task<(IRenderedComponent<RoutingRulesPage> Page, IRenderedComponent<MudDialogProvider> Dialogs)> RenderAsync(string role)
    {
        (_portal, _acme) = await UsePortalServicesAsync(role);
        _primary = await _portal.Services.CreateIntegrationAsync(_acme, IntegrationSeeds.Webhook("Primary hook", "https://hooks.acme.test/primary"));
        _second = await _portal.Services.CreateIntegrationAsync(_acme, IntegrationSeeds.Webhook("Second hook", "https://hooks.acme.test/second"));
        var dialogs = Render<MudDialogProvider>();
        RenderPopovers();
        return (Render<RoutingRulesPage>(), dialogs);
    }

    private async Task<string> AddRuleAsync(int priority)
    {
        await using var scope = _portal.Services.AsOperator(_acme);
        return await scope.ServiceProvider.GetRequiredService<RoutingRuleService>().CreateAsync(new RoutingRuleInput
        {
            Capability = Capabilities.Notify, IntegrationId = _primary, FallbackIntegrationId = _second, Priority = priority,
        }, Ct);
    }

    private async Task<IReadOnlyList<RoutingRuleView>> ListAsync()
    {
        await using var scope = _portal.Services.AsAdmin(_acme);
        return await scope.ServiceProvider.GetRequiredService<RoutingRuleService>().ListAsync(ct: Ct);
    }

    /// <summary>The grid row of rule <paramref name="id"/> (its capability cell carries the id).</summary>
    private static IElement Row(IRenderedComponent<RoutingRulesPage> page, string id) =>
        page.Find($"[data-rule-id='{id}']").Closest("tr") ?? throw new InvalidOperationException($"Rule {id} is not in a row.");

    /// <summary>The select with that test id and what MudBlazor shows around it (label, helper and error text).</summary>
    private static IElement FieldOf(IRenderedComponent<MudDialogProvider> dialogs, string testId) =>
        dialogs.Find($"[data-testid={testId}]").Closest(".mud-input-control") ?? throw new InvalidOperationException($"{testId} is not in a MudBlazor input control.");

    /// <summary>Chooses a value in the select with that test id, as picking its option does.</summary>
    private static Task ChooseAsync<T>(IRenderedComponent<MudDialogProvider> dialogs, string testId, T value)
    {
        var select = dialogs.FindComponents<MudSelect<T>>().Single(s => s.Instance.UserAttributes.TryGetValue("data-testid", out var id) && (string?)id == testId);
        return dialogs.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(value));
    }
}
