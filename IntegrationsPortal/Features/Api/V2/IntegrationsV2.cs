using Microsoft.AspNetCore.Mvc;
using System.Text.Json;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Delivery;
using IntegrationsPortal.Features.Ingestion;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Infrastructure.Data;

namespace IntegrationsPortal.Features.Api.V2;

/// <summary>
/// /v2/integrations, the platform's integrations API: the published table over the same services
/// as the pages. Ids are the stored <c>int_</c> ids; enum values are published in upper case
/// (EGRESS, WEBHOOK, PENDING_VERIFY); secrets only ever appear as "set" or not; actions answer
/// 202 with a Location to poll.
/// </summary>
public static class IntegrationsV2
{
    public sealed class WriteBody
    {
        public string? Name { get; set; }

        public string? Type { get; set; }

        public Dictionary<string, string?> Properties { get; set; } = [];

        public Dictionary<string, string> Metadata { get; set; } = [];
    }

    public sealed class MappingBody
    {
        public string? IntegrationId { get; set; }

        public string ExternalId { get; set; } = "";

        public string ResourcePath { get; set; } = "";
    }

    public sealed class TestSendBody
    {
        public string Payload { get; set; } = """{"test":true}""";
    }

    public sealed class BackfillBody
    {
        public DateTimeOffset From { get; set; }

        public DateTimeOffset To { get; set; }

        public List<string>? ResourcePaths { get; set; }
    }

