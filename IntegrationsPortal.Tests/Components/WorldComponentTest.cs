using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Components;

/// <summary>
/// A component test over the portal's real services on a SQLite file: <typeparamref name="TWorld"/>
/// (a harness or test bed) starts before each test and is disposed after it, with the bunit context.
/// </summary>
public abstract class WorldComponentTest<TWorld> : ComponentTest, IAsyncLifetime
    where TWorld : IAsyncDisposable
{
    protected TWorld World { get; private set; } = default!;

    public virtual async ValueTask InitializeAsync() => World = await StartAsync();

    protected abstract Task<TWorld> StartAsync();

    /// <summary>Gives the component the services of a user's scope, as the circuit would.</summary>
    protected void Use(IServiceProvider scope, params Type[] types)
    {
        foreach (var type in types)
        {
            Services.AddSingleton(type, scope.GetRequiredService(type));
        }
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await base.DisposeAsyncCore();
        if (World is not null)
        {
            await World.DisposeAsync();
        }
    }
}
