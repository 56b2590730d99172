using System.Text.Json;
using GluePipeline.Build;
using GluePipeline.Build.Hosting;
using GluePipeline.Data;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Validation;

/// <summary>The Validate target on files, driven in-process as a user would run it.</summary>
public sealed class ValidateTargetTests : IDisposable
{
    private readonly TempDirectory _dir = new("validate");

    public ValidateTargetTests()
    {
        _dir.Write("cake.config", string.Empty);
        _dir.Write("trips.csv", "id,vendor,fare\n1,A,10.5\n2,B,3\n3,A,\n");
        _dir.Write("events.jsonl", "{\"id\": 1, \"geo\": {\"lat\": 1.5}, \"tags\": [\"a\"]}\n{\"id\": 2, \"geo\": {\"lat\": null}, \"tags\": []}\n");
        _dir.Write("quakes.json", "[{\"id\": \"a\", \"mag\": 4.1}, {\"id\": \"b\", \"mag\": 5.3}]");
        _dir.Write("vendors.csv", "vendor,name\nA,Alpha\nB,Beta\n");
        _dir.Write("rules.dqdl", "Rules = [ RowCount = 3, IsComplete \"id\", ColumnValues \"vendor\" in [\"A\", \"B\"] ]");
        _dir.Write("failing.dqdl", "Rules = [ IsComplete \"fare\", ColumnValues \"fare\" > 5 ]");
    }

    public void Dispose() => _dir.Dispose();

    private string P(string name) => Path.Combine(_dir.Path, name);

    private Task<HostRunResult> Run(params string[] args) => HostRun.RunAsync(PipelineHost.Create(), _dir.Path, ["--target=Validate", .. args]);

    [Fact]
    public async Task Passing_rules_exit_0_with_a_text_report()
    {
        var result = await Run($"--rules={P("rules.dqdl")}", $"--dataset={P("trips.csv")}");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("3 of 3 passed, score 1.00").And.Contain("PASSED  RowCount = 3");
    }

    [Fact]
    public async Task Failing_rules_exit_1_and_json_has_the_documented_shape()
    {
        var result = await Run($"--rules={P("failing.dqdl")}", $"--dataset={P("trips.csv")}", "--format=json");

        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        using var json = JsonDocument.Parse(result.Output);
        json.RootElement.GetProperty("dataset").GetString().Should().Be(P("trips.csv"));
        json.RootElement.GetProperty("score").GetDouble().Should().Be(0);
        var rule = json.RootElement.GetProperty("rules")[1];
        rule.GetProperty("rule").GetString().Should().Be("ColumnValues \"fare\" > 5");
        rule.GetProperty("outcome").GetString().Should().Be("Failed");
        rule.GetProperty("failureReason").GetString().Should().Contain("33.33 % of rows passed");
        rule.GetProperty("metrics").GetProperty("Column.fare.ColumnValues.Compliance").GetDouble().Should().BeApproximately(1.0 / 3, 1e-9);
        rule.GetProperty("samples").GetArrayLength().Should().Be(2);
        rule.GetProperty("samples")[0].GetProperty("id").GetInt64().Should().Be(2);
    }

    [Fact]
    public async Task Output_writes_the_report_to_a_file_too()
    {
        var result = await Run($"--rules={P("rules.dqdl")}", $"--dataset={P("trips.csv")}", "--format=json", $"--output={P("out/report.json")}");

        result.ExitCode.Should().Be(0, result.ToString());
        JsonDocument.Parse(File.ReadAllText(P("out/report.json"))).RootElement.GetProperty("score").GetDouble().Should().Be(1);
    }

    [Fact]
    public async Task Outputs_are_repeatable_and_their_extension_picks_the_format()
    {
        var result = await Run($"--rules={P("failing.dqdl")}", $"--dataset={P("trips.csv")}", $"--output={P("r/junit.xml")}", $"--output={P("r/report.html")}", $"--output={P("r/report.json")}", $"--output={P("r/report.txt")}");

        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        System.Xml.Linq.XDocument.Load(P("r/junit.xml")).Descendants("testcase").Should().HaveCount(2);
        File.ReadAllText(P("r/report.html")).Should().StartWith("<!DOCTYPE html>").And.Contain("ColumnValues &quot;fare&quot; &gt; 5");
        JsonDocument.Parse(File.ReadAllText(P("r/report.json"))).RootElement.GetProperty("rules").GetArrayLength().Should().Be(2);
        File.ReadAllText(P("r/report.txt")).Should().Contain("FAILED  ColumnValues \"fare\" > 5");
    }

    [Fact]
    public async Task An_unknown_report_extension_exits_2_before_any_work()
    {
        var result = await Run($"--rules={P("rules.dqdl")}", $"--dataset={P("trips.csv")}", $"--output={P("report.pdf")}");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain("error ARG-OUTPUT").And.Contain(".json, .xml (JUnit), .html or .txt");
        File.Exists(P("report.pdf")).Should().BeFalse();
    }

