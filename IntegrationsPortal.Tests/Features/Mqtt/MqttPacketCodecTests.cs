using IntegrationsPortal.Features.Mqtt.Client;

namespace IntegrationsPortal.Tests.Features.Mqtt;

public class MqttPacketCodecTests
{
    private const int Max = MqttPacketCodec.MaxRemainingLength;

    private static readonly MqttPacket[] Packets =
    [
        new ConnectPacket("client-1", CleanSession: true, 30, "user", "secret", new MqttWill("wills/a", new byte[] { 1, 2, 3 }, MqttQos.ExactlyOnce, Retain: true)),
        new ConnectPacket("", CleanSession: false, 0, null, null, null),
        new ConnAckPacket(SessionPresent: true, 0),
        new PublishPacket("a/b", new byte[] { 9, 8, 7 }, MqttQos.AtMostOnce, Retain: true, Dup: false, 0),
        new PublishPacket("ä/ü/€", new byte[300], MqttQos.ExactlyOnce, Retain: false, Dup: true, 65535),
        new PacketIdPacket(MqttPacketType.PubAck, 1),
        new PacketIdPacket(MqttPacketType.PubRec, 2),
        new PacketIdPacket(MqttPacketType.PubRel, 3),
        new PacketIdPacket(MqttPacketType.PubComp, 4),
        new SubscribePacket(5, [new MqttSubscription("a/+/c", MqttQos.AtLeastOnce), new MqttSubscription("#", MqttQos.ExactlyOnce)]),
        new SubAckPacket(5, [1, 0x80]),
        new UnsubscribePacket(6, ["a/#"]),
        new PacketIdPacket(MqttPacketType.UnsubAck, 6),
        EmptyPacket.PingReq,
        EmptyPacket.PingResp,
        EmptyPacket.Disconnect,
    ];

    private static readonly MqttProperties MessageProperties = new()
    {
        PayloadFormatIndicator = 1,
        MessageExpiryInterval = 3600,
        ContentType = "application/json",
        ResponseTopic = "replies/a",
        CorrelationData = new byte[] { 1, 2 },
        UserProperties = [new("site", "7"), new("site", "8"), new("ünits", "kWh")],
    };

    // Every MQTT 5.0 packet type this client or the test broker sends or reads, with properties of each kind.
    private static readonly MqttPacket[] V5Packets =
    [
        new ConnectPacket("client-5", CleanSession: false, 60, "user", "secret",
            new MqttWill("wills/a", new byte[] { 1 }, MqttQos.AtLeastOnce, Retain: false, new MqttProperties { WillDelayInterval = 5, MessageExpiryInterval = 10 }),
            MqttProtocolVersion.V500, new MqttProperties { SessionExpiryInterval = uint.MaxValue, MaximumPacketSize = 1 << 20, ReceiveMaximum = 100 }),
        new ConnectPacket("", CleanSession: true, 0, null, null, null, MqttProtocolVersion.V500),
        new ConnAckPacket(SessionPresent: false, 0, new MqttProperties
        {
            ReceiveMaximum = 20, MaximumQos = 1, RetainAvailable = 0, MaximumPacketSize = 4096, TopicAliasMaximum = 10,
            AssignedClientIdentifier = "auto-1", ServerKeepAlive = 30, ReasonString = "welcome", WildcardSubscriptionAvailable = 1,
        }),
        new ConnAckPacket(SessionPresent: false, 0x86),
        new PublishPacket("a/b", new byte[] { 9 }, MqttQos.AtMostOnce, Retain: true, Dup: false, 0, MessageProperties),
        new PublishPacket("a/b", new byte[300], MqttQos.ExactlyOnce, Retain: false, Dup: true, 7, MqttProperties.None),
        new PublishPacket("a/b", new byte[] { 1 }, MqttQos.AtLeastOnce, Retain: false, Dup: false, 8, new MqttProperties { SubscriptionIdentifiers = [1, 300] }),
        new PacketIdPacket(MqttPacketType.PubAck, 1),
        new PacketIdPacket(MqttPacketType.PubAck, 2, 0x10),
        new PacketIdPacket(MqttPacketType.PubAck, 3, 0x87, new MqttProperties { ReasonString = "ACL denies" }),
        new PacketIdPacket(MqttPacketType.PubRec, 4, 0x97),
        new PacketIdPacket(MqttPacketType.PubRel, 5, 0x92),
        new PacketIdPacket(MqttPacketType.PubComp, 6, 0, new MqttProperties { UserProperties = [new("k", "v")] }),
        new SubscribePacket(9, [new MqttSubscription("a/+", MqttQos.ExactlyOnce, NoLocal: true, RetainAsPublished: true, RetainHandling: 2)],
            new MqttProperties { SubscriptionIdentifiers = [42] }),
        new SubAckPacket(9, [2, 0x87], new MqttProperties { ReasonString = "partly" }),
        new UnsubscribePacket(10, ["a/+"]),
        new SubAckPacket(10, [0x11], null, MqttPacketType.UnsubAck),
        new DisconnectPacket(0),
        new DisconnectPacket(0x8E, new MqttProperties { ReasonString = "another client took this id", SessionExpiryInterval = 0 }),
        EmptyPacket.PingReq,
        EmptyPacket.PingResp,
    ];

