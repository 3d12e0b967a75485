using System.Threading.Channels;

namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>
/// A long-lived MQTT 3.1.1 or 5.0 client connection (one per integration), safe for many concurrent
/// <see cref="PublishAsync"/> callers. <see cref="ConnectAsync"/> connects once and throws on refusal;
/// after that, a lost link is re-established automatically with exponential backoff, and QoS 1/2
/// messages not yet acknowledged are sent again (DUP=1; PUBREL for QoS 2 past PUBREC), so a publish
/// waits through a broker restart instead of failing. Reconnecting stops for good on refusals that will
/// not fix themselves (bad credentials, rejected client id), failing what is still waiting.
/// Over MQTT 5.0 it also keeps to the limits in the broker's CONNACK (Receive Maximum, Maximum QoS, Retain
/// Available, Maximum Packet Size) and fails a single publish the broker refuses with a reason code.
/// </summary>
public sealed class MqttConnection(MqttClientOptions options, TimeProvider? timeProvider = null) : IAsyncDisposable
{
    // First, so the fields below are sized from options that have been checked.
    public MqttClientOptions Options { get; } = options.Validated();

    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly MqttInFlightStore _inFlight = new();
    private readonly SemaphoreSlim _inFlightSlots = new(options.MaxInFlight, options.MaxInFlight);
    private readonly SemaphoreSlim _exactlyOnceSlots = new(options.MaxInFlightExactlyOnce, options.MaxInFlightExactlyOnce);
    private readonly Channel<MqttMessage> _messages = Channel.CreateUnbounded<MqttMessage>();
    // QoS 2 messages received and delivered, awaiting the broker's PUBREL: a re-sent PUBLISH is not delivered twice.
    private readonly HashSet<ushort> _receivedQos2 = [];
    private readonly Dictionary<string, MqttQos> _subscriptions = [];
    private readonly CancellationTokenSource _closing = new();
    // Flow control (MQTT 5.0 section 4.9): at most the broker's Receive Maximum QoS 1/2 publishes are on the
    // wire; later ones wait here, in order. A 3.1.1 broker states no limit, so nothing waits.
    private readonly Queue<InFlightOperation> _waiting = new();
    private int _onWire;
    private MqttServerLimits _limits = MqttServerLimits.Unlimited;
    private string? _assignedClientId;
    private MqttLink? _link;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private MqttConnectionState _state = MqttConnectionState.NotConnected;
    private MqttException? _closedBecause;
    private volatile MqttException? _lastError;
    private long _sequence;

    public MqttConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>What the broker's last CONNACK said about its limits; all defaults over MQTT 3.1.1.</summary>
    public MqttServerLimits ServerLimits
    {
        get
        {
            lock (_gate)
            {
                return _limits;
            }
        }
    }

    private bool IsV5 => Options.ProtocolVersion == MqttProtocolVersion.V500;

    /// <summary>Why the link last dropped or a reconnect attempt last failed.</summary>
    public MqttException? LastError => _lastError;

    /// <summary>Raised (on a background thread) whenever the link drops.</summary>
    public event EventHandler<MqttDisconnectedEventArgs>? Disconnected;

    /// <summary>Messages delivered to this connection's subscriptions, in arrival order.</summary>
    public ChannelReader<MqttMessage> Messages => _messages.Reader;

    /// <summary>Connects; throws <see cref="MqttConnectException"/> on refusal, <see cref="MqttException"/> when unreachable.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_state != MqttConnectionState.NotConnected)
            {
                throw new InvalidOperationException($"The connection is already {_state}.");
            }

