using Bunit;
using IntegrationsPortal.Features.Integrations.Components;
using IntegrationsPortal.Tests.Components;

namespace IntegrationsPortal.Tests.Features.Integrations.Components;

public sealed class KeyValueEditorTests : ComponentTest
{
    private string? _json;

    [Fact]
    public void ShowsThePairsItIsGiven_EachInputLabelledWithItsRow()
    {
        var editor = RenderEditor("{\"owner\":\"ops\",\"cost_centre\":\"42\"}");

        Assert.Equal(["owner", "cost_centre"], editor.FindAll("[data-testid=kv-key]").Select(k => k.GetAttribute("value")));
        Assert.Equal(["ops", "42"], editor.FindAll("[data-testid=kv-value]").Select(k => k.GetAttribute("value")));
        var firstKeyId = editor.FindAll("[data-testid=kv-key]")[0].Id;
        Assert.Equal("Metadata 1: name", editor.Find($"label[for='{firstKeyId}']").TextContent.Trim());
        Assert.Equal(["Remove owner", "Remove cost_centre"], editor.FindAll("[data-testid=kv-remove]").Select(b => b.GetAttribute("aria-label")));
    }

    [Fact]
    public void AHalfTypedRow_StaysOnScreen_AndOnlyCompleteRowsAreReported()
    {
        var editor = RenderEditor(null);

        editor.Find("[data-testid=kv-add]").Click();
        editor.Find("[data-testid=kv-value]").Input("no name yet");
        Assert.Null(_json);
        Assert.Single(editor.FindAll("[data-testid=kv-key]"));

        editor.Find("[data-testid=kv-key]").Input("  ticket ");
        Assert.Equal("{\"ticket\":\"no name yet\"}", _json);
    }

    [Fact]
    public void Remove_DropsThePair()
    {
        var editor = RenderEditor("{\"a\":\"1\",\"b\":\"2\"}");

        editor.FindAll("[data-testid=kv-remove]")[0].Click();

        Assert.Equal("{\"b\":\"2\"}", _json);
        Assert.Single(editor.FindAll("[data-testid=kv-key]"));
    }

    [Fact]
    public void Disabled_DisablesInputsAndButtons()
    {
        var editor = RenderEditor("{\"a\":\"1\"}", disabled: true);

        Assert.All(editor.FindAll("input, button"), e => Assert.True(e.HasAttribute("disabled"), e.OuterHtml));
    }

    private IRenderedComponent<KeyValueEditor> RenderEditor(string? json, bool disabled = false) =>
        Render<KeyValueEditor>(p => p
            .Add(x => x.Json, json)
            .Add(x => x.JsonChanged, value => _json = value)
            .Add(x => x.Label, "Metadata")
            .Add(x => x.Disabled, disabled));
}
