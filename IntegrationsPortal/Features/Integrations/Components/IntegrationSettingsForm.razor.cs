using System.Text.Json;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Components;
using Radzen;

namespace IntegrationsPortal.Features.Integrations.Components;

public partial class IntegrationSettingsForm
{
    private string name = "";
    private Dictionary<string, string?> values = [];
    private readonly Dictionary<string, string> errors = [];
    private string? metadataJson;
    private string? message;
    private bool saving;
    private bool canOperate;

    [Parameter, EditorRequired]
    public required IntegrationDetail Detail { get; set; }

    [Parameter]
    public EventCallback Saved { get; set; }

    [Inject]
    public required IntegrationService Integrations { get; init; }

    [Inject]
    public required CurrentUser CurrentUser { get; init; }

    [Inject]
    public required NotificationService Notifications { get; init; }

    protected override void OnInitialized()
    {
        canOperate = CurrentUser.Can(PortalPermission.Operate);
        name = Detail.Name;
        values = Detail.Properties.ToDictionary(p => p.Key, p => (string?)p.Value);
        var userMetadata = Detail.Metadata.Where(m => m.Key != "verified_account").ToDictionary();
        metadataJson = userMetadata.Count == 0 ? null : JsonSerializer.Serialize(userMetadata);
    }

    private async Task SaveAsync()
    {
        saving = true;
        try
        {
            var metadata = string.IsNullOrEmpty(metadataJson) ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(metadataJson) ?? [];
            await Integrations.UpdateAsync(Detail.Id, new UpdateIntegrationInput
            {
                Name = name,
                Properties = values.Where(v => Detail.Type.Property(v.Key) is { Sensitive: false } spec && spec.IsVisible(values)).ToDictionary(),
                Metadata = metadata,
            });
            message = null;
            Notifications.Notify(NotificationSeverity.Success, "Saved", $"'{name}' is saved.");
            await Saved.InvokeAsync();
        }
        catch (PortalException e)
        {
            foreach (var (field, fieldErrors) in e.FieldErrors.Where(f => f.Key.Length > 0))
            {
                errors[field] = fieldErrors[0];
            }

            message = e.Message;
        }
        finally
        {
            saving = false;
        }
    }
}
