using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>
/// Turns MQTT 3.1.1 control packets into bytes and back. Pure functions over spans, so the decoder can be
/// fed anything (including a fuzzer's output) without a socket. Decoding bytes that are not valid MQTT
/// always ends in <see cref="MqttProtocolException"/>, never in another exception or a hang.
/// </summary>
public static class MqttPacketCodec
{
    /// <summary>The largest remaining length four varint bytes can carry (section 2.2.3).</summary>
    public const int MaxRemainingLength = 268_435_455;

    // Strict UTF-8: a broker sending ill-formed strings is a protocol error, not something to patch with U+FFFD.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> ProtocolName => "MQTT"u8;

    private const byte ProtocolLevel311 = 4;

    public static void Encode(MqttPacket packet, IBufferWriter<byte> output)
    {
        var bodyLength = BodyLength(packet);
        if (bodyLength > MaxRemainingLength)
        {
            throw new ArgumentException($"The packet is {bodyLength} bytes long; MQTT allows at most {MaxRemainingLength}.", nameof(packet));
        }

        var span = output.GetSpan(1 + VarIntLength(bodyLength) + bodyLength);
        var writer = new SpanWriter(span);
        writer.Byte((byte)(((byte)packet.Type << 4) | HeaderFlags(packet)));
        writer.VarInt(bodyLength);
        WriteBody(packet, ref writer);
        output.Advance(writer.Position);
    }

    public static byte[] Encode(MqttPacket packet)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Encode(packet, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Decodes one packet from the start of <paramref name="buffer"/>. Returns false when the buffer
    /// holds only part of a packet (read more and call again); throws <see cref="MqttProtocolException"/>
    /// when the bytes can never become a valid packet.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> buffer, int maxPacketSize, out MqttPacket? packet, out int consumed)
    {
        packet = null;
        consumed = 0;
        if (!TryReadFixedHeader(buffer, maxPacketSize, out var header, out var remainingLength, out var headerLength))
        {
            return false;
        }

        if (buffer.Length - headerLength < remainingLength)
        {
            return false;
        }

        packet = DecodeBody(header, buffer.Slice(headerLength, remainingLength));
        consumed = headerLength + remainingLength;
        return true;
    }

    /// <summary>Reads the first byte and the remaining-length varint, checking type and flags.</summary>
    public static bool TryReadFixedHeader(ReadOnlySpan<byte> buffer, int maxPacketSize, out byte header, out int remainingLength, out int headerLength)
    {
        header = 0;
        remainingLength = 0;
        headerLength = 0;
        if (buffer.IsEmpty)
        {
            return false;
        }

        header = buffer[0];
        CheckHeader(header);
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
            throw new MqttProtocolException($"The packet is {remainingLength} bytes long, more than the {maxPacketSize} bytes this client accepts.");
        }

        return true;
    }