    [Fact]
    public async Task Json_lines_with_nested_fields_and_json_arrays_are_datasets()
    {
        _dir.Write("nested.dqdl", "Rules = [ RowCount = 2, IsComplete \"geo.lat\", ColumnValues \"id\" in [1, 2] ]");
        _dir.Write("array.dqdl", "Rules = [ RowCount = 2, ColumnValues \"mag\" between 4 and 6 ]");

        var nested = await Run($"--rules={P("nested.dqdl")}", $"--dataset={P("events.jsonl")}", "--format=json");
        var array = await Run($"--rules={P("array.dqdl")}", $"--dataset={P("quakes.json")}");

        nested.ExitCode.Should().Be(ExitCodes.Failure, "one lat is NULL: " + nested);
        using var json = JsonDocument.Parse(nested.Output);
        json.RootElement.GetProperty("rules")[1].GetProperty("metrics").GetProperty("Column.geo.lat.Completeness").GetDouble().Should().Be(0.5);
        array.ExitCode.Should().Be(0, array.ToString());
    }

    [Fact]
    public async Task Parquet_partitions_become_columns_and_globs_select_files()
    {
        await using (var engine = await DuckDbEngine.OpenAsync(null, CancellationToken.None))
        {
            await engine.ExecuteAsync($"COPY (SELECT * FROM (VALUES (1, 2024, 1), (2, 2024, 2), (3, 2025, 1)) v(id, year, month)) TO '{P("lake")}' (FORMAT parquet, PARTITION_BY (year, month))", CancellationToken.None);
        }

        _dir.Write("lake.dqdl", "Rules = [ RowCount = 3, ColumnValues \"year\" in [2024, 2025], ColumnExists \"month\" ]");
        _dir.Write("2024.dqdl", "Rules = [ RowCount = 2, ColumnValues \"year\" = 2024 ]");

        var folder = await Run($"--rules={P("lake.dqdl")}", $"--dataset={P("lake")}");
        var glob = await Run($"--rules={P("2024.dqdl")}", $"--dataset={P("lake")}/year=2024/**/*.parquet");

        folder.ExitCode.Should().Be(0, folder.ToString());
        glob.ExitCode.Should().Be(0, glob.ToString());
    }

    [Fact]
    public async Task References_are_given_by_alias()
    {
        _dir.Write("ref.dqdl", "Rules = [ ReferentialIntegrity \"vendor\" \"vendors.vendor\" = 1.0, RowCountMatch \"vendors\" = 1.5 ]");

        var result = await Run($"--rules={P("ref.dqdl")}", $"--dataset={P("trips.csv")}", $"--reference=vendors={P("vendors.csv")}");

        result.ExitCode.Should().Be(0, result.ToString());
    }

    [Fact]
    public async Task A_missing_reference_is_an_error_outcome_that_says_how_to_give_it()
    {
        _dir.Write("ref.dqdl", "Rules = [ RowCountMatch \"vendors\" = 1.5 ]");

        var result = await Run($"--rules={P("ref.dqdl")}", $"--dataset={P("trips.csv")}");

        result.ExitCode.Should().Be(ExitCodes.Failure);
        result.Output.Should().Contain("ERROR").And.Contain("--reference=vendors=<dataset>");
    }

    [Theory]
    [InlineData("bad.dqdl", "Rules = [ IsComplet \"id\" ]", "bad.dqdl:1:11: error DQDL-RULE: Unknown rule type 'IsComplet'. Fix: did you mean IsComplete?")]
    [InlineData("bad.dqdl", "Rules = [\n  RowCount > \n]", "bad.dqdl:3:1: error DQDL-SYNTAX: Expected a value but found ']'")]
    public async Task A_malformed_rule_file_exits_2_with_file_line_col_and_no_stack_trace(string file, string text, string expected)
    {
        _dir.Write(file, text);

        var result = await Run($"--rules={P(file)}", $"--dataset={P("trips.csv")}");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain(expected);
        result.Error.Should().NotContain("   at ");
    }

    [Theory]
    [InlineData("--dataset=nope.csv", "error DATASET: The dataset")]
    [InlineData("--dataset=data/*.parquet", "No files match")]
    [InlineData("--rules=none.dqdl", "error DQDL-FILE")]
    [InlineData("--reference=novalue", "error ARG-REFERENCE")]
    [InlineData("--samples=lots", "error ARG-SAMPLES")]
    public async Task Bad_arguments_exit_2_with_a_clear_error(string argument, string expected)
    {
        var args = new List<string> { $"--rules={P("rules.dqdl")}", $"--dataset={P("trips.csv")}" };
        args.RemoveAll(a => a.StartsWith(argument.Split('=')[0] + "=", StringComparison.Ordinal));
        args.Add(argument.Replace("nope.csv", P("nope.csv"), StringComparison.Ordinal).Replace("data/", P("data") + "/", StringComparison.Ordinal));

        var result = await Run([.. args]);

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain(expected);
    }

    [Fact]
    public async Task Validate_without_rules_says_what_is_missing()
    {
        var result = await Run($"--dataset={P("trips.csv")}");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput);
        result.Error.Should().Contain("Validate needs --rules");
    }
}
