namespace IntegrationsPortal.Features.Catalog;

/// <summary>
/// Property names of the webhook signing secrets. In the catalog because the type's properties, the
/// integration's secrets and the sender all name them (docs/decisions/041).
/// </summary>
public static class SigningSecrets
{
    public const string Current = "signing_secret";
    public const string Previous = "previous_signing_secret";
    public const string PreviousExpires = "previous_signing_secret_expires";
}
