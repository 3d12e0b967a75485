using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using IntegrationsPortal.Features.Audit;
using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts.Pages;

public partial class Login
{
    private string? errorMessage;
    private bool twoFactorStep;
    private EditContext twoFactorContext = default!;
    private ValidationMessageStore twoFactorErrors = default!;

    [Inject]
    public required SignInManager<PortalUser> SignInManager { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ILogger<Login> Logger { get; init; }

    [Inject]
    public required IDbContextFactory<Infrastructure.Data.PortalDbContext> DbFactory { get; init; }

    [Inject]
    public required SignInAudit SignIns { get; init; }

    [SupplyParameterFromForm]
    private LoginInput Input { get; set; } = default!;

    /// <summary>The second step's form; posted only by a user whose password was right and who has two-factor sign-in.</summary>
    [SupplyParameterFromForm(FormName = "login-two-factor")]
    private TwoFactorInput TwoFactor { get; set; } = default!;

    [SupplyParameterFromQuery]
    private string? ReturnUrl { get; set; }

    [SupplyParameterFromQuery(Name = "signedOut")]
    private bool SignedOut { get; set; }

    protected override void OnInitialized()
    {
        Input ??= new();
        twoFactorStep = TwoFactor is not null;
        TwoFactor ??= new();
        twoFactorContext = new EditContext(TwoFactor);
        twoFactorErrors = new ValidationMessageStore(twoFactorContext);
        twoFactorContext.OnValidationRequested += (_, _) => twoFactorErrors.Clear();
    }

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
            await SignIns.RecordAsync(user, Input.Email, SignInAudit.SignInFailed, "Refused: the account is disabled.");
            errorMessage = "This account is disabled. Ask an administrator of your organization.";
            return;
        }
        else if (await ChooseOrganizationAsync(user) is { } refusal)
        {
            errorMessage = refusal;
            return;
        }

        var result = await SignInManager.PasswordSignInAsync(Input.Email.Trim(), Input.Password, Input.RememberMe, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            await SignIns.RecordAsync(user, Input.Email, SignInAudit.SignedIn, "Signed in with a password.");
            Logger.LogInformation("User {UserName} signed in", Input.Email);
            Navigation.NavigateTo(SafeReturnUrl(ReturnUrl), forceLoad: true);
        }
        else if (result.RequiresTwoFactor)
        {
            twoFactorStep = true;
            TwoFactor.RememberMe = Input.RememberMe;
        }
        else if (result.IsLockedOut)
        {
            await SignIns.RecordAsync(user, Input.Email, SignInAudit.SignInFailed, "Refused: the account is locked out after repeated failures.");
            ShowLockedOut(Input.Email);
        }
        else
        {
            await SignIns.RecordAsync(user, Input.Email, SignInAudit.SignInFailed,
                user is null ? "Refused: no such account." : "Refused: wrong password.");
            // One message for unknown user and wrong password, so the form does not reveal which accounts exist.
            errorMessage = "The email or password is not right.";
        }
    }

    private async Task SignInWithCodeAsync()
    {
        // Identity's short-lived two-factor cookie from the first step names the user.
        var user = await SignInManager.GetTwoFactorAuthenticationUserAsync();
        if (user is null || user.IsDisabled)
        {
            twoFactorStep = false;
            errorMessage = "This sign-in has expired. Enter your email and password again.";
            return;
        }

        // Six digits are an authenticator code; anything else is tried as a one-time recovery code.
        // Both count failed attempts towards the account's lockout.
        var code = Authenticator.Normalize(TwoFactor.Code);
        var byRecoveryCode = !(code.Length == 6 && code.All(char.IsAsciiDigit));
        var result = byRecoveryCode
            ? await SignInManager.TwoFactorRecoveryCodeSignInAsync(code)
            : await SignInManager.TwoFactorAuthenticatorSignInAsync(code, TwoFactor.RememberMe, rememberClient: false);
        if (result.Succeeded)
        {
            await SignIns.RecordAsync(user, user.UserName ?? "", SignInAudit.SignedIn, $"Signed in with a password and {(byRecoveryCode ? "a recovery code" : "an authenticator code")}.");
            Logger.LogInformation("User {UserName} signed in with a second factor ({Factor})", user.UserName, byRecoveryCode ? "recovery code" : "authenticator");
            Navigation.NavigateTo(SafeReturnUrl(ReturnUrl), forceLoad: true);
        }
        else if (result.IsLockedOut)
        {
            await SignIns.RecordAsync(user, user.UserName ?? "", SignInAudit.SignInFailed, "Refused: the account is locked out after repeated failures.");
            twoFactorStep = false;
            ShowLockedOut(user.UserName);
        }
        else
        {
            await SignIns.RecordAsync(user, user.UserName ?? "", SignInAudit.SignInFailed, "Refused: wrong second-factor code.");
            twoFactorErrors.Add(() => TwoFactor.Code, "That code is not right. Enter the code your app shows now, or an unused recovery code.");
            twoFactorContext.NotifyValidationStateChanged();
        }
    }

    /// <summary>
    /// Picks the organization this sign-in opens (the claims factory reads it from the user's row) and
    /// answers why none can be opened, if so. Kept on the user manager's own tracked row, so the
    /// sign-in's later update of the row (failed-attempt count) carries the choice instead of undoing it.
    /// </summary>
    private async Task<string?> ChooseOrganizationAsync(PortalUser user)
    {
        await using var db = await DbFactory.CreateDbContextAsync();
        var organizationId = await db.SignInOrganizationAsync(user, CancellationToken.None);
        if (organizationId is null)
        {
            // Disabling is per organization (docs/decisions/035): say which of the two closed the last way in.
            var memberships = await db.Memberships.Where(m => m.UserId == user.Id).Select(m => new { m.DisabledAt }).ToListAsync();
            var refusal = memberships.Count == 0 ? "This account belongs to no organization. Ask an administrator to invite you again."
                : memberships.All(m => m.DisabledAt is not null) ? "Your access to your organization is disabled. Ask an administrator of it."
                : "Your organization is suspended. Ask the portal's platform administrator.";
            await SignIns.RecordAsync(user, Input.Email, SignInAudit.SignInFailed, $"Refused: {refusal}");
            return refusal;
        }

        if (organizationId != user.OrganizationId)
        {
            user.OrganizationId = organizationId.Value;
            IdentityErrors.ThrowIfFailed(await SignInManager.UserManager.UpdateAsync(user));
        }

        return null;
    }

    private void ShowLockedOut(string? userName)
    {
        Logger.LogWarning("User {UserName} is locked out after repeated failed sign-ins", userName);
        errorMessage = "Too many failed attempts. This account is locked for a while; try again later.";
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

    private sealed class TwoFactorInput
    {
        [Required(ErrorMessage = "Enter the code from your authenticator app or a recovery code.")]
        public string Code { get; set; } = "";

        /// <summary>The first step's "keep me signed in", carried to the cookie the second step issues.</summary>
        public bool RememberMe { get; set; }
    }
}
