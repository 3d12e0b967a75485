using IntegrationsPortal.Features.Accounts;

namespace IntegrationsPortal.Tests.Http;

/// <summary>One portal for the HTTP tests: set up, with a user of each role.</summary>
public sealed class SetUpPortalFixture : IAsyncLifetime
{
    public const string OperatorEmail = "olga@acme.test";
    public const string ViewerEmail = "vera@acme.test";

    public PortalAppFactory App { get; } = new();

    public Tenant Acme { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        Acme = await App.Services.SetUpFirstOrganizationAsync();
        await App.Services.AddUserAsync(Acme, OperatorEmail, PortalRoles.Operator);
        await App.Services.AddUserAsync(Acme, ViewerEmail, PortalRoles.Viewer);
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class SetUpPortalCollection : ICollectionFixture<SetUpPortalFixture>
{
    public const string Name = "Set-up portal over HTTP";
}

/// <summary>
/// The same portal on PostgreSQL, for each HTTP suite's <c>OnPostgreSQL</c> subclass: the suites that touch data run on
/// both providers (issue 16). A collection of its own, as its fixture is made before any of its classes runs.
/// </summary>
[CollectionDefinition(Name)]
[OnPostgreSQL]
public sealed class SetUpPortalOnPostgreSQLCollection : ICollectionFixture<SetUpPortalFixture>
{
    public const string Name = "Set-up portal over HTTP, on PostgreSQL";
}
