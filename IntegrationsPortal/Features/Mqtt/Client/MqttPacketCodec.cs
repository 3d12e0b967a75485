using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>
/// Turns MQTT 3.1.1 and 5.0 control packets into bytes and back. Pure functions over spans, so the decoder can be
/// fed anything (including a fuzzer's output) without a socket. Decoding bytes that are not valid MQTT
/// always ends in <see cref="MqttProtocolException"/>, never in another exception or a hang.
/// </summary>
public static partial class MqttPacketCodec
{
    /// <summary>The largest remaining length four varint bytes can carry (section 2.2.3).</summary>
    public const int MaxRemainingLength = 268_435_455;

    // Strict UTF-8: a broker sending ill-formed strings is a protocol error, not something to patch with U+FFFD.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> ProtocolName => "MQTT"u8;

    /// <summary>Encodes for <paramref name="version"/>; a CONNECT always for its own <see cref="ConnectPacket.ProtocolVersion"/>.</summary>
    public static void Encode(MqttPacket packet, IBufferWriter<byte> output, MqttProtocolVersion version = MqttProtocolVersion.V311)
    {
        var v5 = IsV5(packet, version);
        var bodyLength = BodyLength(packet, v5);
        if (bodyLength > MaxRemainingLength)
        {
            throw new ArgumentException($"The packet is {bodyLength} bytes long; MQTT allows at most {MaxRemainingLength}.", nameof(packet));
        }

        var span = output.GetSpan(1 + VarIntLength((int)bodyLength) + (int)bodyLength);
        var writer = new SpanWriter(span);
        writer.Byte((byte)(((byte)packet.Type << 4) | HeaderFlags(packet)));
        writer.VarInt((int)bodyLength);
        WriteBody(packet, ref writer, v5);
        output.Advance(writer.Position);
    }

    public static byte[] Encode(MqttPacket packet, MqttProtocolVersion version = MqttProtocolVersion.V311)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Encode(packet, buffer, version);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The remaining length (all but the fixed header), without encoding; may exceed <see cref="MaxRemainingLength"/>.</summary>
    public static long RemainingLength(MqttPacket packet, MqttProtocolVersion version) => BodyLength(packet, IsV5(packet, version));

    /// <summary>The whole packet's size on the wire (fixed header included), without encoding it; for size limits.</summary>
    public static long PacketSize(MqttPacket packet, MqttProtocolVersion version)
    {
        var body = RemainingLength(packet, version);
        return 1 + VarIntLength((int)Math.Min(body, MaxRemainingLength)) + body;
    }

    /// <summary>Decodes an MQTT 3.1.1 packet; see the overload taking a version.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> buffer, int maxPacketSize, out MqttPacket? packet, out int consumed) =>
        TryDecode(buffer, maxPacketSize, MqttProtocolVersion.V311, out packet, out consumed);

    /// <summary>
    /// Decodes one packet from the start of <paramref name="buffer"/>. Returns false when the buffer
    /// holds only part of a packet (read more and call again); throws <see cref="MqttProtocolException"/>
    /// when the bytes can never become a valid packet. A CONNECT says its own version; every other packet
    /// is read as <paramref name="version"/>, the one the connection agreed on.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> buffer, int maxPacketSize, MqttProtocolVersion version, out MqttPacket? packet, out int consumed)
    {
        packet = null;
        consumed = 0;
        if (!TryReadFixedHeader(buffer, maxPacketSize, version, out var header, out var remainingLength, out var headerLength))
        {
            return false;
        }

        if (buffer.Length - headerLength < remainingLength)
        {
            return false;
        }

        packet = DecodeBody(header, buffer.Slice(headerLength, remainingLength), version == MqttProtocolVersion.V500);
        consumed = headerLength + remainingLength;
        return true;
    }

    /// <summary>Reads the first byte and the remaining-length varint of a 3.1.1 packet, checking type and flags.</summary>
    public static bool TryReadFixedHeader(ReadOnlySpan<byte> buffer, int maxPacketSize, out byte header, out int remainingLength, out int headerLength) =>
        TryReadFixedHeader(buffer, maxPacketSize, MqttProtocolVersion.V311, out header, out remainingLength, out headerLength);

