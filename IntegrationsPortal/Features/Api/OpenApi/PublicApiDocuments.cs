using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IntegrationsPortal.Features.ApiKeys;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;

namespace IntegrationsPortal.Features.Api.OpenApi;

/// <summary>
/// One published API as an OpenAPI document: which paths it holds, how a program authenticates, and
/// the words and examples a reader of the reference needs. The document takes every endpoint under
/// its prefix, whoever maps it, so a new endpoint is described without touching this file.
/// </summary>
public sealed record PublicApi(string DocumentName, string Prefix, string Title, string Description, string SchemeName, OpenApiSecurityScheme Scheme)
{
    public static readonly PublicApi V1 = new(
        "v1",
        ApiKeyDefaults.V1Prefix,
        "Tenant provider integrations API (/api/v1)",
        "Set up payment and messaging providers for your organization, route operations to them and follow their outcome. " +
        "Every answer is an envelope `{success, message, data, meta}` with snake_case fields; lists add `links` and are paged " +
        "with `page` and `per_page` (25 by default, at most 100). Invalid input is a 422 with `errors` keyed by field. " +
        "Authenticate with an API key from Settings > API keys as `Authorization: Bearer ipk_...`; a read-only key may only GET.",
        "bearer",
        new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "An API key from Settings > API keys, sent as `Authorization: Bearer ipk_...`.",
        });

    public static readonly PublicApi V2 = new(
        "v2",
        ApiKeyDefaults.V2Prefix,
        "Integrations API (/v2)",
        "The platform's integrations: list, create, change and remove them, look up the types and their properties, map " +
        "resources, and start actions (test send, backfill, verify) that answer 202 with a location to poll. Integration ids " +
        "start with `int_`; secrets are never returned. Authenticate with an API key from Settings > API keys in the " +
        "`X-Api-Key` header; a read-only key may only GET.",
        "apiKey",
        new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Header,
            Name = ApiKeyDefaults.V2Header,
            Description = "An API key from Settings > API keys, sent in the `X-Api-Key` header.",
        });

    public static readonly IReadOnlyList<PublicApi> All = [V1, V2];

    /// <summary>Where the document is served; Scalar reads the same pattern.</summary>
    public const string RoutePattern = "/openapi/{documentName}.json";

    public bool Holds(string? relativePath) =>
        relativePath is not null && new PathString("/" + relativePath).StartsWithSegments(Prefix, StringComparison.OrdinalIgnoreCase);
}

public static class PublicApiDocuments
{
    /// <summary>The published APIs' documents; the portal's own cookie API under /api stays out of them.</summary>
    public static IServiceCollection AddPublicApiDocuments(this IServiceCollection services)
    {
        foreach (var api in PublicApi.All)
        {
            services.AddOpenApi(api.DocumentName, options =>
            {
                options.ShouldInclude = description => api.Holds(description.RelativePath);
                options.AddDocumentTransformer((document, _, _) => Describe(document, api));
                options.AddOperationTransformer((operation, context, _) => DescribeOperation(operation, context, api));
                if (api == PublicApi.V1)
                {
                    options.AddSchemaTransformer((schema, _, _) => SnakeCase(schema));
                }
            });
        }

        return services;
    }

    /// <summary>The documents at /openapi/v1.json and /openapi/v2.json, readable without signing in (they hold no data).</summary>
    public static IEndpointRouteBuilder MapPublicApiDocuments(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi(PublicApi.RoutePattern).AllowAnonymous();
        return endpoints;
    }

    private static Task Describe(OpenApiDocument document, PublicApi api)
    {
        document.Info = new OpenApiInfo { Title = api.Title, Version = api.DocumentName, Description = api.Description };
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[api.SchemeName] = api.Scheme;
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (name, schema) in ErrorSchemas(api))
        {
            document.Components.Schemas[name] = schema;
        }

        // Every operation of a published API needs a key: the requirement is set here, where the
        // document that the reference points into is at hand. Operations are grouped by the resource
        // after the prefix (integrations, routing-rules, operations), not by the assembly's name.
        document.Tags = new HashSet<OpenApiTag>();
        foreach (var (path, item) in document.Paths ?? [])
        {
            var resource = path[api.Prefix.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? api.DocumentName;
            document.Tags.Add(new OpenApiTag { Name = resource });
            foreach (var operation in (item.Operations ?? []).Values)
            {
                operation.Tags = new HashSet<OpenApiTagReference> { new(resource, document) };
                Secure(operation, document, api);
            }
        }

        return Task.CompletedTask;
    }

