using IntegrationsPortal.Features.Accounts;
using IntegrationsPortal.Infrastructure;
using IntegrationsPortal.Infrastructure.Data;
using IntegrationsPortal.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace IntegrationsPortal.Tests.Infrastructure;

/// <summary>
/// Both databases refuse a text longer than its column and keep one that fits (<see cref="ColumnLengthCheck"/>):
/// PostgreSQL by itself, SQLite through the check, so a too-long value fails the SQLite tests too instead of
/// only a PostgreSQL installation.
/// </summary>
public class ColumnLengthCheckTests : PortalServicesTest
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string TooLong = "Name-" + new string('n', Limits.OrganizationName);

    [Fact]
    public async Task Saving_ATextLongerThanItsColumn_IsRefused_NamingTheColumn_NotTheValue_AndNothingChanges()
    {
        await using (var db = await ContextAsync())
        {
            var organization = await db.Organizations.SingleAsync(o => o.Id == Acme.OrganizationId, Ct);
            organization.Name = TooLong;
            var error = await Assert.ThrowsAnyAsync<Exception>(() => db.SaveChangesAsync(Ct));
            if (db.IsSqlite())
            {
                Assert.Equal($"Organizations.Name holds at most {Limits.OrganizationName} characters; the value written has {TooLong.Length}.", error.Message);
            }

            Assert.DoesNotContain(TooLong, error.ToString(), StringComparison.Ordinal);
        }

        Assert.NotEqual(TooLong, await NameAsync(Acme.OrganizationId));
    }

    [Fact]
    public async Task Writing_ATextLongerThanItsColumn_InPreparedRows_IsRefused_AndNoRowIsWritten()
    {
        var id = Guid.CreateVersion7();
        await using (var db = await ContextAsync())
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => PreparedRows.InsertAsync(db, [new Organization { Id = id, Name = TooLong }], Ct));
            if (db.IsSqlite())
            {
                Assert.Contains("Organizations.Name holds at most", error.Message, StringComparison.Ordinal);
            }
        }

        Assert.Null(await NameAsync(id));
    }

    [Fact]
    public async Task ATextOfExactlyItsColumnsLength_IsKept_CountingCharactersNotUtf16Units()
    {
        // Each emoji is one character to PostgreSQL and two UTF-16 units to .NET.
        var longest = string.Concat(Enumerable.Repeat("🙂", Limits.OrganizationName));
        await using (var db = await ContextAsync())
        {
            (await db.Organizations.SingleAsync(o => o.Id == Acme.OrganizationId, Ct)).Name = longest;
            await db.SaveChangesAsync(Ct);
        }

        Assert.Equal(longest, await NameAsync(Acme.OrganizationId));
    }

    private AsyncServiceScope _platform;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        _platform = Portal.Services.CreateAsyncScope();
        _platform.ServiceProvider.GetRequiredService<CurrentUser>().ActAsPlatform();
    }

    public override async ValueTask DisposeAsync()
    {
        await _platform.DisposeAsync();
        await base.DisposeAsync();
    }

    private Task<PortalDbContext> ContextAsync() =>
        _platform.ServiceProvider.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(Ct);

    private async Task<string?> NameAsync(Guid organizationId)
    {
        await using var db = await ContextAsync();
        return await db.Organizations.Where(o => o.Id == organizationId).Select(o => o.Name).SingleOrDefaultAsync(Ct);
    }
}

[OnPostgreSQL]
public sealed class ColumnLengthCheckOnPostgreSQLTests : ColumnLengthCheckTests;
