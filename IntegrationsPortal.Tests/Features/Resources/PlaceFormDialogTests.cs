using Bunit;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Resources.Pages;
using IntegrationsPortal.Tests.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace IntegrationsPortal.Tests.Features.Resources;

/// <summary>The New place dialog refuses coordinates that are not numbers, or half a position, next to the field.</summary>
public sealed class PlaceFormDialogTests : WorldComponentTest<ResourcesTestBed>
{
    private ResourcesAs? _resources;

    protected override async Task<ResourcesTestBed> StartAsync()
    {
        var bed = new ResourcesTestBed();
        await bed.InitializeAsync();
        return bed;
    }

    [Fact]
    public async Task LatitudeThatIsNotANumber_IsRefusedNextToTheField_AndNothingIsSaved()
    {
        var dialogs = await OpenNewPlaceAsync();
        dialogs.Find("input[data-testid=place-form-name]").Input("North Campus");
        dialogs.Find("input[data-testid=place-form-latitude]").Change("abc");
        dialogs.Find("input[data-testid=place-form-longitude]").Change("13.41");

        dialogs.Find("form[data-testid=place-form]").Submit();

        dialogs.WaitForAssertion(() => Assert.Contains("Latitude is a number in degrees, e.g. 52.52.", dialogs.Markup, StringComparison.Ordinal));
        Assert.NotEmpty(dialogs.FindAll("[data-testid=place-form]"));
        Assert.Empty(await _resources!.Places.GetTreeAsync(ResourcesTestBed.Ct));
    }

    [Fact]
    public async Task LatitudeWithoutLongitude_IsRefusedNextToTheLongitude_ThenSavedWhenBothAreThere()
    {
        var dialogs = await OpenNewPlaceAsync();
        dialogs.Find("input[data-testid=place-form-name]").Input("North Campus");
        dialogs.Find("input[data-testid=place-form-latitude]").Change("22.4193");

        dialogs.Find("form[data-testid=place-form]").Submit();

        dialogs.WaitForAssertion(() => Assert.Contains("Enter the longitude too, or clear the latitude: a position needs both.", dialogs.Markup, StringComparison.Ordinal));
        Assert.Empty(await _resources!.Places.GetTreeAsync(ResourcesTestBed.Ct));

        dialogs.Find("input[data-testid=place-form-longitude]").Change("114.1694");
        dialogs.Find("form[data-testid=place-form]").Submit();

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-testid=place-form]")));
        var place = (await _resources.Places.GetTreeAsync(ResourcesTestBed.Ct)).Single();
        var details = await _resources.Places.GetPlaceAsync(place.Id, ResourcesTestBed.Ct);
        Assert.Equal(("North Campus", 22.4193, 114.1694), (details.Name, details.Latitude, details.Longitude));
    }

    private async Task<IRenderedComponent<MudDialogProvider>> OpenNewPlaceAsync()
    {
        SignIn(PortalRoles.Operator);
        _resources = World.As(role: PortalRoles.Operator);
        Services.AddSingleton(_resources.Places);
        var dialogs = Render<MudDialogProvider>();
        RenderPopovers();
        var service = Services.GetRequiredService<IDialogService>();
        await dialogs.InvokeAsync(() => service.ShowAsync<PlaceFormDialog>("New place"));
        dialogs.WaitForElement("form[data-testid=place-form]");
        return dialogs;
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        if (_resources is not null)
        {
            await _resources.DisposeAsync();
        }

        await base.DisposeAsyncCore();
    }
}
