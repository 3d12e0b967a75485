using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IntegrationsPortal.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class Apiv1_PublicIntegrationIds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ApiId",
                table: "Integration",
                type: "TEXT",
                maxLength: 26,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "PlatformId",
                table: "Integration",
                type: "TEXT",
                maxLength: 24,
                nullable: false,
                defaultValue: "");

            // Ids for the integrations that exist already, as the app makes them: a ULID whose time
            // part is the creation time (CreatedAt is DateTimeOffsetToBinaryConverter's value, UTC ticks / 1000
            // shifted left 11 bits) and 80 random bits, and int_ with 10 random bytes.
            migrationBuilder.Sql($"UPDATE Integration SET ApiId = {UlidSql}, PlatformId = 'int_' || lower(hex(randomblob(10)));");

            migrationBuilder.CreateIndex(
                name: "IX_Integration_ApiId",
                table: "Integration",
                column: "ApiId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Integration_PlatformId",
                table: "Integration",
                column: "PlatformId",
                unique: true);
        }

        private const string Crockford = "'0123456789ABCDEFGHJKMNPQRSTVWXYZ'";

        private const string EpochMilliseconds = "((CreatedAt >> 11) / 10 - 62135596800000)";

        private static string UlidSql =>
            string.Join(" || ", Enumerable.Range(0, 10).Select(i => $"substr({Crockford}, (({EpochMilliseconds} >> {5 * (9 - i)}) & 31) + 1, 1)")
                .Concat(Enumerable.Range(0, 16).Select(_ => $"substr({Crockford}, (abs(random()) % 32) + 1, 1)")));

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Integration_ApiId",
                table: "Integration");

            migrationBuilder.DropIndex(
                name: "IX_Integration_PlatformId",
                table: "Integration");

            migrationBuilder.DropColumn(
                name: "ApiId",
                table: "Integration");

            migrationBuilder.DropColumn(
                name: "PlatformId",
                table: "Integration");
        }
    }
}
