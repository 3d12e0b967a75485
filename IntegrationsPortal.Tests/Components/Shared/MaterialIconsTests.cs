using IntegrationsPortal.Components.Shared;
using IntegrationsPortal.Features.Catalog;
using MudBlazor;

namespace IntegrationsPortal.Tests.Components.Shared;

public sealed class MaterialIconsTests
{
    [Fact]
    public void EveryCatalogType_HasItsOwnIcon_NotTheFallback()
    {
        var missing = CatalogData.Types.Where(t => MaterialIcons.ByName(t.Icon, fallback: "") is "").Select(t => $"{t.Key}: {t.Icon}").ToList();

        Assert.Empty(missing);
        Assert.Equal(Icons.Material.Filled.ElectricMeter, MaterialIcons.ByName("electric_meter"));
    }

    [Fact]
    public void UnknownName_GetsTheNeutralIcon()
    {
        Assert.Equal(Icons.Material.Filled.Extension, MaterialIcons.ByName("no_such_icon"));
        Assert.Equal(Icons.Material.Filled.Extension, MaterialIcons.ByName(null));
    }
}
