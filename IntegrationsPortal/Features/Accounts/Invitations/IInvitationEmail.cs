namespace IntegrationsPortal.Features.Accounts.Invitations;

/// <summary>
/// Emails an invitation's link through the organization's alert email integration. Delivery sits above
/// Accounts (decision 041) and fills this seam (<c>Features.Delivery.Invitations.InvitationEmail</c>).
/// </summary>
public interface IInvitationEmail
{
    /// <summary>Queues the email; returns the message id, or null when the organization has no alert email integration (or no address to link to).</summary>
    Task<Guid?> SendAsync(Guid organizationId, IssuedInvitation issued, CancellationToken ct);
}
