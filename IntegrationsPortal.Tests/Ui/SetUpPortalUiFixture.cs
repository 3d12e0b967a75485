using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>One portal on loopback for the browser tests that start from a set-up organization.</summary>
public sealed class SetUpPortalUiFixture : IAsyncLifetime
{
    public const string ViewerEmail = "vera@acme.test";
    public const string OperatorEmail = "olga@acme.test";

    public PortalAppFactory App { get; } = new();

    public Tenant Acme { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        App.StartOnLoopback();
        Acme = await App.Services.SetUpFirstOrganizationAsync();
        await App.Services.AddUserAsync(Acme, ViewerEmail, PortalRoles.Viewer);
        await App.Services.AddUserAsync(Acme, OperatorEmail, PortalRoles.Operator);
    }

    /// <summary>A webhook made through the service, as an operator would make it in the wizard.</summary>
    public Task<Guid> CreateWebhookAsync(string name) =>
        CreateAsync("webhook", name, new() { ["url"] = new Uri(App.RootUri!, "health").ToString(), ["auth"] = "BASIC", ["username"] = "hook", ["password"] = "hook-password-1" });

    /// <summary>An integration of any type made through the service.</summary>
    public async Task<Guid> CreateAsync(string typeKey, string name, Dictionary<string, string?> properties)
    {
        await using var scope = App.Services.AsAdmin(Acme);
        return await scope.ServiceProvider.GetRequiredService<IntegrationService>().CreateAsync(new CreateIntegrationInput
        {
            TypeKey = typeKey,
            Name = name,
            Properties = properties,
        });
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SetUpPortalUiCollection : ICollectionFixture<SetUpPortalUiFixture>
{
    public const string Name = "Set-up portal in Chromium";
}
