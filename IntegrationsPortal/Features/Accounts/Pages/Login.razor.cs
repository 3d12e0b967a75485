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
        if (user is { IsDisabled: true })
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

    /// <summary>Only local paths: an open redirect would let a link send a fresh sign-in anywhere.</summary>
    private static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
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