    /// <summary>Reads the first byte and the remaining-length varint, checking type and flags.</summary>
    public static bool TryReadFixedHeader(
        ReadOnlySpan<byte> buffer, int maxPacketSize, MqttProtocolVersion version, out byte header, out int remainingLength, out int headerLength)
    {
        header = 0;
        remainingLength = 0;
        headerLength = 0;
        if (buffer.IsEmpty)
        {
            return false;
        }

        header = buffer[0];
        CheckHeader(header, version);
        var multiplier = 1;
        for (var i = 1; ; i++)
        {
            if (i > 4)
            {
                throw new MqttProtocolException("Malformed packet: the remaining length is longer than 4 bytes.");
            }

            if (i >= buffer.Length)
            {
                return false;
            }

            var digit = buffer[i];
            remainingLength += (digit & 0x7F) * multiplier;
            multiplier *= 128;
            if ((digit & 0x80) == 0)
            {
                headerLength = i + 1;
                break;
            }
        }

        if (remainingLength > maxPacketSize)
        {
            throw new MqttProtocolException($"The packet is {remainingLength} bytes long, more than the {maxPacketSize} bytes this client accepts.", MqttReasonCodes.PacketTooLarge);
        }

        return true;
    }

    private static bool IsV5(MqttPacket packet, MqttProtocolVersion version) =>
        (packet is ConnectPacket connect ? connect.ProtocolVersion : version) == MqttProtocolVersion.V500;

    private static void CheckHeader(byte header, MqttProtocolVersion version)
    {
        var type = header >> 4;
        var flags = header & 0x0F;
        if (type == 0 || (type == 15 && version != MqttProtocolVersion.V500))
        {
            throw new MqttProtocolException($"Malformed packet: packet type {type} is reserved.");
        }

        var expectedFlags = (MqttPacketType)type switch
        {
            MqttPacketType.Publish => flags,
            MqttPacketType.PubRel or MqttPacketType.Subscribe or MqttPacketType.Unsubscribe => 0x02,
            _ => 0,
        };
        if (flags != expectedFlags)
        {
            throw new MqttProtocolException($"Malformed packet: flags 0x{flags:X} are not allowed on {(MqttPacketType)type}.");
        }

        if ((MqttPacketType)type == MqttPacketType.Publish && ((flags >> 1) & 0x03) == 3)
        {
            throw new MqttProtocolException("Malformed packet: PUBLISH with QoS 3.");
        }
    }

    private static MqttPacket DecodeBody(byte header, ReadOnlySpan<byte> body, bool v5)
    {
        var reader = new SpanReader(body);
        var type = (MqttPacketType)(header >> 4);
        MqttPacket packet = type switch
        {
            MqttPacketType.Connect => DecodeConnect(ref reader),
            MqttPacketType.ConnAck => DecodeConnAck(ref reader, v5),
            MqttPacketType.Publish => DecodePublish(header, ref reader, v5),
            MqttPacketType.PubAck or MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp => DecodeAck(type, ref reader, v5),
            MqttPacketType.UnsubAck when v5 => DecodeSubAck(type, ref reader, v5),
            MqttPacketType.UnsubAck => new PacketIdPacket(type, reader.PacketId()),
            MqttPacketType.Subscribe => DecodeSubscribe(ref reader, v5),
            MqttPacketType.SubAck => DecodeSubAck(type, ref reader, v5),
            MqttPacketType.Unsubscribe => DecodeUnsubscribe(ref reader, v5),
            MqttPacketType.Disconnect when v5 => DecodeDisconnect(ref reader),
            MqttPacketType.Auth => throw new MqttProtocolException(
                "The broker sent AUTH, but this client asked for no enhanced authentication (AUTH is not supported).", MqttReasonCodes.ProtocolError),
            _ => new EmptyPacket(type),
        };
        if (reader.Remaining != 0)
        {
            throw new MqttProtocolException($"Malformed packet: {reader.Remaining} unexpected bytes at the end of {type}.");
        }

        return packet;
    }

