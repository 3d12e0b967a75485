using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Routing;
using MudBlazor;

namespace IntegrationsPortal.Features.Flows.Editor;

/// <summary>
/// The flow editor: a flow's draft on a canvas (with a palette to drag from), as a list of nodes, and
/// a side panel that configures the selected one, Save draft and Deploy through <see cref="FlowService"/>. Every edit goes to
/// <see cref="FlowDraftStore"/> at once, so the work survives a dropped circuit; leaving with unsaved
/// work asks first (NavigationLock, which also arms the browser's beforeunload prompt).
/// </summary>
public partial class FlowEditorPage : IDisposable
{
    private FlowDetail? detail;
    private FlowEditorModel? model;
    private FlowEditorChoices choices = FlowEditorChoices.None;
    private bool notFound;
    private bool restored;
    private string? nameError;
    private string savedJson = "";
    private string savedName = "";
    private IReadOnlyList<FlowProblem> problems = [];
    private IReadOnlyList<FlowProblem> warnings = [];
    private readonly FlowPaletteDrag paletteDrag = new();

    [Parameter]
    public Guid FlowId { get; set; }

    [Inject]
    public required FlowService Flows { get; init; }

    [Inject]
    public required FlowEditorQueries Queries { get; init; }

    [Inject]
    public required FlowDraftStore Unsaved { get; init; }

    [Inject]
    public required CurrentUser User { get; init; }

    private bool Dirty => model is not null && (model.Name != savedName || model.Graph.ToJson() != savedJson);

    private string UserKey => User.UserId ?? User.UserName;

    protected override async Task OnParametersSetAsync()
    {
        ErrorMessage = null;
        try
        {
            detail = await Flows.GetAsync(FlowId);
            choices = await Queries.ChoicesAsync();
        }
        catch (PortalException e) when (e.Kind == PortalErrorKind.NotFound)
        {
            notFound = true;
            return;
        }

        savedName = detail.Name;
        savedJson = detail.Draft.ToJson();
        var kept = Unsaved.Find(UserKey, FlowId);
        restored = kept is not null && (kept.Name != savedName || kept.GraphJson != savedJson);
        if (model is not null)
        {
            model.Changed -= OnModelChanged;
        }

        model = restored
            ? new FlowEditorModel(kept!.Name, FlowGraph.FromJson(kept.GraphJson))
            : new FlowEditorModel(detail.Name, detail.Draft);
        model.Changed += OnModelChanged;
    }

    private void OnModelChanged()
    {
        if (Dirty)
        {
            Unsaved.Keep(UserKey, FlowId, model!.Name, model.Graph);
        }
        else
        {
            Unsaved.Forget(UserKey, FlowId);
        }

        StateHasChanged();
    }

    private void Select(string? nodeId) => model!.SelectedId = nodeId;

    private void Rename(string name)
    {
        model!.Name = name;
        nameError = null;
        model.NotifyChanged();
    }

    private string Title(string nodeId) => model!.Graph.Node(nodeId) is { } node ? choices.Title(node) : nodeId;

    private string NodeIcon(FlowNode node) => node.Kind switch
    {
        FlowNodeKind.Source => Icons.Material.Filled.Sensors,
        FlowNodeKind.Function => Icons.Material.Filled.Functions,
        _ => choices.DestinationOf(node) is { } destination ? MaterialIcons.ByName(destination.Icon) : Icons.Material.Filled.Send,
    };

    /// <summary>Saves the name and the draft; what Deploy would say of it shows on the nodes.</summary>
    private async Task<bool> SaveDraftAsync()
    {
        FlowValidation? validation = null;
        var saved = await RunAsync(async () =>
        {
            if (model!.Name != savedName)
            {
                await Flows.RenameAsync(FlowId, model.Name);
                savedName = model.Name.Trim();
            }

            validation = await Flows.SaveDraftAsync(FlowId, model.Graph);
            savedJson = model.Graph.ToJson();
        }, refused: e =>
        {
            nameError = e.FieldErrors.TryGetValue("name", out var messages) ? messages[0] : null;
            return nameError is null ? e.Message : null;
        });
        if (saved)
        {
            Unsaved.Forget(UserKey, FlowId);
            restored = false;
            (problems, warnings) = (validation!.Errors, validation.Warnings);
        }

        return saved;
    }

    private async Task SaveAsync()
    {
        if (await SaveDraftAsync())
        {
            Snackbar.Add(problems.Count == 0 ? "Draft saved; it is ready to deploy." : "Draft saved. Deploy will ask for what is marked on the nodes.", Severity.Success);
            detail = await Flows.GetAsync(FlowId);
        }
    }

    private async Task DeployAsync()
    {
        if (!await SaveDraftAsync())
        {
            return;
        }

        DeployResult? result = null;
        var deployed = await RunAsync(async () => result = await Flows.DeployAsync(FlowId), refused: e =>
        {
            // The service keys node errors "nodes.<id>"; the rest concern the whole flow.
            problems = e.FieldErrors.SelectMany(f => f.Value.Select(m => new FlowProblem(f.Key.StartsWith("nodes.", StringComparison.Ordinal) ? f.Key["nodes.".Length..] : null, m))).ToList();
            return "The flow cannot be deployed yet: fix what is marked on the nodes.";
        });
        if (deployed)
        {
            (problems, warnings) = ([], result!.Warnings);
            Snackbar.Add($"Version {result.Version} is running.", Severity.Success);
            detail = await Flows.GetAsync(FlowId);
        }
    }

    private async Task SwitchAsync(bool enabled)
    {
        await RunAsync(() => enabled ? Flows.EnableAsync(FlowId) : Flows.DisableAsync(FlowId),
            enabled ? "The flow runs again." : "The flow is switched off; its deployed version is kept.");
        detail = await Flows.GetAsync(FlowId);
    }

    private async Task DiscardAsync()
    {
        Unsaved.Forget(UserKey, FlowId);
        await OnParametersSetAsync();
    }

    private async Task ConfirmLeaveAsync(LocationChangingContext context)
    {
        if (Dirty && !await ConfirmAsync("Unsaved changes", "The flow has changes that are not saved. Leave without saving them? (They stay in this browser session's memory for a while.)", "Leave", "Stay"))
        {
            context.PreventNavigation();
        }
    }

    public void Dispose()
    {
        if (model is not null)
        {
            model.Changed -= OnModelChanged;
        }
    }
}
