using System.Security.Claims;
using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>What a signed-in user sends to change their own password.</summary>
public sealed record PasswordChangeInput(string? CurrentPassword, string? NewPassword);

/// <summary>
/// A user changes their own password, from the page (/account/password) or the API
/// (POST /api/me/password). Identity gives the user a new security stamp, so every other session
/// (a copied cookie, another browser) ends at once (<see cref="UserSessions"/>); this one is signed in
/// again with the new stamp and goes on, which is why both callers run inside a request, never a circuit.
/// </summary>
public sealed class PasswordChange(SignInManager<PortalUser> signInManager, UserSessions sessions, IHttpContextAccessor httpContextAccessor)
{
    // The API writes them camelCased; the page's form has properties of the same names.
    private const string CurrentPasswordField = nameof(PasswordChangeInput.CurrentPassword);
    private const string NewPasswordField = nameof(PasswordChangeInput.NewPassword);

    /// <summary>Changes the password; a refusal is a validation error on the field it is about.</summary>
    public async Task ChangeAsync(ClaimsPrincipal principal, PasswordChangeInput input)
    {
        var users = signInManager.UserManager;
        var user = await users.GetUserAsync(principal) ?? throw PortalException.NotFound("Your account");
        if (string.IsNullOrEmpty(input.CurrentPassword))
        {
            throw PortalException.Invalid(CurrentPasswordField, "Enter your current password.");
        }

        var result = await users.ChangePasswordAsync(user, input.CurrentPassword, input.NewPassword ?? "");
        if (!result.Succeeded)
        {
            // Wrong current password on its own field; the new password's rules (length, common passwords) on the other.
            var errors = result.Errors
                .GroupBy(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? CurrentPasswordField : NewPasswordField)
                .ToDictionary(g => g.Key, g => g.Key == CurrentPasswordField ? ["The current password is not right."] : g.Select(e => e.Description).ToArray());
            throw new PortalException(PortalErrorKind.Validation, "The password was not changed.", errors);
        }

        await signInManager.RefreshSignInAsync(user);
        var http = httpContextAccessor.HttpContext ?? throw new InvalidOperationException("A password is changed within a request, which issues its cookie again.");
        // Open circuits of the user's other sessions end now, but only once this response is out: the
        // request's own authentication state hears the announcement too, and the page that changed the
        // password would otherwise render as signed out (and be sent to sign-in) although its new cookie is good.
        var userId = user.Id;
        http.Response.OnCompleted(() =>
        {
            sessions.Announce(userId);
            return Task.CompletedTask;
        });
    }
}

public static class PasswordChangeEndpoints
{
    public static RouteGroupBuilder MapPasswordChangeApi(this RouteGroupBuilder api)
    {
        api.MapPost("/me/password", async (PasswordChangeInput input, HttpContext http, PasswordChange passwords) =>
        {
            await passwords.ChangeAsync(http.User, input);
            return TypedResults.NoContent();
        });
        return api;
    }
}