    private static ConnectPacket DecodeConnect(ref SpanReader reader)
    {
        var name = reader.Binary();
        var level = reader.Byte();
        if (!name.SequenceEqual(ProtocolName) || level is not ((byte)MqttProtocolVersion.V311 or (byte)MqttProtocolVersion.V500))
        {
            throw new MqttProtocolException("Malformed CONNECT: not MQTT 3.1.1 or 5.0.", 0x84);
        }

        var v5 = level == (byte)MqttProtocolVersion.V500;
        var flags = reader.Byte();
        if ((flags & 0x01) != 0)
        {
            throw new MqttProtocolException("Malformed CONNECT: the reserved flag is set.");
        }

        var keepAlive = reader.UInt16();
        var properties = v5 ? ReadProperties(ref reader, PropertyScope.Connect) : null;
        var clientId = reader.String();
        MqttWill? will = null;
        if ((flags & 0x04) != 0)
        {
            var willProperties = v5 ? ReadProperties(ref reader, PropertyScope.Will) : null;
            will = new MqttWill(reader.String(), reader.Binary().ToArray(), (MqttQos)((flags >> 3) & 0x03), (flags & 0x20) != 0, willProperties);
        }

        var userName = (flags & 0x80) != 0 ? reader.String() : null;
        var password = (flags & 0x40) != 0 ? StrictString(reader.Binary()) : null;
        return new ConnectPacket(clientId, (flags & 0x02) != 0, keepAlive, userName, password, will, (MqttProtocolVersion)level, properties);
    }

    private static ConnAckPacket DecodeConnAck(ref SpanReader reader, bool v5)
    {
        var acknowledgeFlags = reader.Byte();
        var returnCode = reader.Byte();
        // A 3.1.1-only broker answers a 5.0 CONNECT in 3.1.1 form: return code 1, no properties.
        var refusedAs311 = v5 && reader.Remaining == 0 && returnCode == 1;
        var validCode = v5 && !refusedAs311 ? MqttReasonCodes.IsValidFor(MqttPacketType.ConnAck, returnCode) : returnCode <= 5;
        if ((acknowledgeFlags & 0xFE) != 0 || !validCode)
        {
            throw new MqttProtocolException($"Malformed CONNACK: flags 0x{acknowledgeFlags:X}, return code {returnCode}.");
        }

        var properties = v5 && !refusedAs311 ? ReadProperties(ref reader, PropertyScope.ConnAck) : null;
        return new ConnAckPacket((acknowledgeFlags & 0x01) != 0, returnCode, properties);
    }

    private static PublishPacket DecodePublish(byte header, ref SpanReader reader, bool v5)
    {
        var qos = (MqttQos)((header >> 1) & 0x03);
        var topic = reader.String();
        if (topic.Length == 0 || topic.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            throw new MqttProtocolException("Malformed PUBLISH: the topic is empty or contains a wildcard.");
        }

        var packetId = qos == MqttQos.AtMostOnce ? (ushort)0 : reader.PacketId();
        var properties = v5 ? ReadProperties(ref reader, PropertyScope.Publish) : null;
        var payload = reader.Rest().ToArray();
        return new PublishPacket(topic, payload, qos, Retain: (header & 0x01) != 0, Dup: (header & 0x08) != 0, packetId, properties);
    }

    /// <summary>PUBACK, PUBREC, PUBREL, PUBCOMP; in 5.0 the reason code and properties may each be left off (section 3.4.2.1).</summary>
    private static PacketIdPacket DecodeAck(MqttPacketType type, ref SpanReader reader, bool v5)
    {
        var packetId = reader.PacketId();
        if (!v5 || reader.Remaining == 0)
        {
            return new PacketIdPacket(type, packetId);
        }

        var reasonCode = ReasonCode(type, ref reader);
        var properties = reader.Remaining == 0 ? null : ReadProperties(ref reader, PropertyScope.Ack);
        return new PacketIdPacket(type, packetId, reasonCode, properties);
    }

    private static DisconnectPacket DecodeDisconnect(ref SpanReader reader)
    {
        if (reader.Remaining == 0)
        {
            return new DisconnectPacket(MqttReasonCodes.Success);
        }

        var reasonCode = ReasonCode(MqttPacketType.Disconnect, ref reader);
        var properties = reader.Remaining == 0 ? null : ReadProperties(ref reader, PropertyScope.Disconnect);
        return new DisconnectPacket(reasonCode, properties);
    }

