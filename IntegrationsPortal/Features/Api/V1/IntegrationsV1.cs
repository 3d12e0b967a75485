using IntegrationsPortal.Features.Accounts;
using Microsoft.AspNetCore.Mvc;
using IntegrationsPortal.Features.Catalog;
using IntegrationsPortal.Features.Integrations;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;

namespace IntegrationsPortal.Features.Api.V1;

/// <summary>
/// /api/v1/integrations: a tenant's provider integrations (the types <see cref="ProvidersV1"/> lists)
/// in the published shape. Every change goes through <see cref="IntegrationService"/>, so the rules
/// are the pages' rules (schema, lifecycle, vault, verification); this file only translates.
/// </summary>
public static class IntegrationsV1
{
    public const int DefaultPerPage = 25;
    public const int MaxPerPage = 100;

    public sealed class CreateBody
    {
        public string? Provider { get; set; }

        public string? Name { get; set; }

        public Dictionary<string, string?> Credentials { get; set; } = [];

        public Dictionary<string, string> Metadata { get; set; } = [];

        /// <summary>Left out: every capability the provider offers.</summary>
        public List<string>? EnabledCapabilities { get; set; }
    }

    /// <summary>PATCH: a field left out stays as it is; a credential or metadata entry sent as null is removed.</summary>
    public sealed class PatchBody
    {
        public string? Name { get; set; }

        public Dictionary<string, string?>? Credentials { get; set; }

        public Dictionary<string, string?>? Metadata { get; set; }

        public List<string>? EnabledCapabilities { get; set; }
    }

