namespace IntegrationsPortal.Features.Api;

/// <summary>A published API names fields in its own words; a service's field errors are renamed on the way out.</summary>
public static class ApiFields
{
    public static async Task<T> RenamedAsync<T>(Func<Task<T>> call, Func<string, string> rename)
    {
        try
        {
            return await call();
        }
        catch (PortalException e) when (e.Kind == PortalErrorKind.Validation)
        {
            throw new PortalException(e.Kind, e.Message, e.FieldErrors
                .GroupBy(f => rename(f.Key))
                .ToDictionary(g => g.Key, g => g.SelectMany(f => f.Value).ToArray()));
        }
    }

    public static Task RenamedAsync(Func<Task> call, Func<string, string> rename) =>
        RenamedAsync(async () =>
        {
            await call();
            return true;
        }, rename);
}
