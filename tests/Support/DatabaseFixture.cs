using GluePipeline.Data;

namespace GluePipeline.Tests.Support;

/// <summary>
/// A dataset loaded into an in-memory DuckDB and, when the CI servers are there, into a fresh
/// PostgreSQL schema and a fresh MariaDB database, all dropped afterwards. Subclasses load the data.
/// </summary>
public abstract class DatabaseFixture : IAsyncLifetime
{
    public DuckDbEngine DuckDb { get; private set; } = null!;

    public PostgresEngine? Postgres { get; private set; }

    public string? PostgresSchema { get; private set; }

    public MySqlEngine? MySql { get; private set; }

    public string? Unavailable { get; private set; }

    public async Task InitializeAsync()
    {
        DuckDb = await DuckDbEngine.OpenAsync(null, CancellationToken.None);
        await LoadDuckDbAsync(DuckDb);
        if (Environment.GetEnvironmentVariable("PIPELINE_POSTGRES_URL") is null || Environment.GetEnvironmentVariable("PIPELINE_MYSQL_URL") is null)
        {
            Unavailable = "PIPELINE_POSTGRES_URL and PIPELINE_MYSQL_URL are not both set";
            return;
        }

        (Postgres, PostgresSchema) = await DatabaseServers.PostgresSchemaAsync();
        await LoadPostgresAsync(Postgres, PostgresSchema);
        (MySql, _) = await DatabaseServers.MySqlDatabaseAsync();
        await LoadMySqlAsync(MySql);
    }

    public async Task DisposeAsync()
    {
        await DuckDb.DisposeAsync();
        if (Postgres is not null)
        {
            await Postgres.ExecuteAsync($"DROP SCHEMA {PostgresSchema} CASCADE", CancellationToken.None);
            await Postgres.DisposeAsync();
        }

        if (MySql is not null)
        {
            await MySql.ExecuteAsync($"DROP DATABASE {MySql.Connection.Database}", CancellationToken.None);
            await MySql.DisposeAsync();
        }
    }

    /// <summary>Skips on a laptop without the servers; fails under CI=true.</summary>
    public void RequireDatabases()
    {
        if (Unavailable is null)
        {
            return;
        }

        if (DatabaseServers.IsCi)
        {
            throw new InvalidOperationException(Unavailable + ", and CI=true: the database tests must run in CI (.ci/run starts the servers).");
        }

        Skip.If(true, Unavailable + "; run `. .ci/databases.sh` first");
    }

    protected abstract Task LoadDuckDbAsync(DuckDbEngine duckDb);

    protected abstract Task LoadPostgresAsync(PostgresEngine postgres, string schema);

    protected abstract Task LoadMySqlAsync(MySqlEngine mysql);
}