    /// <summary>One integration as /api/v1 shows it: sensitive credentials always null, the rest in clear.</summary>
    public sealed record Resource(
        string Id, string Provider, string Name, string Category, string Status, IReadOnlyList<string> EnabledCapabilities,
        IReadOnlyDictionary<string, string?> Credentials, IReadOnlyDictionary<string, string> Metadata,
        DateTimeOffset? VerifiedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    public sealed record PageMeta(int CurrentPage, int PerPage, int Total, int LastPage);

    public sealed record PageLinks(string First, string Last, string? Prev, string? Next);

    /// <summary>The metadata key the published troubleshooting guide tells programs to read.</summary>
    public const string VerificationErrorKey = "verification_error";

    public static RouteGroupBuilder MapIntegrationsV1(this RouteGroupBuilder v1)
    {
        var integrations = v1.MapGroup("/integrations");
        integrations.MapGet("/", ListAsync);
        integrations.MapGet("/{id}", async (string id, CurrentUser user, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken ct) =>
            V1Envelope.Ok("Integration retrieved successfully.", await FindAsync(user, dbFactory, id, ct)));

        integrations.MapPost("/", async (HttpRequest request, IntegrationService service, CurrentUser user, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<CreateBody>(request, V1Envelope.Json, ct);
            var type = await PublishedTypeAsync(user, dbFactory, body.Provider, ct);
            var id = await WithV1FieldsAsync(() => service.CreateAsync(new CreateIntegrationInput
            {
                TypeKey = type.Key,
                Name = body.Name ?? type.DisplayName,
                Properties = body.Credentials,
                Metadata = body.Metadata,
                EnabledCapabilities = body.EnabledCapabilities,
            }, ct));
            var created = await GetAsync(user, dbFactory, i => i.Id == id, ct);
            return V1Envelope.Ok("Integration created successfully.", created, status: StatusCodes.Status201Created);
        }).Accepts<CreateBody>("application/json");

        integrations.MapPatch("/{id}", async (string id, HttpRequest request, IntegrationService service, CurrentUser user, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken ct) =>
        {
            var body = await JsonBody.ReadAsync<PatchBody>(request, V1Envelope.Json, ct);
            var current = await FindAsync(user, dbFactory, id, ct);
            var key = await KeyOfAsync(dbFactory, id, ct);
            var metadata = current.Metadata.Where(m => m.Key != VerificationErrorKey).ToDictionary(m => m.Key, m => m.Value);
            foreach (var (name, value) in body.Metadata ?? [])
            {
                if (value is null)
                {
                    metadata.Remove(name);
                }
                else
                {
                    metadata[name] = value;
                }
            }

            await WithV1FieldsAsync(async () =>
            {
                await service.UpdateAsync(key, new UpdateIntegrationInput
                {
                    Name = body.Name ?? current.Name, Properties = body.Credentials ?? [], Metadata = metadata, EnabledCapabilities = body.EnabledCapabilities,
                }, ct);
                return true;
            });
            return V1Envelope.Ok("Integration updated successfully.", await FindAsync(user, dbFactory, id, ct));
        }).Accepts<PatchBody>("application/json");

        integrations.MapDelete("/{id}", async (string id, IntegrationService service, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken ct) =>
        {
            await service.DeleteAsync(await KeyOfAsync(dbFactory, id, ct), ct);
            return V1Envelope.Ok("Integration deleted successfully.", null);
        });
        integrations.MapPost("/{id}/activate", async (string id, IntegrationService service, CurrentUser user, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken ct) =>
        {
            await service.ActivateAsync(await KeyOfAsync(dbFactory, id, ct), ct);
            return V1Envelope.Ok("Integration activated successfully.", await FindAsync(user, dbFactory, id, ct));
        });
        integrations.MapPost("/{id}/disable", async (string id, IntegrationService service, CurrentUser user, IDbContextFactory<PortalDbContext> dbFactory, CancellationToken ct) =>
        {
            await service.DisableAsync(await KeyOfAsync(dbFactory, id, ct), ct);
            return V1Envelope.Ok("Integration disabled successfully.", await FindAsync(user, dbFactory, id, ct));
        });
        return v1;
    }

    private static async Task<IResult> ListAsync(
        HttpRequest request, CurrentUser user, IDbContextFactory<PortalDbContext> dbFactory,
        string? page, [FromQuery(Name = "per_page")] string? perPageText, string? status, string? category, CancellationToken ct)
    {
        user.Demand(PortalPermission.View, "see integrations");
        var errors = new Dictionary<string, string[]>();
        var pageNumber = PositiveNumber(page, 1, int.MaxValue, "page", "The page must be a whole number of 1 or more.", errors);
        var perPage = PositiveNumber(perPageText, DefaultPerPage, MaxPerPage, "per_page", $"per_page must be a whole number from 1 to {MaxPerPage}.", errors);
        var statusFilter = Enum.GetValues<IntegrationStatus>().Cast<IntegrationStatus?>().FirstOrDefault(s => IntegrationLifecycle.Label(s!.Value) == status);
        if (status is not null && statusFilter is null)
        {
            errors["status"] = ["The status must be one of pending_verify, active, inactive, error."];
        }

        if (category is not null && !ProvidersV1.Categories.Contains(category))
        {
            errors["category"] = [$"The category must be one of {string.Join(", ", ProvidersV1.Categories)}."];
        }

        if (errors.Count > 0)
        {
            return V1Envelope.Invalid(errors);
        }

        var typeKeys = ProvidersV1.Published.Where(p => category is null || p.Category == category).Select(p => p.TypeKey).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Set<Integration>().AsNoTracking().Where(i => typeKeys.Contains(i.TypeKey));
        if (statusFilter is { } wanted)
        {
            query = query.Where(i => i.Status == wanted);
        }

        var total = await query.CountAsync(ct);
        // ULIDs sort by creation, so the API's order needs no second key.
        var rows = await query.OrderBy(i => i.ApiId).Skip((pageNumber - 1) * perPage).Take(perPage).ToListAsync(ct);
        var lastPage = Math.Max(1, (int)Math.Ceiling(total / (double)perPage));
        return V1Envelope.Ok(
            "Integrations retrieved successfully.",
            rows.Select(ToResource).ToList(),
            new PageMeta(pageNumber, perPage, total, lastPage),
            Links(request, pageNumber, lastPage));
    }

    /// <summary>Page links that keep the caller's filters and page size.</summary>
    internal static PageLinks Links(HttpRequest request, int page, int lastPage)
    {
        string At(int number)
        {
            var query = request.Query.Where(q => q.Key != "page").ToDictionary(q => q.Key, q => q.Value);
            query["page"] = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return request.PathBase + request.Path + QueryString.Create(query);
        }

        return new PageLinks(At(1), At(lastPage), page > 1 ? At(Math.Min(page - 1, lastPage)) : null, page < lastPage ? At(page + 1) : null);
    }

    internal static int PositiveNumber(string? text, int fallback, int max, string field, string message, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return fallback;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= 1 && value <= max)
        {
            return value;
        }

        errors[field] = [message];
        return fallback;
    }

