using GluePipeline.Data;
using GluePipeline.Diagnostics;
using GluePipeline.Validation.Dqdl;

namespace GluePipeline.Validation;

/// <summary>
/// Validates a dataset given by the user against a DQDL rule file: the service behind the Validate
/// target. Files, folders and globs are read by an embedded DuckDB; <c>postgres://</c> and
/// <c>mysql://</c> URIs name a table or a query on that server, where the rules run as SQL.
/// </summary>
public sealed class DatasetValidator(ValidationOptions? options = null)
{
    /// <summary>Reads and parses a rule file; a missing or malformed file is a <see cref="PipelineInputException"/>.</summary>
    public static async Task<DqdlDocument> ReadRulesAsync(string path, string displayPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation(displayPath), "DQDL-FILE", $"The rule file {displayPath} does not exist", "give --rules=<path to a .dqdl file>"));
        }

        return DqdlParser.Parse(displayPath, await File.ReadAllTextAsync(path, cancellationToken));
    }

    /// <summary>Validates a dataset.</summary>
    /// <param name="rulesPath">The rule file.</param>
    /// <param name="dataset">A file, folder or glob (relative to <paramref name="baseDirectory"/>), or a database URI.</param>
    /// <param name="references">Reference datasets by alias (files with a file dataset; the same database with a URI).</param>
    /// <param name="baseDirectory">Where relative paths start.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    public async Task<ValidationResult> ValidateAsync(string rulesPath, string dataset, IReadOnlyDictionary<string, string> references, string baseDirectory, CancellationToken cancellationToken)
    {
        var rules = await ReadRulesAsync(Path.GetFullPath(rulesPath, baseDirectory), rulesPath, cancellationToken);
        return DatabaseUri.IsDatabaseUri(dataset)
            ? await ValidateDatabaseAsync(rules, dataset, references, cancellationToken)
            : await ValidateFilesAsync(rules, dataset, references, baseDirectory, cancellationToken);
    }

    /// <summary>
    /// Validates a dataset on an engine the caller made (Athena): the primary dataset and the references
    /// are relations in it.
    /// </summary>
    public async Task<ValidationResult> ValidateOnAsync(IQueryEngine engine, string rulesPath, ValidationDataset primary, IReadOnlyDictionary<string, ValidationDataset> references, string baseDirectory, CancellationToken cancellationToken)
    {
        var rules = await ReadRulesAsync(Path.GetFullPath(rulesPath, baseDirectory), rulesPath, cancellationToken);
        try
        {
            return await new RulesetEvaluator(engine, options).EvaluateAsync(rules, primary, references, cancellationToken);
        }
        catch (QueryFailedException ex)
        {
            throw Input($"--dataset={primary.Name}", $"The dataset cannot be read: {ex.EngineMessage}", "check that the table exists or that the query runs");
        }
    }

    private async Task<ValidationResult> ValidateFilesAsync(DqdlDocument rules, string dataset, IReadOnlyDictionary<string, string> references, string baseDirectory, CancellationToken cancellationToken)
    {
        var primary = FileDataset.Resolve(dataset, baseDirectory);
        var resolved = references.ToDictionary(
            r => r.Key,
            r => DatabaseUri.IsDatabaseUri(r.Value)
                ? throw Input($"--reference={r.Key}={DatabaseUri.Redact(r.Value)}", "A reference of a file dataset must be files too (the rules run in one engine)", "give the reference as a file, folder or glob")
                : FileDataset.Resolve(r.Value, baseDirectory),
            StringComparer.OrdinalIgnoreCase);

        await using var engine = await DuckDbEngine.OpenAsync(null, cancellationToken);
        try
        {
            await engine.RegisterViewAsync("dq_primary", primary, cancellationToken);
            var datasets = new Dictionary<string, ValidationDataset>(StringComparer.OrdinalIgnoreCase);
            foreach (var (alias, file) in resolved)
            {
                var view = "dq_ref_" + new string(alias.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_').ToArray());
                await engine.RegisterViewAsync(view, file, cancellationToken);
                datasets[alias] = new ValidationDataset(references[alias], engine.Dialect.Identifier(view));
            }

            return await new RulesetEvaluator(engine, options).EvaluateAsync(rules, new ValidationDataset(dataset, engine.Dialect.Identifier("dq_primary")), datasets, cancellationToken);
        }
        catch (QueryFailedException ex) when (ex.EngineMessage.Contains("No files found", StringComparison.OrdinalIgnoreCase) || ex.EngineMessage.Contains("IO Error", StringComparison.OrdinalIgnoreCase))
        {
            throw Input($"--dataset={dataset}", $"The dataset cannot be read: {ex.EngineMessage}", "check the path and the file format", "DATASET");
        }
    }

    private async Task<ValidationResult> ValidateDatabaseAsync(DqdlDocument rules, string dataset, IReadOnlyDictionary<string, string> references, CancellationToken cancellationToken)
    {
        var uri = DatabaseUri.Parse(dataset, "--dataset");
        var referenceUris = references.ToDictionary(r => r.Key, r => DatabaseUri.IsDatabaseUri(r.Value) ? DatabaseUri.Parse(r.Value, $"--reference={r.Key}") : null, StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, reference) in referenceUris)
        {
            if (reference is null || reference.Kind != uri.Kind || reference.Host != uri.Host || reference.Port != uri.Port || reference.Database != uri.Database)
            {
                throw Input($"--reference={alias}", "A reference of a database dataset must be in the same database (the rules join them there)", $"give --reference={alias}={uri.WithDatabase(uri.Database)}?table=<schema.table>");
            }
        }

        AdoQueryEngine engine;
        try
        {
            engine = await AdoQueryEngine.ConnectAsync(uri, cancellationToken);
        }
        catch (QueryFailedException ex)
        {
            throw Input($"--dataset={uri}", ex.EngineMessage, "check the host, port, database, user and password, and that the server is running", "DATABASE");
        }

        await using (engine)
        {
            var datasets = referenceUris.ToDictionary(r => r.Key, r => new ValidationDataset(r.Value!.ToString(), Relation(engine.Dialect, r.Value, $"--reference={r.Key}")), StringComparer.OrdinalIgnoreCase);
            try
            {
                return await new RulesetEvaluator(engine, options).EvaluateAsync(rules, new ValidationDataset(uri.ToString(), Relation(engine.Dialect, uri, "--dataset")), datasets, cancellationToken);
            }
            catch (QueryFailedException ex)
            {
                throw Input($"--dataset={uri}", $"The dataset cannot be read: {ex.EngineMessage}", "check that the table exists (schema.table) or that the query runs");
            }
        }
    }

    /// <summary>The SQL relation a URI names: a table (<c>schema.table</c>) or a query.</summary>
    public static string Relation(SqlDialect dialect, DatabaseUri uri, string source)
    {
        if (uri.Query is not null || uri.Table is not null)
        {
            return dialect.Relation(uri.Table, uri.Query);
        }

        throw Input(source, $"{uri} names no table or query", "add ?table=<schema.table> or ?query=<select ...>", "DATABASE-URI");
    }

    private static PipelineInputException Input(string source, string message, string fix, string rule = "DATASET") =>
        new(Diagnostic.Error(new SourceLocation(source), rule, message, fix));
}
