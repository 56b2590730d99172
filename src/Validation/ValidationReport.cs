using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace GluePipeline.Validation;

/// <summary>Renders validation results for people (a table) and machines (JSON).</summary>
public static class ValidationReport
{
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

    /// <summary>A plain-text table: one line per rule with its outcome, then the reasons and a few sample rows.</summary>
    public static string ToText(ValidationResult result)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Rules {result.RulesFile} on {result.Dataset}: {result.Rules.Count(r => r.Outcome == RuleOutcome.Passed)} of {result.Rules.Count} passed, score {result.Score:0.00}").AppendLine();
        foreach (var rule in result.Rules)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {rule.Outcome.ToString().ToUpperInvariant(),-7} {rule.Rule}").AppendLine();
            if (rule.FailureReason is { } reason)
            {
                foreach (var line in reason.Split('\n'))
                {
                    text.Append("          ").AppendLine(line);
                }
            }

            if (rule.Outcome != RuleOutcome.Passed && rule.EvaluatedMetrics.Count > 0)
            {
                text.Append("          metrics: ").AppendLine(string.Join(", ", rule.EvaluatedMetrics.Select(m => $"{m.Key} = {m.Value.ToString("0.######", CultureInfo.InvariantCulture)}")));
            }

            foreach (var row in rule.Samples.Take(5))
            {
                text.Append("          row: ").AppendLine(string.Join(", ", row.Select(c => $"{c.Key}={c.Value ?? "NULL"}")));
            }

            if (rule.Samples.Count > 5)
            {
                text.Append(CultureInfo.InvariantCulture, $"          ... {rule.Samples.Count - 5} more sample row(s) in the JSON report").AppendLine();
            }
        }

        return text.ToString();
    }
}
