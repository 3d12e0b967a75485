using Microsoft.Extensions.Options;

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

/// <summary>
/// Stops the start on settings the uplink path cannot run with, naming each: a batch size of 0 wrote no
/// uplink ever (202 answered, nothing stored), a WAL limit of 0 or less checkpointed after every commit.
/// </summary>
internal sealed class UplinkOptionsValidation : IValidateOptions<UplinkOptions>
{
    public ValidateOptionsResult Validate(string? name, UplinkOptions options)
    {
        var problems = new List<string>();
        void AtLeastOne(int value, string setting)
        {
            if (value < 1)
            {
                problems.Add($"{UplinkOptions.Section}:{setting} is {value}; use 1 or more.");
            }
        }

        AtLeastOne(options.PermitsPerSecond, nameof(UplinkOptions.PermitsPerSecond));
        AtLeastOne(options.Burst, nameof(UplinkOptions.Burst));
        AtLeastOne(options.BatchSize, nameof(UplinkOptions.BatchSize));
        AtLeastOne(options.SqliteWalLimitMegabytes, nameof(UplinkOptions.SqliteWalLimitMegabytes));
        if (options.RotationGrace < TimeSpan.Zero)
        {
            problems.Add($"{UplinkOptions.Section}:{nameof(UplinkOptions.RotationGrace)} is {options.RotationGrace}; use 00:00:00 (no grace) or more.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>The header a network server can be told to send the token in, besides Authorization: Bearer.</summary>
public static class UplinkHeaders
{
    public const string Token = "X-Uplink-Token";
}
