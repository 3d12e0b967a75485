namespace IntegrationsPortal.Features.Recipients;

public enum RecipientState
{
    NotVerified,
    /// <summary>A code is out and can still be confirmed (not expired, tries left).</summary>
    CodeSent,
    Verified,
}

/// <summary>One number of a recipient list and where its verification stands.</summary>
public sealed record RecipientStatus(string PhoneNumber, RecipientState State)
{
    public DateTimeOffset? CodeExpiresAt { get; init; }

    public int TriesLeft { get; init; }

    /// <summary>Set while a new code cannot be sent yet.</summary>
    public DateTimeOffset? CanResendAt { get; init; }

    public DateTimeOffset? VerifiedAt { get; init; }

    public string? VerifiedBy { get; init; }
}
