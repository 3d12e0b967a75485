using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IntegrationsPortal.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class Oneway17_IntegrationErrorCause : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ErrorCause",
                table: "Integration",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            // Integrations the dispatcher stopped were found by the words their error starts with; those
            // words become the column once (the two reasons it writes, see FailureThreshold and 410 Gone).
            // Other errors keep a null cause: nothing asked why before.
            migrationBuilder.Sql("""
                UPDATE "Integration" SET "ErrorCause" = CASE
                    WHEN "LastError" LIKE 'Deliveries stopped: the last %' THEN 'DeliveryFailing'
                    ELSE 'DeliveryGone' END
                WHERE "Status" = 'Error' AND "LastError" LIKE 'Deliveries stopped%';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ErrorCause",
                table: "Integration");
        }
    }
}
