using GluePipeline.Data;

namespace GluePipeline.Tests.Support;

/// <summary>
/// The PostgreSQL and MariaDB servers the integration tests use: PIPELINE_POSTGRES_URL and
/// PIPELINE_MYSQL_URL (.ci/run starts both). Without them a test is skipped on a laptop, but fails
/// under CI=true, so a green build always means the databases were really exercised.
/// </summary>
public static class DatabaseServers
{
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static DatabaseUri Postgres => Require("PIPELINE_POSTGRES_URL");

    public static DatabaseUri MySql => Require("PIPELINE_MYSQL_URL");

    private static DatabaseUri Require(string variable)
    {
        var url = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(url))
        {
            if (IsCi)
            {
                throw new InvalidOperationException($"{variable} is not set, and CI=true: the database tests must run in CI (.ci/run starts the servers).");
            }

            Skip.If(true, $"{variable} is not set; run `. .ci/databases.sh` to start local servers");
        }

        return DatabaseUri.Parse(url!, variable);
    }

    /// <summary>A fresh PostgreSQL schema for one test class, dropped on dispose.</summary>
    public static async Task<(PostgresEngine Engine, string Schema)> PostgresSchemaAsync()
    {
        var engine = await PostgresEngine.OpenAsync(Postgres, CancellationToken.None);
        var schema = "t_" + Guid.NewGuid().ToString("N")[..12];
        await engine.ExecuteAsync($"CREATE SCHEMA {schema}", CancellationToken.None);
        return (engine, schema);
    }

    /// <summary>A fresh MariaDB database for one test class, dropped on dispose.</summary>
    public static async Task<(MySqlEngine Engine, string Database)> MySqlDatabaseAsync(string collation = "utf8mb4_bin")
    {
        var admin = await MySqlEngine.OpenAsync(MySql, CancellationToken.None);
        var database = "t_" + Guid.NewGuid().ToString("N")[..12];
        await admin.ExecuteAsync($"CREATE DATABASE {database} CHARACTER SET utf8mb4 COLLATE {collation}", CancellationToken.None);
        await admin.DisposeAsync();
        return (await MySqlEngine.OpenAsync(MySql.WithDatabase(database), CancellationToken.None), database);
    }
}
