using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace IntegrationsPortal.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class Fix16_AttemptMethodLength : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
