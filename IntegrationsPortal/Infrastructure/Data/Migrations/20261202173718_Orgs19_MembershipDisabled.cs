using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IntegrationsPortal.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class Orgs19_MembershipDisabled : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "DisabledAt",
                table: "Memberships",
                type: "INTEGER",
                nullable: true);

            // Disabling was account-wide until now, and organization Admins did it: it becomes theirs,
            // per membership (docs/decisions/035). The membership's CreatedAt stands in for the unknown
            // moment it was disabled (any value means disabled). The account flag is left to the platform.
            migrationBuilder.Sql("""
                UPDATE "Memberships" SET "DisabledAt" = "CreatedAt"
                WHERE "UserId" IN (SELECT "Id" FROM "AspNetUsers" WHERE "IsDisabled" = 1);
                UPDATE "AspNetUsers" SET "IsDisabled" = 0 WHERE "IsDisabled" = 1;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DisabledAt",
                table: "Memberships");
        }
    }
}
