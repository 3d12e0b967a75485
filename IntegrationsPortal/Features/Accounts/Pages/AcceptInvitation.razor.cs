using System.Security.Claims;
using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Accounts.Invitations;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Identity;

namespace IntegrationsPortal.Features.Accounts.Pages;

/// <summary>
/// The invitation link's page (docs/decisions/035): someone without an account creates one here; a
/// signed-in account with the invited email joins with one click. Either way the page then signs in to
/// the invited organization and reloads.
/// </summary>
public partial class AcceptInvitation
{
    private InvitationView? invitation;
    private string? signedInUserId;
    private EditContext editContext = default!;
    private ServiceErrors serviceErrors = default!;
    private string? errorMessage;

    [Parameter]
    public string Token { get; set; } = "";

    [CascadingParameter]
    private HttpContext HttpContext { get; set; } = default!;

    [Inject]
    public required InvitationService Invitations { get; init; }

    [Inject]
    public required SignInManager<PortalUser> SignInManager { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [SupplyParameterFromForm(FormName = "accept-invitation")]
    private NewAccountInput Input { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        Input ??= new();
        editContext = new EditContext(Input);
        serviceErrors = new ServiceErrors(editContext);
        signedInUserId = HttpContext.User.Identity?.IsAuthenticated == true ? HttpContext.User.FindFirstValue(ClaimTypes.NameIdentifier) : null;
        invitation = await Invitations.FindAsync(Token);
    }

    private async Task CreateAccountAsync()
    {
        PortalUser user;
        try
        {
            user = await Invitations.AcceptWithNewAccountAsync(Token, Input);
        }
        catch (PortalException e)
        {
            errorMessage = serviceErrors.Show(e);
            Input.Password = "";
            Input.ConfirmPassword = "";
            return;
        }

        await SignInManager.SignInAsync(user, isPersistent: false);
        Navigation.NavigateTo("/", forceLoad: true);
    }

    private async Task JoinAsync()
    {
        PortalUser user;
        try
        {
            user = await Invitations.AcceptAsExistingAccountAsync(Token, signedInUserId!);
        }
        catch (PortalException e)
        {
            errorMessage = e.Message;
            return;
        }

        // A new cookie for the joined organization (the claims factory reads it from the user's row).
        await SignInManager.RefreshSignInAsync(user);
        Navigation.NavigateTo("/", forceLoad: true);
    }
}
