using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IntegrationsPortal.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class Dead17_NoDeliveringStatus : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Delivering is no longer a status: rows an old version left in it were due like pending ones.
            migrationBuilder.Sql("UPDATE \"OutboxMessage\" SET \"Status\" = 'Pending' WHERE \"Status\" = 'Delivering';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
