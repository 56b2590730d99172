using GluePipeline.Data;
using GluePipeline.Diagnostics;

namespace GluePipeline.Aws;

/// <summary>
/// A dataset in Athena, as Validate takes it: <c>athena://&lt;database&gt;?table=&lt;table&gt;</c> or
/// <c>?query=&lt;select ...&gt;</c>, with optional <c>workgroup=</c> (default primary), <c>output=s3://...</c>
/// (the query result location, when the work group sets none) and <c>catalog=</c>.
/// </summary>
/// <param name="Text">The URI as given.</param>
/// <param name="Options">Work group, database, catalog, result location.</param>
/// <param name="Table">The table, or null.</param>
/// <param name="Query">The query, or null.</param>
public sealed record AthenaDataset(string Text, AthenaOptions Options, string? Table, string? Query)
{
    /// <summary>The scheme.</summary>
    public const string Scheme = "athena://";

    /// <summary>Whether a dataset argument names an Athena dataset.</summary>
    public static bool IsAthena(string text) => text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>The SQL relation the dataset names: a quoted table, or the query as a subquery.</summary>
    public string Relation => SqlDialect.Athena.Relation(Table, Query);

    /// <summary>Parses the URI; anything wrong is one error naming the argument and the fix.</summary>
    public static AthenaDataset Parse(string text, string source)
    {
        PipelineInputException Bad(string why) => new(Diagnostic.Error(new SourceLocation(source), "ATHENA-URI", $"{text} is not an Athena dataset: {why}", "write athena://<database>?table=<table> (or ?query=select ...), optionally &workgroup=<name>&output=s3://<bucket>/<prefix>/"));
        var rest = text[Scheme.Length..];
        var split = rest.IndexOf('?', StringComparison.Ordinal);
        var database = Uri.UnescapeDataString(split < 0 ? rest : rest[..split]).Trim('/');
        if (database.Length == 0)
        {
            throw Bad("it names no database");
        }

        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var pair in (split < 0 ? string.Empty : rest[(split + 1)..]).Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? pair : pair[..eq];
            if (key is not ("table" or "query" or "workgroup" or "output" or "catalog"))
            {
                throw Bad($"'{key}' is not one of table, query, workgroup, output, catalog");
            }

            parameters[key] = Uri.UnescapeDataString((eq < 0 ? string.Empty : pair[(eq + 1)..]).Replace('+', ' '));
        }

        var table = parameters.GetValueOrDefault("table");
        var query = parameters.GetValueOrDefault("query");
        if ((table is null) == (query is null))
        {
            throw Bad("give exactly one of table= and query=");
        }

        if (parameters.GetValueOrDefault("output") is { } output && !output.StartsWith("s3://", StringComparison.Ordinal))
        {
            throw Bad("output= must be an s3:// location");
        }

        var options = new AthenaOptions(parameters.GetValueOrDefault("workgroup") ?? "primary", database, parameters.GetValueOrDefault("catalog"), parameters.GetValueOrDefault("output"));
        return new AthenaDataset(text, options, table, query);
    }
}
