using Microsoft.Extensions.Configuration;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Recipients;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>Jitter pinned to the middle: every delay is exactly the scheduled one.</summary>
public sealed class FixedRandom(double value = 0.5) : DeliveryRandom
{
    public override double NextDouble() => value;
}

/// <summary>
/// The portal's services with a manual clock and pinned jitter, loopback allowed for delivery, and
/// one organization; the dispatcher is run by hand (Quartz is not started).
/// </summary>
public sealed class DeliveryHarness : IAsyncDisposable
{
    private readonly TempDirectory _files;
    private readonly Dictionary<string, string?>? _settings;
    private readonly bool _ownsFiles;

    private DeliveryHarness(TempDirectory files, PortalServices portal, Tenant tenant, ManualTimeProvider clock, Dictionary<string, string?>? settings, bool ownsFiles = true)
    {
        _files = files;
        _settings = settings;
        _ownsFiles = ownsFiles;
        Portal = portal;
        Tenant = tenant;
        Clock = clock;
    }

    public PortalServices Portal { get; private set; }

    public Tenant Tenant { get; }

    public ManualTimeProvider Clock { get; }

    public IServiceProvider Services => Portal.Services;

    public static async Task<DeliveryHarness> StartAsync(bool allowLoopback = true, Dictionary<string, string?>? settings = null)
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero));
        var files = new TempDirectory();
        var portal = await PortalServices.StartAsync(Configure(clock, settings), files, allowLoopback);
        return new DeliveryHarness(files, portal, await portal.Services.SetUpFirstOrganizationAsync(), clock, settings);
    }

    /// <summary>
    /// A second portal node on the same database, clock, settings and organization, as a second process would
    /// be (PostgreSQL: <see cref="OnPostgreSQLAttribute"/>). Dispose it before this harness, which owns the database.
    /// </summary>
    public async Task<DeliveryHarness> StartAnotherNodeAsync() =>
        new(_files, await PortalServices.StartAsync(Configure(Clock, _settings), _files), Tenant, Clock, _settings, ownsFiles: false);

    /// <summary>Disposes the services and starts them again on the same files, as a restart would.</summary>
    public async Task RestartAsync()
    {
        await Portal.DisposeAsync();
        Portal = await PortalServices.StartAsync(Configure(Clock, _settings), _files);
    }

    public async Task<Guid> CreateAsync(string typeKey, Dictionary<string, string?> properties, string name = "Receiver")
    {
        await using var scope = Services.AsAdmin(Tenant);
        return await CreateAsync(scope.ServiceProvider, typeKey, properties, name);
    }

    /// <summary>Creates an integration as whoever <paramref name="services"/> acts as, starting from the type's defaults as the wizard does.</summary>
    public static async Task<Guid> CreateAsync(IServiceProvider services, string typeKey, Dictionary<string, string?> properties, string name = "Receiver")
    {
        foreach (var spec in IntegrationsPortal.Features.Catalog.CatalogService.Get(typeKey).Properties.Where(p => p.Required && p.Default is not null))
        {
            properties.TryAdd(spec.Name, spec.Default);
        }

        return await services.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
        {
            TypeKey = typeKey, Name = name, Properties = properties,
        });
    }

    public async Task<Guid> EnqueueAsync(Guid integrationId, string payload = """{"reading":42}""")
    {
        await using var scope = Services.AsAdmin(Tenant);
        var ids = await scope.ServiceProvider.GetRequiredService<DeliveryService>().EnqueueAsync(integrationId, "meter.reading", [payload]);
        return ids[0];
    }

    /// <summary>Runs <paramref name="action"/> as the Admin of <paramref name="tenant"/> (the harness's own organization by default).</summary>
    public async Task<T> AsAdminAsync<T>(Func<IServiceProvider, Task<T>> action, Tenant? tenant = null)
    {
        await using var scope = Services.AsAdmin(tenant ?? Tenant);
        return await action(scope.ServiceProvider);
    }

    /// <summary>Verifies numbers as an operator does: sends a code, reads it off the fake provider, types it back.</summary>
    public async Task VerifyRecipientsAsync(Guid integrationId, FakeMessagingProviders provider, params string[] numbers)
    {
        await using var scope = Services.AsOperator(Tenant);
        var recipients = scope.ServiceProvider.GetRequiredService<RecipientService>();
        foreach (var number in numbers)
        {
            await recipients.SendCodeAsync(integrationId, number);
            await recipients.ConfirmAsync(integrationId, number, provider.LastCodeSentTo(number));
        }
    }

    public Task<DeliveryDetail> DetailAsync(Guid messageId) =>
        AsAdminAsync(sp => sp.GetRequiredService<DeliveryService>().GetAsync(messageId));

    public Task<IntegrationDetail> IntegrationAsync(Guid id) =>
        AsAdminAsync(sp => sp.GetRequiredService<IntegrationQueries>().GetAsync(id));

    /// <summary>Runs the type's real verifier now and records the outcome, as the verification job would.</summary>
    public Task<IntegrationDetail> VerifyAsync(Guid id, Tenant? tenant = null) => AsAdminAsync(async sp =>
    {
        var configuration = await sp.GetRequiredService<IntegrationSecrets>().GetConfigurationAsync(id);
        var verifier = sp.GetRequiredService<TypeCode<IntegrationsPortal.Features.Integrations.Verification.IIntegrationVerifier>>().For(configuration.Type.Key)!;
        await sp.GetRequiredService<IntegrationStatusRecorder>()
            .RecordVerificationAsync(id, configuration.VerificationGeneration, await verifier.VerifyAsync(configuration, CancellationToken.None));
        return await sp.GetRequiredService<IntegrationQueries>().GetAsync(id);
    }, tenant);

    /// <summary>One dispatcher pass: delivers whatever is due at the manual clock's time.</summary>
    public Task<int> DispatchAsync() => Services.GetRequiredService<DeliveryDispatcher>().RunDueAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Portal.DisposeAsync();
        if (_ownsFiles)
        {
            _files.Dispose();
        }
    }

    private static Action<WebApplicationBuilder> Configure(ManualTimeProvider clock, Dictionary<string, string?>? settings) => builder =>
    {
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Services.AddSingleton<TimeProvider>(clock);
        builder.Services.AddSingleton<DeliveryRandom>(new FixedRandom());
    };
}
