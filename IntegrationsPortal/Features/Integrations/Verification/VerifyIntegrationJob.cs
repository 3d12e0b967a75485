using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using IntegrationsPortal.Infrastructure.Http;
using IntegrationsPortal.Infrastructure.Security;
using Quartz;

namespace IntegrationsPortal.Features.Integrations.Verification;

/// <summary>
/// Checks one integration's credentials with its verifier and records the outcome. Transient
/// failures (network, 429, 5xx) are tried again with growing delays before the integration is
/// put in error; an outdated job (the integration changed since) does nothing.
/// </summary>
[DisallowConcurrentExecution] // per job key, so per integration: one attempt at a time, never two chains
public sealed class VerifyIntegrationJob(
    IServiceScopeFactory scopes,
    Catalog.TypeCode<IIntegrationVerifier> verifiers,
    VerificationScheduler scheduler,
    VerificationTelemetry telemetry,
    ILogger<VerifyIntegrationJob> logger) : IJob
{
    public const string OrganizationKey = "organizationId";
    public const string IntegrationKey = "integrationId";
    public const string GenerationKey = "generation";
    public const string AttemptKey = "attempt";

    /// <summary>Delays before attempts 2, 3, 4 and 5.</summary>
    public static readonly IReadOnlyList<TimeSpan> RetryDelays =
        [TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)];

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var data = context.MergedJobDataMap;
        var organizationId = Guid.Parse(data.GetString(OrganizationKey)!);
        var integrationId = Guid.Parse(data.GetString(IntegrationKey)!);
        var generation = int.Parse(data.GetString(GenerationKey)!, CultureInfo.InvariantCulture);
        var attempt = int.Parse(data.GetString(AttemptKey) ?? "1", CultureInfo.InvariantCulture);

        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentUser>().ActAsSystem(organizationId);
        await using (var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<Infrastructure.Data.PortalDbContext>>().CreateDbContextAsync(cancellationToken))
        {
            if (await Accounts.OrganizationSuspension.IsSuspendedAsync(db, organizationId, cancellationToken))
            {
                return; // before any credential is decrypted; the sweep queues it again after resume
            }
        }

        var integrations = scope.ServiceProvider.GetRequiredService<IntegrationStatusRecorder>();
        ConfiguredIntegration configuration;
        try
        {
            configuration = await scope.ServiceProvider.GetRequiredService<IntegrationSecrets>().GetConfigurationAsync(integrationId, Audit.CredentialPurpose.Verify, 1, cancellationToken);
        }
        catch (PortalException e) when (e.Kind == PortalErrorKind.NotFound)
        {
            return; // deleted meanwhile
        }

        if (configuration.VerificationGeneration != generation || configuration.Status != IntegrationStatus.PendingVerify)
        {
            return;
        }

        var result = await VerifyAsync(configuration, cancellationToken);
        telemetry.Ended(result, configuration.Type.Key);
        if (result.Transient && attempt <= RetryDelays.Count)
        {
            var delay = RetryDelays[attempt - 1];
            logger.LogInformation("Verification of integration {IntegrationId} will be retried in {Delay}: {Reason}", integrationId, delay, result.Message);
            // Only a current chain goes on: the integration may have changed (new credentials, Verify now)
            // while this attempt waited for the network, and its own check is queued under the same job key.
            if (await integrations.RecordVerificationRetryAsync(integrationId, generation,
                    $"Attempt {attempt} failed ({result.Message}); trying again in {Describe(delay)}.", cancellationToken))
            {
                await scheduler.EnqueueAsync(organizationId, integrationId, generation, cancellationToken, attempt + 1, delay);
            }

            return;
        }

        await integrations.RecordVerificationAsync(integrationId, generation, result, cancellationToken);
    }

    private async Task<VerificationResult> VerifyAsync(ConfiguredIntegration configuration, CancellationToken ct)
    {
        if (verifiers.For(configuration.Type.Key) is not { } verifier)
        {
            // Only a "coming soon" type can lack one (the start-up check sees to the rest): an integration left from when it was offered.
            return VerificationResult.Failed($"{configuration.Type.DisplayName} integrations cannot be checked: the portal has no code for this type yet.");
        }

        try
        {
            // Every verifier's words reach the page through here, so the credentials are taken out here.
            var result = await verifier.VerifyAsync(configuration, ct);
            return result with { Message = SecretRedactor.For(configuration).Redact(result.Message) };
        }
        catch (Exception e) when (OutboundAddressPolicy.FindRefusal(e) is { } refused)
        {
            // Not transient: the address stays refused until the URL or the allowlist changes, so the
            // integration goes to error now with the policy's words instead of through the retries.
            return VerificationResult.Failed(refused.Message);
        }
        catch (Exception e) when (e is HttpRequestException or SocketException or IOException or AuthenticationException
                                       || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            // Network trouble: worth retrying. The message names the failure, never a credential.
            var what = e switch
            {
                OperationCanceledException => "no answer in time",
                AuthenticationException => "the TLS handshake failed",
                HttpRequestException { HttpRequestError: var error } => $"{error}".ToLowerInvariant() switch
                {
                    "nameresolutionerror" => "the host name does not resolve",
                    "connectionerror" => "the connection was refused or dropped",
                    "securesslerror" => "the TLS handshake failed",
                    var other => other,
                },
                SocketException socket => socket.SocketErrorCode == SocketError.ConnectionRefused ? "the connection was refused" : "a network error",
                _ => "a network error",
            };
            return VerificationResult.RetryLater($"Could not reach {Counterpart(configuration.Type.Key)}: {what}");
        }
    }

    /// <summary>
    /// What the portal was talking to, in an operator's words: a webhook or HTTP URL is the operator's
    /// own endpoint, not a provider's API, and is fixed on the receiving side.
    /// </summary>
    internal static string Counterpart(string typeKey) => typeKey switch
    {
        Catalog.TypeKeys.Webhook or Catalog.TypeKeys.Http => "the endpoint",
        Catalog.TypeKeys.Mqtt => "the broker",
        Catalog.TypeKeys.Email => "the mail server",
        _ => "the provider",
    };

    private static string Describe(TimeSpan delay) =>
        delay.TotalMinutes >= 1 ? $"{delay.TotalMinutes:0} min" : $"{delay.TotalSeconds:0} s";
}
