using IntegrationsPortal.Features.Mqtt.Client;

namespace IntegrationsPortal.Tests.Features.Mqtt;

public class MqttTopicTests
{
    [Theory]
    [InlineData("", "empty")]
    [InlineData("sensors/+/temperature", "wildcard")]
    [InlineData("sensors/#", "wildcard")]
    [InlineData("a\0b", "U+0000")]
    public void ValidateTopicName_InvalidTopic_IsRefusedWithReason(string topic, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => MqttTopic.ValidateTopicName(topic));

        Assert.Contains(reason, error.Message);
        Assert.Equal("topic", error.ParamName);
    }

    [Fact]
    public void ValidateTopicName_LoneSurrogate_IsRefused()
    {
        // Built here: test discovery would not carry an ill-formed string through InlineData intact.
        var error = Assert.Throws<ArgumentException>(() => MqttTopic.ValidateTopicName("bad" + (char)0xD800 + "topic"));

        Assert.Contains("lone surrogate", error.Message);
    }

    [Fact]
    public void ValidateTopicName_LongerThan65535Utf8Bytes_IsRefused()
    {
        // 32,768 two-byte characters: short in chars, too long in UTF-8 bytes.
        var error = Assert.Throws<ArgumentException>(() => MqttTopic.ValidateTopicName(new string('é', 32_768)));

        Assert.Contains("65536 UTF-8 bytes", error.Message);
        MqttTopic.ValidateTopicName(new string('x', 65_535));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("sensors/kitchen/temperature")]
    [InlineData("$SYS-like/but/ours")]
    [InlineData("ünïcødé/€")]
    public void ValidateTopicName_ValidTopic_IsAccepted(string topic) => MqttTopic.ValidateTopicName(topic);

    [Theory]
    [InlineData("#", true)]
    [InlineData("a/+/c", true)]
    [InlineData("+/+", true)]
    [InlineData("a/#", true)]
    [InlineData("a/#/c", false)]
    [InlineData("a/b#", false)]
    [InlineData("a+/b", false)]
    [InlineData("", false)]
    public void ValidateTopicFilter_ChecksWildcardPlacement(string filter, bool valid)
    {
        var error = Record.Exception(() => MqttTopic.ValidateTopicFilter(filter));

        Assert.Equal(valid, error is null);
        Assert.True(error is null or ArgumentException);
    }

    [Fact]
    public async Task Publish_WildcardTopic_IsRefusedBeforeAnythingIsSent()
    {
        await using var connection = new MqttConnection(MqttTest.Options("127.0.0.1", 1));

        await Assert.ThrowsAsync<ArgumentException>(() => connection.PublishAsync("a/#", MqttTest.Utf8("x"), cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public void NextFreeId_NeverZero_WrapsAndSkipsIdsInFlight()
    {
        var store = new MqttInFlightStore();
        var held = new InFlightOperation(EmptyPacket.PingReq, store.NextFreeId(), 0, holdsSlot: false);
        store.Add(held);

        var seen = new HashSet<ushort>();
        for (var i = 0; i < 70_000; i++)
        {
            var id = store.NextFreeId();
            Assert.NotEqual(0, id);
            Assert.NotEqual(held.PacketId, id);
            seen.Add(id);
        }

        // Every id but 0 and the one in flight came round.
        Assert.Equal(65_534, seen.Count);
    }
}
