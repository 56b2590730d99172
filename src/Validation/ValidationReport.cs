using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GluePipeline.Validation;

/// <summary>The forms a validation report takes.</summary>
public enum ReportFormat
{
    /// <summary>The console table.</summary>
    Text,

    /// <summary>The JSON contract of Validate.</summary>
    Json,

    /// <summary>JUnit XML, one test case per rule.</summary>
    JUnit,

    /// <summary>A self-contained HTML page.</summary>
    Html,
}

/// <summary>
/// Renders validation results for people (a console table, an HTML page) and machines (JSON,
/// JUnit XML). The JUnit and HTML renderings live in ValidationReport.JUnit.cs and
/// ValidationReport.Html.cs.
/// </summary>
public static partial class ValidationReport
{
    /// <summary>The report format a file name asks for: .json, .xml (JUnit), .html/.htm, .txt/.log; null for anything else.</summary>
    public static ReportFormat? FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".json" => ReportFormat.Json,
        ".xml" => ReportFormat.JUnit,
        ".html" or ".htm" => ReportFormat.Html,
        ".txt" or ".log" => ReportFormat.Text,
        _ => null,
    };

    /// <summary>Renders results in a format.</summary>
    public static string Render(ReportFormat format, params IReadOnlyList<ValidationResult> results) => format switch
    {
        ReportFormat.Json when results.Count == 1 => ToJson(results[0]),
        ReportFormat.Json => "[\n" + string.Join(",\n", results.Select(ToJson)) + "\n]",
        ReportFormat.JUnit => ToJUnit(results),
        ReportFormat.Html => ToHtml(results),
        _ => string.Concat(results.Select(ToText)),
    };

    /// <summary>
    /// The JSON contract of Validate: <c>{"dataset", "rulesFile", "score", "rules": [{"rule", "outcome",
    /// "failureReason", "metrics", "samples", "labels", "line"}]}</c>, rules in file order.
    /// </summary>
    public static string ToJson(ValidationResult result)
    {
        var rules = new JsonArray();
        foreach (var rule in result.Rules)
        {
            var metrics = new JsonObject();
            foreach (var (key, value) in rule.EvaluatedMetrics)
            {
                metrics[key] = double.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));
            }

            var samples = new JsonArray();
            foreach (var row in rule.Samples)
            {
                var item = new JsonObject();
                foreach (var (column, value) in row)
                {
                    item[column] = ToJson(value);
                }

                samples.Add(item);
            }

            var labels = new JsonObject();
            foreach (var (key, value) in rule.Labels)
            {
                labels[key] = value;
            }

            rules.Add(new JsonObject
            {
                ["rule"] = rule.Rule,
                ["outcome"] = rule.Outcome.ToString(),
                ["failureReason"] = rule.FailureReason,
                ["metrics"] = metrics,
                ["samples"] = samples,
                ["labels"] = labels,
                ["line"] = rule.Line,
            });
        }

        var document = new JsonObject
        {
            ["dataset"] = result.Dataset,
            ["rulesFile"] = result.RulesFile,
            ["score"] = result.Score,
            ["rules"] = rules,
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        int i => JsonValue.Create(i),
        short h => JsonValue.Create(h),
        byte y => JsonValue.Create(y),
        double d when double.IsFinite(d) => JsonValue.Create(d),
        float f when float.IsFinite(f) => JsonValue.Create(f),
        decimal m => JsonValue.Create(m),
        IFormattable f => JsonValue.Create(f.ToString(null, CultureInfo.InvariantCulture)),
        _ => JsonValue.Create(value.ToString()),
    };

    /// <summary>A plain-text table: one line per rule with its outcome, then the reasons, metrics and a few sample rows.</summary>
    public static string ToText(ValidationResult result)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Rules {result.RulesFile} on {result.Dataset}: {result.Rules.Count(r => r.Outcome == RuleOutcome.Passed)} of {result.Rules.Count} passed, score {result.Score:0.00}").AppendLine();
        foreach (var rule in result.Rules)
        {
            text.Append(Describe(rule, "  ", samples: 5));
        }

        return text.ToString();
    }

    /// <summary>
    /// One rule as text: its outcome and rule, then (unless it passed) the reason, the metrics and up
    /// to <paramref name="samples"/> sample rows, indented under it. The console table and the
    /// FluentAssertions messages both use it.
    /// </summary>
    public static string Describe(RuleResult rule, string indent, int samples)
    {
        var text = new StringBuilder();
        var under = indent + "        ";
        text.Append(CultureInfo.InvariantCulture, $"{indent}{rule.Outcome.ToString().ToUpperInvariant(),-7} {rule.Rule}").AppendLine();
        if (rule.FailureReason is { } reason)
        {
            foreach (var line in reason.Split('\n'))
            {
                text.Append(under).AppendLine(line);
            }
        }

        if (rule.Outcome != RuleOutcome.Passed && rule.EvaluatedMetrics.Count > 0)
        {
            text.Append(under).Append("metrics: ").AppendLine(string.Join(", ", rule.EvaluatedMetrics.Select(m => $"{m.Key} = {Metric(m.Value)}")));
        }

        foreach (var row in rule.Samples.Take(samples))
        {
            text.Append(under).Append("row: ").AppendLine(Row(row));
        }

        if (rule.Samples.Count > samples)
        {
            text.Append(CultureInfo.InvariantCulture, $"{under}... {rule.Samples.Count - samples} more sample row(s) in the JSON and HTML reports").AppendLine();
        }

        return text.ToString();
    }

    /// <summary>A metric as reports print it.</summary>
    internal static string Metric(double value) =>
        value != 0 && Math.Abs(value) < 1e-6 ? value.ToString("G6", CultureInfo.InvariantCulture) : value.ToString("0.######", CultureInfo.InvariantCulture);

    /// <summary>A sampled value as reports print it.</summary>
    internal static string Cell(object? value) => value switch
    {
        null => "NULL",
        DateTime d => d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset o => o.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFzzz", CultureInfo.InvariantCulture),
        double x => x.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>A sampled row as <c>column=value, ...</c>.</summary>
    internal static string Row(IReadOnlyDictionary<string, object?> row) => string.Join(", ", row.Select(c => $"{c.Key}={Cell(c.Value)}"));
}
