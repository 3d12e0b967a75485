using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// <see cref="PortalDbContext"/> on PostgreSQL. The same model; a type of its own only so that EF Core
/// finds the PostgreSQL migration set (Migrations/PostgreSQL, marked <c>[DbContext(typeof(PostgresPortalDbContext))]</c>)
/// instead of the SQLite one: EF Core's "one context type per provider" layout (docs/decisions/036).
/// Services still ask for <see cref="PortalDbContext"/>; <see cref="PortalDbContextFactory"/> makes this one.
/// </summary>
public sealed class PostgresPortalDbContext(DbContextOptions<PortalDbContext> options, CurrentUser currentUser)
    : PortalDbContext(options, currentUser);

/// <summary>Makes the context of the configured provider, typed as <see cref="PortalDbContext"/> for every caller.</summary>
internal sealed class PortalDbContextFactory(DbContextOptions<PortalDbContext> options, CurrentUser currentUser, PortalDatabase database)
    : IDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext() => database.Provider == DatabaseProvider.PostgreSQL
        ? new PostgresPortalDbContext(options, currentUser)
        : new PortalDbContext(options, currentUser);
}
