namespace IntegrationsPortal.Features.Mqtt.Client;

/// <summary>Reads whole packets off a stream, buffering partial ones; one reader per link, one caller at a time.</summary>
internal sealed class MqttPacketReader(Stream stream, int maxPacketSize, MqttProtocolVersion version = MqttProtocolVersion.V311)
{
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    /// <summary>How packets other than CONNECT are read; a broker-side reader learns it from the CONNECT.</summary>
    public MqttProtocolVersion Version { get; set; } = version;

    /// <summary>The next packet, or null when the peer closed the connection between packets.</summary>
    public async ValueTask<MqttPacket?> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (MqttPacketCodec.TryDecode(_buffer.AsSpan(_start, _end - _start), maxPacketSize, Version, out var packet, out var consumed))
            {
                _start += consumed;
                return packet;
            }

            MakeRoom();
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                return _end == _start ? null : throw new MqttProtocolException("The broker closed the connection in the middle of a packet.");
            }

            _end += read;
        }
    }

    private void MakeRoom()
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        // The decoder has already refused anything over maxPacketSize, so this stops at that plus the header.
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, (int)Math.Min(_buffer.Length * 2L, maxPacketSize + 5L));
        }
    }
}
