namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// A row that says when it was made and last changed. <see cref="TimestampInterceptor"/> sets both on
/// insert and <see cref="UpdatedAt"/> on every update, from the injected <see cref="TimeProvider"/>, so
/// services do not set them by hand. Beside <see cref="ITenantOwned"/>: Infrastructure reads it and
/// uses no kernel type (docs/decisions/041).
/// </summary>
public interface IHasTimestamps
{
    DateTimeOffset CreatedAt { get; set; }

    DateTimeOffset UpdatedAt { get; set; }
}
