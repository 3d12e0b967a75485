using System.Globalization;
using System.Net;
using IntegrationsPortal.Infrastructure.Http;

namespace IntegrationsPortal.Tests.Infrastructure.Http;

/// <summary>The one Retry-After reading both delivery and ingestion use, against the injected clock.</summary>
public sealed class RetryAfterTests
{
    private readonly ManualTimeProvider _clock = new();

    [Fact]
    public void DeltaSeconds_AreTheWait()
    {
        Assert.Equal(TimeSpan.FromSeconds(120), Wait("120"));
    }

    [Fact]
    public void HttpDateInTheFuture_IsTheTimeLeftOnTheInjectedClock()
    {
        var header = _clock.GetUtcNow().AddMinutes(5).ToString("r", CultureInfo.InvariantCulture);

        Assert.Equal(TimeSpan.FromMinutes(5), Wait(header));
    }

    [Fact]
    public void HttpDateInThePast_MeansNow_NotANegativeWait()
    {
        var header = _clock.GetUtcNow().AddMinutes(-5).ToString("r", CultureInfo.InvariantCulture);

        Assert.Equal(TimeSpan.Zero, Wait(header));
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("")]
    public void Garbage_IsNoHint(string header)
    {
        Assert.Null(Wait(header));
    }

    [Fact]
    public void NoHeader_IsNoHint()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        Assert.Null(RetryAfter.Wait(response.Headers, _clock));
    }

    private TimeSpan? Wait(string retryAfter)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        return RetryAfter.Wait(response.Headers, _clock);
    }
}
