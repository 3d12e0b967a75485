using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Features.Integrations;

/// <summary>60 integrations of three types in one organization, seeded once, filtered, sorted and paged by the database.</summary>
public sealed class SixtyIntegrations : IAsyncLifetime
{
    public const int Count = 60;

    /// <summary>(name, type key, disabled) of each seeded integration.</summary>
    public static readonly List<(string Name, string Type, bool Disabled)> Seeded = Enumerable.Range(0, Count)
        .Select(i => (Type: (i % 3) switch { 0 => "webhook", 1 => "http", _ => "open-meteo" }, i))
        .Select(x => ($"{x.Type} {x.i:00}", x.Type, x.i % 4 == 0))
        .ToList();

    public PortalServices Portal { get; private set; } = default!;

    public Tenant Acme { get; private set; } = default!;

    public async ValueTask InitializeAsync()
    {
        Portal = await PortalServices.StartAsync();
        Acme = await Portal.Services.SetUpFirstOrganizationAsync();
        await using var scope = Portal.Services.AsOperator(Acme);
        var service = scope.ServiceProvider.GetRequiredService<IntegrationService>();
        foreach (var (name, type, disabled) in Seeded)
        {
            var id = await service.CreateAsync(new CreateIntegrationInput { TypeKey = type, Name = name, Properties = PropertiesFor(type) });
            if (disabled)
            {
                await service.DisableAsync(id);
            }
        }

        // Someone else's integrations never count.
        var globex = await Portal.Services.CreateOrganizationAsync("Globex", "boss@globex.test");
        await Portal.Services.CreateIntegrationAsync(globex, IntegrationSeeds.Webhook("webhook 99"));
    }

    public ValueTask DisposeAsync() => Portal.DisposeAsync();

    private static Dictionary<string, string?> PropertiesFor(string type) => type switch
    {
        "webhook" => new() { ["url"] = "https://hooks.acme.test/in", ["auth"] = "NONE" },
        "http" => new() { ["url"] = "https://api.acme.test/ingest", ["method"] = "POST", ["auth"] = "NONE", ["content_type"] = "JSON", ["retry_strategy"] = "DEFAULT" },
        _ => new() { ["interval_minutes"] = "60" },
    };
}

public class IntegrationListTests(SixtyIntegrations data) : IClassFixture<SixtyIntegrations>
{
    private const int Count = SixtyIntegrations.Count;
    private static readonly List<(string Name, string Type, bool Disabled)> Seeded = SixtyIntegrations.Seeded;

    [Fact]
    public async Task FirstPage_HasTheDefaultPageSize_AndTheTotal()
    {
        var page = await ListAsync(new IntegrationQuery());

        Assert.Equal(Count, page.Total);
        Assert.Equal(25, page.Items.Count);
    }

