using System.Text.Json;
using GluePipeline.Build;
using GluePipeline.Build.Hosting;
using GluePipeline.Data;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Validation;

/// <summary>The Validate target on tables and queries in PostgreSQL and MariaDB, as a user runs it.</summary>
public sealed class ValidateDatabaseTests : IAsyncLifetime, IDisposable
{
    private readonly TempDirectory _dir = new("validate-db");
    private PostgresEngine? _postgres;
    private string? _schema;
    private MySqlEngine? _mysql;
    private string? _database;

    public async Task InitializeAsync()
    {
        _dir.Write("cake.config", string.Empty);
        _dir.Write("orders.dqdl", "Rules = [ RowCount = 3, IsUnique \"id\", ColumnValues \"status\" in [\"open\", \"paid\"], ReferentialIntegrity \"customer\" \"customers.name\" = 1.0 ]");
        _dir.Write("failing.dqdl", "Rules = [ IsComplete \"total\", ColumnValues \"total\" > 10 ]");
        if (Environment.GetEnvironmentVariable("PIPELINE_POSTGRES_URL") is null || Environment.GetEnvironmentVariable("PIPELINE_MYSQL_URL") is null)
        {
            return;
        }

        const string orders = "(id INTEGER, customer VARCHAR(20), status VARCHAR(10), total DECIMAL(10,2))";
        const string rows = "(1, 'ann', 'open', 12.50), (2, 'bo', 'paid', 99.00), (3, 'ann', 'paid', NULL)";
        (_postgres, _schema) = await DatabaseServers.PostgresSchemaAsync();
        await _postgres.ExecuteAsync($"CREATE TABLE {_schema}.orders {orders}; INSERT INTO {_schema}.orders VALUES {rows}; CREATE TABLE {_schema}.customers (name VARCHAR(20)); INSERT INTO {_schema}.customers VALUES ('ann'), ('bo')", CancellationToken.None);
        (_mysql, _database) = await DatabaseServers.MySqlDatabaseAsync();
        await _mysql.ExecuteAsync($"CREATE TABLE orders {orders}", CancellationToken.None);
        await _mysql.ExecuteAsync($"INSERT INTO orders VALUES {rows}", CancellationToken.None);
        await _mysql.ExecuteAsync("CREATE TABLE customers (name VARCHAR(20))", CancellationToken.None);
        await _mysql.ExecuteAsync("INSERT INTO customers VALUES ('ann'), ('bo')", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.ExecuteAsync($"DROP SCHEMA {_schema} CASCADE", CancellationToken.None);
            await _postgres.DisposeAsync();
        }

        if (_mysql is not null)
        {
            await _mysql.ExecuteAsync($"DROP DATABASE {_database}", CancellationToken.None);
            await _mysql.DisposeAsync();
        }
    }

    public void Dispose() => _dir.Dispose();

    private string P(string name) => Path.Combine(_dir.Path, name);

    private string Postgres(string query) => DatabaseServers.Postgres.WithDatabase(DatabaseServers.Postgres.Database).ToString(includePassword: true) + query;

    private string MySql(string query) => DatabaseServers.MySql.WithDatabase(_database ?? "none").ToString(includePassword: true) + query;

    private Task<HostRunResult> Run(params string[] args) => HostRun.RunAsync(PipelineHost.Create(), _dir.Path, ["--target=Validate", .. args]);

    [SkippableFact]
    public async Task A_PostgreSQL_table_with_a_reference_in_the_same_database_passes()
    {
        _ = DatabaseServers.Postgres;

        var result = await Run($"--rules={P("orders.dqdl")}", $"--dataset={Postgres($"?table={_schema}.orders")}", $"--reference=customers={Postgres($"?table={_schema}.customers")}");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("4 of 4 passed");
    }

    [SkippableFact]
    public async Task A_MariaDB_table_passes_and_a_query_can_be_the_dataset()
    {
        _ = DatabaseServers.MySql;

        var table = await Run($"--rules={P("orders.dqdl")}", $"--dataset={MySql("?table=orders")}", $"--reference=customers={MySql("?table=customers")}");
        var query = await Run($"--rules={P("failing.dqdl")}", $"--dataset={MySql("?query=" + Uri.EscapeDataString("select id, total from orders where status = 'paid'"))}", "--format=json");

        table.ExitCode.Should().Be(0, table.ToString());
        query.ExitCode.Should().Be(ExitCodes.Failure, query.ToString());
        using var json = JsonDocument.Parse(query.Output);
        json.RootElement.GetProperty("rules")[0].GetProperty("metrics").GetProperty("Column.total.Completeness").GetDouble().Should().Be(0.5);
        json.RootElement.GetProperty("dataset").GetString().Should().Contain(":***@").And.NotContain(":pipeline@");
    }

    [SkippableFact]
    public async Task A_wrong_password_exits_2_without_showing_it()
    {
        var wrong = DatabaseServers.Postgres with { Password = "not-the-password", Table = "public.x" };

        var result = await Run($"--rules={P("orders.dqdl")}", $"--dataset={wrong.ToString(includePassword: true)}");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain("error DATABASE").And.Contain("check the host, port, database, user and password");
        (result.Output + result.Error).Should().NotContain("not-the-password").And.NotContain("   at ");
    }

    [SkippableFact]
    public async Task A_missing_table_exits_2_naming_it()
    {
        _ = DatabaseServers.MySql;

        var result = await Run($"--rules={P("orders.dqdl")}", $"--dataset={MySql("?table=nope")}");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain("error DATASET").And.Contain("nope").And.Contain("check that the table exists");
    }

    [Fact]
    public async Task A_file_dataset_with_a_database_reference_is_refused()
    {
        _dir.Write("t.csv", "id\n1\n");

        var result = await Run($"--rules={P("orders.dqdl")}", $"--dataset={P("t.csv")}", "--reference=customers=postgres://u:p@localhost/db?table=c");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain("A reference of a file dataset must be files too");
    }
}
