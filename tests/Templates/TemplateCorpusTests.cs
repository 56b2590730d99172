using GluePipeline.Diagnostics;
using GluePipeline.Linting;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Templates;

/// <summary>
/// The template corpus (tests/Templates/Corpus): each broken template produces exactly the error
/// findings listed in expectations.txt (rule and line), and the real-world ones lint clean.
/// </summary>
public sealed class TemplateCorpusTests
{
    private static readonly string Folder = Path.Combine(RepositoryRoot.Path, "tests", "Templates", "Corpus");

    private static readonly ILookup<string, (string Rule, int Line)> Expectations = File.ReadAllLines(Path.Combine(Folder, "expectations.txt"))
        .Where(l => l.Length > 0 && !l.StartsWith('#'))
        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .ToLookup(p => p[0], p => (p[1], int.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture)));

    private static string[] Files => Directory.GetFiles(Folder)
        .Where(f => !f.EndsWith(".txt", StringComparison.Ordinal))
        .Select(f => Path.GetFileName(f))
        .Order(StringComparer.Ordinal)
        .ToArray();

    public static TheoryData<string> Templates() => new(Files);

    [Fact]
    public void The_corpus_has_at_least_40_templates_in_yaml_and_json_and_3_per_error_category()
    {
        var files = Files;
        files.Should().HaveCountGreaterThanOrEqualTo(40);
        files.Should().Contain(f => f.EndsWith(".json", StringComparison.Ordinal)).And.Contain(f => f.EndsWith(".yaml", StringComparison.Ordinal));

        var perRule = Expectations.SelectMany(g => g.Select(e => (File: g.Key, e.Rule))).GroupBy(x => x.Rule).ToDictionary(g => g.Key, g => g.Select(x => x.File).Distinct().Count());
        foreach (var rule in new[] { "CFN-TOP-KEY", "CFN-RES-TYPE", "CFN-DEPENDSON", "CFN-CYCLE", "CFN-REF", "CFN-GETATT", "CFN-SUB", "CFN-CONDITION", "CFN-FINDINMAP", "CFN-ARITY", "CFN-PARAM-VALUE" })
        {
            perRule.GetValueOrDefault(rule).Should().BeGreaterThanOrEqualTo(3, $"{rule} needs at least three corpus templates");
        }

        files.Where(f => f.StartsWith("real-", StringComparison.Ordinal)).Should().HaveCountGreaterThanOrEqualTo(4);
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public async Task Each_template_produces_exactly_its_expected_errors(string file)
    {
        var report = await new RepositoryLinter().LintTemplatesAsync([(file, Path.Combine(Folder, file))], CancellationToken.None);

        var actual = report.Findings.Where(f => f.Severity == Severity.Error).Select(f => (f.Rule, f.Location!.Value.Line)).OrderBy(x => x.Line).ThenBy(x => x.Rule).ToArray();
        var expected = Expectations[file].OrderBy(x => x.Line).ThenBy(x => x.Rule).ToArray();

        actual.Should().Equal(expected, string.Join('\n', report.Findings));
        report.Findings.Should().NotContain(f => f.Location!.Value.Line < 1 || f.Location.Value.Column < 1 || f.Location.Value.Source != file);
        report.ExitCode.Should().Be(expected.Length == 0 ? 0 : 1);
    }
}
