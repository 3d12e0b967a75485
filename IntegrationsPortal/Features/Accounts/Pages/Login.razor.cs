using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts.Pages;

public partial class Login
{
    private string? errorMessage;

    [Inject]
    public required SignInManager<PortalUser> SignInManager { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ILogger<Login> Logger { get; init; }

    [SupplyParameterFromForm]
    private LoginInput Input { get; set; } = default!;

    [SupplyParameterFromQuery]
    private string? ReturnUrl { get; set; }

    [SupplyParameterFromQuery(Name = "signedOut")]
    private bool SignedOut { get; set; }

    protected override void OnInitialized() => Input ??= new();

    private async Task SignInAsync()
    {
        var user = await SignInManager.UserManager.FindByNameAsync(Input.Email.Trim());
        if (user is null)
        {
            // The same password hashing as for a real account, so the answer's timing does not tell
            // which accounts exist.
            DummyPassword.Verify(SignInManager.UserManager.PasswordHasher, Input.Password);
        }
        else if (user.IsDisabled)
        {
            errorMessage = "This account is disabled. Ask an administrator of your organization.";
            return;
        }

        var result = await SignInManager.PasswordSignInAsync(Input.Email.Trim(), Input.Password, Input.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            Logger.LogInformation("User {UserName} signed in", Input.Email);
            Navigation.NavigateTo(SafeReturnUrl(ReturnUrl), forceLoad: true);
        }
        else if (result.IsLockedOut)
        {
            Logger.LogWarning("User {UserName} is locked out after repeated failed sign-ins", Input.Email);
            errorMessage = "Too many failed attempts. This account is locked for a while; try again later.";
        }
        else
        {
            // One message for unknown user and wrong password, so the form does not reveal which accounts exist.
            errorMessage = "The email or password is not right.";
        }
    }

    /// <summary>
    /// Only local paths: an open redirect would let a link send a fresh sign-in anywhere. Only
    /// printable ASCII too: a Location header cannot carry anything else (a full-width dot made the
    /// redirect fail with a 500), and browsers map some non-ASCII characters to '/' or '.'.
    /// </summary>
    internal static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            && returnUrl.All(c => c is > ' ' and < '\x7f')
            ? returnUrl
            : "/";

    private sealed class LoginInput
    {
        [Required(ErrorMessage = "Enter your email.")]
        public string Email { get; set; } = "";

        [Required(ErrorMessage = "Enter your password.")]
        public string Password { get; set; } = "";

        public bool RememberMe { get; set; }
    }
}
