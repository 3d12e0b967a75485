namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>
/// MQTT 5.0 properties (section 2.2.2): a Variable Byte Integer length, then identifier/value pairs. One
/// table says each property's type and which packets may carry it; decoding refuses an unknown identifier,
/// one its packet may not carry, a value out of range and a repeat of a single-valued property.
/// </summary>
public static partial class MqttPacketCodec
{
    private enum PropertyKind
    {
        Byte,
        UInt16,
        UInt32,
        VarInt,
        String,
        Binary,
        StringPair,
    }

    /// <summary>Where a properties block sits; PUBACK, PUBREC, PUBREL and PUBCOMP share <see cref="Ack"/>, SUBACK and UNSUBACK <see cref="SubAck"/>.</summary>
    [Flags]
    private enum PropertyScope
    {
        Connect = 1,
        Will = 2,
        ConnAck = 4,
        Publish = 8,
        Ack = 16,
        Subscribe = 32,
        SubAck = 64,
        Unsubscribe = 128,
        Disconnect = 256,
        Auth = 512,
        All = 1023,
    }

    /// <param name="Flag">Whether the only values allowed are 0 and 1.</param>
    /// <param name="NonZero">Whether 0 is a protocol error.</param>
    private sealed record PropertyDefinition(byte Id, string Name, PropertyKind Kind, PropertyScope AllowedIn, bool Flag = false, bool NonZero = false);

    private const PropertyScope Message = PropertyScope.Publish | PropertyScope.Will;

    private static readonly Dictionary<byte, PropertyDefinition> Definitions = new PropertyDefinition[]
    {
        new(0x01, "Payload Format Indicator", PropertyKind.Byte, Message, Flag: true),
        new(0x02, "Message Expiry Interval", PropertyKind.UInt32, Message),
        new(0x03, "Content Type", PropertyKind.String, Message),
        new(0x08, "Response Topic", PropertyKind.String, Message),
        new(0x09, "Correlation Data", PropertyKind.Binary, Message),
        new(0x0B, "Subscription Identifier", PropertyKind.VarInt, PropertyScope.Publish | PropertyScope.Subscribe, NonZero: true),
        new(0x11, "Session Expiry Interval", PropertyKind.UInt32, PropertyScope.Connect | PropertyScope.ConnAck | PropertyScope.Disconnect),
        new(0x12, "Assigned Client Identifier", PropertyKind.String, PropertyScope.ConnAck),
        new(0x13, "Server Keep Alive", PropertyKind.UInt16, PropertyScope.ConnAck),
        new(0x15, "Authentication Method", PropertyKind.String, PropertyScope.Connect | PropertyScope.ConnAck | PropertyScope.Auth),
        new(0x16, "Authentication Data", PropertyKind.Binary, PropertyScope.Connect | PropertyScope.ConnAck | PropertyScope.Auth),
        new(0x17, "Request Problem Information", PropertyKind.Byte, PropertyScope.Connect, Flag: true),
        new(0x18, "Will Delay Interval", PropertyKind.UInt32, PropertyScope.Will),
        new(0x19, "Request Response Information", PropertyKind.Byte, PropertyScope.Connect, Flag: true),
        new(0x1A, "Response Information", PropertyKind.String, PropertyScope.ConnAck),
        new(0x1C, "Server Reference", PropertyKind.String, PropertyScope.ConnAck | PropertyScope.Disconnect),
        new(0x1F, "Reason String", PropertyKind.String,
            PropertyScope.ConnAck | PropertyScope.Ack | PropertyScope.SubAck | PropertyScope.Disconnect | PropertyScope.Auth),
        new(0x21, "Receive Maximum", PropertyKind.UInt16, PropertyScope.Connect | PropertyScope.ConnAck, NonZero: true),
        new(0x22, "Topic Alias Maximum", PropertyKind.UInt16, PropertyScope.Connect | PropertyScope.ConnAck),
        new(0x23, "Topic Alias", PropertyKind.UInt16, PropertyScope.Publish, NonZero: true),
        new(0x24, "Maximum QoS", PropertyKind.Byte, PropertyScope.ConnAck, Flag: true),
        new(0x25, "Retain Available", PropertyKind.Byte, PropertyScope.ConnAck, Flag: true),
        new(0x26, "User Property", PropertyKind.StringPair, PropertyScope.All),
        new(0x27, "Maximum Packet Size", PropertyKind.UInt32, PropertyScope.Connect | PropertyScope.ConnAck, NonZero: true),
        new(0x28, "Wildcard Subscription Available", PropertyKind.Byte, PropertyScope.ConnAck, Flag: true),
        new(0x29, "Subscription Identifier Available", PropertyKind.Byte, PropertyScope.ConnAck, Flag: true),
        new(0x2A, "Shared Subscription Available", PropertyKind.Byte, PropertyScope.ConnAck, Flag: true),
    }.ToDictionary(d => d.Id);

    private const byte UserPropertyId = 0x26;
    private const byte SubscriptionIdentifierId = 0x0B;

