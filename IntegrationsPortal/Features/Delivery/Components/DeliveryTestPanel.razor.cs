using IntegrationsPortal.Features.Integrations;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Delivery.Components;

/// <summary>
/// The Test tab: edits a sample payload, sends it, and follows <see cref="DeliveryEvents"/> so
/// the result replaces "pending" without a reload.
/// </summary>
public partial class DeliveryTestPanel : IDisposable
{
    private string payload = "";
    private Guid? messageId;
    private DeliveryDetail? result;
    private bool sending;
    private string? error;
    private string? notice;

    [Parameter, EditorRequired]
    public required IntegrationDetail Integration { get; set; }

    [Inject]
    public required DeliveryService Deliveries { get; init; }

    [Inject]
    public required IntegrationService Integrations { get; init; }

    [Inject]
    public required DeliveryEvents Events { get; init; }

    private bool HasSigningSecret => Integration.Type.Property(Senders.SigningSecrets.Current) is not null;

    protected override void OnInitialized()
    {
        Reset();
        Events.Changed += OnChanged;
    }

    private void Reset() => payload = DeliveryService.SamplePayload(Integration.Type.Key);

    private async Task SendAsync()
    {
        sending = true;
        error = null;
        notice = null;
        try
        {
            result = null;
            messageId = (await Deliveries.SendTestAsync(Integration.Id, payload)).MessageId;
            await RefreshAsync();
        }
        catch (PortalException e)
        {
            error = e.Message;
        }
        finally
        {
            sending = false;
        }
    }

    private async Task RotateAsync()
    {
        try
        {
            await Integrations.RotateSigningSecretAsync(Integration.Id);
            notice = "A new signing secret is in use; for the next 24 hours messages carry both signatures, old and new.";
        }
        catch (PortalException e)
        {
            error = e.Message;
        }
    }

    private async Task RefreshAsync()
    {
        if (messageId is { } id)
        {
            result = await Deliveries.GetAsync(id);
        }
    }

    private void OnChanged(DeliveryChange change)
    {
        if (change.MessageId == messageId)
        {
            _ = InvokeAsync(async () =>
            {
                await RefreshAsync();
                StateHasChanged();
            });
        }
    }

    public void Dispose() => Events.Changed -= OnChanged;
}
