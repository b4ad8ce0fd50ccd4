using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Millwright.Operations.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class InvoiceTotalWithinACent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_invoices_total",
                table: "invoices");

            migrationBuilder.AddCheckConstraint(
                name: "ck_invoices_total",
                table: "invoices",
                sql: "abs(total - (subtotal + tax)) < 0.005");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_invoices_total",
                table: "invoices");

            migrationBuilder.AddCheckConstraint(
                name: "ck_invoices_total",
                table: "invoices",
                sql: "total = subtotal + tax");
        }
    }
}
