using IntegrationsPortal.Features.Accounts;

namespace IntegrationsPortal.Features.Resources;

public static class ResourcesEndpoints
{
    public static RouteGroupBuilder MapResourcesApi(this RouteGroupBuilder api)
    {
        var places = api.MapGroup("/places");
        places.MapGet("/", (PlaceService service, CancellationToken ct) => service.GetTreeAsync(ct));
        places.MapGet("/{id:guid}", (Guid id, PlaceService service, CancellationToken ct) => service.GetPlaceAsync(id, ct));
        places.MapGet("/{id:guid}/devices", (Guid id, DeviceService service, CancellationToken ct) => service.ListDevicesAsync(id, ct));
        places.MapPost("/", async (PlaceInput input, PlaceService service, CancellationToken ct) =>
        {
            var id = await service.CreatePlaceAsync(input, ct);
            return TypedResults.Created($"/api/places/{id}", new { id });
        }).RequireAuthorization(PortalPolicies.CanOperate);
        places.MapPut("/{id:guid}", async (Guid id, PlaceInput input, PlaceService service, CancellationToken ct) =>
        {
            await service.UpdatePlaceAsync(id, input, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(PortalPolicies.CanOperate);
        places.MapPost("/{id:guid}/move", async (Guid id, MoveInput input, PlaceService service, CancellationToken ct) =>
        {
            await service.MovePlaceAsync(id, input.ParentId, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(PortalPolicies.CanOperate);
        places.MapDelete("/{id:guid}", async (Guid id, PlaceService service, CancellationToken ct, bool cascade = false) =>
        {
            await service.DeletePlaceAsync(id, cascade, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(PortalPolicies.CanOperate);
        places.MapPost("/{id:guid}/devices/import", async (Guid id, CsvInput input, DeviceCsvImport import, CancellationToken ct, bool preview = false) =>
            preview
                ? Results.Ok(await import.PreviewAsync(id, input.Csv, ct))
                : Results.Ok(new { imported = await import.ImportAsync(id, input.Csv, ct) }))
            .RequireAuthorization(PortalPolicies.CanOperate);

        var devices = api.MapGroup("/devices");
        devices.MapGet("/{id:guid}", (Guid id, DeviceService service, CancellationToken ct) => service.GetDeviceAsync(id, ct));
        devices.MapPost("/", async (DeviceInput input, DeviceService service, CancellationToken ct) =>
        {
            var id = await service.CreateDeviceAsync(input, ct);
            return TypedResults.Created($"/api/devices/{id}", new { id });
        }).RequireAuthorization(PortalPolicies.CanOperate);
        devices.MapPut("/{id:guid}", async (Guid id, DeviceInput input, DeviceService service, CancellationToken ct) =>
        {
            await service.UpdateDeviceAsync(id, input, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(PortalPolicies.CanOperate);
        devices.MapDelete("/{id:guid}", async (Guid id, DeviceService service, CancellationToken ct) =>
        {
            await service.DeleteDeviceAsync(id, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(PortalPolicies.CanOperate);
        api.MapGet("/device-types", (DeviceService service, CancellationToken ct) => service.ListDeviceTypesAsync(ct));
        api.MapPost("/device-types", async (DeviceTypeInput input, DeviceService service, CancellationToken ct) =>
        {
            var id = await service.AddDeviceTypeAsync(input, ct);
            return TypedResults.Created($"/api/device-types/{id}", new { id });
        }).RequireAuthorization(PortalPolicies.CanAdminister);

        var resources = api.MapGroup("/resources");
        resources.MapGet("/validate", (string path, ResourcePathService service, CancellationToken ct) => service.ValidateAsync(path, null, ct));
        resources.MapGet("/search", (string q, ResourcePathService service, CancellationToken ct) => service.SearchAsync(q, null, 50, ct));
        resources.MapGet("/children", (ResourcePathService service, CancellationToken ct, string? path = null) => service.BrowseAsync(path, null, ct));

        var mappings = api.MapGroup("/integrations/{integrationId:guid}/mappings");
        mappings.MapGet("/", (Guid integrationId, ResourceMappingService service, CancellationToken ct, string? search = null, int skip = 0, int take = 50) =>
            service.ListAsync(integrationId, search, skip, take, ct));
        mappings.MapGet("/resource", async (Guid integrationId, string externalId, ResourceMappingService service, CancellationToken ct) =>
            await service.FindResourceAsync(integrationId, externalId, ct) is { } resource ? Results.Ok(resource) : Results.NotFound());
        mappings.MapGet("/external-ids", (Guid integrationId, string path, ResourceMappingService service, CancellationToken ct) =>
            service.FindExternalIdsAsync(integrationId, path, ct));
        mappings.MapGet("/export", async (Guid integrationId, ResourceMappingService service, CancellationToken ct) =>
            Results.File(System.Text.Encoding.UTF8.GetBytes(await service.ExportCsvAsync(integrationId, ct)), "text/csv", "mappings.csv"));
        mappings.MapPost("/", async (Guid integrationId, MappingInput input, ResourceMappingService service, CancellationToken ct) =>
        {
            var mapping = await service.CreateAsync(integrationId, input, ct);
            return TypedResults.Created($"/api/integrations/{integrationId}/mappings/{mapping.Id}", mapping);
        }).RequireAuthorization(PortalPolicies.CanOperate);
        mappings.MapPut("/{id:guid}", async (Guid integrationId, Guid id, MappingInput input, ResourceMappingService service, CancellationToken ct) =>
        {
            await service.UpdateAsync(integrationId, id, input, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(PortalPolicies.CanOperate);
        mappings.MapDelete("/{id:guid}", async (Guid integrationId, Guid id, ResourceMappingService service, CancellationToken ct) =>
        {
            await service.DeleteAsync(integrationId, id, ct);
            return TypedResults.NoContent();
        }).RequireAuthorization(PortalPolicies.CanOperate);
        mappings.MapPost("/import", async (Guid integrationId, CsvInput input, ResourceMappingService service, CancellationToken ct, bool preview = false) =>
            preview
                ? Results.Ok(await service.PreviewImportAsync(integrationId, input.Csv, ct))
                : Results.Ok(new { imported = await service.ImportCsvAsync(integrationId, input.Csv, ct) }))
            .RequireAuthorization(PortalPolicies.CanOperate);
        return api;
    }

    public sealed record MoveInput(Guid? ParentId);

    public sealed record CsvInput(string Csv);
}
