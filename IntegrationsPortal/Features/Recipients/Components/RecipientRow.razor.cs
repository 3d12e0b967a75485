using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Features.Recipients.Components;

public partial class RecipientRow
{
    private string? typedCode;

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

    private string SendLabel => Recipient.State == RecipientState.CodeSent ? "Send a new code" : "Send code";

    private string StateLabel => Recipient.State switch
    {
        RecipientState.Verified => "Verified",
        RecipientState.CodeSent => "Code sent",
        _ => "Not verified",
    };

    private Color StateColor => Recipient.State switch
    {
        RecipientState.Verified => Color.Success,
        RecipientState.CodeSent => Color.Info,
        _ => Color.Default,
    };

    private string? StateDetail => Recipient switch
    {
        { State: RecipientState.Verified, VerifiedAt: { } at } => $"by {Recipient.VerifiedBy} on {at:yyyy-MM-dd HH:mm} UTC",
        { State: RecipientState.CodeSent, CodeExpiresAt: { } expires } =>
            $"expires in {Math.Max(1, Math.Ceiling((expires - Time.GetUtcNow()).TotalMinutes)):0} min, {Recipient.TriesLeft} {(Recipient.TriesLeft == 1 ? "try" : "tries")} left",
        _ => "gets no messages until verified",
    };

    private Task SendAsync() => ActAsync(async () =>
    {
        await Recipients.SendCodeAsync(IntegrationId, Recipient.PhoneNumber);
        typedCode = null;
    }, $"Code sent to {Recipient.PhoneNumber}.");

    private Task ConfirmAsync() => ActAsync(() => Recipients.ConfirmAsync(IntegrationId, Recipient.PhoneNumber, typedCode), $"{Recipient.PhoneNumber} verified.");

    private async Task ActAsync(Func<Task> action, string confirmation)
    {
        // A wrong code is a field error on the code; its message is what the operator needs.
        await RunAsync(action, confirmation, e => e.FieldErrors.Values.FirstOrDefault()?[0] ?? e.Message);

        // Wrong tries change the state too (fewer left, or none).
        await Changed.InvokeAsync();
    }
}
