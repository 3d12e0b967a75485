using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IntegrationsPortal.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class OrderedDeliveryLanes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "InOrder",
                table: "OutboxMessage",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<long>(
                name: "Sequence",
                table: "OutboxMessage",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessage_IntegrationId_Sequence",
                table: "OutboxMessage",
                columns: new[] { "IntegrationId", "Sequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboxMessage_IntegrationId_Sequence",
                table: "OutboxMessage");

            migrationBuilder.DropColumn(
                name: "InOrder",
                table: "OutboxMessage");

            migrationBuilder.DropColumn(
                name: "Sequence",
                table: "OutboxMessage");
        }
    }
}
