namespace IntegrationsPortal.Features.Accounts;

/// <summary>
/// Until the first administrator exists, every page leads to the setup page; once it exists, the
/// setup page is gone for good. Static files and the Blazor plumbing pass through untouched.
/// </summary>
public sealed class FirstRunSetupMiddleware(RequestDelegate next)
{
    public const string SetupPath = "/setup";

    public async Task InvokeAsync(HttpContext context, SetupService setup)
    {
        var path = context.Request.Path;
        if (IsPlumbing(path))
        {
            await next(context);
            return;
        }

        var complete = await setup.IsSetupCompleteAsync(context.RequestAborted);
        if (!complete && !path.StartsWithSegments(SetupPath, StringComparison.OrdinalIgnoreCase))
        {
            if (path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                await context.Response.WriteAsJsonAsync(new { error = "The portal is not set up yet. Open it in a browser to create the first administrator." });
                return;
            }

            context.Response.Redirect(SetupPath);
            return;
        }

        if (complete && path.StartsWithSegments(SetupPath, StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Redirect("/account/login");
            return;
        }

        await next(context);
    }

    private static bool IsPlumbing(PathString path) =>
        path.StartsWithSegments("/_framework", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/_content", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/_blazor", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/css", StringComparison.OrdinalIgnoreCase)
        || path.StartsWithSegments("/favicon.svg", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
}
