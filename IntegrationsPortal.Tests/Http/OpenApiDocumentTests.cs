using System.Net;
using System.Text.Json;
using IntegrationsPortal.Features.Api.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace IntegrationsPortal.Tests.Http;

/// <summary>The published APIs' OpenAPI documents: valid, complete, secured, and nothing of the portal's own /api.</summary>
[Collection(SetUpPortalCollection.Name)]
public sealed class OpenApiDocumentTests(SetUpPortalFixture portal)
{
    public static TheoryData<string> Documents => [.. PublicApi.All.Select(a => a.DocumentName)];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Document_IsServedWithoutSigningIn_AndReadsAsValidOpenApi3(string name)
    {
        var (document, diagnostic) = await LoadAsync(name);

        Assert.Empty(diagnostic.Errors);
        Assert.StartsWith("3.", diagnostic.SpecificationVersion.ToString().Replace("OpenApi", "", StringComparison.Ordinal).Replace('_', '.'), StringComparison.Ordinal);
        Assert.Equal(Api(name).Title, document.Info.Title);
        Assert.False(string.IsNullOrWhiteSpace(document.Info.Description));
        Assert.NotEmpty(document.Paths);
    }

    /// <summary>
    /// Every endpoint the app maps under the API's prefix is in its document, whoever maps it: an
    /// endpoint hidden from the description (or a document filter that is too narrow) fails here.
    /// </summary>
    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Document_ListsEveryEndpointTheAppMapsUnderItsPrefix(string name)
    {
        var api = Api(name);
        var (document, _) = await LoadAsync(name);
        var described = document.Paths
            .SelectMany(p => (p.Value.Operations ?? []).Keys.Select(m => $"{m.Method.ToUpperInvariant()} {p.Key}"))
            .ToHashSet();

        var mapped = portal.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => api.Holds(e.RoutePattern.RawText?.TrimStart('/')))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(m => $"{m} {OpenApiPath(e.RoutePattern)}"))
            .ToList();

        Assert.NotEmpty(mapped);
        Assert.All(mapped, endpoint => Assert.Contains(endpoint, described));
    }

    [Theory]
    [InlineData("v1", "bearer", "http", null)]
    [InlineData("v2", "apiKey", "apiKey", "X-Api-Key")]
    public async Task EveryOperation_RequiresTheApisSecurityScheme(string name, string schemeName, string type, string? header)
    {
        using var json = await RawAsync(name);
        var scheme = json.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty(schemeName);
        Assert.Equal(type, scheme.GetProperty("type").GetString());
        if (header is null)
        {
            Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        }
        else
        {
            Assert.Equal(("header", header), (scheme.GetProperty("in").GetString(), scheme.GetProperty("name").GetString()));
        }

        var operations = Operations(json).ToList();
        Assert.NotEmpty(operations);
        Assert.All(operations, operation =>
        {
            var requirement = Assert.Single(operation.GetProperty("security").EnumerateArray());
            Assert.True(requirement.TryGetProperty(schemeName, out _), $"{operation} requires {schemeName}");
            Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _));
        });
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Document_HoldsNothingOfThePortalsCookieApi(string name)
    {
        using var json = await RawAsync(name);

        var paths = json.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.All(paths, path => Assert.StartsWith(Api(name).Prefix + "/", path, StringComparison.Ordinal));
        Assert.DoesNotContain(paths, p => p.StartsWith("/api/", StringComparison.Ordinal) && !p.StartsWith("/api/v1/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task V1_AnswersShowTheEnvelopeWithSnakeCaseExamples_AndWritesThePublished422()
    {
        using var json = await RawAsync("v1");

        var providers = json.RootElement.GetProperty("paths").GetProperty("/api/v1/integrations/providers").GetProperty("get");
        var ok = providers.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json");
        Assert.True(ok.GetProperty("example").GetProperty("success").GetBoolean());
        Assert.Equal(25, ok.GetProperty("example").GetProperty("meta").GetProperty("per_page").GetInt32());
        var error = json.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("V1ValidationError");
        Assert.Equal(["success", "message", "errors"], error.GetProperty("properties").EnumerateObject().Select(p => p.Name));

        var writes = Operations(json).Where(o => o.GetProperty("responses").TryGetProperty("422", out _)).ToList();
        Assert.All(writes, w => Assert.Equal(
            "The given data was invalid.",
            w.GetProperty("responses").GetProperty("422").GetProperty("content").GetProperty("application/json").GetProperty("example").GetProperty("message").GetString()));
    }

    [Fact]
    public async Task V1_ListsTheRoutingRulesEndpoints()
    {
        var (document, _) = await LoadAsync("v1");

        var described = document.Paths
            .SelectMany(p => (p.Value.Operations ?? []).Keys.Select(m => $"{m.Method.ToUpperInvariant()} {p.Key.TrimEnd('/')}"))
            .ToHashSet();

        Assert.Superset(
            new HashSet<string>
            {
                "GET /api/v1/routing-rules", "POST /api/v1/routing-rules", "GET /api/v1/routing-rules/{id}",
                "PATCH /api/v1/routing-rules/{id}", "DELETE /api/v1/routing-rules/{id}",
            },
            described);
    }

    [Fact]
    public async Task V1_OperationsEndpoints_ShowTheirOwnRequestAndAnswerExamples()
    {
        using var json = await RawAsync("v1");
        var paths = json.RootElement.GetProperty("paths").EnumerateObject().ToDictionary(p => p.Name.TrimEnd('/'), p => p.Value);

        var post = paths["/api/v1/operations"].GetProperty("post");
        var request = Example(post.GetProperty("requestBody"));
        Assert.Equal("send_sms", request.GetProperty("capability").GetString());
        Assert.Equal("+14155550143", request.GetProperty("payload").GetProperty("to").GetString());
        var accepted = Example(post.GetProperty("responses").GetProperty("202")).GetProperty("data");
        Assert.Equal(("send_sms", "queued"), (accepted.GetProperty("capability").GetString(), accepted.GetProperty("status").GetString()));
        Assert.Matches("^[0-7][0-9A-HJKMNP-TV-Z]{25}$", accepted.GetProperty("id").GetString());
        var invalid = post.GetProperty("responses").GetProperty("422").GetProperty("content").GetProperty("application/json");
        Assert.True(invalid.GetProperty("example").GetProperty("errors").TryGetProperty("payload.to", out _));
        Assert.EndsWith("/V1ValidationError", invalid.GetProperty("schema").GetProperty("$ref").GetString(), StringComparison.Ordinal);

        var get = paths["/api/v1/operations/{id}"].GetProperty("get");
        var polled = Example(get.GetProperty("responses").GetProperty("200")).GetProperty("data");
        Assert.Equal(("succeeded", "twilio", 1), (polled.GetProperty("status").GetString(), polled.GetProperty("provider").GetString(), polled.GetProperty("attempts").GetInt32()));
        Assert.False(polled.TryGetProperty("credentials", out _), "The operation's answer shows an operation, not the generic integration example.");

        static JsonElement Example(JsonElement withContent) =>
            withContent.GetProperty("content").GetProperty("application/json").GetProperty("example");
    }

    private static PublicApi Api(string name) => PublicApi.All.Single(a => a.DocumentName == name);

    /// <summary>The route as OpenAPI writes it: parameters by name, without constraints or defaults.</summary>
    private static string OpenApiPath(RoutePattern pattern) =>
        "/" + string.Join("/", pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => "",
        }))));

    private static IEnumerable<JsonElement> Operations(JsonDocument json) =>
        json.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete").Select(o => o.Value));

    private async Task<string> FetchAsync(string name)
    {
        using var anonymous = portal.App.CreateClient();
        var response = await anonymous.GetAsync($"/openapi/{name}.json", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    private async Task<JsonDocument> RawAsync(string name) => JsonDocument.Parse(await FetchAsync(name));

    private async Task<(OpenApiDocument Document, OpenApiDiagnostic Diagnostic)> LoadAsync(string name)
    {
        var result = OpenApiDocument.Parse(await FetchAsync(name), "json");
        Assert.NotNull(result.Document);
        return (result.Document, result.Diagnostic!);
    }
}
