using System.Security.Claims;
using IntegrationsPortal.Infrastructure.Data;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>
/// Ends an open circuit's session as soon as <see cref="UserSessions"/> announces a change to its
/// user (a role change, a removed membership, disabling) that ends it, and re-checks the user's security stamp every ten
/// seconds for the rest (sign-out in another tab or device, changes from another process). One
/// indexed read of the user's row per circuit per interval.
/// </summary>
public sealed class RevalidatingUserStateProvider : RevalidatingServerAuthenticationStateProvider
{
    private static readonly AuthenticationState SignedOut = new(new ClaimsPrincipal(new ClaimsIdentity()));

    private readonly IServiceScopeFactory _scopeFactory;
    private readonly IOptions<IdentityOptions> _options;
    private readonly UserSessions _sessions;

    public RevalidatingUserStateProvider(
        ILoggerFactory loggerFactory, IServiceScopeFactory scopeFactory, IOptions<IdentityOptions> options, UserSessions sessions)
        : base(loggerFactory)
    {
        _scopeFactory = scopeFactory;
        _options = options;
        _sessions = sessions;
        _sessions.Ended += OnSessionsEnded;
    }

    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(10);

    protected override async Task<bool> ValidateAuthenticationStateAsync(
        AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        // A fresh scope: the circuit's own context would live as long as the circuit.
        await using var scope = _scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
        return await UserSessions.IsCurrentAsync(db, authenticationState.User, _options.Value, cancellationToken);
    }

    private void OnSessionsEnded(string userId) => _ = EndIfOursAsync(userId);

    /// <summary>
    /// Checks this circuit's session again rather than ending it outright: a change to the user's
    /// membership in one organization (a role, a removal) ends only the circuits working in that one.
    /// </summary>
    private async Task EndIfOursAsync(string userId)
    {
        var state = await GetAuthenticationStateAsync();
        if (state.User.FindFirstValue(_options.Value.ClaimsIdentity.UserIdClaimType) != userId)
        {
            return;
        }

        bool current;
        try
        {
            current = await ValidateAuthenticationStateAsync(state, CancellationToken.None);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Nothing awaits this check; when it cannot answer, the safe side is a signed-out circuit.
            current = false;
        }

        if (!current)
        {
            SetAuthenticationState(Task.FromResult(SignedOut));
        }
    }

    protected override void Dispose(bool disposing)
    {
        _sessions.Ended -= OnSessionsEnded;
        base.Dispose(disposing);
    }
}