    private static byte ReasonCode(MqttPacketType type, ref SpanReader reader)
    {
        var code = reader.Byte();
        return MqttReasonCodes.IsValidFor(type, code)
            ? code
            : throw new MqttProtocolException($"Malformed {type.ToString().ToUpperInvariant()}: reason code 0x{code:X2} is not one MQTT 5.0 defines for it.");
    }

    private static SubscribePacket DecodeSubscribe(ref SpanReader reader, bool v5)
    {
        var packetId = reader.PacketId();
        var properties = v5 ? ReadProperties(ref reader, PropertyScope.Subscribe) : null;
        var subscriptions = new List<MqttSubscription>();
        do
        {
            var filter = reader.String();
            var options = reader.Byte();
            var qos = options & 0x03;
            var retainHandling = (options >> 4) & 0x03;
            if (qos > 2 || (!v5 && options > 2) || (v5 && ((options & 0xC0) != 0 || retainHandling > 2)))
            {
                throw new MqttProtocolException($"Malformed SUBSCRIBE: subscription options 0x{options:X2}.");
            }

            subscriptions.Add(new MqttSubscription(filter, (MqttQos)qos, (options & 0x04) != 0, (options & 0x08) != 0, (byte)retainHandling));
        }
        while (reader.Remaining > 0);
        return new SubscribePacket(packetId, subscriptions, properties);
    }

    private static SubAckPacket DecodeSubAck(MqttPacketType type, ref SpanReader reader, bool v5)
    {
        var packetId = reader.PacketId();
        var properties = v5 ? ReadProperties(ref reader, PropertyScope.SubAck) : null;
        var codes = reader.Rest().ToArray();
        var valid = v5
            ? codes.All(code => MqttReasonCodes.IsValidFor(type, code))
            : codes.All(code => code is <= 2 or 0x80);
        if (codes.Length == 0 || !valid)
        {
            throw new MqttProtocolException($"Malformed {type.ToString().ToUpperInvariant()}: missing or invalid return codes.");
        }

        return new SubAckPacket(packetId, codes, properties, type);
    }

    private static UnsubscribePacket DecodeUnsubscribe(ref SpanReader reader, bool v5)
    {
        var packetId = reader.PacketId();
        var properties = v5 ? ReadProperties(ref reader, PropertyScope.Unsubscribe) : null;
        var filters = new List<string>();
        do
        {
            filters.Add(reader.String());
        }
        while (reader.Remaining > 0);
        return new UnsubscribePacket(packetId, filters, properties);
    }

    private static byte HeaderFlags(MqttPacket packet) => packet switch
    {
        PublishPacket publish => (byte)((publish.Dup ? 0x08 : 0) | ((byte)publish.Qos << 1) | (publish.Retain ? 0x01 : 0)),
        PacketIdPacket { Kind: MqttPacketType.PubRel } or SubscribePacket or UnsubscribePacket => 0x02,
        _ => 0,
    };

    private static long BodyLength(MqttPacket packet, bool v5)
    {
        long Block(MqttProperties? properties) => v5 ? PropertiesBlockLength(properties) : 0;
        return packet switch
        {
            ConnectPacket connect => 2 + ProtocolName.Length + 1 + 1 + 2
                + Block(connect.Properties)
                + StringLength(connect.ClientId)
                + (connect.Will is { } will ? Block(will.Properties) + StringLength(will.Topic) + 2 + will.Payload.Length : 0)
                + (connect.UserName is null ? 0 : StringLength(connect.UserName))
                + (connect.Password is null ? 0 : StringLength(connect.Password)),
            ConnAckPacket connAck => 2 + Block(connAck.Properties),
            PublishPacket publish => StringLength(publish.Topic) + (publish.Qos == MqttQos.AtMostOnce ? 0 : 2) + Block(publish.Properties) + publish.Payload.Length,
            PacketIdPacket ack => 2 + ShortFormLength(ack.ReasonCode, ack.Properties, v5),
            SubscribePacket subscribe => 2 + Block(subscribe.Properties) + subscribe.Subscriptions.Sum(s => StringLength(s.TopicFilter) + 1),
            SubAckPacket subAck => 2 + Block(subAck.Properties) + subAck.ReturnCodes.Count,
            UnsubscribePacket unsubscribe => 2 + Block(unsubscribe.Properties) + unsubscribe.TopicFilters.Sum(StringLength),
            DisconnectPacket disconnect => ShortFormLength(disconnect.ReasonCode, disconnect.Properties, v5),
            _ => 0,
        };
    }

