using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using GluePipeline.Build;
using GluePipeline.Build.Hosting;
using GluePipeline.Documents;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Build;

/// <summary>
/// The pipeline stack (templates/pipeline.yaml) and buildspec.yml as CodeBuild and CodePipeline read
/// them: every target and switch they name exists in the build host, the seed's stages and actions
/// are there in order, pull requests are validated, and no LiveTest stack can outlive its run.
/// </summary>
public sealed class PipelineStackTests
{
    private static readonly IReadOnlySet<string> Targets = typeof(PipelineHost).Assembly.GetTypes()
        .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IFrostingTask).IsAssignableFrom(t))
        .Select(CakeHost.GetTaskName).ToHashSet(StringComparer.Ordinal);

    private static readonly IReadOnlySet<string> Switches = BuildSwitches.All.Concat(CakeHost.BuiltInSwitches).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

    private static MappingNode Yaml(string path, DocumentDialect dialect)
    {
        var parsed = DocumentParser.Parse(path, File.ReadAllBytes(Path.Combine(RepositoryRoot.Path, path)), dialect);
        parsed.Diagnostics.Should().BeEmpty();
        return (MappingNode)parsed.Root!;
    }

    private static MappingNode Pipeline => Yaml("templates/pipeline.yaml", DocumentDialect.CloudFormation);

    private static MappingNode Resource(string logicalId) => (MappingNode)((MappingNode)((MappingNode)Pipeline["Resources"]!)[logicalId]!)["Properties"]!;

    private static string Text(DocumentNode? node) => node is ScalarNode scalar ? scalar.Value : throw new InvalidOperationException($"{node} is not a scalar");

    private static IEnumerable<DocumentNode> Descendants(DocumentNode node) => node switch
    {
        MappingNode map => map.Entries.SelectMany(e => Descendants(e.Value)).Prepend(map),
        SequenceNode list => list.Items.SelectMany(Descendants).Prepend(list),
        _ => [node],
    };

    /// <summary>
    /// Every environment variable set on a build under <paramref name="node"/>: in projects (Name/Value),
    /// in actions (EnvironmentVariables, JSON) and in EventBridge inputs (environmentVariablesOverride, JSON).
    /// </summary>
    private static IReadOnlyList<(string Name, string Value, string Where)> BuildVariables(DocumentNode node)
    {
        var found = new List<(string, string, string)>();
        foreach (var item in Descendants(node))
        {
            if (item is MappingNode map && map["Name"] is ScalarNode name && map["Value"] is ScalarNode value)
            {
                found.Add((name.Value, value.Value, map.Location.ToString()));
            }
            else if (item is ScalarNode scalar && scalar.Value.TrimStart() is var text && (text.StartsWith('[') || text.StartsWith("{\"environmentVariablesOverride\"", StringComparison.Ordinal)))
            {
                var json = JsonNode.Parse(text);
                var list = json as JsonArray ?? json!["environmentVariablesOverride"]!.AsArray();
                found.AddRange(list.Select(e => ((string)e!["name"]!, (string)e["value"]!, scalar.Location.ToString())));
            }
        }

        return found;
    }

    private static Dictionary<string, string> BuildVariablesOf(DocumentNode node) =>
        BuildVariables(node).GroupBy(v => v.Name).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

    [Fact]
    public void Every_target_and_switch_the_pipeline_and_the_buildspec_name_exists_in_the_build_host()
    {
        var variables = BuildVariables(Pipeline);
        var targets = variables.Where(v => v.Name == "PIPELINE_TARGET").ToArray();
        targets.Should().HaveCountGreaterThan(8, "every CodeBuild action, project and EventBridge target says which target it runs");
        targets.Should().OnlyContain(t => Targets.Contains(t.Value), "each names a target of the host ({0})", string.Join(", ", Targets.Order()));
        variables.Where(v => v.Name == "PIPELINE_LANE").Select(v => v.Value).Should().OnlyContain(l => l == "local" || l == "aws");

        foreach (var (_, args, where) in variables.Where(v => v.Name == "PIPELINE_ARGS"))
        {
            foreach (var word in args.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                word.Should().StartWith("--", where);
                Switches.Should().Contain(word[2..].Split('=')[0], $"{where}: {word} is a switch of the host");
            }
        }

        var buildspec = Yaml("buildspec.yml", DocumentDialect.Plain);
        var defaults = (MappingNode)((MappingNode)buildspec["env"]!)["variables"]!;
        Targets.Should().Contain(Text(defaults["PIPELINE_TARGET"]), "the buildspec's default target exists");
        Text(defaults["PIPELINE_LANE"]).Should().BeOneOf("local", "aws");
    }

    [Fact]
    public void The_buildspec_runs_the_host_with_the_packaged_zip_exports_the_digest_and_reports_after_failures_too()
    {
        var buildspec = Yaml("buildspec.yml", DocumentDialect.Plain);
        Text(buildspec["version"]).Should().Be("0.2");
        var env = (MappingNode)buildspec["env"]!;
        ((SequenceNode)env["exported-variables"]!).Items.Select(Text).Should().Contain("ArtifactDigest", "the approval shows it and promotion requires it");

        foreach (var (phase, list) in ((MappingNode)buildspec["phases"]!).Entries.SelectMany(p => ((MappingNode)p.Value).Entries.Where(e => e.Value is SequenceNode).Select(e => (p.Key, (SequenceNode)e.Value))))
        {
            list.Items.Should().AllBeOfType<ScalarNode>($"every command of phase {phase} is one string for the shell (an unquoted ': ' would make it a mapping)");
        }

        var build = (MappingNode)((MappingNode)buildspec["phases"]!)["build"]!;
        var commands = ((SequenceNode)build["commands"]!).Items.Select(Text).ToArray();
        commands.Should().Contain(c => c.Contains("dotnet run --project build --", StringComparison.Ordinal) && c.Contains("$PIPELINE_ARGS", StringComparison.Ordinal), "CodeBuild runs the host a developer runs");
        string.Join("\n", commands).Should().Contain("--target=\"$PIPELINE_TARGET\"").And.Contain("--lane=\"$PIPELINE_LANE\"").And.Contain("CODEBUILD_SRC_DIR_Built").And.Contain("--artifact=");

        var @finally = string.Join("\n", ((SequenceNode)build["finally"]!).Items.Select(Text));
        @finally.Should().Contain("artifacts/livetest-digest.txt").And.Contain("export ArtifactDigest", "the digest AutomatedLiveTest writes is what is exported");
        @finally.Should().Contain("aws s3 cp artifacts/livetest", "the LiveTest reports are published even when the build failed");

        // The report globs match what UnitTests and AutomatedLiveTest write.
        var reports = (MappingNode)buildspec["reports"]!;
        var globs = reports.Entries.ToDictionary(e => e.Key, e => ((SequenceNode)((MappingNode)e.Value)["files"]!).Items.Select(Text).Single());
        Matches(globs["unit-tests"], "artifacts/test-results/unit-tests.junit.xml").Should().BeTrue();
        Matches(globs["livetest"], "artifacts/livetest/livetest-main-3fa9c1/livetest.junit.xml").Should().BeTrue();
        Matches(globs["livetest"], "artifacts/livetest/livetest-main-3fa9c1/rules.junit.xml").Should().BeTrue();
        Text(((SequenceNode)((MappingNode)buildspec["artifacts"]!)["files"]!).Items.Single()).Should().Be("artifacts/*.zip", "the Build stage hands the packaged zip on");

        // Report groups: CodeBuild files the buildspec's report <name> of project <p> under <p>-<name>.
        var groups = Descendants(Pipeline).OfType<MappingNode>().Where(m => m["Type"] is ScalarNode { Value: "AWS::CodeBuild::ReportGroup" })
            .Select(m => Descendants(((MappingNode)m["Properties"]!)["Name"]!).OfType<ScalarNode>().First().Value).ToArray();
        foreach (var (project, prefix) in new[] { ("BuildProject", "${ProjectName}-pipeline"), ("PullRequestProject", "${ProjectName}-pr") })
        {
            Descendants(Resource(project)["Name"]!).OfType<ScalarNode>().First().Value.Should().Be(prefix);
            foreach (var report in globs.Keys)
            {
                groups.Should().Contain($"{prefix}-{report}", $"{project}'s {report} report has its group in the stack");
            }
        }
    }

    [Fact]
    public void The_pipeline_has_the_seeds_stages_and_one_LiveTest_stack_per_execution_from_deploy_to_cleanup()
    {
        var stages = ((SequenceNode)Resource("Pipeline")["Stages"]!).Items.Cast<MappingNode>().ToArray();
        stages.Select(s => Text(s["Name"])).Should().Equal("Source", "Build", "LiveTest", "DeployToProduction");
        var liveTest = ((SequenceNode)stages[2]["Actions"]!).Items.Cast<MappingNode>().ToArray();
        liveTest.Select(a => Text(a["Name"])).Should().Equal("Deploy", "AutomatedLiveTest", "LiveTestApproval", "LiveTestCleanup");
        liveTest.Select(a => Text(a["RunOrder"])).Should().Equal("1", "2", "3", "4");

        var source = Descendants(stages[0]).OfType<MappingNode>().Where(m => m["OutputArtifactFormat"] is not null).ToArray();
        source.Should().HaveCount(2).And.OnlyContain(m => Text(m["OutputArtifactFormat"]) == "CODEBUILD_CLONE_REF", "Package needs git: both source providers give a full clone");

        string Args(MappingNode action) => BuildVariablesOf(action).GetValueOrDefault("PIPELINE_ARGS", string.Empty);
        const string Stack = "--stack=livetest-#{codepipeline.PipelineExecutionId}";
        Args(liveTest[0]).Should().Contain(Stack).And.Contain("--keep-stack", "the stack outlives the Deploy action");
        Args(liveTest[1]).Should().Contain(Stack).And.Contain("--exclusive", "AutomatedLiveTest tests the deployed stack, it does not deploy another");
        Args(liveTest[3]).Should().Contain(Stack);
        BuildVariablesOf(liveTest[3])["PIPELINE_TARGET"].Should().Be("TeardownLiveTest");
        Text(liveTest[1]["Namespace"]).Should().Be("LiveTestVars");
        Text(((MappingNode)liveTest[2]["Configuration"]!)["CustomData"]).Should().Contain("#{LiveTestVars.ArtifactDigest}", "the person approving sees the digest that was tested");
        var promote = ((SequenceNode)stages[3]["Actions"]!).Items.Cast<MappingNode>().Single();
        Args(promote).Should().Contain("--digest=#{LiveTestVars.ArtifactDigest}", "production takes exactly the approved digest");
    }

    [Fact]
    public void Pull_requests_against_the_release_branch_run_the_PullRequest_target_from_a_webhook()
    {
        var project = Resource("PullRequestProject");
        var triggers = (MappingNode)project["Triggers"]!;
        Text(triggers["Webhook"]).Should().Be("true");
        var group = ((SequenceNode)((SequenceNode)triggers["FilterGroups"]!).Items.Single()).Items.Cast<MappingNode>().ToDictionary(f => Text(f["Type"]), f => f["Pattern"]!);
        Text(group["EVENT"]).Split(',').Should().BeEquivalentTo("PULL_REQUEST_CREATED", "PULL_REQUEST_UPDATED", "PULL_REQUEST_REOPENED");
        Descendants(group["BASE_REF"]).OfType<ScalarNode>().First().Value.Should().Be("^refs/heads/${BranchName}$");
        BuildVariablesOf(project).Should().Contain("PIPELINE_TARGET", "PullRequest");
    }

    [Fact]
    public void A_failed_rejected_stopped_or_superseded_execution_has_its_LiveTest_stack_torn_down_and_Sweep_runs_on_a_schedule()
    {
        var teardown = Resource("FailedExecutionTeardown");
        var pattern = (MappingNode)teardown["EventPattern"]!;
        ((SequenceNode)((MappingNode)pattern["detail"]!)["state"]!).Items.Select(Text).Should().BeEquivalentTo("FAILED", "STOPPED", "SUPERSEDED");
        var target = (MappingNode)((SequenceNode)teardown["Targets"]!).Items.Single();
        var transformer = (MappingNode)target["InputTransformer"]!;
        Text(((MappingNode)transformer["InputPathsMap"]!)["execution"]).Should().Be("$.detail.execution-id");
        var input = JsonNode.Parse(Text(transformer["InputTemplate"]))!["environmentVariablesOverride"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string)e!["value"]!);
        input.Should().Contain("PIPELINE_TARGET", "TeardownLiveTest").And.Contain("PIPELINE_ARGS", "--stack=livetest-<execution>", "the same name the execution's actions used");

        var sweep = Resource("ScheduledSweep");
        sweep["ScheduleExpression"].Should().NotBeNull();
        var sweepInput = JsonNode.Parse(Text(((MappingNode)((SequenceNode)sweep["Targets"]!).Items.Single())["Input"]))!["environmentVariablesOverride"]!.AsArray();
        sweepInput.Select(e => (string)e!["value"]!).Should().Contain("Sweep");
        BuildVariablesOf(Resource("MaintenanceProject")).Should().Contain("PIPELINE_LANE", "aws");
    }

    private static bool Matches(string glob, string path) =>
        Regex.IsMatch(path, "^" + Regex.Escape(glob).Replace(@"\*\*/", "(.*/)?", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal) + "$");
}
