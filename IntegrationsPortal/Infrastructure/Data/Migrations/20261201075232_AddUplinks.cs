using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IntegrationsPortal.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddUplinks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RejectedUplinks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    IntegrationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    StatusCode = table.Column<int>(type: "INTEGER", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RejectedUplinks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "UnmappedDevices",
                columns: table => new
                {
                    IntegrationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DeviceEui = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FirstSeenTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    LastSeenTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UnmappedDevices", x => new { x.IntegrationId, x.DeviceEui });
                });

            migrationBuilder.CreateTable(
                name: "Uplinks",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    IntegrationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DedupKey = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    DeviceEui = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ResourcePath = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ReceivedAtTicks = table.Column<long>(type: "INTEGER", nullable: false),
                    Port = table.Column<int>(type: "INTEGER", nullable: true),
                    FrameCounter = table.Column<long>(type: "INTEGER", nullable: true),
                    Rssi = table.Column<double>(type: "REAL", nullable: true),
                    Snr = table.Column<double>(type: "REAL", nullable: true),
                    Body = table.Column<string>(type: "TEXT", nullable: false),
                    AcceptedAtTicks = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Uplinks", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "UplinkTokens",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    IntegrationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UplinkTokens", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RejectedUplinks_IntegrationId_At",
                table: "RejectedUplinks",
                columns: new[] { "IntegrationId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_RejectedUplinks_OrganizationId",
                table: "RejectedUplinks",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_UnmappedDevices_OrganizationId",
                table: "UnmappedDevices",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_Uplinks_IntegrationId_AcceptedAtTicks",
                table: "Uplinks",
                columns: new[] { "IntegrationId", "AcceptedAtTicks" });

            migrationBuilder.CreateIndex(
                name: "IX_Uplinks_IntegrationId_DedupKey",
                table: "Uplinks",
                columns: new[] { "IntegrationId", "DedupKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Uplinks_OrganizationId",
                table: "Uplinks",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_Uplinks_ResourcePath_AcceptedAtTicks",
                table: "Uplinks",
                columns: new[] { "ResourcePath", "AcceptedAtTicks" });

            migrationBuilder.CreateIndex(
                name: "IX_UplinkTokens_Hash",
                table: "UplinkTokens",
                column: "Hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_UplinkTokens_IntegrationId",
                table: "UplinkTokens",
                column: "IntegrationId");

            migrationBuilder.CreateIndex(
                name: "IX_UplinkTokens_OrganizationId",
                table: "UplinkTokens",
                column: "OrganizationId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RejectedUplinks");

            migrationBuilder.DropTable(
                name: "UnmappedDevices");

            migrationBuilder.DropTable(
                name: "Uplinks");

            migrationBuilder.DropTable(
                name: "UplinkTokens");
        }
    }
}
