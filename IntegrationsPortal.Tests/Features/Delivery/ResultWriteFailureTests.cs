using System.Data.Common;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>
/// A dispatcher run that cannot write its results (a full disk, a database that went away) stops sending:
/// every message it sent and could not record goes again later, so those must stay within the sends in
/// flight and one batch, not whatever the run's budget leaves time for.
/// </summary>
public sealed class ResultWriteFailureTests
{
    private const int BatchSize = 20;
    private const int InFlight = 4;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ResultsThatCannotBeWritten_EndTheRun_AndWhatItSentGoesAgainOnceTheyCan()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        await using var harness = await DeliveryHarness.StartAsync(settings: new()
        {
            ["Portal:Delivery:BatchSize"] = BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Portal:Delivery:MaxInFlightPerIntegration"] = InFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var id = await harness.CreateAsync("webhook", new() { ["url"] = receiver.Url.ToString() });
        var messages = await harness.AsAdminAsync(sp => sp.GetRequiredService<DeliveryService>()
            .EnqueueAsync(id, "meter.reading", [.. Enumerable.Range(0, 300).Select(i => $$"""{"reading":{{i}}}""")], Ct));
        // From now on the history refuses every row, as a full disk would.
        await ExecuteAsync(harness, """CREATE TRIGGER refuse_attempts BEFORE INSERT ON "DeliveryAttempt" BEGIN SELECT RAISE(ABORT, 'disk full'); END;""");

        await Assert.ThrowsAnyAsync<DbException>(harness.DispatchAsync);
        var sentUnrecorded = receiver.Requests.Count;
        Assert.InRange(sentUnrecorded, 1, BatchSize + InFlight);

        await ExecuteAsync(harness, "DROP TRIGGER refuse_attempts;");
        Assert.Equal(messages.Count, await harness.DispatchAsync());
        Assert.Equal(messages.Count + sentUnrecorded, receiver.Requests.Count);
        Assert.Equal(messages.Select(m => m.ToString()).Order(), receiver.Requests.Select(r => r.Headers["webhook-id"]).Distinct().Order());
    }

    private static async Task ExecuteAsync(DeliveryHarness harness, string sql)
    {
        await using var scope = harness.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsPlatform();
        await using var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);
        await db.Database.ExecuteSqlRawAsync(sql, Ct);
    }
}
