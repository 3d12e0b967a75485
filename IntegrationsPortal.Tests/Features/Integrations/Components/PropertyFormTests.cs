using Bunit;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations.Components;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Tests.Components;

namespace IntegrationsPortal.Tests.Features.Integrations.Components;

/// <summary>The generated property form, one property of each kind, in bunit (no server, no browser).</summary>
public sealed class PropertyFormTests : ComponentTest
{
    private static readonly IntegrationType Type = new("test-kinds", "Every kind", "webhook", IntegrationDirection.Egress, Categories.Data, "One property of each kind.",
    [
        new PropertySpec("title", "Title", PropertyType.String) { Required = true },
        new PropertySpec("url", "Endpoint URL", PropertyType.Url) { Required = true },
        new PropertySpec("token", "API token", PropertyType.Secret) { Required = true, Sensitive = true },
        new PropertySpec("retries", "Retries", PropertyType.Number) { Min = 0, Max = 10 },
        new PropertySpec("tls", "Use TLS", PropertyType.Bool) { Default = "false" },
        new PropertySpec("format", "Format", PropertyType.Enum) { Options = ["json", "xml"] },
        new PropertySpec("ca", "CA certificate", PropertyType.Certificate) { VisibleWhen = new PropertyCondition("tls", "true") },
        new PropertySpec("headers", "Headers", PropertyType.KeyValueMap),
        new PropertySpec("emails", "Recipients", PropertyType.EmailList),
        new PropertySpec("phones", "On-call numbers", PropertyType.PhoneList),
        new PropertySpec("from", "From address", PropertyType.EmailList) { MaxItems = 1 },
    ]);

    private readonly Dictionary<string, string?> _values = [];
    private readonly Dictionary<string, string> _errors = [];

    [Fact]
    public void Text_ShowsRequiredAsYouType_AndClearsWhenFilled()
    {
        var form = RenderForm();

        form.Find("[data-testid=input-title]").Input("");
        Assert.Equal("Title is required.", form.Find("[data-testid=error-title]").TextContent);
        Assert.Equal("property-title-error", form.Find("[data-testid=input-title]").GetAttribute("aria-describedby"));

        form.Find("[data-testid=input-title]").Input("Boiler room");
        Assert.Empty(form.FindAll("[data-testid=error-title]"));
        Assert.Equal("Boiler room", _values["title"]);
    }

    [Fact]
    public void Url_IsCheckedAsYouType()
    {
        var form = RenderForm();

        form.Find("[data-testid=input-url]").Input("not a url");
        Assert.Equal("Enter a full http:// or https:// URL.", form.Find("[data-testid=error-url]").TextContent);

        form.Find("[data-testid=input-url]").Input("https://hooks.acme.test/in");
        Assert.Empty(form.FindAll("[data-testid=error-url]"));
    }

    [Fact]
    public void Secret_IsAPasswordField_NeverFilledFromTheValues_ButKeepsWhatIsTypedHere()
    {
        _values["token"] = "stored-secret-value";
        var form = RenderForm(p => p.Add(x => x.SecretsSet, new Dictionary<string, bool> { ["token"] = true }));

        var token = form.Find("[data-testid=input-token]");
        Assert.Equal("password", token.GetAttribute("type"));
        Assert.True(string.IsNullOrEmpty(token.GetAttribute("value")));
        Assert.DoesNotContain("stored-secret-value", form.Markup, StringComparison.Ordinal);
        Assert.Equal("Set. Type a new value to replace it.", token.GetAttribute("placeholder"));

        // Left empty, a stored secret is kept: not "required" again.
        token.Input("");
        Assert.Empty(form.FindAll("[data-testid=error-token]"));

        form.Find("[data-testid=input-token]").Input("typed-here");
        Assert.Equal("typed-here", _values["token"]);
    }

    [Fact]
    public void Number_OutsideItsRange_OrNotANumber_IsRefusedAsYouType()
    {
        var form = RenderForm();

        form.Find("[data-testid=input-retries]").Input("eleven");
        Assert.Equal("Must be a number.", form.Find("[data-testid=error-retries]").TextContent);
        form.Find("[data-testid=input-retries]").Input("11");
        Assert.Equal("Must be between 0 and 10.", form.Find("[data-testid=error-retries]").TextContent);
        form.Find("[data-testid=input-retries]").Input("3");
        Assert.Empty(form.FindAll("[data-testid=error-retries]"));
        Assert.Equal("numeric", form.Find("[data-testid=input-retries]").GetAttribute("inputmode"));
    }

