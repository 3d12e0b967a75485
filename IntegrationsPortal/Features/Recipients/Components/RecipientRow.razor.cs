using Microsoft.AspNetCore.Components;
using Radzen;

namespace IntegrationsPortal.Features.Recipients.Components;

public partial class RecipientRow
{
    private string? typedCode;
    private string? error;
    private bool busy;

    [Parameter, EditorRequired]
    public required Guid IntegrationId { get; set; }

    [Parameter, EditorRequired]
    public required RecipientStatus Recipient { get; set; }

    [Parameter]
    public bool CanOperate { get; set; }

    /// <summary>Raised after a send or a try, so the list shows the new state.</summary>
    [Parameter]
    public EventCallback Changed { get; set; }

    [Inject]
    public required RecipientService Recipients { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    private string StateLabel => Recipient.State switch
    {
        RecipientState.Verified => "Verified",
        RecipientState.CodeSent => "Code sent",
        _ => "Not verified",
    };

    private BadgeStyle BadgeStyle => Recipient.State switch
    {
        RecipientState.Verified => BadgeStyle.Success,
        RecipientState.CodeSent => BadgeStyle.Info,
        _ => BadgeStyle.Base,
    };

    private string? StateDetail => Recipient switch
    {
        { State: RecipientState.Verified, VerifiedAt: { } at } => $"by {Recipient.VerifiedBy} on {at:yyyy-MM-dd HH:mm} UTC",
        { State: RecipientState.CodeSent, CodeExpiresAt: { } expires } =>
            $"expires in {Math.Max(1, Math.Ceiling((expires - Time.GetUtcNow()).TotalMinutes)):0} min, {Recipient.TriesLeft} {(Recipient.TriesLeft == 1 ? "try" : "tries")} left",
        _ => "gets no messages until verified",
    };

    private Task SendAsync() => RunAsync(async () =>
    {
        await Recipients.SendCodeAsync(IntegrationId, Recipient.PhoneNumber);
        typedCode = null;
    });

    private Task ConfirmAsync() => RunAsync(() => Recipients.ConfirmAsync(IntegrationId, Recipient.PhoneNumber, typedCode));

    private async Task RunAsync(Func<Task> action)
    {
        busy = true;
        try
        {
            await action();
            error = null;
        }
        catch (PortalException e)
        {
            error = e.FieldErrors.Values.FirstOrDefault()?[0] ?? e.Message;
        }
        finally
        {
            busy = false;
        }

        // Wrong tries change the state too (fewer left, or none).
        await Changed.InvokeAsync();
    }
}
