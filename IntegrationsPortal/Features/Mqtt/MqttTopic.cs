using System.Text;

namespace IntegrationsPortal.Features.Mqtt;

/// <summary>
/// Checks a topic and the other MQTT strings (client id, user name, user properties) before they reach
/// MQTTnet (MQTT 3.1.1 section 4.7), so the history says in words what is wrong with the integration's
/// settings rather than a protocol violation.
/// </summary>
public static class MqttTopic
{
    public const int MaxUtf8Length = ushort.MaxValue;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A topic to publish to: no wildcards, not empty, at most 65,535 UTF-8 bytes, no U+0000.</summary>
    public static void ValidateTopicName(string topic, string paramName = "topic")
    {
        CheckString(topic, paramName, "topic");
        if (topic.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            throw new ArgumentException($"The topic '{topic}' contains a wildcard ('+' or '#'); wildcards are allowed only when subscribing.", paramName);
        }
    }

    /// <summary>Any MQTT string field (client id, user name): well-formed UTF-16, no U+0000, short enough.</summary>
    public static void ValidateString(string value, string paramName, string what)
    {
        int length;
        try
        {
            length = StrictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException($"The {what} is not well-formed Unicode (it has a lone surrogate).", paramName);
        }

        if (length > MaxUtf8Length)
        {
            throw new ArgumentException($"The {what} is {length} UTF-8 bytes long; MQTT allows at most {MaxUtf8Length}.", paramName);
        }

        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The {what} contains the character U+0000, which MQTT does not allow.", paramName);
        }
    }

    private static void CheckString(string value, string paramName, string what)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Length == 0)
        {
            throw new ArgumentException($"The {what} is empty.", paramName);
        }

        ValidateString(value, paramName, what);
    }
}
