using System.Data.Common;
using MySqlConnector;

namespace GluePipeline.Data;

/// <summary>MySQL and MariaDB through MySqlConnector; sessions in UTC, ANSI-friendly settings.</summary>
public sealed class MySqlEngine : AdoQueryEngine
{
    private MySqlEngine(MySqlConnection connection)
        : base(connection, SqlDialect.MySql, "mysql")
    {
    }

    /// <summary>The connection, typed (bulk copy for loading).</summary>
    public MySqlConnection MySql => (MySqlConnection)Connection;

    /// <summary>Connects to the database a URI names.</summary>
    public static async Task<MySqlEngine> OpenAsync(DatabaseUri uri, CancellationToken cancellationToken)
    {
        var builder = new MySqlConnectionStringBuilder
        {
            Server = uri.Host,
            Port = (uint)uri.Port,
            Database = uri.Database,
            UserID = uri.User,
            Password = uri.Password,
            AllowLoadLocalInfile = true,
            AllowUserVariables = true,
            ConvertZeroDateTime = true,
            DateTimeKind = MySqlDateTimeKind.Utc,
            ApplicationName = "glue-pipeline",
        };
        foreach (var (key, value) in uri.Options)
        {
            builder[key] = value;
        }

        var connection = new MySqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is MySqlException or InvalidOperationException)
        {
            await connection.DisposeAsync();
            throw new QueryFailedException("mysql", string.Empty, $"cannot connect to {uri}: {ex.Message}", ex);
        }

        var engine = new MySqlEngine(connection);
        await engine.ExecuteAsync("SET time_zone = '+00:00'", cancellationToken);
        return engine;
    }

    /// <inheritdoc/>
    protected override object? Read(DbDataReader reader, int ordinal) =>
        reader.GetFieldType(ordinal) == typeof(MySqlDateTime) ? reader.GetDateTime(ordinal) : reader.GetValue(ordinal);
}
