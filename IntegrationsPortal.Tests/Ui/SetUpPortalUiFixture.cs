using IntegrationsPortal.Features.Accounts;

namespace IntegrationsPortal.Tests.Ui;

/// <summary>One portal on loopback for the browser tests that start from a set-up organization.</summary>
public sealed class SetUpPortalUiFixture : IAsyncLifetime
{
    public const string ViewerEmail = "vera@acme.test";

    public PortalAppFactory App { get; } = new();

    public Tenant Acme { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        App.StartOnLoopback();
        Acme = await App.Services.SetUpFirstOrganizationAsync();
        await App.Services.AddUserAsync(Acme, ViewerEmail, PortalRoles.Viewer);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SetUpPortalUiCollection : ICollectionFixture<SetUpPortalUiFixture>
{
    public const string Name = "Set-up portal in Chromium";
}
