using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IntegrationsPortal.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddIntegrations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "CustomIntegrationsEnabled",
                table: "Organizations",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "Integration",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TypeKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Properties = table.Column<string>(type: "TEXT", nullable: false),
                    Metadata = table.Column<string>(type: "TEXT", nullable: false),
                    SecretNames = table.Column<string>(type: "TEXT", nullable: false),
                    SecretsKeyId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    SecretsWrappedKey = table.Column<byte[]>(type: "BLOB", nullable: true),
                    SecretsCiphertext = table.Column<byte[]>(type: "BLOB", nullable: true),
                    VerificationGeneration = table.Column<int>(type: "INTEGER", nullable: false),
                    VerifiedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    SingletonKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DeletedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Integration", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Integration_OrganizationId",
                table: "Integration",
                column: "OrganizationId");

            migrationBuilder.CreateIndex(
                name: "IX_Integration_OrganizationId_CreatedAt",
                table: "Integration",
                columns: new[] { "OrganizationId", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Integration_OrganizationId_Name",
                table: "Integration",
                columns: new[] { "OrganizationId", "Name" });

            migrationBuilder.CreateIndex(
                name: "IX_Integration_OrganizationId_SingletonKey",
                table: "Integration",
                columns: new[] { "OrganizationId", "SingletonKey" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Integration");

            migrationBuilder.DropColumn(
                name: "CustomIntegrationsEnabled",
                table: "Organizations");
        }
    }
}