    /// <summary>A reason code and properties that 5.0 leaves off when they are 0 and empty; 3.1.1 has neither.</summary>
    private static long ShortFormLength(byte reasonCode, MqttProperties? properties, bool v5)
    {
        var propertyLength = PropertyLength(properties);
        return !v5 || (reasonCode == 0 && propertyLength == 0) ? 0 : propertyLength == 0 ? 1 : 1 + VarIntLength(propertyLength) + propertyLength;
    }

    private static void WriteBody(MqttPacket packet, ref SpanWriter writer, bool v5)
    {
        switch (packet)
        {
            case ConnectPacket connect:
                writer.Binary(ProtocolName);
                writer.Byte((byte)connect.ProtocolVersion);
                writer.Byte(ConnectFlags(connect));
                writer.UInt16(connect.KeepAliveSeconds);
                WriteBlock(ref writer, connect.Properties, v5);
                writer.String(connect.ClientId);
                if (connect.Will is { } will)
                {
                    WriteBlock(ref writer, will.Properties, v5);
                    writer.String(will.Topic);
                    writer.Binary(will.Payload.Span);
                }

                WriteOptionalString(ref writer, connect.UserName);
                WriteOptionalString(ref writer, connect.Password);
                break;
            case ConnAckPacket connAck:
                writer.Byte(connAck.SessionPresent ? (byte)1 : (byte)0);
                writer.Byte(connAck.ReturnCode);
                WriteBlock(ref writer, connAck.Properties, v5);
                break;
            case PublishPacket publish:
                writer.String(publish.Topic);
                if (publish.Qos != MqttQos.AtMostOnce)
                {
                    writer.UInt16(publish.PacketId);
                }

                WriteBlock(ref writer, publish.Properties, v5);
                writer.Raw(publish.Payload.Span);
                break;
            case PacketIdPacket ack:
                writer.UInt16(ack.PacketId);
                WriteShortForm(ref writer, ack.ReasonCode, ack.Properties, v5);
                break;
            case SubscribePacket subscribe:
                writer.UInt16(subscribe.PacketId);
                WriteBlock(ref writer, subscribe.Properties, v5);
                foreach (var subscription in subscribe.Subscriptions)
                {
                    writer.String(subscription.TopicFilter);
                    writer.Byte(SubscriptionOptions(subscription, v5));
                }

                break;
            case SubAckPacket subAck:
                writer.UInt16(subAck.PacketId);
                WriteBlock(ref writer, subAck.Properties, v5);
                foreach (var code in subAck.ReturnCodes)
                {
                    writer.Byte(code);
                }

                break;
            case UnsubscribePacket unsubscribe:
                writer.UInt16(unsubscribe.PacketId);
                WriteBlock(ref writer, unsubscribe.Properties, v5);
                foreach (var filter in unsubscribe.TopicFilters)
                {
                    writer.String(filter);
                }

                break;
            case DisconnectPacket disconnect:
                WriteShortForm(ref writer, disconnect.ReasonCode, disconnect.Properties, v5);
                break;
        }
    }

    private static byte SubscriptionOptions(MqttSubscription subscription, bool v5) => v5
        ? (byte)((byte)subscription.Qos | (subscription.NoLocal ? 0x04 : 0) | (subscription.RetainAsPublished ? 0x08 : 0) | (subscription.RetainHandling << 4))
        : (byte)subscription.Qos;

    private static void WriteBlock(ref SpanWriter writer, MqttProperties? properties, bool v5)
    {
        if (v5)
        {
            WriteProperties(ref writer, properties);
        }
    }

