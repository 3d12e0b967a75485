namespace IntegrationsPortal.Features.Operations;

/// <summary>An operation as a program polls it: where it went, how it went, what the provider made of it.</summary>
public sealed record OperationView(
    string Id, string Capability, OperationStatus Status, string? IntegrationApiId, string? Provider, string? RuleId, bool FallbackUsed,
    int Attempts, string? ErrorCode, string? Error, string? Reference, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt);
