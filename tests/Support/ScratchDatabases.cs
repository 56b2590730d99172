using GluePipeline.Data;

namespace GluePipeline.Tests.Support;

/// <summary>
/// A test class's own PostgreSQL schema and MariaDB database on the CI servers, made before its
/// tests and dropped after (the JDBC tests move data between them).
/// </summary>
public abstract class ScratchDatabases : IAsyncLifetime
{
    private TempDirectory? _scratch;

    /// <summary>A connection to the PostgreSQL server.</summary>
    protected PostgresEngine Postgres { get; private set; } = null!;

    /// <summary>The test class's PostgreSQL schema.</summary>
    protected string Schema { get; private set; } = null!;

    /// <summary>A connection to the test class's MariaDB database.</summary>
    protected MySqlEngine MySql { get; private set; } = null!;

    /// <summary>The test class's MariaDB database.</summary>
    protected string Database { get; private set; } = null!;

    /// <summary>A scratch folder of the test class, removed with the databases.</summary>
    protected string ScratchPath => (_scratch ??= new TempDirectory(GetType().Name.ToLowerInvariant())).Path;

    /// <summary>The MariaDB database as a URI (with credentials).</summary>
    protected DatabaseUri MySqlDatabase => DatabaseServers.MySql.WithDatabase(Database);

    /// <inheritdoc/>
    public virtual async Task InitializeAsync()
    {
        (Postgres, Schema) = await DatabaseServers.PostgresSchemaAsync();
        (MySql, Database) = await DatabaseServers.MySqlDatabaseAsync();
    }

    /// <inheritdoc/>
    public virtual async Task DisposeAsync()
    {
        _scratch?.Dispose();
        if (Postgres is not null)
        {
            await Postgres.ExecuteAsync($"DROP SCHEMA {Schema} CASCADE", CancellationToken.None);
            await Postgres.DisposeAsync();
        }

        if (MySql is not null)
        {
            await MySql.ExecuteAsync($"DROP DATABASE {Database}", CancellationToken.None);
            await MySql.DisposeAsync();
        }
    }
}
