using IntegrationsPortal.Features.Uplinks;
using IntegrationsPortal.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace IntegrationsPortal.Tests.Features.Uplinks;

/// <summary>Settings under Portal:Uplinks the portal cannot run with stop its start, each named with its value.</summary>
public sealed class UplinkSettingsTests
{
    [Theory]
    [InlineData(nameof(UplinkOptions.BatchSize), "0")]
    [InlineData(nameof(UplinkOptions.SqliteWalLimitMegabytes), "-1")]
    [InlineData(nameof(UplinkOptions.PermitsPerSecond), "0")]
    [InlineData(nameof(UplinkOptions.Burst), "-5")]
    [InlineData(nameof(UplinkOptions.RotationGrace), "-01:00:00")]
    public async Task ASettingOutOfRange_StopsTheStart_NamingIt(string setting, string value)
    {
        var key = $"{UplinkOptions.Section}:{setting}";
        await using var app = new PortalAppFactory { Settings = { [key] = value } };

        var error = Assert.Throws<OptionsValidationException>(() => app.Services);

        Assert.Contains($"{key} is ", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheShippedDefaults_Start()
    {
        await using var app = new PortalAppFactory();
        Assert.NotNull(app.Services);
    }
}
