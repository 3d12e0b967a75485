using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Features.Flows.Editor;
using IntegrationsPortal.Infrastructure.Security;
using IntegrationsPortal.Tests.Components;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IntegrationsPortal.Tests.Features.Flows;

/// <summary>
/// The flow editor's side panel in bunit on the real flow services: a flow built without a mouse,
/// saved and deployed; deploy's refusals and warnings on their nodes; a destination's parameters
/// checked by its kind's rules while typing; unsaved work kept for the next circuit.
/// </summary>
public sealed class FlowEditorPageTests : WorldComponentTest<FlowTestBed>
{
    private AsyncServiceScope _scope;
    private IRenderedComponent<MudPopoverProvider> _popovers = default!;
    private LoopbackReceiver _receiver = default!;
    private Guid _flow;

    protected override async Task<FlowTestBed> StartAsync()
    {
        var bed = await FlowTestBed.StartAsync();
        _receiver = await LoopbackReceiver.StartAsync();
        SignIn(PortalRoles.Operator);
        _scope = bed.Services.AsOperator(bed.Harness.Tenant);
        Use(_scope.ServiceProvider, typeof(FlowService), typeof(FlowEditorQueries), typeof(FlowDraftStore), typeof(FlowEvents));
        // The circuit's user (the scope's), not the bare one SignIn registered.
        Services.AddSingleton(_scope.ServiceProvider.GetRequiredService<CurrentUser>());
        _flow = await bed.FlowsAsync(f => f.CreateAsync("Meters out"));
        _popovers = RenderPopovers();
        return bed;
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        await _scope.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task SidePanel_BuildsDeviceFunctionTwoDestinations_SavesAndDeploys()
    {
        var primary = await World.ActiveWebhookAsync(_receiver, "Primary hook");
        var backup = await World.ActiveWebhookAsync(_receiver, "Backup hook");
        var editor = RenderEditor();

        AddSource(editor, World.Meter);
        editor.Find("[data-testid=add-function]").Click();
        AddDestination(editor, primary);
        AddDestination(editor, backup);
        Connect(editor, "source-1", "function-1");
        Connect(editor, "function-1", "destination-1");
        Connect(editor, "function-1", "destination-2");
        Assert.NotEmpty(editor.FindAll("[data-testid=unsaved]"));

        editor.Find("[data-testid=deploy]").Click();

        editor.WaitForAssertion(() => Assert.True(editor.FindAll("[data-testid=editor-error]").Count > 0 || editor.Find("[data-testid=deployed-version]").TextContent.Contains("Running", StringComparison.Ordinal)), TimeSpan.FromSeconds(10));
        Assert.Equal("", string.Join(" | ", editor.FindAll("[data-testid=editor-error], [data-testid^=node-problem], [data-testid=flow-problem]").Select(e => e.TextContent)));
        Assert.Equal("Running version 1", editor.Find("[data-testid=deployed-version]").TextContent.Trim());
        Assert.Empty(editor.FindAll("[data-testid=unsaved]"));
        var saved = await World.FlowsAsync(f => f.GetAsync(_flow));
        Assert.Equal(FlowState.Deployed, saved.State);
        Assert.Equal(["source-1", "function-1", "destination-1", "destination-2"], saved.Draft.Nodes.Select(n => n.Id));
        Assert.Equal([new FlowEdge("source-1", "function-1"), new FlowEdge("function-1", "destination-1"), new FlowEdge("function-1", "destination-2")], saved.Draft.Edges);
        Assert.Equal([primary, backup], saved.Draft.Nodes.Where(n => n.Kind == FlowNodeKind.Destination).Select(n => n.IntegrationId!.Value));
    }

    [Fact]
    public async Task Deploy_AnIncompleteFlow_ShowsEachNodesProblem_AndDeploysNothing()
    {
        var editor = RenderEditor();
        editor.Find("[data-testid=add-function]").Click();
        editor.Find("[data-testid=function-code]").Input("function transform(m) { return m");

        editor.Find("[data-testid=deploy]").Click();

        editor.WaitForAssertion(() => Assert.NotEmpty(editor.FindAll("[data-testid=node-problem-function-1]")), TimeSpan.FromSeconds(30));
        var problems = editor.FindAll("[data-testid=node-problem-function-1]").Select(p => p.TextContent).ToList();
        Assert.Contains(problems, p => p.Contains("gets no messages", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("The function does not compile", StringComparison.Ordinal));
        Assert.Contains(editor.FindAll("[data-testid=flow-problem]"), p => p.TextContent.StartsWith("Add a source", StringComparison.Ordinal));
        Assert.Equal("Not deployed yet", editor.Find("[data-testid=deployed-version]").TextContent.Trim());
        Assert.Equal(FlowState.Draft, (await World.FlowsAsync(f => f.GetAsync(_flow))).State);
    }

    [Fact]
    public async Task Deploy_ToADestinationNotActive_DeploysWithTheWarningOnItsNode()
    {
        var pending = await World.Harness.CreateAsync("webhook", new() { ["url"] = new Uri(_receiver.Url, "in").ToString(), ["auth"] = "NONE" }, "Unverified hook");
        var editor = RenderEditor();
        AddSource(editor, World.Meter);
        AddDestination(editor, pending);
        Assert.Contains("receives nothing from this flow until it is active", editor.Find("[data-testid=destination-inactive]").TextContent, StringComparison.Ordinal);
        Connect(editor, "source-1", "destination-1");

        editor.Find("[data-testid=deploy]").Click();

        editor.WaitForAssertion(() => Assert.Equal("Running version 1", editor.Find("[data-testid=deployed-version]").TextContent.Trim()));
        Assert.Contains("receives nothing from this flow until it is active", editor.Find("[data-testid=node-warning-destination-1]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DestinationParameters_AreCheckedByTheirKindsRules_WhileTyping()
    {
        var hook = await World.ActiveWebhookAsync(_receiver, "Ops hook");
        var editor = RenderEditor();
        AddDestination(editor, hook);

        editor.Find("[data-testid=param-headers]").Input("Authorization: Bearer {{deviceId}}");

        Assert.Contains("cannot be set by a flow", HeadersField(editor), StringComparison.Ordinal);
        editor.Find("[data-testid=param-headers]").Input("X-Site: {{placeName}}");
        Assert.DoesNotContain("cannot be set by a flow", HeadersField(editor), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FunctionTest_ShowsOutputAndLogs_AndAnErrorWithItsLine()
    {
        var editor = RenderEditor();
        editor.Find("[data-testid=add-function]").Click();
        editor.Find("[data-testid=function-code]").Input(FlowTestBed.Double);

        editor.Find("[data-testid=test-function]").Click();

        editor.WaitForAssertion(() => Assert.True(editor.FindAll("[data-testid=test-result]").Count > 0, editor.Find("[data-testid=side-panel]").TextContent), TimeSpan.FromSeconds(10));
        Assert.Equal("""{"device":"Main meter","wh":1500,"flow":"(test)"}""", editor.Find("[data-testid=test-output]").TextContent);
        Assert.Equal("kwh 1.5", editor.Find("[data-testid=test-logs]").TextContent);

        editor.Find("[data-testid=function-code]").Input("function transform(m) {\n  return m.missing.field;\n}");
        editor.Find("[data-testid=test-function]").Click();

        editor.WaitForAssertion(() => Assert.StartsWith("line 2: ", editor.Find("[data-testid=test-error]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Equal(FlowState.Draft, (await World.FlowsAsync(f => f.GetAsync(_flow))).State);
    }

    [Fact]
    public void UnsavedWork_IsBackInTheNextCircuit_UntilDiscarded()
    {
        var editor = RenderEditor();
        editor.Find("[data-testid=flow-name]").Input("Meters to ops");
        editor.Find("[data-testid=add-function]").Click();
        editor.Dispose();

        var next = RenderEditor();

        Assert.NotEmpty(next.FindAll("[data-testid=restored-draft]"));
        Assert.Equal("Meters to ops", next.Find("[data-testid=flow-name]").GetAttribute("value"));
        Assert.NotEmpty(next.FindAll("[data-testid=node-function-1]"));

        next.Find("[data-testid=discard-unsaved]").Click();

        next.WaitForAssertion(() => Assert.Empty(next.FindAll("[data-testid=node-function-1]")));
        Assert.Empty(next.FindAll("[data-testid=restored-draft]"));
        Assert.Equal("Meters out", next.Find("[data-testid=flow-name]").GetAttribute("value"));
    }

    private static string HeadersField(IRenderedComponent<FlowEditorPage> editor) =>
        editor.Find("[data-testid=param-headers]").Closest(".mud-input-control")!.TextContent;

    private IRenderedComponent<FlowEditorPage> RenderEditor()
    {
        var editor = Render<FlowEditorPage>(p => p.Add(x => x.FlowId, _flow));
        editor.WaitForElement("[data-testid=add-source]");
        return editor;
    }

    private void AddSource(IRenderedComponent<FlowEditorPage> editor, Guid device)
    {
        editor.Find("[data-testid=add-source]").Click();
        Pick(editor, "source-ref", device.ToString());
    }

    private void AddDestination(IRenderedComponent<FlowEditorPage> editor, Guid integration)
    {
        editor.Find("[data-testid=add-destination]").Click();
        Pick(editor, "destination-integration", integration.ToString());
    }

    private void Connect(IRenderedComponent<FlowEditorPage> editor, string from, string to)
    {
        editor.Find($"[data-testid=node-{from}]").Click();
        Pick(editor, "connect-to", to);
        // The select sets its value asynchronously; on a busy machine Connect can still be disabled here.
        editor.WaitForAssertion(() => Assert.False(editor.Find("[data-testid=connect]").HasAttribute("disabled")), TimeSpan.FromSeconds(15));
        editor.Find("[data-testid=connect]").Click();
        // Connecting re-checks the draft before the list renders again: wait for that render, as a user would.
        editor.WaitForAssertion(() => Assert.NotEmpty(editor.FindAll($"[data-testid=connection-{from}-{to}]")), TimeSpan.FromSeconds(15));
    }

    /// <summary>Opens the select with that test id and clicks the option of that value, as a user would.</summary>
    private void Pick(IRenderedComponent<FlowEditorPage> editor, string testId, string value)
    {
        var select = editor.FindComponents<MudSelect<string>>().Single(s => s.Instance.UserAttributes.TryGetValue("data-testid", out var id) && (string?)id == testId);
        select.InvokeAsync(select.Instance.OpenMenu);
        var item = _popovers.FindComponents<MudSelectItem<string>>().Single(i => i.Instance.Value == value);
        item.Find("[role=option]").Click();
    }
}
