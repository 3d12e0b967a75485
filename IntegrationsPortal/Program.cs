using IntegrationsPortal;
using IntegrationsPortal.Components;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Api;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Radzen;

// Settings are read at start (change them and restart): watching the files cost 6% of the CPU
// when delivering at full speed, see NoConfigReload.
var builder = WebApplication.CreateBuilder([.. args, PortalExtensions.NoConfigReload]);

builder.AddPortalServices();

builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddRadzenComponents();
builder.Services.AddRadzenCookieThemeService(options =>
{
    options.Name = "portal-theme";
    options.Duration = TimeSpan.FromDays(365);
});

var app = builder.Build();

await app.MigratePortalDatabaseAsync();
if (VaultCommand.IsRequested(args))
{
    return await VaultCommand.RunAsync(app, args);
}

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
    app.UseHsts();
}

// Pages get a friendly 404 page; the API keeps its bare status codes and problem bodies.
app.UseWhen(
    context => !context.Request.Path.StartsWithSegments("/api"),
    pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
app.UseMiddleware<SecurityHeadersMiddleware>();
app.UseAuthentication();
app.UseFirstRunSetup();
app.UseAuthorization();
app.UseAntiforgery();
// Before the endpoints: the uplink endpoint is limited per integration (Features/Uplinks).
app.UseRateLimiter();

app.MapStaticAssets();
app.MapAccountEndpoints();
app.MapPortalApi();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();
return 0;

/// <summary>Entry point; public so WebApplicationFactory in the tests can find it.</summary>
public partial class Program;
