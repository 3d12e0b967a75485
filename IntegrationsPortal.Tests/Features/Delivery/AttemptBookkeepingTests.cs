using IntegrationsPortal.Features.Delivery;

namespace IntegrationsPortal.Tests.Features.Delivery;

/// <summary><see cref="OutboxMessage.RecordAttempt"/> and <see cref="FailureThreshold"/>: the delivery rules without a database.</summary>
public sealed class AttemptBookkeepingTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static readonly DeliveryOutcome ServerError = DeliveryOutcome.Fail(FailureKind.Retry, "http", "The receiver answered 500.");

    private static OutboxMessage Message(DeliveryTrigger trigger = DeliveryTrigger.Automatic, int attempts = 0) => new()
    {
        EventType = "meter.reading", Payload = "{}", Trigger = trigger, Status = DeliveryStatus.Pending,
        AttemptCount = attempts, TotalAttempts = attempts, NextAttemptAt = Now,
    };

    [Fact]
    public void Success_MarksDeliveredAndClearsTheError()
    {
        var message = Message();
        message.LastError = "earlier";

        message.RecordAttempt(new DeliveryOutcome(), RetryPolicy.Default, new FixedRandom(), Now);

        Assert.Equal(DeliveryStatus.Delivered, message.Status);
        Assert.Equal(Now, message.DeliveredAt);
        Assert.Null(message.NextAttemptAt);
        Assert.Null(message.LastError);
        Assert.Equal((1, 1), (message.AttemptCount, message.TotalAttempts));
    }

    [Fact]
    public void AutomaticFailure_IsDueAgainAfterTheScheduledDelay_ThenDeadWhenTheBudgetIsSpent()
    {
        var message = Message();
        message.RecordAttempt(ServerError, RetryPolicy.Default, new FixedRandom(), Now);
        Assert.Equal(DeliveryStatus.Failed, message.Status);
        Assert.Equal(Now + TimeSpan.FromSeconds(5), message.NextAttemptAt);
        Assert.Equal("The receiver answered 500.", message.LastError);

        var last = Message(attempts: RetryPolicy.Default.MaxAttempts - 1);
        last.RecordAttempt(ServerError, RetryPolicy.Default, new FixedRandom(), Now);
        Assert.Equal(DeliveryStatus.Dead, last.Status);
        Assert.Null(last.NextAttemptAt);
    }

    [Fact]
    public void TestSend_Failure_EndsFailedWithoutRetry_AndDoesNotUseTheAutomaticBudget()
    {
        var message = Message(DeliveryTrigger.TestSend);

        message.RecordAttempt(ServerError, RetryPolicy.Default, new FixedRandom(), Now);

        Assert.Equal(DeliveryStatus.Failed, message.Status);
        Assert.Null(message.NextAttemptAt);
        Assert.Equal((0, 1), (message.AttemptCount, message.TotalAttempts));
    }

    [Fact]
    public void FailedManualResend_OfARetryingMessage_GoesBackOnItsSchedule()
    {
        var message = Message(DeliveryTrigger.ManualResend, attempts: 2);

        message.RecordAttempt(ServerError, RetryPolicy.Default, new FixedRandom(), Now);

        Assert.Equal(DeliveryTrigger.Automatic, message.Trigger);
        Assert.Equal(DeliveryStatus.Failed, message.Status);
        Assert.Equal(Now + TimeSpan.FromMinutes(5), message.NextAttemptAt);
        Assert.Equal((2, 3), (message.AttemptCount, message.TotalAttempts));
    }

    [Fact]
    public void Gone_IsNotRetried()
    {
        var message = Message();

        message.RecordAttempt(DeliveryOutcome.Fail(FailureKind.Gone, "http", "410"), RetryPolicy.Default, new FixedRandom(), Now);

        Assert.Equal(DeliveryStatus.Dead, message.Status);
        Assert.Null(message.NextAttemptAt);
    }

    [Fact]
    public void FailureThreshold_StopsOnlyWhenEveryRecentAttemptFailedOverTheSpan()
    {
        var threshold = new FailureThreshold(3, TimeSpan.FromHours(12));
        RecentAttempt[] Attempts(TimeSpan spread, bool anySucceeded = false) =>
            [new(Now + spread, false), new(Now + (spread / 2), anySucceeded), new(Now, false)];

        Assert.Null(threshold.StopReason(Attempts(TimeSpan.FromHours(11))));
        Assert.Null(threshold.StopReason(Attempts(TimeSpan.FromHours(13), anySucceeded: true)));
        Assert.Null(threshold.StopReason(Attempts(TimeSpan.FromHours(13))[..2]));
        Assert.Equal($"{DeliveryService.StoppedPrefix}: the last 3 attempts failed over 13 h.", threshold.StopReason(Attempts(TimeSpan.FromHours(13))));
    }
}
