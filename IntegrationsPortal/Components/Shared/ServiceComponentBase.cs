using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Components.Shared;

/// <summary>
/// The one way components call feature services: <see cref="RunAsync"/> runs a call, shows a
/// refusal (<see cref="PortalException"/>) where the operator reads it, confirms success in a
/// snackbar, and resets <see cref="Busy"/> however the call ends. Anything other than a refusal
/// is a bug: it goes on to the page's error boundary (PageErrorBoundary) instead of being hidden.
/// </summary>
public abstract class ServiceComponentBase : ComponentBase
{
    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    /// <summary>The last refusal, for the component to show near its buttons; null after a success.</summary>
    protected string? ErrorMessage { get; set; }

    /// <summary>True while a call of <see cref="RunAsync"/> is under way (for busy buttons and loaders).</summary>
    protected bool Busy { get; private set; }

    /// <summary>Runs a service call. True when it went through.</summary>
    /// <param name="confirmation">Shown in a snackbar when the call succeeds.</param>
    /// <param name="refused">
    /// Shows a refusal some other way (field errors next to fields, see <see cref="ServiceErrors"/>)
    /// and returns the message left for <see cref="ErrorMessage"/>, if any. By default the refusal's
    /// message becomes <see cref="ErrorMessage"/>.
    /// </param>
    protected async Task<bool> RunAsync(Func<Task> call, string? confirmation = null, Func<PortalException, string?>? refused = null)
    {
        Busy = true;
        try
        {
            await call();
            ErrorMessage = null;
            if (confirmation is not null)
            {
                Snackbar.Add(confirmation, Severity.Success);
            }

            return true;
        }
        catch (PortalException e)
        {
            ErrorMessage = refused is null ? e.Message : refused(e);
            return false;
        }
        finally
        {
            Busy = false;
        }
    }

    /// <summary>Loads something; on a refusal shows its message and returns <paramref name="fallback"/>.</summary>
    protected async Task<T> LoadAsync<T>(Func<Task<T>> load, T fallback)
    {
        var result = fallback;
        await RunAsync(async () => result = await load());
        return result;
    }

    /// <summary>Asks before something that cannot be undone (delete) or that stops work (disable).</summary>
    protected Task<bool> ConfirmAsync(string title, string question, string yes, string no = "Cancel") =>
        Dialogs.ConfirmAsync(title, question, yes, no);
}