    private static void WriteShortForm(ref SpanWriter writer, byte reasonCode, MqttProperties? properties, bool v5)
    {
        if (!v5 || (reasonCode == 0 && PropertyLength(properties) == 0))
        {
            return;
        }

        writer.Byte(reasonCode);
        if (PropertyLength(properties) > 0)
        {
            WriteProperties(ref writer, properties);
        }
    }

    private static void WriteOptionalString(ref SpanWriter writer, string? value)
    {
        if (value is not null)
        {
            writer.String(value);
        }
    }

    private static byte ConnectFlags(ConnectPacket connect)
    {
        var flags = connect.CleanSession ? 0x02 : 0;
        if (connect.Will is { } will)
        {
            flags |= 0x04 | ((byte)will.Qos << 3) | (will.Retain ? 0x20 : 0);
        }

        flags |= connect.Password is null ? 0 : 0x40;
        flags |= connect.UserName is null ? 0 : 0x80;
        return (byte)flags;
    }

    private static int StringLength(string value) => 2 + Encoding.UTF8.GetByteCount(value);

    public static int VarIntLength(int value) => value switch
    {
        < 128 => 1,
        < 16_384 => 2,
        < 2_097_152 => 3,
        _ => 4,
    };

    private static string StrictString(ReadOnlySpan<byte> bytes)
    {
        string value;
        try
        {
            value = StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new MqttProtocolException("Malformed packet: a string is not valid UTF-8.", e);
        }

        if (value.Contains('\0'))
        {
            throw new MqttProtocolException("Malformed packet: a string contains U+0000.");
        }

        return value;
    }

    private ref struct SpanWriter(Span<byte> span)
    {
        private readonly Span<byte> _span = span;

        public int Position { get; private set; }

        public void Byte(byte value) => _span[Position++] = value;

        public void UInt16(ushort value)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_span[Position..], value);
            Position += 2;
        }

        public void UInt32(uint value)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_span[Position..], value);
            Position += 4;
        }

        public void VarInt(int value)
        {
            do
            {
                var digit = (byte)(value % 128);
                value /= 128;
                Byte(value > 0 ? (byte)(digit | 0x80) : digit);
            }
            while (value > 0);
        }

        public void String(string value)
        {
            var length = Encoding.UTF8.GetBytes(value, _span[(Position + 2)..]);
            UInt16((ushort)length);
            Position += length;
        }

        public void Binary(ReadOnlySpan<byte> value)
        {
            UInt16((ushort)value.Length);
            Raw(value);
        }

        public void Raw(ReadOnlySpan<byte> value)
        {
            value.CopyTo(_span[Position..]);
            Position += value.Length;
        }
    }

    private ref struct SpanReader(ReadOnlySpan<byte> span)
    {
        private readonly ReadOnlySpan<byte> _span = span;
        private int _position;

        public readonly int Remaining => _span.Length - _position;

        public byte Byte() => Take(1)[0];

        public ushort UInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

        public uint UInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

        /// <summary>A Variable Byte Integer (section 1.5.5): at most four bytes.</summary>
        public int VarInt()
        {
            var value = 0;
            for (var i = 0; i < 4; i++)
            {
                var digit = Byte();
                value |= (digit & 0x7F) << (7 * i);
                if ((digit & 0x80) == 0)
                {
                    return value;
                }
            }

            throw new MqttProtocolException("Malformed packet: a variable byte integer is longer than 4 bytes.");
        }

        /// <summary>A reader over the next <paramref name="count"/> bytes, which this one skips.</summary>
        public SpanReader Slice(int count) => new(Take(count));

        public ushort PacketId()
        {
            var id = UInt16();
            return id != 0 ? id : throw new MqttProtocolException("Malformed packet: packet id 0.");
        }

        public ReadOnlySpan<byte> Binary() => Take(UInt16());

        public string String() => StrictString(Binary());

        public ReadOnlySpan<byte> Rest() => Take(Remaining);

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > Remaining)
            {
                throw new MqttProtocolException("Malformed packet: a field runs past the end of the packet.");
            }

            var slice = _span.Slice(_position, count);
            _position += count;
            return slice;
        }
    }
}
