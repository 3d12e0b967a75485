namespace IntegrationsPortal.Infrastructure.Data;

/// <summary>
/// What the PostgreSQL database has beside the EF model, applied after every migration and safe to
/// repeat. It lives here, not in a migration, because the PostgreSQL migration set is regenerated from
/// the model whenever the branches' model changes are merged (docs/decisions/036), which would drop
/// hand-written SQL. The SQLite set carries the same things in its migrations.
/// </summary>
internal static class PostgresSchema
{
    // Append-only in the database too (the SQLite trigger of the Audit_TamperEvidentTrail migration):
    // a sealed entry cannot be changed, whoever writes.
    private const string AuditAppendOnly = """
        CREATE OR REPLACE FUNCTION "AuditEntries_RefuseUpdate"() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN RAISE EXCEPTION 'audit entries are append-only'; END $fn$;
        CREATE OR REPLACE TRIGGER "AuditEntries_AppendOnly" BEFORE UPDATE ON "AuditEntries"
        FOR EACH ROW WHEN (OLD."Hash" IS NOT NULL) EXECUTE FUNCTION "AuditEntries_RefuseUpdate"();
        """;

    public static async Task ApplyAsync(PortalDbContext db, CancellationToken ct) =>
        await db.Database.ExecuteSqlRawAsync(AuditAppendOnly, ct);
}