    /// <summary>The provider named in a create, or a 422 on <c>provider</c>: unknown, not offered here, or already set up.</summary>
    private static async Task<IntegrationType> PublishedTypeAsync(CurrentUser user, IDbContextFactory<PortalDbContext> dbFactory, string? provider, CancellationToken ct)
    {
        user.Demand(PortalPermission.Operate, "add integrations");
        if (string.IsNullOrWhiteSpace(provider) || ProvidersV1.CategoryOf(provider) is null)
        {
            throw PortalException.Invalid("provider", string.IsNullOrWhiteSpace(provider)
                ? "The provider field is required."
                : $"The provider must be one of {string.Join(", ", ProvidersV1.Published.Select(p => p.TypeKey))}.");
        }

        // The published API keeps one integration per provider and tenant; PATCH changes it.
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await db.Set<Integration>().AnyAsync(i => i.TypeKey == provider, ct))
        {
            throw PortalException.Invalid("provider", "An integration for this provider already exists.");
        }

        return CatalogService.Get(provider);
    }

    /// <summary>The service's field names in /api/v1's words: properties are credentials, the type is the provider.</summary>
    private static async Task<T> WithV1FieldsAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await ApiFields.RenamedAsync(call, name => name switch
            {
                "" => "request",
                nameof(CreateIntegrationInput.TypeKey) => "provider",
                nameof(CreateIntegrationInput.Name) or nameof(CreateIntegrationInput.Metadata) => name.ToLowerInvariant(),
                Capabilities.EnabledField => "enabled_capabilities",
                _ => "credentials." + name,
            });
        }
        catch (PortalException e) when (e.Kind == PortalErrorKind.Conflict && e.Message.Contains("only one is allowed", StringComparison.Ordinal))
        {
            // Two creates racing for the same provider: the database's unique index decided.
            throw PortalException.Invalid("provider", "An integration for this provider already exists.");
        }
    }

    private static async Task<Guid> KeyOfAsync(IDbContextFactory<PortalDbContext> dbFactory, string id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var typeKeys = ProvidersV1.Published.Select(p => p.TypeKey).ToList();
        var key = await db.Set<Integration>().Where(i => i.ApiId == id && typeKeys.Contains(i.TypeKey)).Select(i => (Guid?)i.Id).SingleOrDefaultAsync(ct);
        return key ?? throw PortalException.NotFound("The integration");
    }

    private static Task<Resource> FindAsync(CurrentUser user, IDbContextFactory<PortalDbContext> dbFactory, string id, CancellationToken ct) =>
        GetAsync(user, dbFactory, i => i.ApiId == id, ct);

    private static async Task<Resource> GetAsync(
        CurrentUser user, IDbContextFactory<PortalDbContext> dbFactory, System.Linq.Expressions.Expression<Func<Integration, bool>> which, CancellationToken ct)
    {
        user.Demand(PortalPermission.View, "see integrations");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var typeKeys = ProvidersV1.Published.Select(p => p.TypeKey).ToList();
        var integration = await db.Set<Integration>().AsNoTracking().Where(which).Where(i => typeKeys.Contains(i.TypeKey)).SingleOrDefaultAsync(ct);
        return integration is null ? throw PortalException.NotFound("The integration") : ToResource(integration);
    }

    private static Resource ToResource(Integration integration)
    {
        var type = CatalogService.Get(integration.TypeKey);
        var metadata = new Dictionary<string, string>(integration.Metadata);
        if (integration is { Status: IntegrationStatus.Error, LastError: { } error })
        {
            metadata[VerificationErrorKey] = error;
        }

        return new Resource(
            integration.ApiId, type.Key, integration.Name, ProvidersV1.CategoryOf(type.Key)!, IntegrationLifecycle.Label(integration.Status),
            integration.EnabledCapabilities,
            type.Properties.Where(p => !p.SetByPortal).ToDictionary(p => p.Name, p => p.Sensitive ? null : integration.Properties.GetValueOrDefault(p.Name)),
            metadata, integration.VerifiedAt, integration.CreatedAt, integration.UpdatedAt);
    }
}
