using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IntegrationsPortal.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddFlows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "IdempotencyKey",
                table: "OutboxMessage",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Parameters",
                table: "OutboxMessage",
                type: "TEXT",
                nullable: false,
                defaultValue: "{}");

            migrationBuilder.CreateTable(
                name: "Flow",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    DeployedVersionId = table.Column<Guid>(type: "TEXT", nullable: true),
                    DeployedVersionNumber = table.Column<int>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Flow", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FlowRun",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FlowId = table.Column<Guid>(type: "TEXT", nullable: false),
                    VersionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    VersionNumber = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Input = table.Column<string>(type: "TEXT", nullable: false),
                    SourceIntegrationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ResourcePath = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ReadingAt = table.Column<long>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    MessagesQueued = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FlowRun", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FlowRunStep",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    NodeId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Index = table.Column<int>(type: "INTEGER", nullable: false),
                    Input = table.Column<string>(type: "TEXT", nullable: true),
                    Output = table.Column<string>(type: "TEXT", nullable: true),
                    Logs = table.Column<string>(type: "TEXT", nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    OutboxMessageId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Note = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FlowRunStep", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "FlowVersion",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FlowId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Graph = table.Column<string>(type: "TEXT", nullable: false),
                    SavedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    SavedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FlowVersion", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FlowVersion_Flow_FlowId",
                        column: x => x.FlowId,
                        principalTable: "Flow",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessage_IdempotencyKey",
                table: "OutboxMessage",
                column: "IdempotencyKey",
                unique: true,
                filter: "\"IdempotencyKey\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_Flow_OrganizationId",
                table: "Flow",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_Flow_OrganizationId_Name",
                table: "Flow",
                columns: new[] { "OrganizationId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FlowRun_FlowId_StartedAt",
                table: "FlowRun",
                columns: new[] { "FlowId", "StartedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_FlowRun_OrganizationId",
                table: "FlowRun",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_FlowRunStep_OrganizationId",
                table: "FlowRunStep",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_FlowRunStep_OutboxMessageId",
                table: "FlowRunStep",
                column: "OutboxMessageId");

            migrationBuilder.CreateIndex(
                name: "IX_FlowRunStep_RunId",
                table: "FlowRunStep",
                column: "RunId");

            migrationBuilder.CreateIndex(
                name: "IX_FlowVersion_FlowId_Number",
                table: "FlowVersion",
                columns: new[] { "FlowId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FlowVersion_OrganizationId",
                table: "FlowVersion",
                column: "OrganizationId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "FlowRun");

            migrationBuilder.DropTable(
                name: "FlowRunStep");

            migrationBuilder.DropTable(
                name: "FlowVersion");

            migrationBuilder.DropTable(
                name: "Flow");

            migrationBuilder.DropIndex(
                name: "IX_OutboxMessage_IdempotencyKey",
                table: "OutboxMessage");

            migrationBuilder.DropColumn(
                name: "IdempotencyKey",
                table: "OutboxMessage");

            migrationBuilder.DropColumn(
                name: "Parameters",
                table: "OutboxMessage");
        }
    }
}
