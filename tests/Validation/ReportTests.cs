using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using GluePipeline.Data;
using GluePipeline.Tests.Support;
using GluePipeline.Validation;
using GluePipeline.Validation.Assertions;
using GluePipeline.Validation.Dqdl;
using Xunit.Sdk;

namespace GluePipeline.Tests.Validation;

/// <summary>A real evaluation with passing, failing and erroring rules over data that tries to break reports.</summary>
public sealed class ReportFixture : IAsyncLifetime
{
    public const string Rules = """
        DefaultLabels = ["team": "sales & ops"]
        Rules = [
          RowCount = 4,
          IsComplete "city",
          ColumnValues "code" matches "[A-Z]{2}[0-9]{2}" labels = ["severity": "<high>"],
          ColumnValues "city" != "<script>alert('x')</script>",
          RowCountMatch "nowhere" = 1.0,
          Mean "amount" between 1 and 2
        ]
        """;

    public ValidationResult Result { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await using var engine = await DuckDbEngine.OpenAsync(null, CancellationToken.None);
        await engine.ExecuteAsync(
            """
            CREATE TABLE orders AS SELECT * FROM (VALUES
              (1, 'Zürich', 'AB12', 10.0),
              (2, NULL, 'bad&<code>', 20.0),
              (3, '<script>alert(''x'')</script>', 'CD34', 30.0),
              (4, 'bell' || chr(7) || ' & "quotes"', 'x', 40.0)
            ) v(id, city, code, amount)
            """,
            CancellationToken.None);
        var document = DqdlParser.Parse("jobs/sales/rules.dqdl", Rules);
        Result = await new RulesetEvaluator(engine, new ValidationOptions(Time: new FixedTime(ValidationFixture.Now)))
            .EvaluateAsync(document, new ValidationDataset("s3://lake/sales/orders/", "orders"), null, CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

public sealed class ReportTests(ReportFixture fixture) : IClassFixture<ReportFixture>, IDisposable
{
    private static readonly XmlSchemaSet JUnitSchema = LoadSchema();
    private static readonly (int R, int G, int B) Red = (0xcf, 0x22, 0x2e);
    private static readonly (int R, int G, int B) Green = (0x1a, 0x7f, 0x37);

    private readonly TempDirectory _dir = new("reports");

    private ValidationResult Result => fixture.Result;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_fixture_has_every_outcome()
    {
        Result.Rules.Select(r => r.Outcome).Should().Equal(
            RuleOutcome.Passed, RuleOutcome.Failed, RuleOutcome.Failed, RuleOutcome.Failed, RuleOutcome.Error, RuleOutcome.Failed);
        Result.StartedAt.Should().Be(ValidationFixture.Now);
    }

    [Fact]
    public void JUnit_is_valid_against_the_schema_with_one_test_case_per_rule()
    {
        var xml = ValidationReport.ToJUnit(Result);

        var document = Validate(xml);
        var suite = document.Root!.Element("testsuite")!;
        suite.Attribute("name")!.Value.Should().Be("jobs/sales/rules.dqdl on s3://lake/sales/orders/");
        (suite.Attribute("tests")!.Value, suite.Attribute("failures")!.Value, suite.Attribute("errors")!.Value).Should().Be(("6", "4", "1"));
        suite.Attribute("timestamp")!.Value.Should().Be("2026-11-27T12:00:00");
        var cases = suite.Elements("testcase").ToArray();
        cases.Select(c => c.Attribute("name")!.Value).Should().Equal(Result.Rules.Select(r => r.Rule));
        cases.Select(c => c.Attribute("classname")!.Value).Should().AllBe("jobs.sales.rules");
        cases.Select(c => c.Attribute("line")!.Value).Should().Equal("3", "4", "5", "6", "7", "8");
        cases[0].Elements().Select(e => e.Name.LocalName).Should().Equal("system-out");
        cases[1].Element("failure")!.Attribute("type")!.Value.Should().Be("RuleFailed");
        cases[4].Element("error")!.Attribute("message")!.Value.Should().Contain("--reference=nowhere=<dataset>");
    }

    [Fact]
    public void A_failure_carries_its_reason_metrics_and_sample_rows()
    {
        var document = Validate(ValidationReport.ToJUnit(Result));
        var failure = document.Descendants("testcase").Single(c => c.Attribute("name")!.Value == "IsComplete \"city\"").Element("failure")!;

        failure.Attribute("message")!.Value.Should().Be(Result.Rules[1].FailureReason);
        failure.Value.Should().Contain("Column.city.Completeness = 0.75").And.Contain("row: id=2, city=NULL, code=bad&<code>, amount=20");
    }

    [Fact]
    public void Characters_XML_cannot_carry_are_replaced_not_written()
    {
        var xml = ValidationReport.ToJUnit(Result);

        xml.Should().NotContain("\u0007");
        Validate(xml).Descendants("failure").Select(f => f.Value).Should().Contain(v => v.Contains("bell\uFFFD & \"quotes\"", StringComparison.Ordinal));
    }

    [Fact]
    public void JUnit_of_several_results_totals_them()
    {
        var document = Validate(ValidationReport.ToJUnit(Result, Result with { Dataset = "other" }));

        document.Root!.Attribute("tests")!.Value.Should().Be("12");
        document.Root.Attribute("failures")!.Value.Should().Be("8");
        document.Root.Elements("testsuite").Should().HaveCount(2);
    }

    [Fact]
    public void The_schema_check_can_fail()
    {
        var xml = ValidationReport.ToJUnit(Result).Replace("<testcase name=\"RowCount = 4\"", "<testcase", StringComparison.Ordinal);

        var act = () => Validate(xml);

        act.Should().Throw<XmlSchemaValidationException>().WithMessage("*name*");
    }

    [Fact]
    public void Html_escapes_everything_that_came_from_rules_or_data()
    {
        var html = ValidationReport.ToHtml(Result);

        html.Should().NotContain("<script>").And.NotContain("<code>bad").And.NotContain("<high>");
        html.Should().Contain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;").And.Contain("bad&amp;&lt;code&gt;").And.Contain("severity: &lt;high&gt;");
        html.Should().Contain("team: sales &amp; ops");
        Regex.Matches(html, "<script", RegexOptions.IgnoreCase).Should().BeEmpty("the page has no scripts of its own either");
    }

    [Fact]
    public void Html_shows_the_verdict_counts_metrics_and_samples_and_links_what_needs_attention()
    {
        var html = ValidationReport.ToHtml(Result);

        html.Should().Contain("<span class=\"verdict failed\">FAILED</span>jobs/sales/rules.dqdl");
        html.Should().Contain("1 of 6 rules passed").And.Contain("4 failed").And.Contain("1 could not be evaluated");
        html.Should().Contain("<dt>Column.city.Completeness</dt><dd>0.75</dd>");
        html.Should().Contain("1 sample row that breaks the rule").And.Contain("<td class=\"null\">NULL</td>");
        Regex.Matches(html, "<li><a href=\"#r1-(\\d)\">").Select(m => m.Groups[1].Value).Should().Equal("2", "3", "4", "5", "6");
        html.Should().Contain("id=\"r1-2\"");
    }

    [SkippableFact]
    public async Task Html_renders_in_headless_Chromium_with_the_verdict_in_colour()
    {
        Chromium.Require();
        var page = _dir.Write("report.html", ValidationReport.ToHtml(Result));

        var png = Png.Read(await Chromium.ScreenshotAsync(page, Path.Combine(_dir.Path, "report.png"), 1200, 900));

        png.Width.Should().Be(1200);
        png.Height.Should().Be(900);
        var colours = Enumerable.Range(0, png.Height / 2).SelectMany(y => Enumerable.Range(0, png.Width / 2).Select(x => png[x * 2, y * 2])).ToHashSet();
        colours.Any(c => Near(c, Red)).Should().BeTrue("the FAILED verdict and badges are red");
        colours.Any(c => Near(c, Green)).Should().BeTrue("the PASSED badge and bar are green");
        colours.Count.Should().BeGreaterThan(50, "text was drawn (anti-aliasing makes many shades)");
    }

    [SkippableFact]
    public async Task A_passing_report_renders_without_any_red()
    {
        Chromium.Require();
        var passing = Result with { Rules = [Result.Rules[0]] };
        var page = _dir.Write("passing.html", ValidationReport.ToHtml(passing));

        var png = Png.Read(await Chromium.ScreenshotAsync(page, Path.Combine(_dir.Path, "passing.png"), 800, 600));

        var colours = Enumerable.Range(0, png.Height).SelectMany(y => Enumerable.Range(0, png.Width).Select(x => png[x, y])).ToHashSet();
        colours.Any(c => Near(c, Green)).Should().BeTrue();
        colours.Any(c => Near(c, Red)).Should().BeFalse();
    }

    [Fact]
    public void AllPass_lists_every_failing_rule_with_metrics_and_samples()
    {
        var act = () => Result.Should().AllPass("the sales job wrote {0}", "orders");

        var message = act.Should().Throw<XunitException>().Which.Message;
        message.Should().StartWith("Expected every rule of jobs/sales/rules.dqdl on s3://lake/sales/orders/ to pass because the sales job wrote orders, but 5 of 6 did not:");
        message.Should().Contain("FAILED  IsComplete \"city\"").And.Contain("metrics: Column.city.Completeness = 0.75").And.Contain("row: id=2, city=NULL");
        message.Should().Contain("ERROR   RowCountMatch \"nowhere\" = 1.0");
        message.Should().Contain("FAILED  Mean \"amount\" between 1 and 2").And.Contain("Column.amount.Mean = 25");
        message.Should().NotContain("PASSED");
    }

    [Fact]
    public void AllPass_passes_when_every_rule_passed_and_HaveOutcome_names_the_rule()
    {
        (Result with { Rules = [Result.Rules[0]] }).Should().AllPass();
        Result.Should().HaveOutcome("IsComplete \"city\"", RuleOutcome.Failed);

        var act = () => Result.Should().HaveOutcome("IsComplete \"city\"", RuleOutcome.Passed);
        act.Should().Throw<XunitException>().WithMessage("Expected IsComplete \"city\" to be Passed, but it was:*Column.city.Completeness = 0.75*");
        var missing = () => Result.Should().HaveOutcome("RowCount > 0", RuleOutcome.Passed);
        missing.Should().Throw<XunitException>().WithMessage("Expected a rule RowCount > 0, but the rules are:*RowCount = 4*");
    }

    private static bool Near((byte R, byte G, byte B) c, (int R, int G, int B) target) =>
        Math.Abs(c.R - target.R) <= 6 && Math.Abs(c.G - target.G) <= 6 && Math.Abs(c.B - target.B) <= 6;

    private static XDocument Validate(string xml)
    {
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = JUnitSchema };
        settings.ValidationEventHandler += (_, e) => throw e.Exception;
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        return XDocument.Load(reader);
    }

    private static XmlSchemaSet LoadSchema()
    {
        var set = new XmlSchemaSet();
        set.Add(null, Path.Combine(RepositoryRoot.Path, "tests", "Validation", "Reports", "junit.xsd"));
        set.Compile();
        return set;
    }
}
