using System.Globalization;
using System.Text;
using System.Xml;

namespace GluePipeline.Validation;

public static partial class ValidationReport
{
    /// <summary>
    /// JUnit XML (the Ant/Jenkins format CodeBuild, GitHub and GitLab read): one <c>testsuite</c> per
    /// rule file and dataset, one <c>testcase</c> per rule. A failed rule is a <c>failure</c>, a rule
    /// that could not be evaluated an <c>error</c>; the reason, metrics and sample rows are the
    /// element's text, the metrics also the case's <c>system-out</c>.
    /// </summary>
    public static string ToJUnit(params IReadOnlyList<ValidationResult> results)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), OmitXmlDeclaration = false };
        var text = new StringBuilder();
        using (var xml = XmlWriter.Create(new StringWriter(text, CultureInfo.InvariantCulture), settings))
        {
            xml.WriteStartElement("testsuites");
            xml.WriteAttributeString("name", "Validate");
            xml.WriteAttributeString("tests", Count(results, _ => true));
            xml.WriteAttributeString("failures", Count(results, r => r.Outcome == RuleOutcome.Failed));
            xml.WriteAttributeString("errors", Count(results, r => r.Outcome == RuleOutcome.Error));
            xml.WriteAttributeString("time", Seconds(results.Aggregate(TimeSpan.Zero, (sum, r) => sum + r.Elapsed)));
            foreach (var result in results)
            {
                WriteSuite(xml, result);
            }

            xml.WriteEndElement();
        }

        // StringWriter reports UTF-16; the file is written as UTF-8, so say so.
        return text.ToString().Replace("encoding=\"utf-16\"", "encoding=\"utf-8\"", StringComparison.Ordinal) + "\n";
    }

    private static void WriteSuite(XmlWriter xml, ValidationResult result)
    {
        xml.WriteStartElement("testsuite");
        xml.WriteAttributeString("name", XmlSafe($"{result.RulesFile} on {result.Dataset}"));
        xml.WriteAttributeString("tests", result.Rules.Count.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("failures", result.Rules.Count(r => r.Outcome == RuleOutcome.Failed).ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("errors", result.Rules.Count(r => r.Outcome == RuleOutcome.Error).ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("skipped", "0");
        xml.WriteAttributeString("time", Seconds(result.Elapsed));
        if (result.StartedAt != default)
        {
            xml.WriteAttributeString("timestamp", result.StartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
        }

        xml.WriteStartElement("properties");
        Property(xml, "dataset", result.Dataset);
        Property(xml, "rulesFile", result.RulesFile);
        Property(xml, "score", result.Score.ToString("0.####", CultureInfo.InvariantCulture));
        xml.WriteEndElement();

        var className = ClassName(result.RulesFile);
        foreach (var rule in result.Rules)
        {
            xml.WriteStartElement("testcase");
            xml.WriteAttributeString("name", XmlSafe(rule.Rule));
            xml.WriteAttributeString("classname", className);
            xml.WriteAttributeString("file", XmlSafe(result.RulesFile));
            if (rule.Line > 0)
            {
                xml.WriteAttributeString("line", rule.Line.ToString(CultureInfo.InvariantCulture));
            }

            // The rules of a dataset share their queries; no rule has a time of its own.
            xml.WriteAttributeString("time", "0");
            if (rule.Outcome != RuleOutcome.Passed)
            {
                xml.WriteStartElement(rule.Outcome == RuleOutcome.Failed ? "failure" : "error");
                xml.WriteAttributeString("message", XmlSafe(rule.FailureReason ?? rule.Outcome.ToString()));
                xml.WriteAttributeString("type", rule.Outcome == RuleOutcome.Failed ? "RuleFailed" : "RuleError");
                xml.WriteString(XmlSafe(Details(rule)));
                xml.WriteEndElement();
            }

            if (rule.EvaluatedMetrics.Count > 0)
            {
                xml.WriteElementString("system-out", XmlSafe(string.Join("\n", rule.EvaluatedMetrics.Select(m => $"{m.Key} = {Metric(m.Value)}"))));
            }

            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    private static void Property(XmlWriter xml, string name, string value)
    {
        xml.WriteStartElement("property");
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("value", XmlSafe(value));
        xml.WriteEndElement();
    }

    /// <summary>The rule file as a dotted class name (jobs/taxi/rules.dqdl becomes jobs.taxi.rules), which JUnit viewers group by.</summary>
    private static string ClassName(string rulesFile)
    {
        var path = rulesFile.Replace('\\', '/');
        if (Path.IsPathRooted(path))
        {
            path = Path.GetFileName(path);
        }

        path = Path.ChangeExtension(path, null) ?? path;
        return XmlSafe(string.Join('.', path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != "." && p != "..")));
    }

    private static string Details(RuleResult rule)
    {
        var text = new StringBuilder();
        text.AppendLine(rule.FailureReason ?? rule.Outcome.ToString());
        foreach (var (key, value) in rule.EvaluatedMetrics)
        {
            text.Append(CultureInfo.InvariantCulture, $"{key} = {Metric(value)}").AppendLine();
        }

        foreach (var row in rule.Samples)
        {
            text.Append("row: ").AppendLine(Row(row));
        }

        return text.ToString().TrimEnd();
    }

    private static string Count(IEnumerable<ValidationResult> results, Func<RuleResult, bool> which) =>
        results.Sum(r => r.Rules.Count(which)).ToString(CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Text with the characters XML 1.0 cannot carry (control characters in sampled data) replaced.</summary>
    private static string XmlSafe(string text)
    {
        if (text.All(XmlConvert.IsXmlChar))
        {
            return text;
        }

        var safe = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (XmlConvert.IsXmlChar(text[i]))
            {
                safe.Append(text[i]);
            }
            else if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
            {
                safe.Append(text[i]).Append(text[i + 1]);
                i++;
            }
            else
            {
                safe.Append('\uFFFD');
            }
        }

        return safe.ToString();
    }
}
