using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Features.Routing.Pages;

/// <summary>
/// The routing rules of the organization: Operators and Admins add, edit and delete them (the same
/// RoutingRuleService as /api/v1/routing-rules), Viewers read. The list follows rule changes made
/// anywhere (another tab, a program) and integration changes, which decide a rule's warning.
/// </summary>
public partial class RoutingRulesPage : IDisposable
{
    private IReadOnlyList<RoutingRuleView>? rules;
    private LiveRefresh? live;

    [Inject]
    public required RoutingRuleService Rules { get; init; }

    [Inject]
    public required RoutingRuleEvents RuleEvents { get; init; }

    [Inject]
    public required IntegrationEvents IntegrationEvents { get; init; }

    [Inject]
    public required CurrentUser CurrentUser { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required ILogger<RoutingRulesPage> Logger { get; init; }

    protected override async Task OnInitializedAsync()
    {
        live = new LiveRefresh(InvokeAsync, StateHasChanged, LoadAsync, Logger, TimeSpan.FromSeconds(1), Time)
            .Follow<Guid>(h => RuleEvents.Changed += h, h => RuleEvents.Changed -= h, organization => organization == CurrentUser.OrganizationId)
            // Integration events carry no organization; the reload is one query under the tenant filter.
            .Follow<Guid>(h => IntegrationEvents.Changed += h, h => IntegrationEvents.Changed -= h);
        await LoadAsync();
    }

    private async Task LoadAsync() => rules = await LoadAsync(() => Rules.ListAsync(), rules ?? []);

    private async Task EditAsync(RoutingRuleView? rule)
    {
        var dialog = await Dialogs.ShowAsync<RoutingRuleFormDialog>(
            rule is null ? "New routing rule" : $"Edit the {rule.Capability} rule",
            new DialogParameters<RoutingRuleFormDialog> { { d => d.Rule, rule } },
            new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true, CloseOnEscapeKey = true });
        if (await dialog.Result is { Canceled: false })
        {
            await LoadAsync();
        }
    }

    private async Task DeleteAsync(RoutingRuleView rule)
    {
        if (await ConfirmAsync("Delete routing rule", $"Delete the {rule.Capability} rule to '{rule.Integration.Name}'? Operations for {rule.Capability} then follow the other rules, if any.", "Delete"))
        {
            await RunAsync(() => Rules.DeleteAsync(rule.Id), $"The {rule.Capability} rule to '{rule.Integration.Name}' was deleted.");
            await LoadAsync();
        }
    }

    private static string Target(RuleTarget target) =>
        $"{target.Name} ({target.TypeName}, {(target.Status is { } status ? IntegrationLifecycle.Label(status) : "deleted")})";

    public void Dispose() => live?.Dispose();
}
