using Bunit;
using IntegrationsPortal.Features.Recipients;
using IntegrationsPortal.Features.Recipients.Components;
using IntegrationsPortal.Tests.Components;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Recipients;

/// <summary>
/// One recipient number in each of its states, and an operator confirming a code through the real
/// service and a fake SMS provider on loopback.
/// </summary>
public sealed class RecipientRowTests : WorldComponentTest<DeliveryHarness>
{
    private const string Number = "+14155550142";
    private AsyncServiceScope _scope;

    protected override async Task<DeliveryHarness> StartAsync()
    {
        var harness = await DeliveryHarness.StartAsync();
        _scope = harness.Services.AsOperator(harness.Tenant);
        Use(_scope.ServiceProvider, typeof(RecipientService));
        Services.AddSingleton<TimeProvider>(harness.Clock);
        return harness;
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        await _scope.DisposeAsync();
    }

    [Fact]
    public void NotVerified_ForAnOperator_OffersToSendACode_AndNoCodeField()
    {
        var row = RenderRow(new RecipientStatus(Number, RecipientState.NotVerified), canOperate: true);

        Assert.Equal("Not verified", row.Find("[data-testid=recipient-status]").TextContent.Trim());
        Assert.Equal("gets no messages until verified", row.Find("[data-testid=recipient-detail]").TextContent.Trim());
        Assert.Equal("Send code", row.Find("[data-testid=send-code]").TextContent.Trim());
        Assert.Equal($"Send code to {Number}", row.Find("[data-testid=send-code]").GetAttribute("aria-label"));
        Assert.Empty(row.FindAll("[data-testid=code-input]"));
    }

    [Fact]
    public void CodeSent_ShowsExpiryAndTriesLeft_AndALabelledCodeField()
    {
        var row = RenderRow(new RecipientStatus(Number, RecipientState.CodeSent) { CodeExpiresAt = World.Clock.GetUtcNow().AddMinutes(10), TriesLeft = 1 }, canOperate: true);

        Assert.Equal("Code sent", row.Find("[data-testid=recipient-status]").TextContent.Trim());
        Assert.Equal("expires in 10 min, 1 try left", row.Find("[data-testid=recipient-detail]").TextContent.Trim());
        Assert.Equal("Send a new code", row.Find("[data-testid=send-code]").TextContent.Trim());
        var input = row.Find("input[data-testid=code-input]");
        Assert.Equal($"Code sent to {Number}", row.Find($"label[for='{input.Id}']").TextContent.Trim());
        Assert.NotNull(row.Find("[data-testid=confirm-code]"));
    }

    [Fact]
    public void Verified_SaysByWhomAndWhen_AndOffersNothingMore()
    {
        var at = new DateTimeOffset(2026, 2, 27, 9, 30, 0, TimeSpan.Zero);
        var row = RenderRow(new RecipientStatus(Number, RecipientState.Verified) { VerifiedAt = at, VerifiedBy = "oscar@acme.test" }, canOperate: true);

        Assert.Equal("Verified", row.Find("[data-testid=recipient-status]").TextContent.Trim());
        Assert.Equal("by oscar@acme.test on 2026-02-27 09:30 UTC", row.Find("[data-testid=recipient-detail]").TextContent.Trim());
        Assert.Empty(row.FindAll("[data-testid=send-code]"));
        Assert.Empty(row.FindAll("[data-testid=code-input]"));
    }

    [Fact]
    public void Viewer_SeesTheState_ButNoButtons()
    {
        var row = RenderRow(new RecipientStatus(Number, RecipientState.CodeSent) { CodeExpiresAt = World.Clock.GetUtcNow().AddMinutes(5), TriesLeft = 3 }, canOperate: false);

        Assert.Equal("Code sent", row.Find("[data-testid=recipient-status]").TextContent.Trim());
        Assert.Empty(row.FindAll("[data-testid=send-code]"));
        Assert.Empty(row.FindAll("[data-testid=code-input]"));
    }

    [Fact]
    public async Task WrongCode_ShowsTheReasonUnderTheRow_AndTellsTheListToReload()
    {
        await using var twilio = await FakeMessagingProviders.StartAsync();
        var id = await World.CreateAsync("sms", IntegrationSeeds.TwilioRecipientList(twilio.BaseUri, Number), "On-call texts");
        await using (var scope = World.Services.AsOperator(World.Tenant))
        {
            await scope.ServiceProvider.GetRequiredService<RecipientService>().SendCodeAsync(id, Number, Xunit.TestContext.Current.CancellationToken);
        }

        var changes = 0;
        var status = new RecipientStatus(Number, RecipientState.CodeSent) { CodeExpiresAt = World.Clock.GetUtcNow().AddMinutes(10), TriesLeft = 5 };
        var row = Render<RecipientRow>(p => p.Add(x => x.IntegrationId, id).Add(x => x.Recipient, status).Add(x => x.CanOperate, true)
            .Add(x => x.Changed, () => changes++));

        row.Find("input[data-testid=code-input]").Input(twilio.WrongCodeFor(Number));
        row.Find("[data-testid=confirm-code]").Click();

        row.WaitForAssertion(() => Assert.Equal("Wrong code: 4 tries left.", row.Find("[data-testid=recipient-error]").TextContent.Trim()));
        Assert.Equal(1, changes);
        Assert.False(row.Find("[data-testid=confirm-code]").HasAttribute("disabled"));
    }

    private IRenderedComponent<RecipientRow> RenderRow(RecipientStatus status, bool canOperate) =>
        Render<RecipientRow>(p => p.Add(x => x.IntegrationId, Guid.CreateVersion7()).Add(x => x.Recipient, status).Add(x => x.CanOperate, canOperate));
}
