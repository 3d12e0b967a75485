using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Components;

namespace IntegrationsPortal.Features.Integrations.Components;

public partial class IntegrationCredentials
{
    private string? replacing;
    private string? newValue;
    private bool canOperate;
    private Guid? shownId;
    private string? shownSecret;
    private string? shownSecretNote;
    private string? secretError;

    [Parameter, EditorRequired]
    public required IntegrationDetail Detail { get; set; }

    [Parameter]
    public EventCallback Saved { get; set; }

    [Inject]
    public required IntegrationService Integrations { get; init; }

    [Inject]
    public required CurrentUser CurrentUser { get; init; }

    protected override void OnInitialized() => canOperate = CurrentUser.Can(PortalPermission.Operate);

    /// <summary>Another integration arrived (A -> B): a replacement begun on A must not be saved onto B.</summary>
    protected override void OnParametersSet()
    {
        if (shownId != Detail.Id)
        {
            shownId = Detail.Id;
            replacing = null;
            newValue = null;
            ErrorMessage = null;
            shownSecret = null;
            secretError = null;
        }
    }

    [Inject]
    public required IntegrationSecrets Secrets { get; init; }

    private Task RevealAsync() => ShowSecretAsync(() => Secrets.RevealSigningSecretAsync(Detail.Id),
        "The current signing secret. This reveal is recorded in the audit log.");

    private Task RotateAsync() => ShowSecretAsync(() => Secrets.RotateSigningSecretAsync(Detail.Id),
        "The new signing secret: copy it now for the receiving side. For the next 24 hours messages carry both signatures, old and new.");

    private async Task ShowSecretAsync(Func<Task<string>> get, string note)
    {
        string? secret = null;
        var shown = await RunAsync(async () => secret = await get(), refused: e => e.Message);
        secretError = shown ? null : ErrorMessage;
        ErrorMessage = null;
        shownSecret = secret;
        shownSecretNote = note;
    }

    private void Start(PropertySpec spec)
    {
        replacing = spec.Name;
        newValue = null;
        ErrorMessage = null;
    }

    private async Task SaveAsync(PropertySpec spec)
    {
        var saved = await RunAsync(
            () => Integrations.ReplaceSecretsAsync(Detail.Id, new Dictionary<string, string> { [spec.Name] = newValue ?? "" }),
            confirmation: $"{spec.Label} replaced; checking the integration again.",
            refused: e => e.FieldErrors.GetValueOrDefault(spec.Name)?[0] ?? e.Message);
        if (saved)
        {
            replacing = null;
            newValue = null;
            await Saved.InvokeAsync();
        }
    }
}
