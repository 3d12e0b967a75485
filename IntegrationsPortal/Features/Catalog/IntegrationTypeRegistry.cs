using System.Reflection;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Ingestion.Providers;
using IntegrationsPortal.Features.Integrations.Verification;

namespace IntegrationsPortal.Features.Catalog;

/// <summary>
/// The one place the portal finds a type's code by the type's key: its sender, verifier, ingress
/// provider and hooks, each a class registered in DI with <see cref="ForTypesAttribute"/>. Built
/// once; building it checks that every type an organization can add has the code its actions need,
/// so a missing class stops the portal at start-up rather than failing an operator's first Test send.
/// </summary>
public sealed class IntegrationTypeRegistry
{
    private readonly Dictionary<string, IDeliverySender> _senders;
    private readonly Dictionary<string, IIntegrationVerifier> _verifiers;
    private readonly Dictionary<string, IIngressProvider> _providers;
    private readonly Dictionary<string, ISigningSecretHooks> _signing;
    private readonly Dictionary<string, IRecipientListHooks> _recipients;

    public IntegrationTypeRegistry(
        IEnumerable<IDeliverySender> senders,
        IEnumerable<IIntegrationVerifier> verifiers,
        IEnumerable<IIngressProvider> providers,
        IEnumerable<ISigningSecretHooks> signingSecrets,
        IEnumerable<IRecipientListHooks> recipientLists)
        : this(CatalogData.Types, senders, verifiers, providers, signingSecrets, recipientLists)
    {
    }

    /// <summary>For tests of the check itself: any catalog.</summary>
    internal IntegrationTypeRegistry(
        IReadOnlyList<IntegrationType> catalog,
        IEnumerable<IDeliverySender> senders,
        IEnumerable<IIntegrationVerifier> verifiers,
        IEnumerable<IIngressProvider> providers,
        IEnumerable<ISigningSecretHooks> signingSecrets,
        IEnumerable<IRecipientListHooks> recipientLists)
    {
        var problems = new List<string>();
        var known = catalog.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        _senders = ByKey(senders, "sender", known, problems);
        _verifiers = ByKey(verifiers, "verifier", known, problems);
        _providers = ByKey(providers, "ingress provider", known, problems);
        _signing = ByKey(signingSecrets, "signing-secret hook", known, problems);
        _recipients = ByKey(recipientLists, "recipient-list hook", known, problems);
        problems.AddRange(catalog.Where(t => t.Availability != TypeAvailability.Disabled).SelectMany(Missing));
        if (problems.Count > 0)
        {
            throw new IntegrationTypeCodeMissingException(problems);
        }
    }

    public IDeliverySender? Sender(string typeKey) => _senders.GetValueOrDefault(typeKey);

    public IIntegrationVerifier? Verifier(string typeKey) => _verifiers.GetValueOrDefault(typeKey);

    public IIngressProvider? Provider(string typeKey) => _providers.GetValueOrDefault(typeKey);

    public ISigningSecretHooks? SigningSecrets(string typeKey) => _signing.GetValueOrDefault(typeKey);

    public IRecipientListHooks? RecipientList(string typeKey) => _recipients.GetValueOrDefault(typeKey);

    /// <summary>A payload to start a Test send from, shaped for what the type's sender reads.</summary>
    public string SamplePayload(IntegrationType type) => Sender(type.Key)?.SamplePayload(type) ?? SamplePayloads.Data;