    public static TheoryData<MqttPacket> EveryPacketType() => new(Packets);

    public static TheoryData<MqttPacket> EveryV5PacketType() => new(V5Packets);

    [Theory]
    [MemberData(nameof(EveryV5PacketType))]
    public void V5_EncodeThenDecode_GivesTheSamePacketAndProperties(MqttPacket packet)
    {
        var bytes = MqttPacketCodec.Encode(packet, MqttProtocolVersion.V500);

        Assert.True(MqttPacketCodec.TryDecode(bytes, Max, MqttProtocolVersion.V500, out var decoded, out var consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(packet.Type, decoded!.Type);
        Assert.Equal(bytes, MqttPacketCodec.Encode(decoded, MqttProtocolVersion.V500));
        Assert.Equal(bytes.Length, MqttPacketCodec.PacketSize(packet, MqttProtocolVersion.V500));
    }

    [Fact]
    public void V5_Publish_MatchesTheSpecLayout_AndKeepsUserPropertiesInOrder()
    {
        var properties = new MqttProperties { MessageExpiryInterval = 60, UserProperties = [new("a", "1"), new("a", "2")] };

        var bytes = MqttPacketCodec.Encode(new PublishPacket("t", new byte[] { 0xAA }, MqttQos.AtLeastOnce, false, false, 10, properties), MqttProtocolVersion.V500);
        MqttPacketCodec.TryDecode(bytes, Max, MqttProtocolVersion.V500, out var decoded, out _);

        byte[] expected =
        [
            0x32, 26, 0, 1, (byte)'t', 0, 10,
            19, 0x02, 0, 0, 0, 60, 0x26, 0, 1, (byte)'a', 0, 1, (byte)'1', 0x26, 0, 1, (byte)'a', 0, 1, (byte)'2',
            0xAA,
        ];
        Assert.Equal(expected, bytes);
        var publish = Assert.IsType<PublishPacket>(decoded);
        Assert.Equal(60u, publish.Properties!.MessageExpiryInterval);
        Assert.Equal([new MqttUserProperty("a", "1"), new MqttUserProperty("a", "2")], publish.Properties.UserProperties);
    }

    [Theory]
    [InlineData(new byte[] { 0x40, 0x02, 0x00, 0x01 }, 0x00)]
    [InlineData(new byte[] { 0x40, 0x03, 0x00, 0x01, 0x10 }, 0x10)]
    [InlineData(new byte[] { 0x40, 0x04, 0x00, 0x01, 0x87, 0x00 }, 0x87)]
    public void V5_PubAck_ShortForms_AreRead(byte[] bytes, byte reasonCode)
    {
        Assert.True(MqttPacketCodec.TryDecode(bytes, Max, MqttProtocolVersion.V500, out var packet, out _));

        var ack = Assert.IsType<PacketIdPacket>(packet);
        Assert.Equal(reasonCode, ack.ReasonCode);
        Assert.Equal(1, ack.PacketId);
    }

    [Theory]
    // A PUBACK whose property length says 5 bytes but only 2 follow.
    [InlineData(new byte[] { 0x40, 0x06, 0x00, 0x01, 0x00, 0x05, 0x1F, 0x00 }, "runs past the end", 0x81)]
    // Two Reason Strings: single-valued properties must not repeat.
    [InlineData(new byte[] { 0x40, 0x0C, 0x00, 0x01, 0x00, 0x08, 0x1F, 0x00, 0x01, (byte)'a', 0x1F, 0x00, 0x01, (byte)'b' }, "appears twice", 0x82)]
    // Property identifier 0x05 does not exist.
    [InlineData(new byte[] { 0x40, 0x06, 0x00, 0x01, 0x00, 0x02, 0x05, 0x00 }, "unknown property identifier 0x05", 0x81)]
    // Receive Maximum belongs in CONNECT/CONNACK, not PUBACK.
    [InlineData(new byte[] { 0x40, 0x07, 0x00, 0x01, 0x00, 0x03, 0x21, 0x00, 0x0A }, "Receive Maximum property (0x21) is not allowed", 0x81)]
    // Receive Maximum 0 and Maximum QoS 2 are protocol errors in a CONNACK.
    [InlineData(new byte[] { 0x20, 0x06, 0x00, 0x00, 0x03, 0x21, 0x00, 0x00 }, "Receive Maximum property (0x21) has the value 0", 0x82)]
    [InlineData(new byte[] { 0x20, 0x05, 0x00, 0x00, 0x02, 0x24, 0x02 }, "Maximum QoS property (0x24) has the value 2", 0x82)]
    // A property value cut off inside the property block (a four-byte integer with two bytes).
    [InlineData(new byte[] { 0x20, 0x06, 0x00, 0x00, 0x03, 0x02, 0x00, 0x00 }, "not allowed", 0x81)]
    [InlineData(new byte[] { 0x20, 0x06, 0x00, 0x00, 0x03, 0x11, 0x00, 0x00 }, "past the end", 0x81)]
    // A property length longer than four varint bytes.
    [InlineData(new byte[] { 0x20, 0x07, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F }, "longer than 4 bytes", 0x81)]
    // Reason codes each packet type may not carry.
    [InlineData(new byte[] { 0x40, 0x03, 0x00, 0x01, 0x8E }, "reason code 0x8E", 0x81)]
    [InlineData(new byte[] { 0x20, 0x03, 0x00, 0x10, 0x00 }, "return code 16", 0x81)]
    [InlineData(new byte[] { 0xE0, 0x01, 0x10 }, "reason code 0x10", 0x81)]
    // Subscription options with reserved bits set, and an AUTH this client never asked for.
    [InlineData(new byte[] { 0x82, 0x07, 0x00, 0x01, 0x00, 0x00, 0x01, (byte)'a', 0xC1 }, "subscription options 0xC1", 0x81)]
    [InlineData(new byte[] { 0xF0, 0x00 }, "AUTH is not supported", 0x82)]
    public void V5_Decode_MalformedProperties_ThrowProtocolExceptionWithTheDisconnectReason(byte[] bytes, string reason, byte reasonCode)
    {
        var error = Assert.Throws<MqttProtocolException>(() => MqttPacketCodec.TryDecode(bytes, Max, MqttProtocolVersion.V500, out _, out _));

        Assert.Contains(reason, error.Message);
        Assert.Equal(reasonCode, error.ReasonCode);
    }

    [Fact]
    public void V5_ConnAckFromA311Broker_IsReadAsUnsupportedVersion()
    {
        Assert.True(MqttPacketCodec.TryDecode([0x20, 0x02, 0x00, 0x01], Max, MqttProtocolVersion.V500, out var packet, out _));

        Assert.Equal(1, Assert.IsType<ConnAckPacket>(packet).ReturnCode);
    }

    [Theory]
    [MemberData(nameof(EveryPacketType))]
    public void Encode_ThenDecode_GivesTheSamePacket(MqttPacket packet)
    {
        var bytes = MqttPacketCodec.Encode(packet);

        Assert.True(MqttPacketCodec.TryDecode(bytes, Max, out var decoded, out var consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(packet.Type, decoded!.Type);
        // Payloads are memory, which records compare by reference: compare the bytes on the wire instead.
        Assert.Equal(bytes, MqttPacketCodec.Encode(decoded));
    }

    [Fact]
    public void Encode_Publish_MatchesTheSpecLayout()
    {
        var bytes = MqttPacketCodec.Encode(new PublishPacket("a/b", new byte[] { 0xAA }, MqttQos.AtLeastOnce, Retain: true, Dup: true, 10));

        Assert.Equal(new byte[] { 0x3B, 8, 0, 3, (byte)'a', (byte)'/', (byte)'b', 0, 10, 0xAA }, bytes);
    }

    [Theory]
    [InlineData(new byte[] { 0x00 }, 0, 2)]
    [InlineData(new byte[] { 0x7F }, 127, 2)]
    [InlineData(new byte[] { 0x80, 0x01 }, 128, 3)]
    [InlineData(new byte[] { 0xFF, 0x7F }, 16_383, 3)]
    [InlineData(new byte[] { 0x80, 0x80, 0x01 }, 16_384, 4)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0x7F }, 2_097_151, 4)]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x01 }, 2_097_152, 5)]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0x7F }, 268_435_455, 5)]
    public void RemainingLength_SpecExamples_AreRead(byte[] varInt, int expected, int headerLength)
    {
        Assert.True(MqttPacketCodec.TryReadFixedHeader([0x30, .. varInt], Max, out _, out var length, out var read));

        Assert.Equal(expected, length);
        Assert.Equal(headerLength, read);
        Assert.Equal(headerLength - 1, MqttPacketCodec.VarIntLength(expected));
    }

    [Theory]
    [InlineData(new byte[] { 0x30, 0x80, 0x80, 0x80, 0x80, 0x01 }, "longer than 4 bytes")]
    [InlineData(new byte[] { 0x00, 0x00 }, "reserved")]
    [InlineData(new byte[] { 0xF0, 0x00 }, "reserved")]
    [InlineData(new byte[] { 0x60, 0x02, 0x00, 0x01 }, "flags")]
    [InlineData(new byte[] { 0x36, 0x00 }, "QoS 3")]
    [InlineData(new byte[] { 0x20, 0x01, 0x00 }, "past the end")]
    [InlineData(new byte[] { 0x20, 0x02, 0x00, 0x06 }, "return code 6")]
    [InlineData(new byte[] { 0x40, 0x02, 0x00, 0x00 }, "packet id 0")]
    [InlineData(new byte[] { 0xD0, 0x01, 0x00 }, "unexpected bytes")]
    [InlineData(new byte[] { 0x30, 0x05, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'#' }, "wildcard")]
    [InlineData(new byte[] { 0x30, 0x04, 0x00, 0x02, 0xC3, 0x28 }, "not valid UTF-8")]
    [InlineData(new byte[] { 0x30, 0x03, 0x00, 0x01, 0x00 }, "U+0000")]
    public void Decode_MalformedPacket_ThrowsProtocolException(byte[] bytes, string reason)
    {
        var error = Assert.Throws<MqttProtocolException>(() => MqttPacketCodec.TryDecode(bytes, Max, out _, out _));

        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void Decode_PacketOverTheSizeLimit_IsRefusedBeforeItArrives()
    {
        var error = Assert.Throws<MqttProtocolException>(() => MqttPacketCodec.TryDecode([0x30, 0xFF, 0xFF, 0x7F], 1024, out _, out _));

        Assert.Contains("more than the 1024 bytes", error.Message);
    }

    [Fact]
    public void Decode_PartialPacket_AsksForMoreBytes()
    {
        var bytes = MqttPacketCodec.Encode(new PublishPacket("t", new byte[200], MqttQos.AtLeastOnce, false, false, 7));

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.False(MqttPacketCodec.TryDecode(bytes.AsSpan(0, length), Max, out _, out _));
        }
    }

    [Fact]
    public async Task Read_StreamClosedMidPacket_ThrowsProtocolException()
    {
        var bytes = MqttPacketCodec.Encode(new PublishPacket("t", new byte[50], MqttQos.AtMostOnce, false, false, 0));
        var reader = new MqttPacketReader(new MemoryStream(bytes[..20]), Max);

        var error = await Assert.ThrowsAsync<MqttProtocolException>(() => reader.ReadAsync(TestContext.Current.CancellationToken).AsTask());

        Assert.Contains("in the middle of a packet", error.Message);
    }

    [Fact]
    public async Task Read_PacketsSplitAcrossReads_AreReassembled()
    {
        MqttPacket[] packets = [new PublishPacket("t", new byte[40_000], MqttQos.AtLeastOnce, false, false, 1), EmptyPacket.PingResp, new PacketIdPacket(MqttPacketType.PubAck, 1)];
        var reader = new MqttPacketReader(new MemoryStream([.. packets.SelectMany(p => MqttPacketCodec.Encode(p))]), Max);

        foreach (var expected in packets)
        {
            var packet = await reader.ReadAsync(TestContext.Current.CancellationToken);
            Assert.Equal(MqttPacketCodec.Encode(expected), MqttPacketCodec.Encode(packet!));
        }

        Assert.Null(await reader.ReadAsync(TestContext.Current.CancellationToken));
    }

    [Theory(Timeout = 20_000)]
    [InlineData(MqttProtocolVersion.V311)]
    [InlineData(MqttProtocolVersion.V500)]
    public async Task Decode_ThousandsOfRandomInputs_DecodesOrThrowsProtocolExceptionOnly(MqttProtocolVersion version)
    {
        // Seeded, so a failure can be replayed. Half are pure noise; half are valid packets with a few
        // bytes flipped, which get past the first checks and exercise the field (and property) decoders.
        var random = new Random(20261122);
        var valid = (version == MqttProtocolVersion.V500 ? V5Packets : Packets).Select(p => MqttPacketCodec.Encode(p, version)).ToArray();
        var outcomes = new Dictionary<string, int>();

        await Task.Run(() =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                byte[] input;
                if (i % 2 == 0)
                {
                    input = new byte[random.Next(0, 64)];
                    random.NextBytes(input);
                }
                else
                {
                    input = [.. valid[random.Next(valid.Length)]];
                    for (var flips = random.Next(1, 4); flips > 0; flips--)
                    {
                        input[random.Next(input.Length)] = (byte)random.Next(256);
                    }
                }

                string outcome;
                try
                {
                    outcome = MqttPacketCodec.TryDecode(input, 4096, version, out var packet, out var consumed)
                        ? $"decoded {packet!.Type}" + (consumed <= input.Length ? "" : " past the end")
                        : "incomplete";
                }
                catch (MqttProtocolException)
                {
                    outcome = "protocol error";
                }

                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
        }, TestContext.Current.CancellationToken);

        Assert.DoesNotContain(outcomes.Keys, outcome => outcome.EndsWith("past the end", StringComparison.Ordinal));
        Assert.True(outcomes["protocol error"] > 1000, string.Join(", ", outcomes));
        Assert.Contains(outcomes.Keys, outcome => outcome.StartsWith("decoded", StringComparison.Ordinal));
    }
}
