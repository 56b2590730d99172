using System.Text.RegularExpressions;
using GluePipeline.Diagnostics;
using GluePipeline.Documents;

namespace GluePipeline.Jobs;

/// <summary>
/// Job arguments: Glue passes <c>--name value</c> pairs to a job run; a spec declares the ones it
/// uses (with defaults) and writes them as <c>${name}</c> in job.yaml and transform.sql.
/// </summary>
public static partial class JobArguments
{
    /// <summary>Arguments Glue itself passes or reads; accepted without being declared, never required.</summary>
    public static IReadOnlySet<string> GlueReserved { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "JOB_NAME", "JOB_ID", "JOB_RUN_ID", "TempDir", "SECURITY_CONFIGURATION", "job-bookmark-option", "job-language",
        "extra-py-files", "extra-jars", "extra-files", "enable-metrics", "enable-continuous-cloudwatch-log",
        "enable-continuous-log-filter", "continuous-log-logGroup", "enable-spark-ui", "spark-event-logs-path",
        "enable-glue-datacatalog", "enable-job-insights", "enable-observability-metrics", "enable-auto-scaling",
        "additional-python-modules", "python-modules-installer-option", "conf", "datalake-formats",
        "user-jars-first",
    };

    /// <summary>The placeholders of a text: each <c>${name}</c> with its index.</summary>
    public static IEnumerable<(string Name, int Index)> Placeholders(string text) =>
        PlaceholderPattern().Matches(text).Select(m => (m.Groups[1].Value, m.Index));

    /// <summary>A text with its placeholders replaced; every name must have a value.</summary>
    public static string Substitute(string text, IReadOnlyDictionary<string, string> values) =>
        PlaceholderPattern().Replace(text, m => values.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : throw new KeyNotFoundException($"No value for ${{{m.Groups[1].Value}}}"));

    /// <summary>Reads Glue-style arguments: <c>--name value</c> pairs (or <c>--name=value</c>).</summary>
    public static IReadOnlyDictionary<string, string> ParseGlueStyle(IReadOnlyList<string> args, string source)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var token = args[i];
            if (!token.StartsWith("--", StringComparison.Ordinal) || token.Length == 2)
            {
                throw Bad(source, $"'{token}' is not an argument name", "write arguments as Glue passes them: --name value");
            }

            var equals = token.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[token[2..equals]] = token[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                values[token[2..]] = args[++i];
            }
            else
            {
                throw Bad(source, $"{token} has no value", $"write {token} <value>");
            }
        }

        return values;
    }

    /// <summary>Reads <c>name=value</c> pairs (RunJob's <c>--arg</c>).</summary>
    public static IReadOnlyDictionary<string, string> ParsePairs(IEnumerable<string> pairs, string source)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw Bad($"{source}={pair}", "An argument is written name=value", $"write e.g. {source}=raw_bucket=my-bucket");
            }

            values[pair[..equals].TrimStart('-')] = pair[(equals + 1)..];
        }

        return values;
    }

    /// <summary>
    /// The values of a run: the given arguments over the declared defaults, plus <c>JOB_NAME</c>.
    /// A declared argument without a default must be given; an argument the job does not declare is
    /// refused (a typo would otherwise be silently ignored), except Glue's own.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Resolve(JobSpec spec, IReadOnlyDictionary<string, string> given, string source)
    {
        var declared = spec.Arguments.ToDictionary(a => a.Name, StringComparer.Ordinal);
        var findings = new List<Diagnostic>();
        foreach (var name in given.Keys.Where(n => !declared.ContainsKey(n) && !GlueReserved.Contains(n)))
        {
            var closest = DocumentParser.Closest(name, declared.Keys);
            findings.Add(Diagnostic.Error(new SourceLocation(source), "JOB-ARG", $"Job {spec.Name} has no argument '{name}'", closest is null
                ? $"declare it under arguments: in {spec.Display("job.yaml")} (the job declares {(declared.Count == 0 ? "none" : string.Join(", ", declared.Keys))})"
                : $"did you mean {closest}?"));
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal) { ["JOB_NAME"] = spec.Name };
        foreach (var argument in spec.Arguments)
        {
            if (given.TryGetValue(argument.Name, out var value))
            {
                values[argument.Name] = value;
            }
            else if (argument.Default is not null)
            {
                values[argument.Name] = argument.Default;
            }
            else
            {
                findings.Add(Diagnostic.Error(argument.Location, "JOB-ARG", $"Job {spec.Name} needs the argument '{argument.Name}', which has no default", $"pass --{argument.Name} <value> (RunJob: --arg={argument.Name}=<value>), or give it a default in job.yaml"));
            }
        }

        foreach (var (name, value) in given.Where(g => GlueReserved.Contains(g.Key)))
        {
            values.TryAdd(name, value);
        }

        return findings.Count > 0 ? throw new PipelineInputException(findings) : values;
    }

    private static PipelineInputException Bad(string source, string message, string fix) =>
        new(Diagnostic.Error(new SourceLocation(source), "JOB-ARG", message, fix));

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderPattern();
}
