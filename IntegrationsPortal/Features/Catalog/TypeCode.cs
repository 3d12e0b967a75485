using System.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IntegrationsPortal.Features.Catalog;

/// <summary>
/// Marks an interface as a role a type's code plays (a sender, a verifier, a provider, a hook), so
/// <see cref="TypeCodeExtensions.AddTypeCode{T}"/> registers a class as it and <see cref="TypeCode{TRole}"/>
/// indexes it. The feature that owns the seam marks it; Catalog knows none of them (041).
/// </summary>
[AttributeUsage(AttributeTargets.Interface)]
public sealed class TypeCodeRoleAttribute(string name) : Attribute
{
    /// <summary>How the start-up problems call one of these: "sender", "ingress provider".</summary>
    public string Name { get; } = name;
}

/// <summary>The problems of one role's code that no type's requirement sees: unmarked classes, unknown keys, two claims.</summary>
public interface ITypeCode
{
    IReadOnlyList<string> Problems { get; }
}

/// <summary>
/// The classes registered in DI as <typeparamref name="TRole"/>, found by the type key in their
/// <see cref="ForTypesAttribute"/>: the one place the portal finds a type's code (docs/decisions/010).
/// What each type must have is said by the features that own the roles (<see cref="ITypeCodeRequirement"/>).
/// </summary>
public sealed class TypeCode<TRole> : ITypeCode
    where TRole : class
{
    private readonly Dictionary<string, TRole> _byKey = new(StringComparer.Ordinal);
    private readonly List<string> _problems = [];

    public TypeCode(IEnumerable<TRole> code)
        : this(CatalogData.Types, code)
    {
    }

    /// <summary>For tests of the check itself: any catalog.</summary>
    internal TypeCode(IReadOnlyList<IntegrationType> catalog, IEnumerable<TRole> code)
    {
        var role = typeof(TRole).GetCustomAttribute<TypeCodeRoleAttribute>()?.Name ?? typeof(TRole).Name;
        var known = catalog.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var item in code)
        {
            var keys = item.GetType().GetCustomAttribute<ForTypesAttribute>()?.TypeKeys ?? [];
            if (keys.Count == 0)
            {
                _problems.Add($"The {role} {item.GetType().Name} does not say which types it serves: mark it [ForTypes(...)].");
            }

            foreach (var key in keys)
            {
                if (!known.Contains(key))
                {
                    _problems.Add($"The {role} {item.GetType().Name} is marked for '{key}', which is not in the catalog.");
                }
                else if (!_byKey.TryAdd(key, item))
                {
                    _problems.Add($"The integration type '{key}' has two of a {role}: {_byKey[key].GetType().Name} and {item.GetType().Name}.");
                }
            }
        }
    }

    public IReadOnlyList<string> Problems => _problems;

    /// <summary>The <typeparamref name="TRole"/> of the type <paramref name="typeKey"/>, if it has one.</summary>
    public TRole? For(string typeKey) => _byKey.GetValueOrDefault(typeKey);

    public bool Has(string typeKey) => _byKey.ContainsKey(typeKey);
}

/// <summary>
/// What a type must have for the actions its catalog entry offers, said by the feature that owns the
/// code ("egress with Test send needs a sender"). Registered in DI; every one runs at start-up.
/// </summary>
public interface ITypeCodeRequirement
{
    /// <summary>What <paramref name="type"/> lacks, one sentence each, naming the type and the class to register.</summary>
    IEnumerable<string> Missing(IntegrationType type);

    /// <summary>How the problems name a type: "The integration type 'slack' (Slack)".</summary>
    static string Name(IntegrationType type) => $"The integration type '{type.Key}' ({type.DisplayName})";
}

/// <summary>A type with a signing secret has hooks to generate and rotate it, and only such a type has them.</summary>
public sealed class SigningSecretRequirement(TypeCode<ISigningSecretHooks> signing) : ITypeCodeRequirement
{
    public IEnumerable<string> Missing(IntegrationType type)
    {
        var hasSigningSecret = type.Property(SigningSecrets.Current) is not null;
        if (hasSigningSecret != signing.Has(type.Key))
        {
            var name = ITypeCodeRequirement.Name(type);
            yield return hasSigningSecret
                ? $"{name} has a signing secret but no ISigningSecretHooks marked [ForTypes(\"{type.Key}\")] to generate and rotate it."
                : $"{name} has signing-secret hooks but no '{SigningSecrets.Current}' property to keep the secret in.";
        }
    }
}

/// <summary>The catalog and the code disagree; the message names every type concerned and what it lacks.</summary>
public sealed class IntegrationTypeCodeMissingException(IReadOnlyList<string> problems)
    : InvalidOperationException("The portal cannot start: " + string.Join(" ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>One role registered through <see cref="TypeCodeExtensions.AddTypeCode{T}"/>, for the check to read its code's problems.</summary>
internal sealed record TypeCodeRole(Type Role);

/// <summary>
/// Checks, before any hosted service starts (Quartz included), that every type an organization can
/// add has the code its actions need, so a missing class stops the portal at start-up rather than
/// failing an operator's first Test send. Names every gap, not just the first.
/// </summary>
public sealed class IntegrationTypeCheck(IServiceProvider services) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var code = services.GetServices<TypeCodeRole>()
            .Select(r => (ITypeCode)services.GetRequiredService(typeof(TypeCode<>).MakeGenericType(r.Role)));
        Run(CatalogData.Types, code, services.GetServices<ITypeCodeRequirement>());
        return Task.CompletedTask;
    }

    /// <summary>Throws <see cref="IntegrationTypeCodeMissingException"/> naming every problem of <paramref name="code"/> and every requirement a type of <paramref name="catalog"/> misses.</summary>
    internal static void Run(IReadOnlyList<IntegrationType> catalog, IEnumerable<ITypeCode> code, IEnumerable<ITypeCodeRequirement> requirements)
    {
        var problems = code.SelectMany(c => c.Problems).ToList();
        var each = requirements.ToList();
        problems.AddRange(catalog.Where(t => t.Availability != TypeAvailability.Disabled).SelectMany(t => each.SelectMany(r => r.Missing(t))));
        if (problems.Count > 0)
        {
            throw new IntegrationTypeCodeMissingException(problems);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class TypeCodeExtensions
{
    /// <summary>
    /// Registers <typeparamref name="T"/> (marked <see cref="ForTypesAttribute"/>) as every role it
    /// plays (each interface marked <see cref="TypeCodeRoleAttribute"/>), for <see cref="TypeCode{TRole}"/> to find.
    /// </summary>
    public static IServiceCollection AddTypeCode<T>(this IServiceCollection services)
        where T : class
    {
        foreach (var role in typeof(T).GetInterfaces().Where(i => i.IsDefined(typeof(TypeCodeRoleAttribute))))
        {
            services.AddSingleton(role, typeof(T));
            if (!services.Any(d => d.ServiceType == typeof(TypeCodeRole) && d.ImplementationInstance is TypeCodeRole r && r.Role == role))
            {
                services.AddSingleton(new TypeCodeRole(role));
            }
        }

        return services;
    }

    /// <summary>Adds what a type must have (<see cref="ITypeCodeRequirement"/>), checked at start-up.</summary>
    public static IServiceCollection AddTypeCodeRequirement<T>(this IServiceCollection services)
        where T : class, ITypeCodeRequirement
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITypeCodeRequirement, T>());
        return services;
    }
}
