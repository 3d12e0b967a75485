using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

internal static class IntegrationListBenchmark
{
    private const int Rows = 10_000;
    private const string Password = "benchmark-password-1";

    public static async Task Main()
    {
        // 1. A portal on a fresh SQLite file, with one organization holding 10,000 integrations.
        var directory = Directory.CreateTempSubdirectory("portal-bench-").FullName;
        var port = FreePort();
        await using var app = new BenchmarkApp(Path.Combine(directory, "portal.db"));
        app.UseKestrel(port);
        app.StartServer();
        var root = new Uri($"http://127.0.0.1:{port}/");

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var admin = await scope.ServiceProvider.GetRequiredService<SetupService>().CreateFirstAdministratorAsync(new FirstAdministratorInput
            {
                OrganizationName = "Bench", DisplayName = "Bench", Email = "bench@example.test", Password = Password, ConfirmPassword = Password,
            });
            scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(admin.OrganizationId);
            var seeding = Stopwatch.StartNew();
            await SeedAsync(scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>(), admin.OrganizationId);
            Console.WriteLine($"Seeded {Rows:N0} integrations in {seeding.Elapsed.TotalSeconds:0.0} s");
        }

        // 2. The query behind each grid page, through the real service.
        Console.WriteLine();
        Console.WriteLine("IntegrationQueries.ListAsync at 10,000 rows (25 per page), 30 runs each:");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var organizationId = (await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
                .Organizations.Single().Id;
            scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
            var service = scope.ServiceProvider.GetRequiredService<IntegrationQueries>();
            foreach (var (name, query) in new (string, IntegrationQuery)[]
                     {
                         ("first page, newest first", new()),
                         ("page 200 (skip 4,975)", new() { Skip = 4_975 }),
                         ("last page", new() { Skip = Rows - 25 }),
                         ("sorted by name, descending", new() { SortBy = IntegrationSort.Name, Descending = true }),
                         ("status = error", new() { Status = IntegrationStatus.Error }),
                         ("direction = ingress, category", new() { Direction = IntegrationsPortal.Features.Catalog.IntegrationDirection.Ingress, Category = "Weather" }),
                         ("search \"hook 42\"", new() { Search = "hook 42" }),
                     })
            {
                var timings = new List<double>();
                for (var run = 0; run < 30; run++)
                {
                    var watch = Stopwatch.StartNew();
                    var result = await service.ListAsync(query);
                    timings.Add(watch.Elapsed.TotalMilliseconds);
                    if (run == 0 && result.Items.Count == 0)
                    {
                        throw new InvalidOperationException($"'{name}' returned nothing; the benchmark data is wrong.");
                    }
                }

                Console.WriteLine($"  {name,-32} median {Percentile(timings, 50),7:0.00} ms   p95 {Percentile(timings, 95),7:0.00} ms");
            }
        }

        // 3. The page itself in headless Chromium: first load and paging, until the rows are on screen.
        Console.WriteLine();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        var page = await browser.NewPageAsync(new() { BaseURL = root.ToString(), ViewportSize = new() { Width = 1400, Height = 900 } });
        await page.GotoAsync("/account/login");
        await page.GetByTestId("login-email").FillAsync("bench@example.test");
        await page.GetByTestId("login-password").FillAsync(Password);
        await page.GetByTestId("login-submit").ClickAsync();
        await page.Locator("[data-interactive=true]").WaitForAsync();

        var loads = new List<double>();
        var pages = new List<double>();
        for (var run = 0; run < 10; run++)
        {
            var watch = Stopwatch.StartNew();
            await page.GotoAsync("/integrations");
            await page.Locator("[data-interactive=true]").WaitForAsync();
            await page.GetByTestId("integration-link").First.WaitForAsync();
            loads.Add(watch.Elapsed.TotalMilliseconds);

            var firstName = await page.GetByTestId("integration-link").First.TextContentAsync();
            watch.Restart();
            await page.GetByRole(AriaRole.Button, new() { Name = "Next page" }).ClickAsync();
            await Assertions.Expect(page.GetByTestId("integration-link").First).Not.ToHaveTextAsync(firstName!);
            pages.Add(watch.Elapsed.TotalMilliseconds);
        }

        Console.WriteLine("Integrations page in Chromium at 10,000 rows, 10 runs:");
        Console.WriteLine($"  open the page until rows show   median {Percentile(loads, 50),7:0} ms   p95 {Percentile(loads, 95),7:0} ms");
        Console.WriteLine($"  next page until rows change     median {Percentile(pages, 50),7:0} ms   p95 {Percentile(pages, 95),7:0} ms");

        await app.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    private static async Task SeedAsync(IDbContextFactory<PortalDbContext> factory, Guid organizationId)
    {
        var types = new[] { "webhook", "http", "mqtt", "email", "open-meteo", "utility-data", "telematics", "sms" };
        var statuses = Enum.GetValues<IntegrationStatus>();
        var start = DateTimeOffset.UtcNow.AddDays(-400);
        for (var batch = 0; batch < Rows / 1_000; batch++)
        {
            await using var db = await factory.CreateDbContextAsync();
            for (var i = batch * 1_000; i < (batch + 1) * 1_000; i++)
            {
                db.Add(new Integration
                {
                    Id = Guid.CreateVersion7(),
                    OrganizationId = organizationId,
                    TypeKey = types[i % types.Length],
                    Name = $"{types[i % types.Length]} hook {i}",
                    Status = statuses[i % statuses.Length],
                    Properties = new() { ["url"] = $"https://example.test/{i}" },
                    CreatedAt = start.AddMinutes(i * 50),
                    UpdatedAt = start.AddMinutes(i * 50),
                });
            }

            await db.SaveChangesAsync();
        }
    }

    private static double Percentile(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The portal as it runs (Development, so static assets are served from the build output), on its own database file.</summary>
internal sealed class BenchmarkApp(string databaseFile) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Portal", $"Data Source={databaseFile}");
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }
}