    private static void CheckHeader(byte header)
    {
        var type = header >> 4;
        var flags = header & 0x0F;
        if (type is 0 or 15)
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

    private static MqttPacket DecodeBody(byte header, ReadOnlySpan<byte> body)
    {
        var reader = new SpanReader(body);
        var type = (MqttPacketType)(header >> 4);
        MqttPacket packet = type switch
        {
            MqttPacketType.Connect => DecodeConnect(ref reader),
            MqttPacketType.ConnAck => DecodeConnAck(ref reader),
            MqttPacketType.Publish => DecodePublish(header, ref reader),
            MqttPacketType.PubAck or MqttPacketType.PubRec or MqttPacketType.PubRel or MqttPacketType.PubComp or MqttPacketType.UnsubAck
                => new PacketIdPacket(type, reader.PacketId()),
            MqttPacketType.Subscribe => DecodeSubscribe(ref reader),
            MqttPacketType.SubAck => DecodeSubAck(ref reader),
            MqttPacketType.Unsubscribe => DecodeUnsubscribe(ref reader),
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
        if (!reader.Binary().SequenceEqual(ProtocolName) || reader.Byte() != ProtocolLevel311)
        {
            throw new MqttProtocolException("Malformed CONNECT: not MQTT 3.1.1.");
        }

        var flags = reader.Byte();
        var keepAlive = reader.UInt16();
        var clientId = reader.String();
        MqttWill? will = null;
        if ((flags & 0x04) != 0)
        {
            will = new MqttWill(reader.String(), reader.Binary().ToArray(), (MqttQos)((flags >> 3) & 0x03), (flags & 0x20) != 0);
        }

        var userName = (flags & 0x80) != 0 ? reader.String() : null;
        var password = (flags & 0x40) != 0 ? StrictString(reader.Binary()) : null;
        return new ConnectPacket(clientId, (flags & 0x02) != 0, keepAlive, userName, password, will);
    }

    private static ConnAckPacket DecodeConnAck(ref SpanReader reader)
    {
        var acknowledgeFlags = reader.Byte();
        var returnCode = reader.Byte();
        if ((acknowledgeFlags & 0xFE) != 0 || returnCode > 5)
        {
            throw new MqttProtocolException($"Malformed CONNACK: flags 0x{acknowledgeFlags:X}, return code {returnCode}.");
        }

        return new ConnAckPacket((acknowledgeFlags & 0x01) != 0, returnCode);
    }

    private static PublishPacket DecodePublish(byte header, ref SpanReader reader)
    {
        var qos = (MqttQos)((header >> 1) & 0x03);
        var topic = reader.String();
        if (topic.Length == 0 || topic.AsSpan().IndexOfAny('+', '#') >= 0)
        {
            throw new MqttProtocolException("Malformed PUBLISH: the topic is empty or contains a wildcard.");
        }

        var packetId = qos == MqttQos.AtMostOnce ? (ushort)0 : reader.PacketId();
        var payload = reader.Rest().ToArray();
        return new PublishPacket(topic, payload, qos, Retain: (header & 0x01) != 0, Dup: (header & 0x08) != 0, packetId);
    }

    private static SubscribePacket DecodeSubscribe(ref SpanReader reader)
    {
        var packetId = reader.PacketId();
        var subscriptions = new List<MqttSubscription>();
        do
        {
            var filter = reader.String();
            var qos = reader.Byte();
            if (qos > 2)
            {
                throw new MqttProtocolException($"Malformed SUBSCRIBE: requested QoS {qos}.");
            }

            subscriptions.Add(new MqttSubscription(filter, (MqttQos)qos));
        }
        while (reader.Remaining > 0);
        return new SubscribePacket(packetId, subscriptions);
    }

    private static SubAckPacket DecodeSubAck(ref SpanReader reader)
    {
        var packetId = reader.PacketId();
        var codes = reader.Rest().ToArray();
        if (codes.Length == 0 || codes.Any(code => code is > 2 and not 0x80))
        {
            throw new MqttProtocolException("Malformed SUBACK: missing or invalid return codes.");
        }

        return new SubAckPacket(packetId, codes);
    }

    private static UnsubscribePacket DecodeUnsubscribe(ref SpanReader reader)
    {
        var packetId = reader.PacketId();
        var filters = new List<string>();
        do
        {
            filters.Add(reader.String());
        }
        while (reader.Remaining > 0);
        return new UnsubscribePacket(packetId, filters);
    }

    private static byte HeaderFlags(MqttPacket packet) => packet switch
    {
        PublishPacket publish => (byte)((publish.Dup ? 0x08 : 0) | ((byte)publish.Qos << 1) | (publish.Retain ? 0x01 : 0)),
        PacketIdPacket { Kind: MqttPacketType.PubRel } or SubscribePacket or UnsubscribePacket => 0x02,
        _ => 0,
    };

    private static int BodyLength(MqttPacket packet) => packet switch
    {
        ConnectPacket connect => 2 + ProtocolName.Length + 1 + 1 + 2
            + StringLength(connect.ClientId)
            + (connect.Will is { } will ? StringLength(will.Topic) + 2 + will.Payload.Length : 0)
            + (connect.UserName is null ? 0 : StringLength(connect.UserName))
            + (connect.Password is null ? 0 : StringLength(connect.Password)),
        ConnAckPacket => 2,
        PublishPacket publish => StringLength(publish.Topic) + (publish.Qos == MqttQos.AtMostOnce ? 0 : 2) + publish.Payload.Length,
        PacketIdPacket => 2,
        SubscribePacket subscribe => 2 + subscribe.Subscriptions.Sum(s => StringLength(s.TopicFilter) + 1),
        SubAckPacket subAck => 2 + subAck.ReturnCodes.Count,
        UnsubscribePacket unsubscribe => 2 + unsubscribe.TopicFilters.Sum(StringLength),
        _ => 0,
    };

    private static void WriteBody(MqttPacket packet, ref SpanWriter writer)
    {
        switch (packet)
        {
            case ConnectPacket connect:
                writer.Binary(ProtocolName);
                writer.Byte(ProtocolLevel311);
                writer.Byte(ConnectFlags(connect));
                writer.UInt16(connect.KeepAliveSeconds);
                writer.String(connect.ClientId);
                if (connect.Will is { } will)
                {
                    writer.String(will.Topic);
                    writer.Binary(will.Payload.Span);
                }

                WriteOptionalString(ref writer, connect.UserName);
                WriteOptionalString(ref writer, connect.Password);
                break;
            case ConnAckPacket connAck:
                writer.Byte(connAck.SessionPresent ? (byte)1 : (byte)0);
                writer.Byte(connAck.ReturnCode);
                break;
            case PublishPacket publish:
                writer.String(publish.Topic);
                if (publish.Qos != MqttQos.AtMostOnce)
                {
                    writer.UInt16(publish.PacketId);
                }

                writer.Raw(publish.Payload.Span);
                break;
            case PacketIdPacket ack:
                writer.UInt16(ack.PacketId);
                break;
            case SubscribePacket subscribe:
                writer.UInt16(subscribe.PacketId);
                foreach (var subscription in subscribe.Subscriptions)
                {
                    writer.String(subscription.TopicFilter);
                    writer.Byte((byte)subscription.Qos);
                }

                break;
            case SubAckPacket subAck:
                writer.UInt16(subAck.PacketId);
                foreach (var code in subAck.ReturnCodes)
                {
                    writer.Byte(code);
                }

                break;
            case UnsubscribePacket unsubscribe:
                writer.UInt16(unsubscribe.PacketId);
                foreach (var filter in unsubscribe.TopicFilters)
                {
                    writer.String(filter);
                }

                break;
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