    /// <summary>The identifiers <paramref name="properties"/> sets, in the order they are written.</summary>
    public static IEnumerable<byte> PropertyIds(MqttProperties properties) => Entries(properties).Select(e => e.Id);

    private static MqttProperties ReadProperties(ref SpanReader reader, PropertyScope scope)
    {
        var length = reader.VarInt();
        if (length > reader.Remaining)
        {
            throw new MqttProtocolException($"Malformed packet: the property length {length} runs past the end of the packet.");
        }

        var block = reader.Slice(length);
        var properties = MqttProperties.None;
        var seen = 0UL;
        List<MqttUserProperty>? userProperties = null;
        List<int>? subscriptionIds = null;
        while (block.Remaining > 0)
        {
            var id = block.VarInt();
            if (id > byte.MaxValue || !Definitions.TryGetValue((byte)id, out var definition))
            {
                throw new MqttProtocolException($"Malformed packet: unknown property identifier 0x{id:X2}.");
            }

            if ((definition.AllowedIn & scope) == 0)
            {
                throw new MqttProtocolException($"Malformed packet: the {definition.Name} property (0x{id:X2}) is not allowed here.");
            }

            // Only User Property repeats, and Subscription Identifier on a PUBLISH (one per matching subscription).
            var repeatable = id == UserPropertyId || (id == SubscriptionIdentifierId && scope == PropertyScope.Publish);
            if (!repeatable && (seen & (1UL << id)) != 0)
            {
                throw new MqttProtocolException($"Protocol error: the {definition.Name} property (0x{id:X2}) appears twice.", MqttReasonCodes.ProtocolError);
            }

            seen |= 1UL << id;
            var value = ReadValue(ref block, definition);
            switch (value)
            {
                case MqttUserProperty pair:
                    (userProperties ??= []).Add(pair);
                    break;
                case int subscriptionId when id == SubscriptionIdentifierId:
                    (subscriptionIds ??= []).Add(subscriptionId);
                    break;
                default:
                    properties = With(properties, definition.Id, value);
                    break;
            }
        }

        return properties with { UserProperties = userProperties ?? [], SubscriptionIdentifiers = subscriptionIds ?? [] };
    }

    private static object ReadValue(ref SpanReader reader, PropertyDefinition definition)
    {
        object value = definition.Kind switch
        {
            PropertyKind.Byte => reader.Byte(),
            PropertyKind.UInt16 => reader.UInt16(),
            PropertyKind.UInt32 => reader.UInt32(),
            PropertyKind.VarInt => reader.VarInt(),
            PropertyKind.String => reader.String(),
            PropertyKind.Binary => (ReadOnlyMemory<byte>)reader.Binary().ToArray(),
            _ => new MqttUserProperty(reader.String(), reader.String()),
        };
        var number = value switch { byte b => b, ushort s => s, uint u => u, int i => i, _ => (long?)null };
        if ((definition.Flag && number > 1) || (definition.NonZero && number == 0))
        {
            throw new MqttProtocolException($"Protocol error: the {definition.Name} property (0x{definition.Id:X2}) has the value {number}.", MqttReasonCodes.ProtocolError);
        }

        return value;
    }

    private static MqttProperties With(MqttProperties p, byte id, object value) => id switch
    {
        0x01 => p with { PayloadFormatIndicator = (byte)value },
        0x02 => p with { MessageExpiryInterval = (uint)value },
        0x03 => p with { ContentType = (string)value },
        0x08 => p with { ResponseTopic = (string)value },
        0x09 => p with { CorrelationData = (ReadOnlyMemory<byte>)value },
        0x11 => p with { SessionExpiryInterval = (uint)value },
        0x12 => p with { AssignedClientIdentifier = (string)value },
        0x13 => p with { ServerKeepAlive = (ushort)value },
        0x15 => p with { AuthenticationMethod = (string)value },
        0x16 => p with { AuthenticationData = (ReadOnlyMemory<byte>)value },
        0x17 => p with { RequestProblemInformation = (byte)value },
        0x18 => p with { WillDelayInterval = (uint)value },
        0x19 => p with { RequestResponseInformation = (byte)value },
        0x1A => p with { ResponseInformation = (string)value },
        0x1C => p with { ServerReference = (string)value },
        0x1F => p with { ReasonString = (string)value },
        0x21 => p with { ReceiveMaximum = (ushort)value },
        0x22 => p with { TopicAliasMaximum = (ushort)value },
        0x23 => p with { TopicAlias = (ushort)value },
        0x24 => p with { MaximumQos = (byte)value },
        0x25 => p with { RetainAvailable = (byte)value },
        0x27 => p with { MaximumPacketSize = (uint)value },
        0x28 => p with { WildcardSubscriptionAvailable = (byte)value },
        0x29 => p with { SubscriptionIdentifierAvailable = (byte)value },
        0x2A => p with { SharedSubscriptionAvailable = (byte)value },
        _ => throw new InvalidOperationException($"Property 0x{id:X2} has no field."),
    };