    [Fact]
    public void Bool_IsASwitchWithItsLabel_AndShowsTheFieldsThatDependOnIt()
    {
        _values["tls"] = "false";
        var form = RenderForm();
        Assert.Empty(form.FindAll("[data-testid=field-ca]"));
        Assert.Contains("Use TLS", form.Find("[data-testid=field-tls]").TextContent, StringComparison.Ordinal);

        form.Find("[data-testid=input-tls]").Change(true);

        Assert.Equal("true", _values["tls"]);
        Assert.Equal("TEXTAREA", form.Find("[data-testid=input-ca]").TagName);
        form.Find("[data-testid=input-ca]").Input("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----");
        Assert.StartsWith("Not a PEM certificate", form.Find("[data-testid=error-ca]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Enum_OffersItsOptions_AndTakesThePickedOne()
    {
        var popovers = RenderPopovers();
        var form = RenderForm();

        var select = form.FindComponent<MudBlazor.MudSelect<string>>();
        select.InvokeAsync(select.Instance.OpenMenu);
        var options = popovers.FindAll("[role=option]");
        Assert.Equal(["json", "xml"], options.Select(o => o.TextContent.Trim()));
        options[1].Click();

        Assert.Equal("xml", _values["format"]);
    }

    [Fact]
    public void EmailAndPhoneLists_AreMultiLine_AndNameTheBadEntry()
    {
        var form = RenderForm();

        form.Find("[data-testid=input-emails]").Input("ops@acme.test\nnot-an-email");
        Assert.Equal("'not-an-email' is not a valid email address.", form.Find("[data-testid=error-emails]").TextContent);
        form.Find("[data-testid=input-phones]").Input("+14155550100, 555-1234");
        Assert.Equal("'555-1234' is not a phone number in E.164 form (+14155550100).", form.Find("[data-testid=error-phones]").TextContent);
        Assert.Equal("TEXTAREA", form.Find("[data-testid=input-phones]").TagName);
    }

    [Fact]
    public void AListOfAtMostOne_IsASingleLine_WithoutTheOnePerLineHint()
    {
        var form = RenderForm();

        var from = form.Find("[data-testid=input-from]");

        Assert.Equal("INPUT", from.TagName);
        Assert.DoesNotContain("one per line", from.GetAttribute("placeholder") ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void KeyValueList_ReportsItsRowsAsJson()
    {
        var form = RenderForm();

        form.Find("[data-testid=input-headers] [data-testid=kv-add]").Click();
        form.Find("[data-testid=input-headers] [data-testid=kv-key]").Input("X-Team");
        form.Find("[data-testid=input-headers] [data-testid=kv-value]").Input("ops");

        Assert.Equal("{\"X-Team\":\"ops\"}", _values["headers"]);
        Assert.Empty(form.FindAll("[data-testid=error-headers]"));
    }

    [Fact]
    public async Task Back_KeepsTheDraft_ARenderedAgainFormShowsWhatWasTyped()
    {
        var first = RenderForm();
        first.Find("[data-testid=input-title]").Input("Boiler room");
        first.Find("[data-testid=input-url]").Input("not a url");
        await DisposeComponentsAsync();

        // Forward again: a new form over the same draft.
        var again = RenderForm();

        Assert.Equal("Boiler room", again.Find("[data-testid=input-title]").GetAttribute("value"));
        Assert.Equal("Enter a full http:// or https:// URL.", again.Find("[data-testid=error-url]").TextContent);
    }

    [Fact]
    public void ReadOnly_DisablesEveryInput()
    {
        var form = RenderForm(p => p.Add(x => x.ReadOnly, true));

        Assert.All(form.FindAll("input:not([type=hidden]), textarea"), input => Assert.True(input.HasAttribute("disabled"), input.OuterHtml));
    }

    [Fact]
    public async Task ResourceReference_IsLabelledAndPicked_WithThePickerThatHonoursWhatTheTypeAccepts()
    {
        await UsePortalServicesAsync();
        var accepts = new ResourceFilter(false, ["meter"]);
        var type = Type with { Properties = [new PropertySpec("meter", "Meter", PropertyType.ResourceReference) { Required = true, Accepts = accepts }] };
        var form = Render<PropertyForm>(p => p.Add(x => x.Type, type).Add(x => x.Values, _values).Add(x => x.Errors, _errors));

        Assert.Contains("Meter *", form.Find("[data-testid=field-meter]").TextContent, StringComparison.Ordinal);
        var picker = form.FindComponent<IntegrationsPortal.Features.Resources.Pages.ResourcePicker>();
        Assert.Equal(accepts, picker.Instance.Accepts);

        await form.InvokeAsync(() => picker.Instance.ValueChanged.InvokeAsync("not a path"));
        Assert.Equal("Pick a place or device.", form.Find("[data-testid=error-meter]").TextContent);
    }

    private IRenderedComponent<PropertyForm> RenderForm(Action<ComponentParameterCollectionBuilder<PropertyForm>>? more = null) =>
        Render<PropertyForm>(p =>
        {
            p.Add(x => x.Type, Type).Add(x => x.Values, _values).Add(x => x.Errors, _errors);
            more?.Invoke(p);
        });
}
