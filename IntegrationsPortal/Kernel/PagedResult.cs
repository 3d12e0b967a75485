namespace IntegrationsPortal.Kernel;

/// <summary>One page of a list and the total that matched, as every history and list page shows it.</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Total);
