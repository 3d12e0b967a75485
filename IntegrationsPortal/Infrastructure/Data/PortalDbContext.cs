using System.Linq.Expressions;
using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Features.Resources;
using IntegrationsPortal.Features.Settings;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// The portal's one database. Every <see cref="ITenantOwned"/> entity is filtered by the current
/// user's organization, and new ones are stamped with it, so tenant isolation does not depend on
/// each query remembering a where clause. Create one per operation with
/// <see cref="IDbContextFactory{TContext}"/>; a circuit-long context would be shared across threads.
/// On PostgreSQL the factory makes the <see cref="PostgresPortalDbContext"/> subclass (its own migrations).
/// It also holds the Data Protection key ring, so every node signs and reads the same cookies (docs/decisions/046).
/// </summary>
public class PortalDbContext : IdentityDbContext<PortalUser>, IDataProtectionKeyContext
{
    public const string TenantFilterName = "Tenant";

    private readonly CurrentUser _currentUser;

    public PortalDbContext(DbContextOptions<PortalDbContext> options, CurrentUser currentUser)
        : base(options)
    {
        _currentUser = currentUser;
        // The event comes before any save, synchronous or not, and before the interceptors: the audit
        // writer chains entries per organization, so they carry theirs by then.
        SavingChanges += StampTenant;
    }

    // Read by the query filters; EF Core evaluates it per query on this instance.
    private Guid? CurrentOrganizationId => _currentUser.OrganizationId;

    /// <summary>The current organization, for queries on tables outside the tenant filter (organizations).</summary>
    public Guid CurrentOrganizationIdForQueries => _currentUser.OrganizationId ?? Guid.Empty;

    public DbSet<Organization> Organizations => Set<Organization>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<Membership> Memberships => Set<Membership>();

    public DbSet<Features.Accounts.Invitations.Invitation> Invitations => Set<Features.Accounts.Invitations.Invitation>();

    public DbSet<Place> Places => Set<Place>();

    public DbSet<DeviceType> DeviceTypes => Set<DeviceType>();

    public DbSet<Device> Devices => Set<Device>();

    public DbSet<ResourceMapping> ResourceMappings => Set<ResourceMapping>();

    /// <summary>The Data Protection keys, each encrypted with the vault's key (<see cref="Crypto.VaultXmlEncryptor"/>).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly);

        foreach (var entity in builder.Model.GetEntityTypes()
                     .Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType) && e.BaseType is null))
        {
            // Named, so a feature can add its own filter (soft delete) beside it.
            builder.Entity(entity.ClrType).HasQueryFilter(TenantFilterName, TenantFilter(entity.ClrType));
            builder.Entity(entity.ClrType).HasIndex(nameof(ITenantOwned.OrganizationId));
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset stored as text; store it as a sortable integer.
        // PostgreSQL keeps the same integer (docs/decisions/036): timestamptz would round to microseconds,
        // and the audit chain hashes the exact ticks it wrote and reads back.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }

    /// <summary>
    /// A save that adds audit entries runs in a transaction, its own when the caller has none: the audit
    /// writer (an interceptor registered by the Audit feature, docs/decisions/044) locks the chain head in
    /// <c>SavingChangesAsync</c> and the head, the entries and the change they describe commit together.
    /// The transaction is owned here, not by the interceptor, because EF Core tells a
    /// <c>SaveChangesInterceptor</c> of neither a failure in <c>SavingChangesAsync</c> nor a
    /// <see cref="DbUpdateConcurrencyException"/> (efcore#32750): an interceptor's transaction would stay
    /// open on the context after those, and a later save on it would never commit. The synchronous
    /// <c>SaveChanges</c> is not overridden: the audit writer refuses new entries there.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        if (Database.CurrentTransaction is not null || !ChangeTracker.Entries<AuditEntry>().Any(e => e.State == EntityState.Added))
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }

        await using var transaction = await Database.BeginTransactionAsync(cancellationToken);
        var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return saved;
    }

    /// <summary>New rows get the current organization; a row of another organization is never written.</summary>
    private void StampTenant(object? sender, SavingChangesEventArgs e)
    {
        if (_currentUser.IsPlatform)
        {
            return;
        }

        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State == EntityState.Added && entry.Entity.OrganizationId == Guid.Empty)
            {
                entry.Entity.OrganizationId = _currentUser.RequireOrganization();
            }
            else if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted
                     && entry.Entity.OrganizationId != _currentUser.OrganizationId)
            {
                throw PortalException.Forbidden("change another organization's data");
            }
        }
    }

    private LambdaExpression TenantFilter(Type entityType)
    {
        // e => e.OrganizationId == this.CurrentOrganizationId
        var entity = Expression.Parameter(entityType, "e");
        var organizationId = Expression.Convert(
            Expression.Property(entity, nameof(ITenantOwned.OrganizationId)), typeof(Guid?));
        // Typed as PortalDbContext: the property is private, so a subclass's type would not find it.
        var current = Expression.Property(Expression.Constant(this, typeof(PortalDbContext)), nameof(CurrentOrganizationId));
        return Expression.Lambda(Expression.Equal(organizationId, current), entity);
    }
}
