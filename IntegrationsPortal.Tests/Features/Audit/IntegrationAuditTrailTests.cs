using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Audit;
using IntegrationsPortal.Features.Audit.Pages;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Tests.Components;
using IntegrationsPortal.Tests.Features.Delivery;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Audit;

/// <summary>
/// The question, answered on the integration's own trail: who used or changed this
/// integration's credentials, and when. Real delivery services, a loopback receiver, bunit.
/// </summary>
public sealed class IntegrationAuditTrailTests : WorldComponentTest<DeliveryHarness>
{
    private const string NewPassword = "n3w-s3cret-pass-4711";

    private LoopbackReceiver? _receiver;
    private AsyncServiceScope _scope;

    protected override async Task<DeliveryHarness> StartAsync()
    {
        var harness = await DeliveryHarness.StartAsync();
        _receiver = await LoopbackReceiver.StartAsync();
        _scope = harness.Services.AsAdmin(harness.Tenant);
        Use(_scope.ServiceProvider, typeof(AuditQueries));
        return harness;
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        await _scope.DisposeAsync();
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }

    [Fact]
    public async Task AfterAReplaceAndASend_TheTrailShowsWhoReplacedWhichField_AndTheDaysUseCount()
    {
        var id = await World.CreateAsync("webhook", new()
        {
            ["url"] = _receiver!.Url.ToString(), ["auth"] = "BASIC", ["username"] = "hook-user", ["password"] = "first-pass-0815",
        }, name: "Billing hook");
        await World.AsAdminAsync(async sp =>
        {
            await sp.GetRequiredService<IntegrationService>().ReplaceSecretsAsync(id, new Dictionary<string, string> { ["password"] = NewPassword });
            await sp.GetRequiredService<DeliveryService>().SendTestAsync(id, """{"reading":42}""");
            return true;
        });
        Assert.Equal(1, await World.DispatchAsync());
        await World.Services.GetRequiredService<CredentialUseCounter>().FlushAsync(Xunit.TestContext.Current.CancellationToken);

        var trail = Render<IntegrationAuditTrail>(p => p.Add(x => x.IntegrationId, id));

        trail.WaitForAssertion(() => Assert.NotEmpty(trail.FindAll("[data-testid=credential-use-row]")));
        var today = World.Clock.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var uses = trail.FindAll("[data-testid=credential-use-row]").Select(r => r.TextContent.Trim()).ToList();
        Assert.Contains(uses, r => r.StartsWith(today, StringComparison.Ordinal) && r.Contains(nameof(CredentialPurpose.Send), StringComparison.Ordinal) && r.EndsWith('1'));

        var replaced = trail.FindAll("[data-testid=audit-grid] tbody tr")
            .Single(r => r.QuerySelector("[data-testid=audit-action]")!.TextContent.Trim() == "integration.updated");
        Assert.Equal(World.Tenant.AdminEmail, replaced.QuerySelector("[data-testid=audit-actor]")!.TextContent.Trim());
        Assert.Equal("Changed 'Billing hook' and replaced password.", replaced.QuerySelector("[data-testid=audit-details]")!.TextContent.Trim());
        Assert.Contains("integration.created", trail.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain(NewPassword, trail.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("first-pass-0815", trail.Markup, StringComparison.Ordinal);
    }
}
