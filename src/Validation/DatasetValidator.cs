using GluePipeline.Data;
using GluePipeline.Diagnostics;
using GluePipeline.Validation.Dqdl;

namespace GluePipeline.Validation;

/// <summary>
/// Validates a dataset given by the user (files, a glob or a folder; database URIs come with the
/// PostgreSQL and MySQL engines) against a DQDL rule file: the service behind the Validate target.
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

    /// <summary>Validates file datasets on an embedded DuckDB.</summary>
    /// <param name="rulesPath">The rule file.</param>
    /// <param name="dataset">The dataset: a file, folder or glob (relative to <paramref name="baseDirectory"/>).</param>
    /// <param name="references">Reference datasets by alias, for RowCountMatch, ReferentialIntegrity, DatasetMatch, SchemaMatch and AggregateMatch.</param>
    /// <param name="baseDirectory">Where relative paths start.</param>
    /// <param name="cancellationToken">Cancels the queries.</param>
    public async Task<ValidationResult> ValidateAsync(string rulesPath, string dataset, IReadOnlyDictionary<string, string> references, string baseDirectory, CancellationToken cancellationToken)
    {
        var rules = await ReadRulesAsync(Path.GetFullPath(rulesPath, baseDirectory), rulesPath, cancellationToken);
        var primary = FileDataset.Resolve(dataset, baseDirectory);
        var resolved = references.ToDictionary(r => r.Key, r => FileDataset.Resolve(r.Value, baseDirectory), StringComparer.OrdinalIgnoreCase);

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
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation($"--dataset={dataset}"), "DATASET", $"The dataset cannot be read: {ex.EngineMessage}", "check the path and the file format"));
        }
    }
}