    private static void Secure(OpenApiOperation operation, OpenApiDocument document, PublicApi api)
    {
        operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(api.SchemeName, document)] = [] }];
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse bare || ErrorSchemaFor(api, status) is not { } errorSchema)
            {
                continue;
            }

            if (bare.Content is null or { Count: 0 })
            {
                bare.Content = Json(new OpenApiSchemaReference(errorSchema, document), ErrorExample(api, status));
            }
            else
            {
                // An endpoint's own error example (ApiExamples) came without a schema: the schemas live in the document.
                foreach (var media in bare.Content.Values.Where(m => m.Schema is null))
                {
                    media.Schema = new OpenApiSchemaReference(errorSchema, document);
                }
            }
        }
    }

    /// <summary>
    /// A summary where the endpoint gave none, the answers every keyed endpoint can give (401, 403, 429),
    /// 422 on writes, and, on /api/v1, the envelope with an example where the endpoint declared no body.
    /// </summary>
    private static Task DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, PublicApi api)
    {
        var method = context.Description.HttpMethod ?? "GET";
        operation.Summary ??= $"{method} /{context.Description.RelativePath}";
        operation.Responses ??= [];
        if (api == PublicApi.V1)
        {
            foreach (var (status, response) in operation.Responses)
            {
                if (status.StartsWith('2') && response is OpenApiResponse { Content: null or { Count: 0 } } bare && status != "204")
                {
                    bare.Content = Json(V1EnvelopeSchema(), V1EnvelopeExample(method, context.Description.RelativePath ?? ""));
                }
            }
        }

        Add(operation.Responses, "401", "The API key is missing, unknown, revoked or expired.");
        Add(operation.Responses, "403", "The key's scopes do not allow this (a read-only key on a write), or its organization may not.");
        Add(operation.Responses, "429", "Too many requests with this key; retry after the number of seconds in `Retry-After`.");
        if (ApiKeysExtensions.IsWrite(method))
        {
            Add(operation.Responses, "422", api == PublicApi.V1
                ? "The given data was invalid: `errors` lists the messages for each field."
                : "The request has invalid fields: `errors` lists the messages for each field.");
        }

        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<ApiExamples>().FirstOrDefault() is { } examples)
        {
            UseExamples(operation, examples, api);
        }

        return Task.CompletedTask;

        static void Add(OpenApiResponses responses, string status, string description) =>
            responses.TryAdd(status, new OpenApiResponse { Description = description });
    }

    /// <summary>
    /// Puts an endpoint's own examples in place of the generic ones: on its request body, and on each
    /// answer it names (added when the endpoint did not declare it). Error answers get their schema
    /// when the document is described (<see cref="Secure"/>).
    /// </summary>
    private static void UseExamples(OpenApiOperation operation, ApiExamples examples, PublicApi api)
    {
        if (examples.Request is { } request)
        {
            foreach (var media in operation.RequestBody?.Content?.Values ?? [])
            {
                media.Example = request.DeepClone();
            }
        }

        operation.Responses ??= [];
        foreach (var (status, example) in examples.Responses)
        {
            if (!operation.Responses.TryGetValue(status, out var declared))
            {
                declared = new OpenApiResponse { Description = ReasonPhrases.GetReasonPhrase(int.Parse(status, CultureInfo.InvariantCulture)) };
                operation.Responses[status] = declared;
            }

            if (declared is not OpenApiResponse response)
            {
                continue;
            }

            if (response.Content is { Count: > 0 } content)
            {
                foreach (var media in content.Values)
                {
                    media.Example = example.DeepClone();
                }
            }
            else
            {
                var schema = status.StartsWith('2') && api == PublicApi.V1 ? V1EnvelopeSchema() : null;
                response.Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema, Example = example.DeepClone() } };
            }
        }
    }

    /// <summary>/api/v1 speaks snake_case (V1Envelope.Json), whatever the portal's own /api uses.</summary>
    private static Task SnakeCase(OpenApiSchema schema)
    {
        if (schema.Properties is { Count: > 0 } properties)
        {
            schema.Properties = properties.ToDictionary(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Key), p => p.Value);
        }

        if (schema.Required is { Count: > 0 } required)
        {
            schema.Required = new HashSet<string>(required.Select(JsonNamingPolicy.SnakeCaseLower.ConvertName));
        }

        return Task.CompletedTask;
    }

    private static Dictionary<string, OpenApiMediaType> Json(IOpenApiSchema schema, JsonNode example) =>
        new() { ["application/json"] = new OpenApiMediaType { Schema = schema, Example = example } };

    private const string V1ErrorSchema = "V1ValidationError";
    private const string ProblemSchema = "Problem";

    private static IEnumerable<(string Name, OpenApiSchema Schema)> ErrorSchemas(PublicApi api)
    {
        yield return (ProblemSchema, new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "An RFC 9457 problem: what went wrong, for a person to read.",
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["type"] = Text(), ["title"] = Text(), ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
                ["detail"] = Text(), ["errors"] = FieldErrors(),
            },
        });
        if (api == PublicApi.V1)
        {
            yield return (V1ErrorSchema, new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "The published /api/v1 validation error.",
                Required = new HashSet<string> { "success", "message", "errors" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["success"] = new OpenApiSchema { Type = JsonSchemaType.Boolean }, ["message"] = Text(), ["errors"] = FieldErrors(),
                },
            });
        }
    }

    private static string? ErrorSchemaFor(PublicApi api, string status) => status switch
    {
        "422" => api == PublicApi.V1 ? V1ErrorSchema : ProblemSchema,
        "400" or "403" or "404" or "409" or "429" => ProblemSchema,
        _ => null,
    };

    private static JsonNode ErrorExample(PublicApi api, string status) => status switch
    {
        "422" when api == PublicApi.V1 => JsonNode.Parse("""
            {"success": false, "message": "The given data was invalid.",
             "errors": {"provider": ["An integration for this provider already exists."]}}
            """)!,
        "422" => JsonNode.Parse("""
            {"type": "https://tools.ietf.org/html/rfc4918#section-11.2", "title": "The request has invalid fields.", "status": 422,
             "errors": {"name": ["Give the integration a name of 1 to 100 characters."]}}
            """)!,
        "403" => JsonNode.Parse("""{"title": "Forbidden", "status": 403, "detail": "This API key may only read."}""")!,
        "429" => JsonNode.Parse("""{"title": "Too many requests", "status": 429, "detail": "Retry after 60 seconds."}""")!,
        _ => JsonNode.Parse($$"""{"status": {{status}}, "title": "The request was refused."}""")!,
    };

    private static OpenApiSchema V1EnvelopeSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "The /api/v1 envelope around every answer.",
        Required = new HashSet<string> { "success", "message", "data" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["success"] = new OpenApiSchema { Type = JsonSchemaType.Boolean },
            ["message"] = Text(),
            ["data"] = new OpenApiSchema { Description = "The resource, or a list of them." },
            ["meta"] = new OpenApiSchema { Type = JsonSchemaType.Object | JsonSchemaType.Null, Description = "Paging: current_page, per_page, total, last_page." },
            ["links"] = new OpenApiSchema { Type = JsonSchemaType.Object | JsonSchemaType.Null, Description = "On lists: first, last, prev, next." },
        },
    };

    /// <summary>The envelope as a list or a single resource answers it.</summary>
    internal static JsonNode V1EnvelopeExample(string method, string relativePath)
    {
        var isList = HttpMethods.IsGet(method) && !relativePath.EndsWith('}');
        return isList
            ? JsonNode.Parse("""
                {"success": true, "message": "Integrations retrieved successfully.",
                 "data": [{"id": "01JDQ5M4W6Y2T8V0B1C3D5E7F9", "provider": "stripe", "status": "active",
                           "credentials": {"secret_key": null, "publishable_key": "pk_test_51H..."}}],
                 "meta": {"current_page": 1, "per_page": 25, "total": 1, "last_page": 1},
                 "links": {"first": "/api/v1/integrations?page=1", "last": "/api/v1/integrations?page=1", "prev": null, "next": null}}
                """)!
            : JsonNode.Parse("""
                {"success": true, "message": "Integration created successfully.",
                 "data": {"id": "01JDQ5M4W6Y2T8V0B1C3D5E7F9", "provider": "stripe", "status": "pending_verify",
                          "credentials": {"secret_key": null, "publishable_key": "pk_test_51H..."}},
                 "meta": null}
                """)!;
    }

    private static OpenApiSchema Text() => new() { Type = JsonSchemaType.String };

    private static OpenApiSchema FieldErrors() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "Messages by field name.",
        AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = Text() },
    };
}
