namespace IntegrationsPortal.Infrastructure.Security;

/// <summary>Copies the request's signed-in user into the scoped <see cref="CurrentUser"/>.</summary>
public sealed class CurrentUserMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context, CurrentUser currentUser)
    {
        currentUser.Set(context.User);
        currentUser.SetAddress(context.Connection.RemoteIpAddress?.ToString());
        return next(context);
    }
}
