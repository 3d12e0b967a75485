using Microsoft.AspNetCore.Components;
using IntegrationsPortal.Components.Shared;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts.Pages;

public partial class Setup
{
    private EditContext editContext = default!;
    private ServiceErrors serviceErrors = default!;
    private string? errorMessage;

    [Inject]
    public required SetupService SetupService { get; init; }

    [Inject]
    public required SignInManager<PortalUser> SignInManager { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [SupplyParameterFromForm]
    private FirstAdministratorInput Input { get; set; } = default!;

    protected override void OnInitialized()
    {
        Input ??= new();
        editContext = new EditContext(Input);
        serviceErrors = new ServiceErrors(editContext);
        // A form sent back with errors must not carry the typed password in its HTML.
        editContext.OnValidationStateChanged += (_, _) =>
        {
            if (editContext.GetValidationMessages().Any())
            {
                ForgetPasswords();
            }
        };
    }

    private void ForgetPasswords()
    {
        Input.Password = "";
        Input.ConfirmPassword = "";
    }

    private async Task CreateAsync()
    {
        PortalUser user;
        try
        {
            user = await SetupService.CreateFirstAdministratorAsync(Input);
        }
        catch (PortalException e)
        {
            // A weak password, say, goes next to its field; anything else on top.
            errorMessage = serviceErrors.Show(e);
            ForgetPasswords();
            return;
        }

        await SignInManager.SignInAsync(user, isPersistent: false);
        Navigation.NavigateTo("/", forceLoad: true);
    }
}
