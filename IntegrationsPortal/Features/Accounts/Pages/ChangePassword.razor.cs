using System.ComponentModel.DataAnnotations;
using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace IntegrationsPortal.Features.Accounts.Pages;

public partial class ChangePassword
{
    private EditContext editContext = default!;
    private ServiceErrors serviceErrors = default!;
    private string? errorMessage;
    private bool changed;

    [Inject]
    public required PasswordChange Passwords { get; init; }

    [CascadingParameter]
    public HttpContext HttpContext { get; set; } = default!;

    [SupplyParameterFromForm(FormName = "change-password")]
    private PasswordChangeForm Input { get; set; } = default!;

    protected override void OnInitialized()
    {
        Input ??= new();
        editContext = new EditContext(Input);
        serviceErrors = new ServiceErrors(editContext);
    }

    private async Task ChangeAsync()
    {
        try
        {
            if (editContext.Validate())
            {
                await Passwords.ChangeAsync(HttpContext.User, new PasswordChangeInput(Input.CurrentPassword, Input.NewPassword));
                changed = true;
            }
        }
        catch (PortalException e) when (e.Kind == PortalErrorKind.Validation)
        {
            errorMessage = serviceErrors.Show(e);
        }
        finally
        {
            // The page sent back never carries a typed password in its HTML.
            Input.CurrentPassword = Input.NewPassword = Input.ConfirmPassword = "";
        }
    }

    /// <summary>The form; the rules of the new password itself (length, common passwords) are Identity's, via the service.</summary>
    private sealed class PasswordChangeForm
    {
        [Required(ErrorMessage = "Enter your current password.")]
        public string CurrentPassword { get; set; } = "";

        [Required(ErrorMessage = "Choose a new password.")]
        public string NewPassword { get; set; } = "";

        [Compare(nameof(NewPassword), ErrorMessage = "The passwords do not match.")]
        public string ConfirmPassword { get; set; } = "";
    }
}
