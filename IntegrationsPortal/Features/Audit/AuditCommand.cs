namespace IntegrationsPortal.Features.Audit;

/// <summary>
/// <c>dotnet IntegrationsPortal.dll audit verify</c>: checks every organization's audit chain and
/// names the first entry where one breaks; exits 1 when any does. Reads only.
/// </summary>
public static class AuditCommand
{
    public static bool IsRequested(string[] args) => args is ["audit", ..];

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        if (args is not ["audit", "verify"])
        {
            await Console.Error.WriteLineAsync("usage: IntegrationsPortal audit verify");
            return 2;
        }

        await using var scope = app.Services.CreateAsyncScope();
        var results = await scope.ServiceProvider.GetRequiredService<AuditTrail>().VerifyEveryChainAsync();
        foreach (var result in results)
        {
            await Console.Out.WriteLineAsync($"organization {result.OrganizationId}: {result.Message}");
        }

        return results.All(r => r.Intact) ? 0 : 1;
    }
}
