using IntegrationsPortal.Features.Flows;
using IntegrationsPortal.Tests.Features.Delivery;

namespace IntegrationsPortal.Tests.Features.Flows;

/// <summary>
/// The sandbox's limits as an operator meets them: a deployed flow whose function runs away fails
/// its own run with words that say which limit, keeps the input, and the portal goes on running the
/// other flows on the same readings. (FlowFunctionTests covers each limit on the sandbox alone.)
/// </summary>
public sealed class FlowRunnerSandboxTests : IAsyncLifetime
{
    private FlowTestBed _bed = default!;
    private LoopbackReceiver _receiver = default!;

    public async ValueTask InitializeAsync()
    {
        _bed = await FlowTestBed.StartAsync();
        _receiver = await LoopbackReceiver.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _bed.DisposeAsync();
    }

    [Theory]
    [InlineData("while (true) { }", "too many statements|time limit")]
    [InlineData("var s = 'x'; while (true) { s = s + s; }", "memory|Invalid string length")]
    [InlineData("function down(n) { return down(n + 1); } return down(0);", "called itself too deeply|time limit")]
    [InlineData("return System.Environment.Exit(1);", "System is not defined")]
    public async Task RunawayFunction_FailsOnlyItsOwnRun_WithTheLimitInWords_AndTheOtherFlowStillDelivers(string body, string error)
    {
        var hook = await _bed.ActiveWebhookAsync(_receiver, "Primary");
        var runaway = await _bed.DeployAsync(FlowTestBed.MeterThroughFunction(_bed.Meter, $"function transform(m) {{ {body} }}", hook), "Runaway");
        var healthy = await _bed.DeployAsync(FlowTestBed.MeterThroughFunction(_bed.Meter, FlowTestBed.Double, hook), "Healthy");

        await _bed.ArriveAsync([_bed.Reading(1)], ct: TestContext.Current.CancellationToken);
        await _bed.ArriveAsync([_bed.Reading(2, minute: 15)], ct: TestContext.Current.CancellationToken);
        await _bed.Harness.DispatchAsync();

        var failed = (await _bed.HistoryAsync(runaway)).Items;
        Assert.Equal(2, failed.Count);
        Assert.All(failed, r => Assert.Equal(FlowRunStatus.Failed, r.Status));
        Assert.All(failed, r => Assert.Matches(error, r.Error!));
        Assert.Contains("\"value\":2", (await _bed.FlowsAsync(f => f.GetRunAsync(failed.MaxBy(r => r.ReadingAt)!.Id))).Input, StringComparison.Ordinal);
        Assert.Equal(2, (await _bed.HistoryAsync(healthy, FlowRunStatus.Completed)).Total);
        Assert.Equal(2, _receiver.Requests.Count);
        Assert.All(await _bed.OutboxAsync(), m => Assert.Contains("\"flow\":\"Healthy\"", m.Payload, StringComparison.Ordinal));
    }
}
