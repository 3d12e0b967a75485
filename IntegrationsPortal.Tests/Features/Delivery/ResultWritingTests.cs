using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary>
/// How the dispatcher writes a batch of results (<see cref="PreparedRows"/>, several rows per statement):
/// every field of every attempt and every recorded field of every message reaches the database, on
/// SQLite and PostgreSQL (the statements are the same text on both). 25 rows make full groups and a last, shorter one.
/// </summary>
public class ResultWritingTests
{
    private const int Rows = 25;

    [Fact]
    public async Task ABatchOfResults_WritesEveryAttemptField_AndEveryMessageState()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var harness = await DeliveryHarness.StartAsync();
        var integrationId = await harness.CreateAsync("webhook", new() { ["url"] = "http://127.0.0.1:1/hook", ["auth"] = "NONE" });
        var payloads = Enumerable.Range(0, Rows).Select(i => $$"""{"reading":{{i}}}""").ToList();
        await using (var scope = harness.Services.AsAdmin(harness.Tenant))
        {
            await scope.ServiceProvider.GetRequiredService<DeliveryService>().EnqueueAsync(integrationId, "meter.reading", payloads, ct);
        }

        var at = new DateTimeOffset(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);
        List<OutboxMessage> messages;
        List<DeliveryAttempt> attempts;
        await using (var scope = harness.Services.GetRequiredService<IServiceScopeFactory>().PlatformScope(out var db))
        {
            await using var context = await db.CreateDbContextAsync(ct);
            messages = await DueMessageQuery.Outbox(context).AsNoTracking().OrderBy(m => m.Sequence).ToListAsync(ct);
            Assert.Equal(Rows, messages.Count);
            // Each row different in every field written, nulls and values both.
            for (var i = 0; i < Rows; i++)
            {
                var message = messages[i];
                var delivered = i % 2 == 0;
                message.Status = delivered ? DeliveryStatus.Delivered : DeliveryStatus.Failed;
                message.Trigger = i % 3 == 0 ? DeliveryTrigger.ManualResend : DeliveryTrigger.Automatic;
                message.AttemptCount = i;
                message.TotalAttempts = i + 1;
                message.NextAttemptAt = delivered ? null : at.AddSeconds(i);
                message.DeliveredAt = delivered ? at.AddMilliseconds(i) : null;
                message.LastError = delivered ? null : $"The receiver answered 5{i:00}.";
                message.ClaimedBy = i % 4 == 0 ? Guid.CreateVersion7() : null;
                message.ClaimedUntil = i % 4 == 0 ? at.AddMinutes(i) : null;
            }

            attempts = messages.Select((m, i) => new DeliveryAttempt
            {
                Id = Guid.CreateVersion7(),
                OrganizationId = m.OrganizationId,
                MessageId = m.Id,
                IntegrationId = m.IntegrationId,
                AttemptNumber = i + 1,
                Trigger = m.Trigger,
                At = at.AddSeconds(-i),
                Succeeded = i % 2 == 0,
                Url = $"https://receiver.test/hooks/{i}",
                Method = i % 5 == 0 ? null : "POST",
                RequestHeaders = $"webhook-id: {m.Id}",
                RequestBody = m.Payload,
                StatusCode = i % 5 == 0 ? null : 200 + i,
                ResponseHeaders = $"x-row: {i}",
                ResponseBody = $"{{\"row\":{i}}}",
                DurationMs = 10 * i,
                ErrorClass = i % 2 == 0 ? null : "http",
                ErrorMessage = i % 2 == 0 ? null : $"The receiver answered 5{i:00}.",
                Note = i % 7 == 0 ? $"note {i}" : null,
                NextAttemptAt = m.NextAttemptAt,
            }).ToList();

            await context.Database.OpenConnectionAsync(ct);
            await using var transaction = await context.Database.BeginTransactionAsync(ct);
            await PreparedRows.InsertAsync(context, attempts, ct);
            await PreparedRows.UpdateAsync(context, messages, DeliveryDispatcher.MessageState, ct);
            await transaction.CommitAsync(ct);
        }

        await using (var scope = harness.Services.GetRequiredService<IServiceScopeFactory>().PlatformScope(out var db))
        {
            await using var context = await db.CreateDbContextAsync(ct);
            var storedMessages = await DueMessageQuery.Outbox(context).AsNoTracking().ToDictionaryAsync(m => m.Id, ct);
            var storedAttempts = await context.Set<DeliveryAttempt>().IgnoreQueryFilters([PortalDbContext.TenantFilterName]).AsNoTracking()
                .ToDictionaryAsync(a => a.Id, ct);
            Assert.Equal(Rows, storedAttempts.Count);
            foreach (var attempt in attempts)
            {
                // Every mapped field, so a column left out of the statement fails here.
                Assert.Equivalent(attempt, storedAttempts[attempt.Id], strict: true);
            }

            foreach (var message in messages)
            {
                var stored = storedMessages[message.Id];
                Assert.Equal(
                    (message.Status, message.Trigger, message.AttemptCount, message.TotalAttempts, message.NextAttemptAt, message.DeliveredAt,
                        message.LastError, message.ClaimedBy, message.ClaimedUntil),
                    (stored.Status, stored.Trigger, stored.AttemptCount, stored.TotalAttempts, stored.NextAttemptAt, stored.DeliveredAt,
                        stored.LastError, stored.ClaimedBy, stored.ClaimedUntil));
                Assert.Equal(message.Payload, stored.Payload);
            }
        }
    }
}

[OnPostgreSQL]
public sealed class ResultWritingOnPostgreSQLTests : ResultWritingTests;
