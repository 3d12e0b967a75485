using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IntegrationsPortal.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class Nodes16_OutboxClaims : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ClaimedBy",
                table: "OutboxMessage",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ClaimedUntil",
                table: "OutboxMessage",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessage_ClaimedBy",
                table: "OutboxMessage",
                column: "ClaimedBy",
                filter: "\"ClaimedBy\" IS NOT NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboxMessage_ClaimedBy",
                table: "OutboxMessage");

            migrationBuilder.DropColumn(
                name: "ClaimedBy",
                table: "OutboxMessage");

            migrationBuilder.DropColumn(
                name: "ClaimedUntil",
                table: "OutboxMessage");
        }
    }
}
