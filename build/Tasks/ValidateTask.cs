using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Diagnostics;
using GluePipeline.Validation;

namespace GluePipeline.Build.Tasks;

/// <summary>Evaluates a DQDL rule file on a dataset, the way Glue Data Quality would.</summary>
[TaskName("Validate")]
[TaskDescription("Evaluate DQDL rules on a dataset: --rules=<file> --dataset=<path|glob|postgres://...|mysql://...|athena://<database>?table=...> [--reference=<alias>=<dataset>]... [--format=text|json] [--output=<report.json|.xml|.html|.txt>]... (exit 0 passed, 1 failed, 2 bad input).")]
public sealed class ValidateTask : AsyncFrostingTask<BuildContext>
{
    /// <inheritdoc/>
    public override async Task RunAsync(BuildContext context)
    {
        var rules = Required(context, "rules", "--rules=jobs/taxi/rules.dqdl");
        var dataset = Required(context, "dataset", "--dataset=data/trips.parquet");
        var references = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var reference in context.Arguments.GetArguments("reference"))
        {
            var split = reference.IndexOf('=', StringComparison.Ordinal);
            if (split <= 0 || split == reference.Length - 1)
            {
                throw new HostUsageException($"--reference={reference}", "ARG-REFERENCE", "A reference is written alias=dataset", "write e.g. --reference=reference=data/zipcodes.csv");
            }

            references[reference[..split]] = reference[(split + 1)..];
        }

        var samples = context.Arguments.GetArguments("samples") is { Count: > 0 } s
            ? int.TryParse(s.Last(), out var n) && n >= 0 ? n : throw new HostUsageException($"--samples={s.Last()}", "ARG-SAMPLES", "The sample size is not a whole number", "write e.g. --samples=20 (0 for none)")
            : 20;

        // Check every report path before any work, so a typo costs nothing.
        var outputs = context.Arguments.GetArguments("output").Select(path => (Path: Path.GetFullPath(path), Format: ValidationReport.FormatOf(path)
            ?? throw new HostUsageException($"--output={path}", "ARG-OUTPUT", "The report format is chosen by the file's extension, and this one is not known", "end the name with .json, .xml (JUnit), .html or .txt"))).ToArray();

        var options = new ValidationOptions(samples, RedactSamples: context.Arguments.GetArguments("redact").Any(v => v == "true"));
        var result = GluePipeline.Aws.AthenaDataset.IsAthena(dataset)
            ? await ValidateOnAthenaAsync(context, new DatasetValidator(options), rules, dataset, references)
            : await new DatasetValidator(options).ValidateAsync(rules, dataset, references, Environment.CurrentDirectory, context.CancellationToken);

        var report = context.Format == "json" ? ValidationReport.ToJson(result) : ValidationReport.ToText(result);
        foreach (var (path, format) in outputs)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, ValidationReport.Render(format, result), context.CancellationToken);
            context.Log.Information("{0} report written to {1}", format, path);
        }

        if (context.Format == "json")
        {
            await context.Output.WriteLineAsync(report.AsMemory(), context.CancellationToken);
        }
        else
        {
            context.Log.Write(Verbosity.Quiet, result.AllPassed ? LogLevel.Information : LogLevel.Warning, "{0}", report.TrimEnd());
        }

        if (!result.AllPassed)
        {
            var failed = result.Rules.Count(r => r.Outcome != RuleOutcome.Passed);
            throw new TargetFailedException($"{failed} of {result.Rules.Count} rule(s) did not pass (score {result.Score:0.00})");
        }
    }

    /// <summary>The rules run as Athena SQL where the data is; references must be in the same database.</summary>
    private static async Task<ValidationResult> ValidateOnAthenaAsync(BuildContext context, DatasetValidator validator, string rules, string dataset, IReadOnlyDictionary<string, string> references)
    {
        var primary = GluePipeline.Aws.AthenaDataset.Parse(dataset, "--dataset");
        var datasets = new Dictionary<string, ValidationDataset>(StringComparer.OrdinalIgnoreCase);
        foreach (var (alias, text) in references)
        {
            var reference = GluePipeline.Aws.AthenaDataset.IsAthena(text) ? GluePipeline.Aws.AthenaDataset.Parse(text, $"--reference={alias}") : null;
            if (reference is null || reference.Options.Database != primary.Options.Database)
            {
                throw new PipelineInputException(Diagnostic.Error(new SourceLocation($"--reference={alias}"), "DATASET", "A reference of an Athena dataset must be in the same Athena database (the rules join them there)", $"give --reference={alias}=athena://{primary.Options.Database}?table=<table>"));
            }

            datasets[alias] = new ValidationDataset(text, reference.Relation);
        }

        var aws = await context.AwsAsync();
        await using var engine = new GluePipeline.Aws.AthenaEngine(new GluePipeline.Aws.AthenaQueries(aws.Athena, planned: aws.Plan is not null), primary.Options);
        return await validator.ValidateOnAsync(engine, rules, new ValidationDataset(dataset, primary.Relation), datasets, Environment.CurrentDirectory, context.CancellationToken);
    }

    private static string Required(BuildContext context, string name, string example) =>
        context.Arguments.GetArguments(name) is { Count: > 0 } values
            ? values.Last()
            : throw new PipelineInputException(Diagnostic.Error(new SourceLocation($"--{name}"), "ARG-" + name.ToUpperInvariant(), $"Validate needs --{name}", $"write {example}"));
}
