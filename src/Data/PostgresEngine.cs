using Npgsql;

namespace GluePipeline.Data;

/// <summary>PostgreSQL through Npgsql; sessions in UTC.</summary>
public sealed class PostgresEngine : AdoQueryEngine
{
    private PostgresEngine(NpgsqlConnection connection)
        : base(connection, SqlDialect.PostgreSql, "postgres")
    {
    }

    /// <summary>The connection, typed (binary COPY for loading).</summary>
    public NpgsqlConnection Npgsql => (NpgsqlConnection)Connection;

    /// <summary>Connects to the database a URI names.</summary>
    public static async Task<PostgresEngine> OpenAsync(DatabaseUri uri, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.Port,
            Database = uri.Database,
            Username = uri.User,
            Password = uri.Password,
            Timezone = "UTC",
            ApplicationName = "glue-pipeline",
            IncludeErrorDetail = false,
        };
        foreach (var (key, value) in uri.Options)
        {
            builder[key] = value;
        }

        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            await connection.DisposeAsync();
            throw new QueryFailedException("postgres", string.Empty, $"cannot connect to {uri}: {ex.Message}", ex);
        }

        return new PostgresEngine(connection);
    }
}
