using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IntegrationsPortal.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class Routing_CapabilitiesAndRules : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "EnabledCapabilities",
                table: "Integration",
                type: "TEXT",
                nullable: false,
                defaultValue: "[]");

            // Integrations made before capabilities could be chosen keep doing all their type offers.
            foreach (var (type, capabilities) in new[]
            {
                ("stripe", """["initiate_payment","process_refund","verify_payment"]"""),
                ("twilio", """["send_sms","send_whatsapp"]"""),
                ("plivo", """["send_sms"]"""),
                ("sms", """["send_sms"]"""),
                ("email", """["send_email"]"""),
                ("webhook", """["notify"]"""),
                ("http", """["notify"]"""),
                ("mqtt", """["notify"]"""),
            })
            {
                migrationBuilder.Sql($"UPDATE \"Integration\" SET \"EnabledCapabilities\" = '{capabilities}' WHERE \"TypeKey\" = '{type}';");
            }

            migrationBuilder.CreateTable(
                name: "RoutingRule",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 26, nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Capability = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    IntegrationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Priority = table.Column<int>(type: "INTEGER", nullable: false),
                    IsDefault = table.Column<bool>(type: "INTEGER", nullable: false),
                    FallbackIntegrationId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RoutingRule", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RoutingRule_OrganizationId",
                table: "RoutingRule",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_RoutingRule_OrganizationId_Capability_Priority",
                table: "RoutingRule",
                columns: new[] { "OrganizationId", "Capability", "Priority" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RoutingRule");

            migrationBuilder.DropColumn(
                name: "EnabledCapabilities",
                table: "Integration");
        }
    }
}