    /// <summary>What <paramref name="type"/> lacks for the actions its catalog entry offers.</summary>
    private IEnumerable<string> Missing(IntegrationType type)
    {
        var name = $"The integration type '{type.Key}' ({type.DisplayName})";
        if (!_verifiers.ContainsKey(type.Key))
        {
            yield return $"{name} has no verifier: register an IIntegrationVerifier marked [ForTypes(\"{type.Key}\")].";
        }

        if (type.Direction == IntegrationDirection.Egress && type.Can(Capabilities.TestSend) && !_senders.ContainsKey(type.Key))
        {
            yield return $"{name} offers Test send but has no sender: register an IDeliverySender marked [ForTypes(\"{type.Key}\")].";
        }

        // Every active ingress integration is pulled on its schedule, and backfills use the same provider.
        if (type.Direction == IntegrationDirection.Ingress && !type.ReceivesPushes && !_providers.ContainsKey(type.Key))
        {
            yield return $"{name} pulls data but has no ingress provider: register an IIngressProvider marked [ForTypes(\"{type.Key}\")].";
        }

        var hasSigningSecret = type.Property(Catalog.SigningSecrets.Current) is not null;
        if (hasSigningSecret != _signing.ContainsKey(type.Key))
        {
            yield return hasSigningSecret
                ? $"{name} has a signing secret but no ISigningSecretHooks marked [ForTypes(\"{type.Key}\")] to generate and rotate it."
                : $"{name} has signing-secret hooks but no '{Catalog.SigningSecrets.Current}' property to keep the secret in.";
        }

        if (type.VerifiesRecipients && (!_recipients.ContainsKey(type.Key) || Sender(type.Key) is not ITextMessageSender))
        {
            yield return $"{name} verifies its recipients but lacks an IRecipientListHooks or a sender that can text a code (ITextMessageSender), marked [ForTypes(\"{type.Key}\")].";
        }
        else if (!type.VerifiesRecipients && _recipients.ContainsKey(type.Key))
        {
            yield return $"{name} has recipient-list hooks but its catalog entry does not set VerifiesRecipients.";
        }
    }

    private static Dictionary<string, T> ByKey<T>(IEnumerable<T> code, string role, HashSet<string> known, List<string> problems)
        where T : class
    {
        var byKey = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in code)
        {
            var keys = item.GetType().GetCustomAttribute<ForTypesAttribute>()?.TypeKeys ?? [];
            if (keys.Count == 0)
            {
                problems.Add($"The {role} {item.GetType().Name} does not say which types it serves: mark it [ForTypes(...)].");
            }

            foreach (var key in keys)
            {
                if (!known.Contains(key))
                {
                    problems.Add($"The {role} {item.GetType().Name} is marked for '{key}', which is not in the catalog.");
                }
                else if (!byKey.TryAdd(key, item))
                {
                    problems.Add($"The integration type '{key}' has two of a {role}: {byKey[key].GetType().Name} and {item.GetType().Name}.");
                }
            }
        }

        return byKey;
    }
}

/// <summary>The catalog and the code disagree; the message names every type concerned and what it lacks.</summary>
public sealed class IntegrationTypeCodeMissingException(IReadOnlyList<string> problems)
    : InvalidOperationException("The portal cannot start: " + string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>
/// Builds the registry before any hosted service starts (Quartz included), so a portal whose
/// catalog names a type without its code never starts taking work.
/// </summary>
public sealed class IntegrationTypeCheck(IServiceProvider services) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<IntegrationTypeRegistry>();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class IntegrationTypeCodeExtensions
{
    private static readonly Type[] Roles =
    [
        typeof(IDeliverySender), typeof(IIntegrationVerifier), typeof(IIngressProvider), typeof(ISigningSecretHooks), typeof(IRecipientListHooks),
    ];

    /// <summary>
    /// Registers <typeparamref name="T"/> (marked <see cref="ForTypesAttribute"/>) as every role it
    /// plays, a sender, a verifier, a provider or a hook, for <see cref="IntegrationTypeRegistry"/> to find.
    /// </summary>
    public static IServiceCollection AddTypeCode<T>(this IServiceCollection services)
        where T : class
    {
        foreach (var role in Roles.Where(r => r.IsAssignableFrom(typeof(T))))
        {
            services.AddSingleton(role, typeof(T));
        }

        return services;
    }
}
