using IntegrationsPortal.Infrastructure.Crypto;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IntegrationsPortal.Features.Accounts;

public static class AccountsExtensions
{
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        var security = builder.Configuration.GetSection("Portal:Security");
        var services = builder.Services;

        services.AddIdentityCore<PortalUser>(options =>
            {
                options.User.RequireUniqueEmail = false;
                options.Password.RequiredLength = Limits.MinPasswordLength;
                // Length over composition rules (NIST SP 800-63B); a run of one character is still refused.
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireDigit = false;
                options.Password.RequiredUniqueChars = 4;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = security.GetValue("MaxFailedSignInAttempts", 5);
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(security.GetValue("LockoutMinutes", 15));
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<PortalDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<PortalClaimsPrincipalFactory>()
            .AddPasswordValidator<CommonPasswordValidator>()
            .AddDefaultTokenProviders();

        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
        services.ConfigureApplicationCookie(options =>
        {
            options.LoginPath = "/account/login";
            options.AccessDeniedPath = "/account/access-denied";
            options.Cookie.Name = "portal.auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.SlidingExpiration = true;
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            // The API answers 401/403; only pages redirect to the sign-in form.
            options.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
            options.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
            // Every request, not every 30 minutes: a signed-out, disabled or demoted user's copied cookie stops at once.
            options.Events.OnValidatePrincipal = UserSessions.ValidatePrincipalAsync;
        });
        services.AddSingleton<UserSessions>();
        builder.AddSignInRateLimit();

        services.AddAuthorizationBuilder()
            .AddPolicy(PortalPolicies.CanView, policy => policy.RequireRole(PortalRoles.Admin, PortalRoles.Operator, PortalRoles.Viewer))
            .AddPolicy(PortalPolicies.CanOperate, policy => policy.RequireRole(PortalRoles.Admin, PortalRoles.Operator))
            .AddPolicy(PortalPolicies.CanAdminister, policy => policy.RequireRole(PortalRoles.Admin))
            .AddPolicy(PortalPolicies.CanRunPlatform, policy => policy.RequireClaim(PortalClaims.PlatformAdministrator, "true"));

        // The key ring in the database, so sign-in cookies and antiforgery tokens are good on every node and
        // survive a restart; each key encrypted with the vault's key, which is kept apart from the data
        // (docs/decisions/005, 014, 046). Registered like PersistKeysToDbContext, with the root provider:
        // the repository opens a scope of its own for each read and write.
        var legacyKeyFolder = Path.Combine(builder.GetDataDirectory(), "keys");
        services.AddDataProtection().SetApplicationName("IntegrationsPortal");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider => new ConfigureOptions<KeyManagementOptions>(options =>
        {
            options.XmlEncryptor = new VaultXmlEncryptor(provider.GetRequiredService<KeyRing>());
            options.XmlRepository = new DatabaseKeyRepository(provider, legacyKeyFolder, provider.GetRequiredService<ILoggerFactory>());
        }));

        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingUserStateProvider>();
        services.AddScoped<CircuitHandler, CurrentUserCircuitHandler>();
        services.AddSingleton<SetupState>();
        services.AddScoped<SetupService>();
        services.AddScoped<PasswordChange>();
        services.AddScoped<MyOrganizations>();
        services.AddScoped<Invitations.InvitationService>();
        return builder;
    }

    public static IApplicationBuilder UseFirstRunSetup(this IApplicationBuilder app) =>
        app.UseMiddleware<CurrentUserMiddleware>().UseMiddleware<FirstRunSetupMiddleware>().UseMiddleware<TwoFactorRequirementMiddleware>();

    private static Task RedirectOrStatus(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }

        // A problem body like every other refusal of the API, so a program can show why.
        context.Response.StatusCode = status;
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = status,
            Title = status == StatusCodes.Status401Unauthorized ? "Sign in first." : "Your role does not allow this.",
            Detail = status == StatusCodes.Status401Unauthorized
                ? "The request carries no valid session."
                : $"{context.Request.Method} {context.Request.Path} needs a role with more permissions; an Admin can change yours.",
        };
        return context.Response.WriteAsJsonAsync(problem, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", context.HttpContext.RequestAborted);
    }
}
