using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Uplinks;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Uplinks;

/// <summary>
/// The endpoint answers 202 only after the uplink and its readings are committed. That promise is what a
/// network server relies on when it drops its copy, so it is tested the hard way: the portal runs as its
/// own process, uplinks pour in from several senders, and the process is killed with SIGKILL mid-stream.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UplinkCrashTests : IDisposable
{
    private const int Senders = 32;
    private const int AcknowledgedBeforeTheKill = 3000;
    private const string Device = "crash-meter-1";

    private static readonly DateTimeOffset FirstReading = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _root = new();

    private string Database => Path.Combine(_root.Path, "App_Data", "portal.db");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task PortalKilledWhileUplinksArrive_KeepsEveryUplinkItAnswered202_WithItsReadings()
    {
        var (integrationId, token, resourcePath) = await PrepareAsync();

        var port = PortalAppFactory.FreeLoopbackPort();
        using var portal = StartPortal(port);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        await WaitUntilListeningAsync(client, portal);

        var acknowledged = new ConcurrentBag<int>();
        var next = -1;
        var killed = new TaskCompletionSource();
        async Task SendUntilTheKillAsync()
        {
            while (!killed.Task.IsCompleted)
            {
                var n = Interlocked.Increment(ref next);
                using var request = new HttpRequestMessage(HttpMethod.Post, UplinksExtensions.EndpointPath(integrationId))
                {
                    Content = new StringContent(Body(n), System.Text.Encoding.UTF8, "application/json"),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                try
                {
                    using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
                    Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                    acknowledged.Add(n);
                }
                catch (HttpRequestException) when (killed.Task.IsCompleted)
                {
                    return; // the connection died with the process: the network server would send it again
                }
            }
        }

        var senders = Enumerable.Range(0, Senders).Select(_ => Task.Run(SendUntilTheKillAsync)).ToArray();
        await Eventually.TrueAsync(() => acknowledged.Count >= AcknowledgedBeforeTheKill || portal.HasExited, $"{AcknowledgedBeforeTheKill} acknowledged uplinks", TimeSpan.FromSeconds(60));

        Assert.False(portal.HasExited, "the portal stopped on its own before the kill");
        portal.Kill(); // SIGKILL: no shutdown hook, no flush, no checkpoint
        killed.SetResult();
        await Task.WhenAll(senders);
        await portal.WaitForExitAsync(TestContext.Current.CancellationToken);

        // Open the same database again the way the portal does at start (migrations, WAL recovery).
        await using var restarted = new PortalAppFactory { Settings = { ["ConnectionStrings:Portal"] = $"Data Source={Database}" } };
        await using var scope = restarted.Services.CreateAsyncScope();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken);

        var stored = (await db.Set<Uplink>().IgnoreQueryFilters()
            .Where(u => u.IntegrationId == integrationId)
            .Select(u => u.DedupKey)
            .ToListAsync(TestContext.Current.CancellationToken)).ToHashSet(StringComparer.Ordinal);
        var readingTimes = (await db.Set<Reading>().IgnoreQueryFilters()
            .Where(r => r.ResourcePath == resourcePath && r.Metric == "temperature")
            .Select(r => r.TimestampTicks)
            .ToListAsync(TestContext.Current.CancellationToken)).ToHashSet();

        Assert.True(acknowledged.Count >= AcknowledgedBeforeTheKill);
        TestContext.Current.SendDiagnosticMessage($"acknowledged {acknowledged.Count}, stored {stored.Count}");
        var lost = acknowledged.Where(n => !stored.Contains($"{Device}:{At(n).UtcTicks}")).Order().ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} uplinks answered 202 were lost, first #{lost.FirstOrDefault()}");
        var withoutReadings = acknowledged.Where(n => !readingTimes.Contains(At(n).UtcTicks)).Order().ToList();
        Assert.True(withoutReadings.Count == 0, $"{withoutReadings.Count} of {acknowledged.Count} acknowledged uplinks have no reading");
    }

    private static DateTimeOffset At(int n) => FirstReading.AddSeconds(n);

    private static string Body(int n) =>
        $$"""{ "device": "{{Device}}", "time": "{{At(n).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}}", "metrics": { "temperature": {{20 + (n % 10)}}.5 } }""";

    /// <summary>An organization with an active HTTP uplinks integration, its token and one mapped device, written to the database the process will open.</summary>
    private async Task<(Guid IntegrationId, string Token, string ResourcePath)> PrepareAsync()
    {
        await using var app = new PortalAppFactory { Settings = { ["ConnectionStrings:Portal"] = $"Data Source={Database}" } };
        var tenant = await app.Services.SetUpFirstOrganizationAsync();
        var id = await app.Services.CreateIntegrationAsync(tenant, new CreateIntegrationInput { TypeKey = "http-uplinks", Name = "Meters pushed in" });
        Assert.Equal(IntegrationStatus.Active, (await app.Services.WaitUntilVerifiedAsync(tenant, id)).Status);

        await using var scope = app.Services.AsAdmin(tenant);
        var token = (await scope.ServiceProvider.GetRequiredService<UplinkTokens>().IssueAsync(id)).Token;
        var places = scope.ServiceProvider.GetRequiredService<PlaceService>();
        var devices = scope.ServiceProvider.GetRequiredService<DeviceService>();
        var site = await places.CreatePlaceAsync(new PlaceInput { Name = "Boiler house" });
        var device = await devices.CreateDeviceAsync(new DeviceInput { Name = "Meter", PlaceId = site, DeviceType = "meter" });
        await scope.ServiceProvider.GetRequiredService<ResourceMappingService>().CreateAsync(
            id, new MappingInput { ExternalId = Device, ResourcePath = ResourcePath.ForDevice(site, device) });
        return (id, token, MappedResources.StablePath(ResourceKind.Device, device));
    }

    /// <summary>The built portal as its own process, as `dotnet run` would start it, with no per-integration rate limit in the way.</summary>
    private Process StartPortal(int port)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "IntegrationsPortal.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["ConnectionStrings__Portal"] = $"Data Source={Database}";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Portal__Uplinks__PermitsPerSecond"] = "1000000";
        start.Environment["Portal__Uplinks__Burst"] = "1000000";
        var process = Process.Start(start)!;
        // Drained so a chatty log cannot fill the pipe and stall the portal.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitUntilListeningAsync(HttpClient client, Process portal)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            Assert.False(portal.HasExited, $"the portal exited with code {(portal.HasExited ? portal.ExitCode : 0)} at start");
            try
            {
                using var response = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);
                return; // any answer means Kestrel is up and the app has started
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }
        }
    }
}
