using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts.Pages;

public partial class TwoFactor
{
    private const string WrongCode = "That code is not right. Enter the code your authenticator app shows now.";

    private PortalUser user = default!;
    private bool isEnabled;
    private bool disabledNow;
    private string? key;
    private string? qrCode;
    private IReadOnlyList<string>? recoveryCodes;
    private EditContext enableContext = default!;
    private EditContext disableContext = default!;
    private ValidationMessageStore enableErrors = default!;
    private ValidationMessageStore disableErrors = default!;

    [Inject]
    public required SignInManager<PortalUser> SignInManager { get; init; }

    [Inject]
    public required ILogger<TwoFactor> Logger { get; init; }

    [Inject]
    public required IUserStore<PortalUser> UserStore { get; init; }

    [CascadingParameter]
    public HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "two-factor-enable")]
    private CodeInput EnableInput { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "two-factor-disable")]
    private CodeInput DisableInput { get; set; } = default!;

    private UserManager<PortalUser> Users => SignInManager.UserManager;

    protected override async Task OnInitializedAsync()
    {
        EnableInput ??= new();
        DisableInput ??= new();
        (enableContext, enableErrors) = NewContext(EnableInput);
        (disableContext, disableErrors) = NewContext(DisableInput);

        user = await Users.GetUserAsync(HttpContext.User) ?? throw new InvalidOperationException("The signed-in user no longer exists.");
        isEnabled = await Users.GetTwoFactorEnabledAsync(user);
        if (!isEnabled)
        {
            await ShowKeyAsync();
        }
    }

    private async Task EnableAsync()
    {
        if (!await Authenticator.IsCurrentCodeAsync(Users, user, EnableInput.Code))
        {
            ShowError(enableContext, enableErrors, () => EnableInput.Code);
            return;
        }

        IdentityErrors.ThrowIfFailed(await Users.SetTwoFactorEnabledAsync(user, true));
        recoveryCodes = [.. await Users.GenerateNewTwoFactorRecoveryCodesAsync(user, Authenticator.RecoveryCodeCount) ?? []];
        // Enabling gave the user a new security stamp (their other sessions end): this one gets a fresh cookie.
        await SignInManager.RefreshSignInAsync(user);
        isEnabled = true;
        Logger.LogInformation("User {UserName} turned on two-factor sign-in", user.UserName);
    }

    private async Task DisableAsync()
    {
        if (!await Authenticator.IsCurrentCodeAsync(Users, user, DisableInput.Code))
        {
            ShowError(disableContext, disableErrors, () => DisableInput.Code);
            return;
        }

        IdentityErrors.ThrowIfFailed(await Users.SetTwoFactorEnabledAsync(user, false));
        // A new key, so an app (or a copy of the old key) set up before cannot be used again.
        IdentityErrors.ThrowIfFailed(await Users.ResetAuthenticatorKeyAsync(user));
        await SignInManager.RefreshSignInAsync(user);
        isEnabled = false;
        disabledNow = true;
        await ShowKeyAsync();
        Logger.LogInformation("User {UserName} turned off two-factor sign-in", user.UserName);
    }

    private async Task ShowKeyAsync()
    {
        var stored = await Users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(stored))
        {
            // Stored without a new security stamp (ResetAuthenticatorKeyAsync would change it): this page is
            // a GET the browser may make beside other requests, and a stamp changed under them made those
            // requests' cookie invalid, which signed the operator out. A key not yet confirmed protects nothing.
            await ((IUserAuthenticatorKeyStore<PortalUser>)UserStore).SetAuthenticatorKeyAsync(user, Users.GenerateNewAuthenticatorKey(), CancellationToken.None);
            IdentityErrors.ThrowIfFailed(await Users.UpdateAsync(user));
            stored = await Users.GetAuthenticatorKeyAsync(user) ?? throw new InvalidOperationException("No authenticator key was stored.");
        }

        key = Authenticator.FormatKey(stored);
        qrCode = Authenticator.QrCodeDataUri(Authenticator.OtpAuthUri(user.UserName!, stored));
    }

    private static (EditContext, ValidationMessageStore) NewContext(CodeInput input)
    {
        var context = new EditContext(input);
        var store = new ValidationMessageStore(context);
        context.OnValidationRequested += (_, _) => store.Clear();
        return (context, store);
    }

    private static void ShowError(EditContext context, ValidationMessageStore store, System.Linq.Expressions.Expression<Func<string>> field)
    {
        store.Add(FieldIdentifier.Create(field), WrongCode);
        context.NotifyValidationStateChanged();
    }

    private sealed class CodeInput
    {
        [Required(ErrorMessage = "Enter the code from your authenticator app.")]
        public string Code { get; set; } = "";
    }
}
