namespace IntegrationsPortal.Features.Integrations;

/// <summary>
/// <c>dotnet IntegrationsPortal.dll vault rewrap</c>: the platform operator's key rotation for all
/// organizations at once, run beside (or instead of) the portal, then exit.
/// </summary>
public static class VaultCommand
{
    public static bool IsRequested(string[] args) => args is ["vault", ..];

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        if (args is not ["vault", "rewrap"])
        {
            await Console.Error.WriteLineAsync("usage: IntegrationsPortal vault rewrap");
            return 2;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var report = await scope.ServiceProvider.GetRequiredService<VaultService>().RewrapEverythingAsync();
        await Console.Out.WriteLineAsync($"Re-wrapped {report.Rewrapped} integration key(s) under {report.ActiveKeyId}; {report.AlreadyCurrent} were already current.");
        return 0;
    }
}
