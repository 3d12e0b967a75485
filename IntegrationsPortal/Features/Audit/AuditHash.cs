using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IntegrationsPortal.Features.Settings;

namespace IntegrationsPortal.Features.Audit;

/// <summary>
/// The hash that links an audit entry to the one before it: SHA-256 over every recorded field and
/// the previous entry's hash, so changing, removing or reordering an entry breaks every later link.
/// </summary>
public static class AuditHash
{
    /// <summary>Hex characters in a hash.</summary>
    public const int Length = AuditEntry.HashLength;

    public static string Compute(AuditEntry entry)
    {
        var text = new StringBuilder("audit-v1");
        // Milliseconds, because the database keeps less than a tick: the hash must match what is read back.
        foreach (var field in (string?[])[
                     entry.OrganizationId.ToString("D"),
                     entry.Sequence.ToString(CultureInfo.InvariantCulture),
                     entry.At.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                     entry.Actor, entry.Action, entry.Details, entry.Address,
                     entry.IntegrationId?.ToString("D"),
                     entry.PreviousHash])
        {
            // Length-prefixed, so no two different entries serialize to the same text.
            text.Append('|').Append(field is null ? "-" : field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
