using IntegrationsPortal;
using IntegrationsPortal.Components;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Api;
using IntegrationsPortal.Features.ApiKeys;
using IntegrationsPortal.Features.Audit;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Health;
using IntegrationsPortal.Infrastructure.Security;
using IntegrationsPortal.Infrastructure.Telemetry;

// Settings are read at start (change them and restart): watching the files cost 6% of the CPU
// when delivering at full speed, see NoConfigReload.
var builder = WebApplication.CreateBuilder([.. args, PortalExtensions.NoConfigReload]);

try
{
    builder.AddPortalServices();
}
catch (Exception e) when (StorageFailure.Describe(e) is { } message)
{
    return StorageFailure.Exit(message);
}

builder.AddWebSecurity();
// OTLP export of the features' metrics and traces, only when an endpoint is configured (docs/decisions/048).
builder.AddPortalTelemetry();

builder.Services.AddPortalUi();

var app = builder.Build();

try
{
    await app.MigratePortalDatabaseAsync();
}
catch (Exception e) when (StorageFailure.Describe(e) is { } message)
{
    return StorageFailure.Exit(message);
}

if (VaultCommand.IsRequested(args))
{
    return await VaultCommand.RunAsync(app, args);
}

if (AuditCommand.IsRequested(args))
{
    return await AuditCommand.RunAsync(app, args);
}

// Forwarded headers first: HSTS, redirects and cookies need the scheme the client used.
app.UseWebSecurity();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
    app.UseHsts();
}

app.UseMiddleware<StorageProblemMiddleware>();

// Pages get a friendly 404 page; the API keeps its bare status codes and problem bodies.
app.UseWhen(
    context => !context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) && !ApiKeyDefaults.IsProgramPath(context.Request.Path),
    pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
app.UseAuthentication();
app.UseMiddleware<SameOriginWritesMiddleware>();
app.UseFirstRunSetup();
app.UseAuthorization();
// After authorization, one limiter for every policy: the sign-in form per address, API keys per key
// (read from the signed-in key), the uplink endpoint per integration (Features/Uplinks).
app.UseRateLimiter();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapAccountEndpoints();
app.MapPortalHealth();
app.MapPortalApi();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();
return 0;

/// <summary>Entry point; public so WebApplicationFactory in the tests can find it.</summary>
public partial class Program;
