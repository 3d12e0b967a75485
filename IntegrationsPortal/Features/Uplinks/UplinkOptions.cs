namespace IntegrationsPortal.Features.Uplinks;

/// <summary>Settings under Portal:Uplinks, read once at start.</summary>
public sealed class UplinkOptions
{
    public const string Section = "Portal:Uplinks";

    /// <summary>Uplinks each integration may push per second, sustained (a token bucket).</summary>
    public int PermitsPerSecond { get; set; } = 50;

    /// <summary>How many may arrive at once above the sustained rate (a gateway flushing a backlog).</summary>
    public int Burst { get; set; } = 200;

    /// <summary>How long the previous token keeps working after a rotation, for the network server's settings to be changed.</summary>
    public TimeSpan RotationGrace { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How many accepted uplinks are written in one transaction at most.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>
    /// SQLite only: the size of the write-ahead log (the database's "-wal" file) above which the writer's
    /// checkpoints wait for a moment between commits to copy all of it and start it over (docs/decisions/028).
    /// </summary>
    public int SqliteWalLimitMegabytes { get; set; } = 64;
}

/// <summary>The header a network server can be told to send the token in, besides Authorization: Bearer.</summary>
public static class UplinkHeaders
{
    public const string Token = "X-Uplink-Token";
}
