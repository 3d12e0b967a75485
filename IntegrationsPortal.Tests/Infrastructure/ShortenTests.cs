namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>The one text-clipping helper: what fits is kept whole, what does not is cut with a visible mark.</summary>
public sealed class ShortenTests
{
    [Fact]
    public void TextThatFits_IsKeptWhole()
    {
        Assert.Equal("twelve chars", Limits.Shorten("twelve chars", 12));
    }

    [Fact]
    public void LongerText_IsCutToTheLimit_WithAnEllipsis()
    {
        var clipped = Limits.Shorten(new string('x', 50), 10);

        Assert.Equal(10, clipped.Length);
        Assert.Equal("xxxxxxxxx…", clipped);
    }

    [Fact]
    public void TheMark_CountsTowardsTheLimit()
    {
        var clipped = Limits.Shorten(new string('x', 50), 20, " [cut]");

        Assert.Equal(new string('x', 14) + " [cut]", clipped);
    }

    [Fact]
    public void TheCut_NeverSplitsAnEmoji()
    {
        // "ab" then a rocket (two UTF-16 units): a naive cut at 3 would keep half of it.
        var clipped = Limits.Shorten("ab\U0001F680cdef", 4);

        Assert.Equal("ab…", clipped);
        Assert.DoesNotContain(clipped, char.IsSurrogate);
    }
}
