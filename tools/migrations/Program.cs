using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Migrations.Design;
using Microsoft.EntityFrameworkCore.Sqlite.Design.Internal;
using Microsoft.Extensions.DependencyInjection;

if (args is not ["add", var name])
{
    Console.Error.WriteLine("usage: dotnet run --project tools/migrations -- add <MigrationName>");
    return 2;
}

var projectDir = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../IntegrationsPortal"));
var options = new DbContextOptionsBuilder<PortalDbContext>().UseSqlite("Data Source=:memory:").Options;
using var context = new PortalDbContext(options, new CurrentUser());

var services = new ServiceCollection();
services.AddEntityFrameworkDesignTimeServices();
services.AddDbContextDesignTimeServices(context);
#pragma warning disable EF1001 // The provider's design-time services are internal API; dotnet ef uses them the same way.
new SqliteDesignTimeServices().ConfigureDesignTimeServices(services);
#pragma warning restore EF1001
using var provider = services.BuildServiceProvider();

var scaffolder = provider.GetRequiredService<IMigrationsScaffolder>();
var migration = scaffolder.ScaffoldMigration(name, "IntegrationsPortal", "Infrastructure.Data.Migrations", "C#");
var files = scaffolder.Save(projectDir, migration, Path.Combine(projectDir, "Infrastructure/Data/Migrations"));
Console.WriteLine($"Wrote {files.MigrationFile}\n      {files.MetadataFile}\n      {files.SnapshotFile}");
return 0;
