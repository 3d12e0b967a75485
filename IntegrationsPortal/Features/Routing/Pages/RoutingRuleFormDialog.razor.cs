using IntegrationsPortal.Features.Catalog;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Routing.Pages;

/// <summary>
/// Adds a routing rule, or edits <see cref="Rule"/>. The choosers offer the integrations whose type
/// offers the chosen capability; everything else (priority range, a fallback that is another
/// integration, deleted targets) is the service's check, shown next to its field. Closes with true.
/// </summary>
public partial class RoutingRuleFormDialog
{
    private static readonly IReadOnlyList<string> RoutableCapabilities = [.. Capabilities.Routable.Order(StringComparer.Ordinal)];

    private RoutingRuleForm form = new();
    private IReadOnlyList<RuleTarget>? targets;

    [Inject]
    public required RoutingRuleService Rules { get; init; }

    /// <summary>The rule to edit; null to add one.</summary>
    [Parameter]
    public RoutingRuleView? Rule { get; set; }

    protected override async Task OnInitializedAsync()
    {
        if (Rule is not null)
        {
            form = RoutingRuleForm.From(Rule);
        }

        UseModel(form);
        await LoadTargetsAsync();
    }

    private async Task OnCapabilityChangedAsync(string capability)
    {
        form.Capability = capability;
        EditContext.NotifyFieldChanged(EditContext.Field(nameof(RoutingRuleForm.Capability)));
        await LoadTargetsAsync();
    }

    private async Task LoadTargetsAsync() =>
        targets = await LoadAsync(() => Rules.TargetsAsync(string.IsNullOrEmpty(form.Capability) ? null : form.Capability), targets ?? []);

    private Task SaveAsync() => SaveAndCloseAsync(async () =>
    {
        if (Rule is null)
        {
            await Rules.CreateAsync(form.ToInput());
        }
        else
        {
            await Rules.UpdateAsync(Rule.Id, form.ToInput());
        }

        return true;
    }, Rule is null ? $"The {form.Capability} rule was added." : $"The {form.Capability} rule was saved.");

    // An edited rule may point at an integration no longer offered (deleted, or another capability now): name it anyway.
    private string TargetName(Guid? id) => id switch
    {
        null => "",
        { } value when targets?.FirstOrDefault(t => t.Id == value) is { } target => Label(target),
        { } value when Rule?.Integration.Id == value => Label(Rule.Integration),
        { } value when Rule?.Fallback?.Id == value => Label(Rule.Fallback),
        _ => "",
    };

    private static string Label(RuleTarget target) => $"{target.Name} ({target.TypeName})";
}
