using System.Runtime.CompilerServices;
using GluePipeline.Data;

namespace GluePipeline.Aws;

/// <summary>
/// Athena as a query engine for the validation engine and the live tests: SQL in Athena's (Trino's)
/// dialect runs through <see cref="AthenaQueries"/> (client request tokens, polling with backoff,
/// paging, values typed from the result metadata); a failed query is a <see cref="QueryFailedException"/>
/// with Athena's reason, as with every other engine.
/// </summary>
/// <param name="queries">The query runner.</param>
/// <param name="options">Work group, database, catalog and result location.</param>
public sealed class AthenaEngine(AthenaQueries queries, AthenaOptions options) : IQueryEngine
{
    /// <inheritdoc/>
    public SqlDialect Dialect => SqlDialect.Athena;

    /// <inheritdoc/>
    public async Task<QueryResult> QueryAsync(string sql, CancellationToken cancellationToken)
    {
        var result = await RunAsync(sql, cancellationToken);
        return new QueryResult(result.Columns.Select(c => c.Name).ToArray(), result.Rows);
    }

    /// <inheritdoc/>
    /// <remarks>Athena hands results out in pages of 1,000 rows, all read before the first is returned; the validation engine streams only bounded samples.</remarks>
    public async IAsyncEnumerable<object?[]> StreamAsync(string sql, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var row in (await RunAsync(sql, cancellationToken)).Rows)
        {
            yield return row;
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ColumnSchema>> DescribeAsync(string relation, CancellationToken cancellationToken) =>
        (await RunAsync($"SELECT * FROM {relation} LIMIT 0", cancellationToken)).Columns.Select(c => new ColumnSchema(c.Name, c.Type)).ToArray();

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private async Task<AthenaResult> RunAsync(string sql, CancellationToken cancellationToken)
    {
        try
        {
            return await queries.QueryAsync(sql, options, cancellationToken);
        }
        catch (AthenaQueryException ex)
        {
            throw new QueryFailedException("Athena", sql, ex.Reason.Length > 0 ? $"{ex.Reason} (query {ex.QueryExecutionId})" : ex.Message, ex);
        }
        catch (AwsException ex)
        {
            throw new QueryFailedException("Athena", sql, ex.Message, ex);
        }
    }
}
