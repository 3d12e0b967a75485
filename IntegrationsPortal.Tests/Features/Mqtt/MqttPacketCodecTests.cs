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

    public static TheoryData<MqttPacket> EveryPacketType() => new(Packets);

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
        var reader = new MqttPacketReader(new MemoryStream([.. packets.SelectMany(MqttPacketCodec.Encode)]), Max);

        foreach (var expected in packets)
        {
            var packet = await reader.ReadAsync(TestContext.Current.CancellationToken);
            Assert.Equal(MqttPacketCodec.Encode(expected), MqttPacketCodec.Encode(packet!));
        }

        Assert.Null(await reader.ReadAsync(TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 20_000)]
    public async Task Decode_ThousandsOfRandomInputs_DecodesOrThrowsProtocolExceptionOnly()
    {
        // Seeded, so a failure can be replayed. Half are pure noise; half are valid packets with a few
        // bytes flipped, which get past the first checks and exercise the field decoders.
        var random = new Random(20261122);
        var valid = Packets.Select(MqttPacketCodec.Encode).ToArray();
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
                    outcome = MqttPacketCodec.TryDecode(input, 4096, out var packet, out var consumed)
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
