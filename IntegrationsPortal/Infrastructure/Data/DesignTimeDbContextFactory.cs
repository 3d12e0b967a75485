using IntegrationsPortal.Infrastructure.Security;
using Microsoft.EntityFrameworkCore.Design;

namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the model without starting the portal (which would
/// migrate a database and start Quartz). Migrations are scaffolded against SQLite, the default provider.
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite("Data Source=:memory:").Options, new CurrentUser());
}

/// <summary>
/// The PostgreSQL set, for <c>dotnet ef migrations add ... --context PostgresPortalDbContext</c>
/// (tools/postgres-migrations.sh). Scaffolding never connects, so the connection string is only a shape.
/// </summary>
internal sealed class PostgresDesignTimeDbContextFactory : IDesignTimeDbContextFactory<PostgresPortalDbContext>
{
    public PostgresPortalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PortalDbContext>().UseNpgsql("Host=localhost;Database=portal").Options, new CurrentUser());
}
