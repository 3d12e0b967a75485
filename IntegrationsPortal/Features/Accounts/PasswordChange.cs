using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts;

/// <summary>What a signed-in user sends to change their own password.</summary>
public sealed record PasswordChangeInput(string? CurrentPassword, string? NewPassword);

/// <summary>
/// A user changes their own password. Identity gives the user a new security stamp, so every other
/// session (a copied cookie, another browser) ends at once (<see cref="UserSessions"/>); this one is
/// signed in again with the new stamp and goes on.
/// </summary>
public static class PasswordChange
{
    public static RouteGroupBuilder MapPasswordChangeApi(this RouteGroupBuilder api)
    {
        api.MapPost("/me/password", async (PasswordChangeInput input, HttpContext http, SignInManager<PortalUser> signInManager, UserSessions sessions) =>
        {
            var users = signInManager.UserManager;
            var user = await users.GetUserAsync(http.User) ?? throw PortalException.NotFound("Your account");
            if (string.IsNullOrEmpty(input.CurrentPassword))
            {
                throw PortalException.Invalid("currentPassword", "Enter your current password.");
            }

            var result = await users.ChangePasswordAsync(user, input.CurrentPassword, input.NewPassword ?? "");
            if (!result.Succeeded)
            {
                // Wrong current password on its own field; the new password's rules (length, common passwords) on the other.
                var errors = result.Errors
                    .GroupBy(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "currentPassword" : "newPassword")
                    .ToDictionary(g => g.Key, g => g.Key == "currentPassword" ? ["The current password is not right."] : g.Select(e => e.Description).ToArray());
                throw new PortalException(PortalErrorKind.Validation, "The password was not changed.", errors);
            }

            await signInManager.RefreshSignInAsync(user);
            sessions.Announce(user.Id);
            return TypedResults.NoContent();
        });
        return api;
    }
}
