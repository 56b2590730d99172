using GluePipeline.Linting;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Templates;

/// <summary>
/// The Glue, S3, IAM and network rules (tests/Templates/RulesCorpus): each positive template
/// produces exactly the findings (errors and warnings) listed in expectations.txt, each negative one
/// (a near miss) produces none; every rule has at least two of each.
/// </summary>
public sealed class RulesCorpusTests
{
    private static readonly string Folder = Path.Combine(RepositoryRoot.Path, "tests", "Templates", "RulesCorpus");

    private static readonly string[][] Lines = File.ReadAllLines(Path.Combine(Folder, "expectations.txt"))
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .ToArray();

    private static readonly ILookup<string, (string Rule, int Line)> Expected = Lines
        .Where(p => p[1] != "NEGATIVE")
        .ToLookup(p => p[0], p => (p[1], int.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture)));

    private static readonly ILookup<string, string> Negative = Lines.Where(p => p[1] == "NEGATIVE").ToLookup(p => p[0], p => p[2]);

    private static readonly string[] TemplateRules =
    [
        "RES-REQUIRED", "GLUE-JOB", "GLUE-CRAWLER", "GLUE-TRIGGER", "GLUE-CONNECTION", "GLUE-DQ",
        "SEC-IAM-ACTION", "SEC-IAM-RESOURCE", "SEC-GLUE-CATALOG", "SEC-S3-ENCRYPTION", "SEC-S3-PUBLIC", "SEC-PARAM-SECRET", "SEC-PLAINTEXT",
        "NET-GLUE-SG-SELF", "NET-DB-SG", "NET-PEERING-OVERLAP", "NET-GLUE-ROUTE", "NET-VPC-DNS",
    ];

    public static TheoryData<string> Files() => new(Directory.GetFiles(Folder)
        .Where(f => !f.EndsWith(".txt", StringComparison.Ordinal))
        .Select(f => Path.GetFileName(f))
        .Order(StringComparer.Ordinal));

    [Fact]
    public void Every_rule_has_at_least_two_positive_and_two_negative_templates()
    {
        foreach (var rule in TemplateRules)
        {
            Lines.Where(p => p[1] == rule).Select(p => p[0]).Distinct().Should().HaveCountGreaterThanOrEqualTo(2, $"{rule} needs positive cases");
            Lines.Where(p => p[1] == "NEGATIVE" && p[2] == rule).Should().HaveCountGreaterThanOrEqualTo(2, $"{rule} needs negative cases");
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Each_template_produces_exactly_its_expected_findings(string file)
    {
        var report = await new RepositoryLinter().LintTemplatesAsync([(file, Path.Combine(Folder, file))], CancellationToken.None);

        var actual = report.Findings.Select(f => (f.Rule, f.Location!.Value.Line)).OrderBy(x => x.Line).ThenBy(x => x.Rule).ToArray();
        var expected = Expected[file].OrderBy(x => x.Line).ThenBy(x => x.Rule).ToArray();
        actual.Should().Equal(expected, string.Join('\n', report.Findings));
        if (Negative[file].Any())
        {
            report.Findings.Should().BeEmpty("{0} is a near miss for {1}", file, string.Join(", ", Negative[file]));
        }
    }

    [Fact]
    public async Task Strict_turns_the_warnings_into_errors()
    {
        var file = Path.Combine(Folder, "sec-s3-1.yaml");

        var relaxed = await new RepositoryLinter().LintTemplatesAsync([("sec-s3-1.yaml", file)], CancellationToken.None);
        var strict = await new RepositoryLinter(new LintOptions(Strict: true)).LintTemplatesAsync([("sec-s3-1.yaml", file)], CancellationToken.None);

        relaxed.ExitCode.Should().Be(0);
        relaxed.WarningCount.Should().Be(2);
        strict.ExitCode.Should().Be(1);
        strict.ErrorCount.Should().Be(2);
    }
}