    /// <summary>Every set property as (identifier, value), in identifier order; repeated ones once per value.</summary>
    private static IEnumerable<(byte Id, object Value)> Entries(MqttProperties? p)
    {
        if (p is null)
        {
            yield break;
        }

        (byte, object?)[] singles =
        [
            (0x01, p.PayloadFormatIndicator), (0x02, p.MessageExpiryInterval), (0x03, p.ContentType), (0x08, p.ResponseTopic),
            (0x09, p.CorrelationData), (0x11, p.SessionExpiryInterval), (0x12, p.AssignedClientIdentifier), (0x13, p.ServerKeepAlive),
            (0x15, p.AuthenticationMethod), (0x16, p.AuthenticationData), (0x17, p.RequestProblemInformation), (0x18, p.WillDelayInterval),
            (0x19, p.RequestResponseInformation), (0x1A, p.ResponseInformation), (0x1C, p.ServerReference), (0x1F, p.ReasonString),
            (0x21, p.ReceiveMaximum), (0x22, p.TopicAliasMaximum), (0x23, p.TopicAlias), (0x24, p.MaximumQos), (0x25, p.RetainAvailable),
            (0x27, p.MaximumPacketSize), (0x28, p.WildcardSubscriptionAvailable), (0x29, p.SubscriptionIdentifierAvailable),
            (0x2A, p.SharedSubscriptionAvailable),
        ];
        foreach (var subscriptionId in p.SubscriptionIdentifiers)
        {
            yield return (SubscriptionIdentifierId, subscriptionId);
        }

        foreach (var (id, value) in singles)
        {
            if (value is not null)
            {
                yield return (id, value);
            }
        }

        foreach (var pair in p.UserProperties)
        {
            yield return (UserPropertyId, pair);
        }
    }

    /// <summary>The bytes of the identifier/value pairs, without the length prefix.</summary>
    private static int PropertyLength(MqttProperties? properties)
    {
        var length = 0L;
        foreach (var (id, value) in Entries(properties))
        {
            length += 1 + ValueLength(Definitions[id].Kind, value);
        }

        return length <= MaxRemainingLength ? (int)length : throw new ArgumentException("The properties are longer than an MQTT packet can be.", nameof(properties));
    }

    private static long PropertiesBlockLength(MqttProperties? properties)
    {
        var length = PropertyLength(properties);
        return VarIntLength(length) + length;
    }

    private static int ValueLength(PropertyKind kind, object value) => kind switch
    {
        PropertyKind.Byte => 1,
        PropertyKind.UInt16 => 2,
        PropertyKind.UInt32 => 4,
        PropertyKind.VarInt => VarIntLength((int)value),
        PropertyKind.String => StringLength((string)value),
        PropertyKind.Binary => 2 + ((ReadOnlyMemory<byte>)value).Length,
        _ => StringLength(((MqttUserProperty)value).Name) + StringLength(((MqttUserProperty)value).Value),
    };

    private static void WriteProperties(ref SpanWriter writer, MqttProperties? properties)
    {
        writer.VarInt(PropertyLength(properties));
        foreach (var (id, value) in Entries(properties))
        {
            writer.Byte(id);
            switch (value)
            {
                case byte b:
                    writer.Byte(b);
                    break;
                case ushort s:
                    writer.UInt16(s);
                    break;
                case uint u:
                    writer.UInt32(u);
                    break;
                case int varInt:
                    writer.VarInt(varInt);
                    break;
                case string text:
                    writer.String(text);
                    break;
                case ReadOnlyMemory<byte> binary:
                    writer.Binary(binary.Span);
                    break;
                case MqttUserProperty pair:
                    writer.String(pair.Name);
                    writer.String(pair.Value);
                    break;
            }
        }
    }

    /// <summary>Checks properties this client is about to send on a PUBLISH: only message properties, strings MQTT can carry.</summary>
    public static void ValidatePublishProperties(MqttProperties properties, string paramName)
    {
        foreach (var (id, value) in Entries(properties))
        {
            var definition = Definitions[id];
            if ((definition.AllowedIn & PropertyScope.Publish) == 0 || id is SubscriptionIdentifierId or 0x23)
            {
                throw new ArgumentException($"The {definition.Name} property cannot be sent on a PUBLISH by this client.", paramName);
            }

            if (value is byte flag && flag > 1)
            {
                throw new ArgumentException($"The {definition.Name} must be 0 or 1.", paramName);
            }

            foreach (var text in value switch { string s => [s], MqttUserProperty pair => [pair.Name, pair.Value], _ => Array.Empty<string>() })
            {
                MqttTopic.ValidateString(text, paramName, definition.Name.ToLowerInvariant());
            }
        }

        if (properties.ResponseTopic is { } responseTopic)
        {
            MqttTopic.ValidateTopicName(responseTopic, paramName);
        }

        if (properties.CorrelationData is { Length: > ushort.MaxValue })
        {
            throw new ArgumentException("The correlation data is longer than 65,535 bytes.", paramName);
        }
    }
}