            _state = MqttConnectionState.Connecting;
        }

        try
        {
            var (link, connAck) = await MqttLink.OpenAsync(Options, _time, cancellationToken);
            Install(link, connAck);
        }
        catch
        {
            lock (_gate)
            {
                _state = _state == MqttConnectionState.Connecting ? MqttConnectionState.NotConnected : _state;
            }

            throw;
        }
    }

    /// <summary>
    /// Publishes and returns once the broker acknowledged per <paramref name="qos"/> (QoS 0: once written;
    /// while reconnecting, QoS 0 waits for the new link and QoS 1/2 are queued to be sent on it).
    /// Cancelling stops the wait, not the delivery: a QoS 1/2 message already queued is still sent and
    /// re-sent until acknowledged. <paramref name="payload"/> must not change until the task completes.
    /// </summary>
    public Task<MqttPublishResult> PublishAsync(
        string topic,
        ReadOnlyMemory<byte> payload,
        MqttQos qos = MqttQos.AtLeastOnce,
        bool retain = false,
        CancellationToken cancellationToken = default) =>
        PublishAsync(topic, payload, qos, retain, properties: null, cancellationToken);

    /// <summary>
    /// As the overload without <paramref name="properties"/>, plus MQTT 5.0 message properties (Message Expiry
    /// Interval, User Properties, Content Type...). Throws <see cref="MqttPublishRefusedException"/> when the broker
    /// refuses this one message (a PUBACK or PUBREC reason code from 0x80) or its CONNACK rules it out.
    /// </summary>
    public async Task<MqttPublishResult> PublishAsync(
        string topic,
        ReadOnlyMemory<byte> payload,
        MqttQos qos,
        bool retain,
        MqttProperties? properties,
        CancellationToken cancellationToken = default)
    {
        MqttTopic.ValidateTopicName(topic);
        ThrowIfUndefined(qos);
        if (properties is not null)
        {
            if (!IsV5)
            {
                throw new ArgumentException("Message properties need MQTT 5.0; this connection speaks 3.1.1.", nameof(properties));
            }

            MqttPacketCodec.ValidatePublishProperties(properties, nameof(properties));
        }

        var packet = new PublishPacket(topic, payload, qos, retain, Dup: false, PacketId: 0, properties);
        // Checked here: once queued, an oversized packet would only fail inside the writer loop.
        if (MqttPacketCodec.RemainingLength(packet, Options.ProtocolVersion) > MqttPacketCodec.MaxRemainingLength)
        {
            throw new ArgumentException($"The payload is {payload.Length} bytes; an MQTT packet holds at most {MqttPacketCodec.MaxRemainingLength}.", nameof(payload));
        }

        CheckServerLimits(packet);
        if (qos == MqttQos.AtMostOnce)
        {
            await SendOnceAsync(packet, cancellationToken);
            return new MqttPublishResult(qos, 0);
        }

        var operation = await StartAsync(id => packet with { PacketId = id }, qos == MqttQos.ExactlyOnce, cancellationToken);
        var ack = (PacketIdPacket)await operation.Completion.Task.WaitAsync(cancellationToken);
        // For QoS 2 the PUBREC says how the broker took the message (no matching subscribers...); the PUBCOMP only ends the exchange.
        var reported = operation.PubRec ?? ack;
        return IsV5
            ? new MqttPublishResult(qos, operation.PacketId, reported.ReasonCode, reported.Properties?.ReasonString)
            : new MqttPublishResult(qos, operation.PacketId);
    }

    /// <summary>A 5.0 broker's CONNACK may rule out a QoS, retain or a size; sending anyway would make it drop the connection.</summary>
    private void CheckServerLimits(PublishPacket packet)
    {
        var limits = ServerLimits;
        var refusal = packet switch
        {
            _ when packet.Qos > limits.MaximumQos => ($"accepts at most QoS {(int)limits.MaximumQos}; this message asks for QoS {(int)packet.Qos}", (byte)0x9B),
            { Retain: true } when !limits.RetainAvailable => ("does not keep retained messages; this message asks to be retained", (byte)0x9A),
            _ when limits.MaximumPacketSize is { } max && MqttPacketCodec.PacketSize(packet, Options.ProtocolVersion) > max =>
                ($"accepts packets of at most {max} bytes; this message needs {MqttPacketCodec.PacketSize(packet, Options.ProtocolVersion)}", (byte)0x95),
            _ => default,
        };
        if (refusal.Item1 is not null)
        {
            throw new MqttPublishRefusedException($"The MQTT broker at {Options.Broker} {refusal.Item1} (it said so when connecting); nothing was sent.", refusal.Item2);
        }
    }

    /// <summary>Subscribes to one filter and returns the QoS the broker granted; kept across reconnects.</summary>
    public async Task<MqttQos> SubscribeAsync(string topicFilter, MqttQos qos = MqttQos.AtLeastOnce, CancellationToken cancellationToken = default)
    {
        MqttTopic.ValidateTopicFilter(topicFilter);
        ThrowIfUndefined(qos);
        var operation = await StartAsync(id => new SubscribePacket(id, [new MqttSubscription(topicFilter, qos)]), exactlyOnce: false, cancellationToken);
        var subAck = (SubAckPacket)await operation.Completion.Task.WaitAsync(cancellationToken);
        if (subAck.ReturnCodes[0] >= 0x80)
        {
            var reason = IsV5 ? $": {MqttReasonCodes.Describe(subAck.ReturnCodes[0])}{MqttReasonCodes.Saying(subAck.Properties?.ReasonString)}" : "";
            throw new MqttException($"The MQTT broker at {Options.Broker} refused the subscription to '{topicFilter}'{reason}.");
        }

        lock (_gate)
        {
            _subscriptions[topicFilter] = qos;
        }

        return (MqttQos)subAck.ReturnCodes[0];
    }

    /// <summary>Sends DISCONNECT (the broker then drops the will) and closes. Waiting operations fail.</summary>
    public async Task DisconnectAsync()
    {
        var link = Close(new MqttException($"The connection to the MQTT broker at {Options.Broker} was closed."));
        if (link is not null)
        {
            await link.CloseGracefullyAsync();
        }
    }

    /// <summary>Drops the socket without DISCONNECT, as a crash would: the broker publishes the will.</summary>
    internal void Abort() => Close(new MqttException($"The connection to the MQTT broker at {Options.Broker} was aborted."))?.Abort();

    public async ValueTask DisposeAsync()
    {
        await DisconnectAsync();
    }

    /// <summary>QoS 0: written once on the current link, waiting for one while reconnecting.</summary>
    private async Task SendOnceAsync(MqttPacket packet, CancellationToken cancellationToken)
    {
        while (true)
        {
            var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            bool sent;
            Task linkUp;
            lock (_gate)
            {
                ThrowIfUnusable();
                sent = _link?.Send(packet, written) == true;
                linkUp = _connected.Task;
            }

            if (sent)
            {
                await written.Task.WaitAsync(cancellationToken);
                return;
            }

            await linkUp.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Takes a slot and a packet id, records the operation and sends it if a link is up.</summary>
    private async Task<InFlightOperation> StartAsync(Func<ushort, MqttPacket> create, bool exactlyOnce, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            ThrowIfUnusable();
        }

        if (exactlyOnce)
        {
            await _exactlyOnceSlots.WaitAsync(cancellationToken);
        }

        try
        {
            await _inFlightSlots.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            ReleaseSlots(exactlyOnce, holdsSlot: false);
            throw;
        }

        lock (_gate)
        {
            if (_closedBecause is not null)
            {
                ReleaseSlots(exactlyOnce, holdsSlot: true);
                throw _closedBecause;
            }

            return Track(create, holdsSlot: true);
        }
    }

    private void ReleaseSlots(bool exactlyOnce, bool holdsSlot)
    {
        if (holdsSlot)
        {
            _inFlightSlots.Release();
        }

        if (exactlyOnce)
        {
            _exactlyOnceSlots.Release();
        }
    }

    // Caller holds _gate.
    private InFlightOperation Track(Func<ushort, MqttPacket> create, bool holdsSlot)
    {
        var id = _inFlight.NextFreeId();
        var operation = new InFlightOperation(create(id), id, ++_sequence, holdsSlot);
        _inFlight.Add(operation);
        if (_link is { } link)
        {
            SendOrWait(link, operation);
        }

        return operation;
    }

    // Caller holds _gate. A publish waits while the broker's Receive Maximum is used up, or while earlier ones wait (order).
    private void SendOrWait(MqttLink link, InFlightOperation operation)
    {
        if (operation.Packet is PublishPacket && (_waiting.Count > 0 || _onWire >= _limits.ReceiveMaximum))
        {
            _waiting.Enqueue(operation);
            return;
        }

        Transmit(link, operation);
    }

    // Caller holds _gate.
    private void Transmit(MqttLink link, InFlightOperation operation)
    {
        if (operation.Packet is PublishPacket)
        {
            _onWire++;
            operation.OnWire = true;
        }

        if (link.Send(operation.PacketToSend()))
        {
            operation.Sent = true;
        }
    }

    // Caller holds _gate. An acknowledged publish frees its place on the wire for the next waiting one.
    private void FreeWireSlot(InFlightOperation operation)
    {
        if (!operation.OnWire)
        {
            return;
        }

        operation.OnWire = false;
        _onWire--;
        while (_link is { } link && _waiting.Count > 0 && _onWire < _limits.ReceiveMaximum)
        {
            var next = _waiting.Dequeue();
            if (_inFlight.Find(next.PacketId) == next)
            {
                Transmit(link, next);
            }
        }
    }

    private static void ThrowIfUndefined(MqttQos qos)
    {
        if (!Enum.IsDefined(qos))
        {
            throw new ArgumentOutOfRangeException(nameof(qos), qos, "QoS must be 0, 1 or 2.");
        }
    }

    // Caller holds _gate.
    private void ThrowIfUnusable()
    {
        if (_closedBecause is not null)
        {
            throw _closedBecause;
        }

        if (_state is MqttConnectionState.NotConnected or MqttConnectionState.Connecting)
        {
            throw new InvalidOperationException("Call ConnectAsync first.");
        }
    }

    /// <summary>Makes a freshly connected link current and re-sends what the last one left unacknowledged.</summary>
    private void Install(MqttLink link, ConnAckPacket connAck)
    {
        lock (_gate)
        {
            if (_closedBecause is not null)
            {
                link.Abort();
                return;
            }

            _link = link;
            _state = MqttConnectionState.Connected;
            // Receive Maximum and the send quota start afresh with every connection (section 4.9).
            _limits = MqttServerLimits.From(connAck.Properties);
            _assignedClientId = _limits.AssignedClientIdentifier ?? _assignedClientId;
            _onWire = 0;
            _waiting.Clear();
            foreach (var operation in _inFlight.InOrder())
            {
                operation.OnWire = false;
                SendOrWait(link, operation);
            }

            if (!connAck.SessionPresent)
            {
                // The broker forgot us: our QoS 2 receive state and subscriptions start over.
                _receivedQos2.Clear();
                foreach (var (filter, qos) in _subscriptions)
                {
                    Track(id => new SubscribePacket(id, [new MqttSubscription(filter, qos)]), holdsSlot: false);
                }
            }

            _connected.TrySetResult();
        }

        link.Start(OnPacket, OnLinkFailed);
    }

    private void OnLinkFailed(MqttLink link, MqttException reason)
    {
        lock (_gate)
        {
            if (_link != link)
            {
                return;
            }

            _link = null;
            _lastError = reason;
            _state = MqttConnectionState.Reconnecting;
            _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _ = Task.Run(ReconnectLoopAsync);
        RaiseDisconnected(reason, willReconnect: true);
    }

    private async Task ReconnectLoopAsync()
    {
        var delay = Options.ReconnectDelay;
        while (!_closing.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, _time, _closing.Token);
                // A broker-assigned client id (5.0, empty id asked for) is how a persistent session is found again.
                var options = Options.ClientId.Length == 0 && _assignedClientId is { } assigned ? Options with { ClientId = assigned } : Options;
                var (link, connAck) = await MqttLink.OpenAsync(options, _time, _closing.Token);
                Install(link, connAck);
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (MqttConnectException e) when (!e.IsTransient)
            {
                Close(e);
                RaiseDisconnected(e, willReconnect: false);
                return;
            }
            catch (MqttException e)
            {
                _lastError = e;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Options.MaxReconnectDelay.Ticks));
        }
    }

    /// <summary>Closes for good; returns the link that was current so the caller decides how to end it.</summary>
    private MqttLink? Close(MqttException reason)
    {
        MqttLink? link;
        IReadOnlyList<InFlightOperation> abandoned;
        lock (_gate)
        {
            if (_closedBecause is not null)
            {
                return null;
            }

            _closedBecause = reason;
            _state = MqttConnectionState.Closed;
            link = _link;
            _link = null;
            abandoned = _inFlight.RemoveAll();
            _connected.TrySetException(reason);
        }

        _closing.Cancel();
        foreach (var operation in abandoned)
        {
            operation.Completion.TrySetException(reason);
        }

        _messages.Writer.TryComplete();
        return link;
    }

    private void OnPacket(MqttLink link, MqttPacket packet)
    {
        switch (packet)
        {
            case PacketIdPacket { Kind: MqttPacketType.PubAck or MqttPacketType.PubComp or MqttPacketType.UnsubAck } ack:
                Complete(ack.PacketId, packet);
                break;
            case SubAckPacket subAck:
                Complete(subAck.PacketId, packet);
                break;
            case PacketIdPacket { Kind: MqttPacketType.PubRec } pubRec when MqttReasonCodes.IsFailure(pubRec.ReasonCode):
                // A 5.0 refusal ends the QoS 2 exchange here: no PUBREL (section 4.3.3).
                Complete(pubRec.PacketId, packet);
                break;
            case PacketIdPacket { Kind: MqttPacketType.PubRec } pubRec:
                bool known;
                lock (_gate)
                {
                    var operation = _inFlight.Find(pubRec.PacketId);
                    known = operation is { Packet: PublishPacket { Qos: MqttQos.ExactlyOnce } };
                    if (known)
                    {
                        operation!.Released = true;
                        operation.PubRec = pubRec;
                    }
                }

                // Answered even for an unknown id, so the broker can finish its side (section 4.3.3).
                link.Send(new PacketIdPacket(MqttPacketType.PubRel, pubRec.PacketId, UnknownIdReason(known)));
                break;
            case PacketIdPacket { Kind: MqttPacketType.PubRel } pubRel:
                bool pending;
                lock (_gate)
                {
                    pending = _receivedQos2.Remove(pubRel.PacketId);
                }

                link.Send(new PacketIdPacket(MqttPacketType.PubComp, pubRel.PacketId, UnknownIdReason(pending)));
                break;
            case PublishPacket publish:
                Receive(link, publish);
                break;
            default:
                throw new MqttProtocolException($"The MQTT broker at {Options.Broker} sent an unexpected {packet.Type}.");
        }
    }

    // 5.0 says why an id is unknown; 3.1.1 has no reason codes.
    private byte UnknownIdReason(bool known) => known || !IsV5 ? MqttReasonCodes.Success : MqttReasonCodes.PacketIdentifierNotFound;

    private void Receive(MqttLink link, PublishPacket publish)
    {
        if (publish.Properties?.TopicAlias is not null)
        {
            throw new MqttProtocolException($"The MQTT broker at {Options.Broker} sent a topic alias, though this client allows none (Topic Alias Maximum 0).", 0x94);
        }

        var deliver = true;
        if (publish.Qos == MqttQos.ExactlyOnce)
        {
            lock (_gate)
            {
                deliver = _receivedQos2.Add(publish.PacketId);
            }
        }

        if (deliver)
        {
            _messages.Writer.TryWrite(new MqttMessage(publish.Topic, publish.Payload, publish.Qos, publish.Retain, publish.Dup, publish.Properties));
        }

        if (publish.Qos != MqttQos.AtMostOnce)
        {
            var kind = publish.Qos == MqttQos.AtLeastOnce ? MqttPacketType.PubAck : MqttPacketType.PubRec;
            link.Send(new PacketIdPacket(kind, publish.PacketId));
        }
    }

    /// <summary>
    /// The final acknowledgement of an operation (or a 5.0 PUBACK/PUBREC refusal, which fails just that publish);
    /// an id we no longer track (a late duplicate) is ignored.
    /// </summary>
    private void Complete(ushort packetId, MqttPacket acknowledgement)
    {
        InFlightOperation? operation;
        lock (_gate)
        {
            operation = _inFlight.Find(packetId);
            if (operation is null)
            {
                return;
            }

            var expected = operation.Packet switch
            {
                PublishPacket { Qos: MqttQos.AtLeastOnce } => MqttPacketType.PubAck,
                PublishPacket when acknowledgement.Type == MqttPacketType.PubRec && !operation.Released => MqttPacketType.PubRec,
                PublishPacket => MqttPacketType.PubComp,
                SubscribePacket => MqttPacketType.SubAck,
                _ => MqttPacketType.UnsubAck,
            };
            if (acknowledgement.Type != expected)
            {
                throw new MqttProtocolException($"The MQTT broker at {Options.Broker} answered packet {packetId} with {acknowledgement.Type} instead of {expected}.", MqttReasonCodes.ProtocolError);
            }

            _inFlight.Remove(packetId);
            FreeWireSlot(operation);
        }

        if (operation.HoldsSlot)
        {
            ReleaseSlots(operation.Packet is PublishPacket { Qos: MqttQos.ExactlyOnce }, holdsSlot: true);
        }

        if (acknowledgement is PacketIdPacket { Kind: MqttPacketType.PubAck or MqttPacketType.PubRec } ack && MqttReasonCodes.IsFailure(ack.ReasonCode))
        {
            var topic = ((PublishPacket)operation.Packet).Topic;
            operation.Completion.TrySetException(new MqttPublishRefusedException(
                $"The MQTT broker at {Options.Broker} refused the message to '{topic}': {MqttReasonCodes.Describe(ack.ReasonCode)} "
                + $"in its {ack.Kind.ToString().ToUpperInvariant()}{MqttReasonCodes.Saying(ack.Properties?.ReasonString)}.",
                ack.ReasonCode));
            return;
        }

        operation.Completion.TrySetResult(acknowledgement);
    }

    private void RaiseDisconnected(MqttException reason, bool willReconnect)
    {
        try
        {
            Disconnected?.Invoke(this, new MqttDisconnectedEventArgs(reason, willReconnect));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A subscriber's bug must not stop reconnection.
        }
    }
}
