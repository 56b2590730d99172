using GluePipeline.Data;
using GluePipeline.Diagnostics;

namespace GluePipeline.Tests.Data;

public sealed class DatabaseUriTests
{
    [Fact]
    public void A_postgres_table_uri_is_read_with_its_parts()
    {
        var uri = DatabaseUri.Parse("postgres://etl:s%40cret%3A1@db.internal:6543/sales?table=public.orders&sslmode=require", "--dataset");

        uri.Should().BeEquivalentTo(new { Kind = DatabaseKind.PostgreSql, Host = "db.internal", Port = 6543, Database = "sales", User = "etl", Password = "s@cret:1", Table = "public.orders", Query = (string?)null });
        uri.Options.Should().Equal(new Dictionary<string, string> { ["sslmode"] = "require" });
    }

    [Theory]
    [InlineData("postgres://u@h/db?table=t", DatabaseKind.PostgreSql, 5432)]
    [InlineData("postgresql://u@h/db?table=t", DatabaseKind.PostgreSql, 5432)]
    [InlineData("mysql://u@h/db?table=t", DatabaseKind.MySql, 3306)]
    [InlineData("mariadb://u@h/db?table=t", DatabaseKind.MySql, 3306)]
    public void Schemes_and_default_ports(string text, DatabaseKind kind, int port)
    {
        var uri = DatabaseUri.Parse(text, "--dataset");

        (uri.Kind, uri.Port).Should().Be((kind, port));
        DatabaseUri.IsDatabaseUri(text).Should().BeTrue();
    }

    [Fact]
    public void A_query_is_percent_decoded()
    {
        var uri = DatabaseUri.Parse("mysql://u:p@h:3307/shop?query=select%20id%2C%20total%20from%20orders%20where%20total%20%3E%200", "--dataset");

        uri.Query.Should().Be("select id, total from orders where total > 0");
        uri.Table.Should().BeNull();
    }

    [Fact]
    public void The_password_never_shows_but_can_be_handed_on()
    {
        var uri = DatabaseUri.Parse("postgres://etl:p%40ss@h:5432/db?table=s.t&sslmode=disable", "--dataset");

        uri.ToString().Should().Be("postgres://etl:***@h:5432/db?table=s.t&sslmode=disable");
        DatabaseUri.Parse(uri.ToString(includePassword: true), "x").Should().BeEquivalentTo(uri);
        DatabaseUri.Redact("mysql://root:hunter2@h/db").Should().Be("mysql://root:***@h/db");
    }

    [Theory]
    [InlineData("postgres://u:p@h:5432/?table=t", "names no database")]
    [InlineData("postgres://u:p@h/db?table=t&query=select%201", "both ?table= and ?query=")]
    [InlineData("oracle://u:p@h/db", "not a database URI")]
    public void A_malformed_uri_is_one_error_with_the_fix_and_no_password(string text, string expected)
    {
        var act = () => DatabaseUri.Parse(text.Replace("u:p@", "u:hunter2@", StringComparison.Ordinal), "--dataset");

        var error = act.Should().Throw<PipelineInputException>().Which;
        error.Message.Should().Contain("--dataset").And.Contain(expected).And.Contain("Fix: write postgres://user:password@host:5432/database?table=schema.table");
        error.Message.Should().NotContain("hunter2");
    }

    [Theory]
    [InlineData("data/trips.parquet")]
    [InlineData("s3://bucket/trips/")]
    [InlineData("/tmp/postgres://x")]
    public void Paths_are_not_database_uris(string text) => DatabaseUri.IsDatabaseUri(text).Should().BeFalse();
}
