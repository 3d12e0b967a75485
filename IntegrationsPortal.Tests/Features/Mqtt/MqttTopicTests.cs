using IntegrationsPortal.Features.Mqtt;

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

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.Equal("topic", error.ParamName);
    }

    [Fact]
    public void ValidateTopicName_LoneSurrogate_IsRefused()
    {
        // Built here: test discovery would not carry an ill-formed string through InlineData intact.
        var error = Assert.Throws<ArgumentException>(() => MqttTopic.ValidateTopicName("bad" + (char)0xD800 + "topic"));

        Assert.Contains("lone surrogate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateTopicName_LongerThan65535Utf8Bytes_IsRefused()
    {
        // 32,768 two-byte characters: short in chars, too long in UTF-8 bytes.
        var error = Assert.Throws<ArgumentException>(() => MqttTopic.ValidateTopicName(new string('é', 32_768)));

        Assert.Contains("65536 UTF-8 bytes", error.Message, StringComparison.Ordinal);
        MqttTopic.ValidateTopicName(new string('x', 65_535));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("sensors/kitchen/temperature")]
    [InlineData("$SYS-like/but/ours")]
    [InlineData("ünïcødé/€")]
    public void ValidateTopicName_ValidTopic_IsAccepted(string topic) => MqttTopic.ValidateTopicName(topic);
}
