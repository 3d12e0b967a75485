using Microsoft.EntityFrameworkCore.Diagnostics;

namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>An interceptor that does the same thing before every save, whether SaveChanges or SaveChangesAsync.</summary>
public abstract class BeforeSaveInterceptor : SaveChangesInterceptor
{
    public sealed override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        BeforeSave(eventData.Context);
        return result;
    }

    public sealed override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        BeforeSave(eventData.Context);
        return ValueTask.FromResult(result);
    }

    /// <summary>Looks at (or changes) what <paramref name="db"/> is about to save; throwing stops the save.</summary>
    protected abstract void BeforeSave(DbContext? db);
}
