namespace IntegrationsPortal.Features.Integrations.Verification;

/// <summary>
/// The outcome of checking an integration's credentials against the provider. Messages are for
/// the operator and never contain a credential (<see cref="SecretRedactor"/> makes sure).
/// </summary>
public sealed record VerificationResult(bool Succeeded, bool Transient, string Message, string? Account = null)
{
    public static VerificationResult Success(string message, string? account = null) => new(true, false, message, account);

    /// <summary>Worth another try later: the provider was down, slow, or rate limiting.</summary>
    public static VerificationResult RetryLater(string message) => new(false, true, message);

    /// <summary>Trying again will not help until someone changes the configuration.</summary>
    public static VerificationResult Failed(string message) => new(false, false, message);
}

/// <summary>
/// Checks one kind of integration's configuration against the real world ("who am I"); marked
/// with the types it checks (<see cref="Catalog.ForTypesAttribute"/>).
/// </summary>
[Catalog.TypeCodeRole("verifier")]
public interface IIntegrationVerifier
{
    Task<VerificationResult> VerifyAsync(ConfiguredIntegration configuration, CancellationToken ct);
}

