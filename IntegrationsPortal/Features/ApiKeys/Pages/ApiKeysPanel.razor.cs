using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace IntegrationsPortal.Features.ApiKeys.Pages;

/// <summary>
/// Settings > API keys for Admins: create (the key is shown once, with a copy button), list, revoke.
/// The list follows creations, revocations and uses as they happen (ApiKeyEvents).
/// </summary>
public partial class ApiKeysPanel : IDisposable
{
    private IReadOnlyList<ApiKeyRow>? keys;
    private bool creating;
    private CreatedApiKey? shown;
    private LiveRefresh? live;

    [Inject]
    public required ApiKeyService Keys { get; init; }

    [Inject]
    public required ApiKeyEvents Events { get; init; }

    [Inject]
    public required CurrentUser CurrentUser { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required ILogger<ApiKeysPanel> Logger { get; init; }

    protected override async Task OnInitializedAsync()
    {
        live = new LiveRefresh(InvokeAsync, StateHasChanged, LoadAsync, Logger, TimeSpan.FromSeconds(1), Time)
            .Follow<Guid>(h => Events.Changed += h, h => Events.Changed -= h, organization => organization == CurrentUser.OrganizationId);
        await LoadAsync();
    }

    private async Task LoadAsync() => keys = await LoadAsync(() => Keys.ListAsync(), keys ?? []);

    private async Task OnCreated(CreatedApiKey created)
    {
        creating = false;
        shown = created;
        await LoadAsync();
    }

    private async Task RevokeAsync(ApiKeyRow key)
    {
        if (await ConfirmAsync("Revoke API key", $"Revoke '{key.Name}' ({key.Prefix}…)? Programs using it are refused from their next request. This cannot be undone.", "Revoke", "Keep"))
        {
            await RunAsync(() => Keys.RevokeAsync(key.Id), $"'{key.Name}' is revoked.");
            await LoadAsync();
        }
    }

    private string Status(ApiKeyRow key) =>
        key.RevokedAt is not null ? "Revoked" : key.ExpiresAt <= Time.GetUtcNow() ? "Expired" : "Active";

    private Color StatusColor(ApiKeyRow key) => Status(key) switch
    {
        "Active" => Color.Success,
        "Expired" => Color.Warning,
        _ => Color.Error,
    };

    private static string When(DateTimeOffset? at, string none) => at is { } value ? $"{value.UtcDateTime:yyyy-MM-dd HH:mm} UTC" : none;

    public void Dispose() => live?.Dispose();
}
