using System.Threading.Channels;

namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>
/// A long-lived MQTT 3.1.1 client connection (one per integration), safe for many concurrent
/// <see cref="PublishAsync"/> callers. <see cref="ConnectAsync"/> connects once and throws on refusal;
/// after that, a lost link is re-established automatically with exponential backoff, and QoS 1/2
/// messages not yet acknowledged are sent again (DUP=1; PUBREL for QoS 2 past PUBREC), so a publish
/// waits through a broker restart instead of failing. Reconnecting stops for good on refusals that will
/// not fix themselves (bad credentials, rejected client id), failing what is still waiting.
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
    public async Task<MqttPublishResult> PublishAsync(
        string topic,
        ReadOnlyMemory<byte> payload,
        MqttQos qos = MqttQos.AtLeastOnce,
        bool retain = false,
        CancellationToken cancellationToken = default)
    {
        MqttTopic.ValidateTopicName(topic);
        ThrowIfUndefined(qos);

        // Checked here: once queued, an oversized packet would only fail inside the writer loop.
        if (2 + System.Text.Encoding.UTF8.GetByteCount(topic) + 2 + (long)payload.Length > MqttPacketCodec.MaxRemainingLength)
        {
            throw new ArgumentException($"The payload is {payload.Length} bytes; an MQTT packet holds at most {MqttPacketCodec.MaxRemainingLength}.", nameof(payload));
        }

        if (qos == MqttQos.AtMostOnce)
        {
            await SendOnceAsync(new PublishPacket(topic, payload, qos, retain, Dup: false, PacketId: 0), cancellationToken);
            return new MqttPublishResult(qos, 0);
        }

        var operation = await StartAsync(id => new PublishPacket(topic, payload, qos, retain, Dup: false, id), qos == MqttQos.ExactlyOnce, cancellationToken);
        await operation.Completion.Task.WaitAsync(cancellationToken);
        return new MqttPublishResult(qos, operation.PacketId);
    }

    /// <summary>Subscribes to one filter and returns the QoS the broker granted; kept across reconnects.</summary>
    public async Task<MqttQos> SubscribeAsync(string topicFilter, MqttQos qos = MqttQos.AtLeastOnce, CancellationToken cancellationToken = default)
    {
        MqttTopic.ValidateTopicFilter(topicFilter);
        ThrowIfUndefined(qos);
        var operation = await StartAsync(id => new SubscribePacket(id, [new MqttSubscription(topicFilter, qos)]), exactlyOnce: false, cancellationToken);
        var subAck = (SubAckPacket)await operation.Completion.Task.WaitAsync(cancellationToken);
        if (subAck.ReturnCodes[0] == 0x80)
        {
            throw new MqttException($"The MQTT broker at {Options.Broker} refused the subscription to '{topicFilter}'.");
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
        operation.Sent = _link?.Send(operation.Packet) == true;
        return operation;
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
            foreach (var operation in _inFlight.InOrder())
            {
                link.Send(operation.PacketToSend());
                operation.Sent = true;
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
                var (link, connAck) = await MqttLink.OpenAsync(Options, _time, _closing.Token);
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
            case PacketIdPacket { Kind: MqttPacketType.PubRec } pubRec:
                lock (_gate)
                {
                    if (_inFlight.Find(pubRec.PacketId) is { Packet: PublishPacket { Qos: MqttQos.ExactlyOnce } } operation)
                    {
                        operation.Released = true;
                    }
                }

                // Answered even for an unknown id, so the broker can finish its side (section 4.3.3).
                link.Send(new PacketIdPacket(MqttPacketType.PubRel, pubRec.PacketId));
                break;
            case PacketIdPacket { Kind: MqttPacketType.PubRel } pubRel:
                lock (_gate)
                {
                    _receivedQos2.Remove(pubRel.PacketId);
                }

                link.Send(new PacketIdPacket(MqttPacketType.PubComp, pubRel.PacketId));
                break;
            case PublishPacket publish:
                Receive(link, publish);
                break;
            default:
                throw new MqttProtocolException($"The MQTT broker at {Options.Broker} sent an unexpected {packet.Type}.");
        }
    }

    private void Receive(MqttLink link, PublishPacket publish)
    {
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
            _messages.Writer.TryWrite(new MqttMessage(publish.Topic, publish.Payload, publish.Qos, publish.Retain, publish.Dup));
        }

        if (publish.Qos != MqttQos.AtMostOnce)
        {
            var kind = publish.Qos == MqttQos.AtLeastOnce ? MqttPacketType.PubAck : MqttPacketType.PubRec;
            link.Send(new PacketIdPacket(kind, publish.PacketId));
        }
    }

    /// <summary>The final acknowledgement of an operation; an id we no longer track (a late duplicate) is ignored.</summary>
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
                PublishPacket => MqttPacketType.PubComp,
                SubscribePacket => MqttPacketType.SubAck,
                _ => MqttPacketType.UnsubAck,
            };
            if (acknowledgement.Type != expected)
            {
                throw new MqttProtocolException($"The MQTT broker at {Options.Broker} answered packet {packetId} with {acknowledgement.Type} instead of {expected}.");
            }

            _inFlight.Remove(packetId);
        }

        if (operation.HoldsSlot)
        {
            ReleaseSlots(operation.Packet is PublishPacket { Qos: MqttQos.ExactlyOnce }, holdsSlot: true);
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
