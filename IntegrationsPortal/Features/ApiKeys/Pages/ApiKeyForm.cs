namespace IntegrationsPortal.Features.ApiKeys.Pages;

/// <summary>
/// What the create form edits. Its property names are the service's field names (Name, Scopes,
/// ExpiresAt), so a refusal lands next to the field it is about.
/// </summary>
public sealed class ApiKeyForm
{
    public string Name { get; set; } = "";

    public bool Read { get; set; } = true;

    public bool Write { get; set; }

    public IReadOnlyList<string> Scopes =>
        [.. new[] { (Read, "read"), (Write, "write") }.Where(s => s.Item1).Select(s => s.Item2)];

    /// <summary>The day the key stops working, at 00:00 UTC; none: it never expires.</summary>
    public DateTime? ExpiresAt { get; set; }

    public NewApiKeyInput ToInput() => new(
        Name, Scopes, ExpiresAt is { } day ? new DateTimeOffset(DateTime.SpecifyKind(day.Date, DateTimeKind.Utc)) : null);
}