    [Fact]
    public async Task PagesByName_CoverEveryIntegrationOnce_InOrder()
    {
        var names = new List<string>();
        for (var skip = 0; skip < Count; skip += 25)
        {
            var page = await ListAsync(new IntegrationQuery { SortBy = IntegrationSort.Name, Descending = false, Skip = skip, Take = 25 });
            Assert.Equal(Count, page.Total);
            names.AddRange(page.Items.Select(i => i.Name));
        }

        Assert.Equal(Seeded.Select(s => s.Name).Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public async Task LastPage_HoldsTheRemainder()
    {
        var page = await ListAsync(new IntegrationQuery { SortBy = IntegrationSort.Name, Descending = true, Skip = 50, Take = 25 });

        Assert.Equal(Count, page.Total);
        Assert.Equal(Seeded.Select(s => s.Name).OrderDescending(StringComparer.Ordinal).Skip(50), page.Items.Select(i => i.Name));
    }

    [Theory]
    [InlineData(IntegrationDirection.Ingress, 20)]
    [InlineData(IntegrationDirection.Egress, 40)]
    public async Task Direction_FiltersByTheTypesDirection(IntegrationDirection direction, int expected)
    {
        var page = await ListAsync(new IntegrationQuery { Direction = direction, Take = 200 });

        Assert.Equal(expected, page.Total);
        Assert.All(page.Items, i => Assert.Equal(direction, i.Direction));
    }

    [Fact]
    public async Task TypeAndCategory_Filter()
    {
        var http = await ListAsync(new IntegrationQuery { TypeKey = "http", Take = 5 });
        var weather = await ListAsync(new IntegrationQuery { Category = Categories.Weather, Take = 200 });

        Assert.Equal(20, http.Total);
        Assert.Equal(5, http.Items.Count);
        Assert.All(http.Items, i => Assert.Equal("HTTP", i.TypeName));
        Assert.Equal(20, weather.Total);
        Assert.All(weather.Items, i => Assert.Equal("open-meteo", i.TypeKey));
    }

    [Fact]
    public async Task StatusAndDirection_Combine()
    {
        var page = await ListAsync(new IntegrationQuery { Status = IntegrationStatus.Inactive, Direction = IntegrationDirection.Egress, Take = 200 });

        Assert.Equal(Seeded.Where(s => s.Disabled && s.Type != "open-meteo").Select(s => s.Name).Order(StringComparer.Ordinal),
            page.Items.Select(i => i.Name).Order(StringComparer.Ordinal));
        Assert.Equal(15, (await ListAsync(new IntegrationQuery { Status = IntegrationStatus.Inactive })).Total);
        Assert.Equal(45, (await ListAsync(new IntegrationQuery { Status = IntegrationStatus.PendingVerify })).Total);
    }

    [Fact]
    public async Task Search_MatchesPartOfTheName_IgnoringCase()
    {
        var page = await ListAsync(new IntegrationQuery { Search = " WEBHOOK 1", SortBy = IntegrationSort.Name, Descending = false });

        Assert.Equal(["webhook 12", "webhook 15", "webhook 18"], page.Items.Select(i => i.Name));
        Assert.Equal(3, page.Total);
    }

    [Theory]
    [InlineData("_")]
    [InlineData("%")]
    [InlineData("\\")]
    public async Task Search_ForALikeWildcard_MatchesItLiterally(string search)
    {
        Assert.Equal(0, (await ListAsync(new IntegrationQuery { Search = search })).Total);
    }

    [Fact]
    public async Task FilterThatMatchesNoType_FindsNothing()
    {
        Assert.Equal(0, (await ListAsync(new IntegrationQuery { TypeKey = "stripe" })).Total);
        Assert.Equal(0, (await ListAsync(new IntegrationQuery { TypeKey = "webhook", Direction = IntegrationDirection.Ingress })).Total);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-3, 1)]
    [InlineData(1000, Count)]
    public async Task PageSize_IsKeptWithinBounds(int take, int expected)
    {
        var page = await ListAsync(new IntegrationQuery { Take = take, Skip = -10 });

        Assert.Equal(expected, page.Items.Count);
        Assert.Equal(Count, page.Total);
    }

    [Fact]
    public async Task Names_ListTheOrganizationsIntegrationsByName_AndNoOneElses()
    {
        await using var scope = data.Portal.Services.AsOperator(data.Acme);

        var names = await scope.ServiceProvider.GetRequiredService<IntegrationQueries>().NamesAsync(TestContext.Current.CancellationToken);

        // The audit page's integration filter lists these (docs/decisions/041 moved the query here from Audit).
        Assert.Equal(Seeded.Select(s => s.Name).Order(StringComparer.Ordinal), names.Select(n => n.Name));
        Assert.DoesNotContain(names, n => n.Name == "webhook 99");
    }

    private async Task<PagedResult<IntegrationRow>> ListAsync(IntegrationQuery query)
    {
        await using var scope = data.Portal.Services.AsOperator(data.Acme);
        return await scope.ServiceProvider.GetRequiredService<IntegrationQueries>().ListAsync(query, TestContext.Current.CancellationToken);
    }
}

[OnPostgreSQL]
public sealed class IntegrationListOnPostgreSQLTests(SixtyIntegrations data) : IntegrationListTests(data);
