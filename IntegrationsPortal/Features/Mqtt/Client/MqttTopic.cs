using System.Text;

namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>Checks topic names and filters before they reach the wire (MQTT 3.1.1 section 4.7).</summary>
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

    /// <summary>A filter to subscribe to: '#' only as the whole last level, '+' only as a whole level.</summary>
    public static void ValidateTopicFilter(string filter, string paramName = "topicFilter")
    {
        CheckString(filter, paramName, "topic filter");
        var levels = filter.Split('/');
        for (var i = 0; i < levels.Length; i++)
        {
            var level = levels[i];
            var misplacedHash = level.Contains('#') && (level != "#" || i != levels.Length - 1);
            var misplacedPlus = level.Contains('+') && level != "+";
            if (misplacedHash || misplacedPlus)
            {
                throw new ArgumentException($"The topic filter '{filter}' uses a wildcard wrongly: '+' must be a whole level and '#' the whole last level.", paramName);
            }
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

        if (value.Contains('\0'))
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
