using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Tests.Components;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>
/// A component test on a <see cref="DeliveryHarness"/>, signed in as an Operator: the component gets
/// <see cref="ServicesUsed"/> from an Operator's scope (as its circuit would) and the harness's clock.
/// </summary>
public abstract class OperatorComponentTest : WorldComponentTest<DeliveryHarness>
{
    private AsyncServiceScope _scope;

    /// <summary>The feature services the component under test injects.</summary>
    protected abstract Type[] ServicesUsed { get; }

    protected override async Task<DeliveryHarness> StartAsync()
    {
        var harness = await DeliveryHarness.StartAsync();
        SignIn(PortalRoles.Operator);
        _scope = harness.Services.AsOperator(harness.Tenant);
        Use(_scope.ServiceProvider, ServicesUsed);
        Services.AddSingleton<TimeProvider>(harness.Clock);
        return harness;
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        await _scope.DisposeAsync();
    }
}
