using System.Diagnostics;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// The one way a test waits for work the portal does in the background (a scheduler's verification,
/// the dispatcher, a broker): read, check, wait a moment, and fail with what was awaited and what was
/// last seen when the patience runs out. Never returns at the deadline as if the wait had succeeded.
/// Timed by the real clock on purpose: it bounds the test, not the code under test.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultPatience = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(50);

    /// <summary>The first value <paramref name="read"/> returns that satisfies <paramref name="condition"/>.</summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, TimeSpan? patience = null)
    {
        var limit = patience ?? DefaultPatience;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (clock.Elapsed > limit)
            {
                Assert.Fail($"Waited {limit.TotalSeconds:0} s for {what}; last seen: {Describe(value)}.");
            }

            await Task.Delay(Pause, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? patience = null) =>
        ReadAsync(condition, held => held, what, patience);

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? patience = null) =>
        ReadAsync(() => Task.FromResult(condition()), held => held, what, patience);

    /// <summary>The first non-null value <paramref name="find"/> returns.</summary>
    public static async Task<T> FoundAsync<T>(Func<T?> find, string what, TimeSpan? patience = null)
        where T : class =>
        (await ReadAsync(() => Task.FromResult(find()), found => found is not null, what, patience))!;

    private static string Describe<T>(T value) => value switch
    {
        null => "nothing",
        bool held => held ? "true" : "false (still not)",
        System.Text.Json.JsonElement json => json.GetRawText(),
        string text => text,
        System.Collections.IEnumerable items => $"[{string.Join(", ", items.Cast<object>())}]",
        _ => value.ToString() ?? "nothing",
    };
}
