namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>
/// A QoS 1/2 publish or a subscribe waiting for the broker's acknowledgement. Kept until acknowledged,
/// across reconnects, so it can be sent again.
/// </summary>
internal sealed class InFlightOperation(MqttPacket packet, ushort packetId, long sequence, bool holdsSlot)
{
    public MqttPacket Packet { get; } = packet;

    public ushort PacketId { get; } = packetId;

    /// <summary>Order of creation, so a reconnect re-sends in the original order.</summary>
    public long Sequence { get; } = sequence;

    /// <summary>Whether completing this frees one of the caller-facing in-flight slots.</summary>
    public bool HoldsSlot { get; } = holdsSlot;

    public bool Sent { get; set; }

    /// <summary>QoS 2 after PUBREC: the broker has the message; only PUBREL/PUBCOMP remain.</summary>
    public bool Released { get; set; }

    /// <summary>The PUBREC of a QoS 2 publish, whose MQTT 5.0 reason code the result reports.</summary>
    public PacketIdPacket? PubRec { get; set; }

    /// <summary>A publish counted against the broker's Receive Maximum on the current link.</summary>
    public bool OnWire { get; set; }

    public TaskCompletionSource<MqttPacket> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>What to send (again) on a new link: MQTT 3.1.1 section 4.4.</summary>
    public MqttPacket PacketToSend() => Packet switch
    {
        PublishPacket when Released => new PacketIdPacket(MqttPacketType.PubRel, PacketId),
        PublishPacket publish when Sent => publish with { Dup = true },
        _ => Packet,
    };
}

/// <summary>
/// Packet ids and the operations using them. Not thread-safe: <see cref="MqttConnection"/> holds its lock
/// around every call.
/// </summary>
internal sealed class MqttInFlightStore
{
    private readonly Dictionary<ushort, InFlightOperation> _operations = [];
    private ushort _lastId;

    public int Count => _operations.Count;

    /// <summary>The next id after the last one handed out that is not in flight; never 0 (section 2.3.1).</summary>
    public ushort NextFreeId()
    {
        if (_operations.Count >= ushort.MaxValue)
        {
            throw new InvalidOperationException("All 65,535 packet ids are in flight.");
        }

        do
        {
            _lastId = _lastId == ushort.MaxValue ? (ushort)1 : (ushort)(_lastId + 1);
        }
        while (_operations.ContainsKey(_lastId));
        return _lastId;
    }

    public void Add(InFlightOperation operation) => _operations.Add(operation.PacketId, operation);

    public InFlightOperation? Find(ushort packetId) => _operations.GetValueOrDefault(packetId);

    public bool Remove(ushort packetId) => _operations.Remove(packetId);

    public IReadOnlyList<InFlightOperation> InOrder() => [.. _operations.Values.OrderBy(o => o.Sequence)];

    public IReadOnlyList<InFlightOperation> RemoveAll()
    {
        var all = InOrder();
        _operations.Clear();
        return all;
    }
}