    public sealed record Summary(
        string Id, string Name, string Type, string Direction, string Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record Detail(
        string Id, string Name, string Type, string Direction, string Status,
        IReadOnlyDictionary<string, string> Properties, IReadOnlyDictionary<string, bool> SecretsSet, IReadOnlyDictionary<string, string> Metadata,
        DateTimeOffset? VerifiedAt, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int Limit, int Offset);

    public sealed record PropertyConfig(
        string Name, string Label, string Type, bool Required, bool Sensitive, bool Editable, IReadOnlyList<string> Options,
        string? Default, double? Min, double? Max, string? Help, object? VisibleWhen);

    public sealed record Mapping(string Id, string IntegrationId, string ExternalId, string? ResourcePath, string? ResourceName, DateTimeOffset CreatedAt);

    public sealed record ActionState(string Id, string Action, string Status, string? Error, object Progress);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The published spelling of an enum value or type key: PENDING_VERIFY, EGRESS, WEBHOOK.</summary>
    public static string Published(string value) => JsonNamingPolicy.SnakeCaseUpper.ConvertName(value).Replace('-', '_');

    public static RouteGroupBuilder MapIntegrationsV2(this RouteGroupBuilder v2)
    {
        var integrations = v2.MapGroup("/integrations");
        integrations.MapGet("/", ListAsync);
        integrations.MapPost("/", async (HttpRequest request, IntegrationService service, IntegrationQueries queries, PlatformIds ids, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<WriteBody>(request, Json, ct);
            var type = TypeOf(body.Type);
            var key = await ApiFields.RenamedAsync(() => service.CreateAsync(new CreateIntegrationInput
            {
                TypeKey = type.Key,
                Name = body.Name ?? "",
                Properties = body.Properties,
                Metadata = body.Metadata,
            }, ct), Field);
            var detail = ToDetail(await ids.PlatformIdAsync(key, ct), await queries.GetAsync(key, ct));
            return TypedResults.Created($"/v2/integrations/{detail.Id}", detail);
        }).Accepts<WriteBody>("application/json");
        integrations.MapGet("/mapping", () => Enum.GetValues<IntegrationDirection>().ToDictionary(
            d => Published(d.ToString()),
            d => CatalogData.Types.Where(t => t.Direction == d).Select(t => Published(t.Key)).ToList()));
        integrations.MapGet("/properties", (string? type) => TypeOf(type).Properties.Select(p => new PropertyConfig(
            p.Name, p.Label, Published(p.Type.ToString()), p.Required, p.Sensitive, p.Editable, p.Options, p.Sensitive ? null : p.Default,
            p.Min, p.Max, p.Help, p.VisibleWhen is { } when ? new { property = when.Property, values = when.Values } : null)).ToList());
        integrations.MapGet("/validate-path", async (string? path, string? type, ResourcePathService paths, CancellationToken ct) =>
        {
            var check = await paths.ValidateAsync(path, type is null ? null : TypeOf(type).Mapping?.Allowed ?? ResourceFilter.Any, ct);
            return new { valid = check.IsValid, problem = Published(check.Problem.ToString()), message = check.Message, resource = check.Resource };
        });
        integrations.MapGet("/resources", (string? path, ResourcePathService paths, CancellationToken ct) => paths.BrowseAsync(path, null, ct));
        integrations.MapPost("/resource-mappings", async (HttpRequest request, ResourceMappingService mappings, PlatformIds ids, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<MappingBody>(request, Json, ct);
            if (string.IsNullOrWhiteSpace(body.IntegrationId))
            {
                throw PortalException.Invalid("IntegrationId", "Name the integration (int_...) the mapping belongs to.");
            }

            var key = await ids.KeyAsync(body.IntegrationId, ct);
            var created = await mappings.CreateAsync(key, new MappingInput { ExternalId = body.ExternalId, ResourcePath = body.ResourcePath }, ct);
            return TypedResults.Created($"/v2/integrations/{body.IntegrationId}/resource-mappings", ToMapping(body.IntegrationId, created));
        }).Accepts<MappingBody>("application/json");

        var one = integrations.MapGroup("/{integrationId}");
        one.MapGet("/", async (string integrationId, IntegrationQueries queries, PlatformIds ids, CancellationToken ct) =>
            ToDetail(integrationId, await queries.GetAsync(await ids.KeyAsync(integrationId, ct), ct)));
        one.MapPut("/", async (string integrationId, HttpRequest request, IntegrationService service, IntegrationQueries queries, PlatformIds ids, CancellationToken ct) =>
        {
            var key = await ids.KeyAsync(integrationId, ct);
            var body = await JsonBody.ReadAsync<WriteBody>(request, Json, ct);
            await ApiFields.RenamedAsync(() => service.UpdateAsync(key, new UpdateIntegrationInput
            {
                Name = body.Name ?? "",
                Properties = body.Properties,
                Metadata = body.Metadata,
            }, ct), Field);
            return ToDetail(integrationId, await queries.GetAsync(key, ct));
        }).Accepts<WriteBody>("application/json");
        one.MapDelete("/", async (string integrationId, IntegrationService service, PlatformIds ids, CancellationToken ct) =>
        {
            await service.DeleteAsync(await ids.KeyAsync(integrationId, ct), ct);
            return TypedResults.NoContent();
        });
        one.MapGet("/resource-mappings", async (string integrationId, ResourceMappingService mappings, PlatformIds ids, CancellationToken ct,
            string? search, int limit = 20, int offset = 0) =>
        {
            var page = await mappings.ListAsync(await ids.KeyAsync(integrationId, ct), search, offset, limit, ct);
            return new Page<Mapping>([.. page.Items.Select(m => ToMapping(integrationId, m))], page.Total, limit, offset);
        });
        MapActions(one.MapGroup("/actions"));
        return v2;
    }

    /// <summary>Test send, backfill and verify: each starts work and answers 202 with where to follow it.</summary>
    private static void MapActions(RouteGroupBuilder actions)
    {
        actions.MapPost("/verify", async (string integrationId, IntegrationService service, PlatformIds ids, CancellationToken ct) =>
        {
            await service.VerifyNowAsync(await ids.KeyAsync(integrationId, ct), ct);
            // The integration's status is the verification's state: PENDING_VERIFY, then ACTIVE or ERROR.
            return TypedResults.Accepted($"/v2/integrations/{integrationId}", new { status = Published(nameof(IntegrationStatus.PendingVerify)) });
        });
        actions.MapPost("/test-send", async (string integrationId, HttpRequest request, DeliveryService deliveries, PlatformIds ids, CancellationToken ct,
            [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey) =>
        {
            var body = await JsonBody.ReadAsync<TestSendBody>(request, Json, ct);
            // A program retrying after a lost answer sends the same key and gets the same action, queued once.
            var accepted = await deliveries.SendTestAsync(await ids.KeyAsync(integrationId, ct), body.Payload, idempotencyKey, ct);
            var state = new ActionState(accepted.MessageId.ToString("N"), "TEST_SEND", Published(nameof(DeliveryStatus.Pending)), null, new { attempts = 0 });
            return TypedResults.Accepted($"/v2/integrations/{integrationId}/actions/test-send/{state.Id}", state);
        }).Accepts<TestSendBody>("application/json");
        actions.MapGet("/test-send/{actionId}", async (string integrationId, string actionId, DeliveryService deliveries, PlatformIds ids, CancellationToken ct) =>
        {
            var key = await ids.KeyAsync(integrationId, ct);
            var message = Guid.TryParseExact(actionId, "N", out var messageId) ? (await deliveries.GetAsync(messageId, ct)).Message : null;
            return message is null || message.IntegrationId != key
                ? throw PortalException.NotFound("The test send")
                : new ActionState(actionId, "TEST_SEND", Published(message.Status.ToString()), message.LastError, new { attempts = message.Attempts, deliveredAt = message.DeliveredAt });
        });
        actions.MapPost("/backfill", async (string integrationId, HttpRequest request, IngestionService ingestion, PlatformIds ids, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<BackfillBody>(request, Json, ct);
            var runId = await ingestion.StartBackfillAsync(await ids.KeyAsync(integrationId, ct), new BackfillInput(body.From, body.To, body.ResourcePaths), ct);
            var state = new ActionState(runId.ToString("N"), "BACKFILL", Published(nameof(IngestionRunStatus.Queued)), null, new { windowsDone = 0 });
            return TypedResults.Accepted($"/v2/integrations/{integrationId}/actions/backfill/{state.Id}", state);
        }).Accepts<BackfillBody>("application/json");
        actions.MapGet("/backfill/{actionId}", async (string integrationId, string actionId, IngestionService ingestion, PlatformIds ids, CancellationToken ct) =>
        {
            var runs = await ingestion.ListRunsAsync(await ids.KeyAsync(integrationId, ct), ct: ct);
            var run = runs.FirstOrDefault(r => r.Id.ToString("N") == actionId) ?? throw PortalException.NotFound("The backfill");
            return new ActionState(actionId, "BACKFILL", Published(run.Status.ToString()), run.Error,
                new { windowsDone = run.WindowsDone, windowsTotal = run.WindowsTotal, readingsWritten = run.ReadingsWritten });
        });
    }

    private static async Task<Page<Summary>> ListAsync(
        IntegrationQueries queries, PlatformIds ids, string? type, string? status, string? direction, string? search,
        int limit = 50, int offset = 0, CancellationToken ct = default)
    {
        var page = await queries.ListAsync(new IntegrationQuery
        {
            Search = search,
            TypeKey = type is null ? null : TypeOf(type).Key,
            Status = status is null ? null : Parse<IntegrationStatus>(status, "status"),
            Direction = direction is null ? null : Parse<IntegrationDirection>(direction, "direction"),
            Skip = offset,
            Take = Math.Clamp(limit, 1, 200),
        }, ct);
        var platformIds = await ids.PlatformIdsAsync(page.Items.Select(i => i.Id), ct);
        return new Page<Summary>(
            [.. page.Items.Select(i => new Summary(platformIds[i.Id], i.Name, Published(i.TypeKey), Published(i.Direction.ToString()), Published(i.Status.ToString()), i.CreatedAt, i.UpdatedAt))],
            page.Total, Math.Clamp(limit, 1, 200), offset);
    }

    private static T Parse<T>(string value, string field)
        where T : struct, Enum =>
        Enum.GetValues<T>().Where(v => Published(v.ToString()) == value).Cast<T?>().FirstOrDefault()
            ?? throw PortalException.Invalid(field, $"Use one of {string.Join(", ", Enum.GetValues<T>().Select(v => Published(v.ToString())))}.");

    /// <summary>A published type key (WEBHOOK) as the catalog's type, or a field error on <c>type</c>.</summary>
    private static IntegrationType TypeOf(string? type) =>
        CatalogData.Types.FirstOrDefault(t => Published(t.Key) == type)
        ?? throw PortalException.Invalid("type", string.IsNullOrWhiteSpace(type)
            ? "Name the integration type, e.g. WEBHOOK."
            : $"Unknown integration type; GET /v2/integrations/mapping lists them.");

    /// <summary>The service's field names as /v2 publishes them: the type key is <c>type</c>, properties are <c>properties.x</c>.</summary>
    private static string Field(string name) => name switch
    {
        "" or nameof(CreateIntegrationInput.Name) or nameof(CreateIntegrationInput.Metadata) => name,
        nameof(CreateIntegrationInput.TypeKey) => "Type",
        _ => "properties." + name,
    };

    private static Detail ToDetail(string platformId, IntegrationDetail detail) => new(
        platformId, detail.Name, Published(detail.Type.Key), Published(detail.Type.Direction.ToString()), Published(detail.Status.ToString()),
        detail.Properties, detail.SecretsSet, detail.Metadata, detail.VerifiedAt, detail.LastError, detail.CreatedAt, detail.UpdatedAt);

    private static Mapping ToMapping(string platformId, ResourceMappingSummary mapping) =>
        new(mapping.Id.ToString("N"), platformId, mapping.ExternalId, mapping.Resource?.Path, mapping.Resource?.Name, mapping.CreatedAt);
}

/// <summary>/v2's <c>int_</c> ids and the database keys the services take, within the caller's organization.</summary>
public sealed class PlatformIds(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>The key of this organization's live integration <paramref name="platformId"/>, or a 404.</summary>
    public async Task<Guid> KeyAsync(string platformId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<Integration>().Where(i => i.PlatformId == platformId).Select(i => (Guid?)i.Id).SingleOrDefaultAsync(ct)
            ?? throw PortalException.NotFound("The integration");
    }

    public async Task<string> PlatformIdAsync(Guid key, CancellationToken ct) => (await PlatformIdsAsync([key], ct))[key];

    public async Task<Dictionary<Guid, string>> PlatformIdsAsync(IEnumerable<Guid> keys, CancellationToken ct)
    {
        var wanted = keys.ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Set<Integration>().Where(i => wanted.Contains(i.Id)).ToDictionaryAsync(i => i.Id, i => i.PlatformId, ct);
    }
}
