using System.Globalization;
using System.Text.Json.Nodes;
using GluePipeline.Aws;
using GluePipeline.Build;
using GluePipeline.Build.Hosting;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Build;

/// <summary>
/// DeployLiveTest, TeardownLiveTest and Sweep in the aws lane, driven in-process as a user runs them,
/// against fake STS and CloudFormation endpoints that check every request against botocore; and
/// <c>--plan</c>, whose every line must validate too. The tests of this class run one at a time:
/// they point the process's AWS_* variables at their fakes.
/// </summary>
[Collection(AwsLaneCollection.Name)]
public sealed class AwsLaneTests : IDisposable
{
    private const string Secret = "pl4n-s3cret-Value";
    private const string Stack = "livetest-aws-1";
    private static readonly string Later = DateTimeOffset.UtcNow.AddMinutes(5).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static readonly string[] Variables =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE",
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_CLOUDFORMATION", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_CODEPIPELINE", "AWS_ENDPOINT_URL_ATHENA", "AWS_ENDPOINT_URL_GLUE", "PIPELINE_ATHENA_WORKGROUP", "PIPELINE_ATHENA_OUTPUT", "PIPELINE_CODEPIPELINE", "PIPELINE_PROD_STACK",
        "PIPELINE_ARTIFACT_BUCKET", "PIPELINE_DEPLOY_ROLE", "PIPELINE_PARAM_RepositoryId", "PIPELINE_PIPELINE_STACK", "PIPELINE_AWS_POLL_SECONDS", "PIPELINE_AWS_WAIT_MINUTES", "PIPELINE_PARAM_ProbeToken", "PIPELINE_PARAM_WarehousePassword",
        "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_EC2_METADATA_DISABLED",
    ];

    private readonly Dictionary<string, string?> _saved = Variables.ToDictionary(v => v, Environment.GetEnvironmentVariable);
    private readonly GitFixture _repo = new("aws-lane");
    private readonly FakeAws _sts = new("sts");
    private readonly FakeAws _cfn = new("cloudformation");
    private readonly FakeAws _s3 = new("s3");
    private readonly FakeAws _codePipeline = new("codepipeline", "CodePipeline_20150709");
    private readonly List<object> _disposables = [];

    public AwsLaneTests()
    {
        _repo.Write("cake.config", "[Settings]\n");
        _repo.Write(".gitignore", "artifacts/\n.pipeline/\n");
        GluePipeline.Repository.ProductFiles.CopyTree(RepositoryRoot.Path, _repo.Path);

        // A NoEcho parameter whose value comes from the environment, as CI passes secrets.
        var template = File.ReadAllText(Path.Combine(_repo.Path, "templates/etl.yaml"));
        _repo.Write("templates/etl.yaml", template.Replace("Parameters:\n", "Parameters:\n  ProbeToken:\n    Type: String\n    NoEcho: true\n    Default: unset\n", StringComparison.Ordinal));
        _repo.Commit("the product, with a NoEcho parameter");
        foreach (var variable in Variables)
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        // No profile, no instance metadata: only what a test sets is found.
        Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", Path.Combine(_repo.Path, "no-aws-config"));
        Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", Path.Combine(_repo.Path, "no-aws-credentials"));
        Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");
        Environment.SetEnvironmentVariable("PIPELINE_PARAM_ProbeToken", Secret);
    }

    public void Dispose()
    {
        foreach (var (variable, value) in _saved)
        {
            Environment.SetEnvironmentVariable(variable, value);
        }

        _sts.Dispose();
        _cfn.Dispose();
        _s3.Dispose();
        _codePipeline.Dispose();
        foreach (var disposable in _disposables)
        {
            (disposable as IDisposable)?.Dispose();
            (disposable as IAsyncDisposable)?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _repo.Dispose();
    }

    private Task<HostRunResult> Run(params string[] args) => Run(CancellationToken.None, args);

    private Task<HostRunResult> Run(CancellationToken cancellationToken, params string[] args) => HostRun.RunAsync(PipelineHost.Create(), _repo.Path, args, cancellationToken);

    private void UseFakes()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "secret");
        Environment.SetEnvironmentVariable("AWS_REGION", "eu-west-1");
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_STS", _sts.Endpoint.ToString());
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_CLOUDFORMATION", _cfn.Endpoint.ToString());
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_S3", _s3.Endpoint.ToString());
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_CODEPIPELINE", _codePipeline.Endpoint.ToString());
        Environment.SetEnvironmentVariable("PIPELINE_ARTIFACT_BUCKET", "artifacts-bucket-1");
        Environment.SetEnvironmentVariable("PIPELINE_AWS_POLL_SECONDS", "0.01");
        // The artifact bucket has nothing yet: the run publishes.
        _s3.Fails("HeadObject", 404, "NotFound", "Not Found").Otherwise("PutObject", _ => new JsonObject { ["ETag"] = "\"etag\"" });
        _sts.Otherwise("GetCallerIdentity", _ => new JsonObject { ["Account"] = "111122223333", ["Arn"] = "arn:aws:sts::111122223333:assumed-role/ci/build", ["UserId"] = "AROAEXAMPLE:build" });
    }

    private static JsonObject Stacks(string status, bool livetest = true, string? expiry = null) => new()
    {
        ["Stacks"] = new JsonArray(StackEntry(Stack, status, livetest ? "glue-etl" : null, livetest ? expiry ?? "2026-11-28T10:00:00Z" : null)),
    };

    private static JsonObject StackEntry(string name, string status, string? pipeline, string? expiry)
    {
        var tags = new JsonArray();
        if (pipeline is not null)
        {
            tags.Add(new JsonObject { ["Key"] = "pipeline", ["Value"] = pipeline });
        }

        if (expiry is not null)
        {
            tags.Add(new JsonObject { ["Key"] = "expiry", ["Value"] = expiry });
        }

        return new JsonObject
        {
            ["StackName"] = name,
            ["StackId"] = $"arn:aws:cloudformation:eu-west-1:111122223333:stack/{name}/1",
            ["CreationTime"] = "2026-11-27T10:00:00Z",
            ["StackStatus"] = status,
            ["Tags"] = tags,
        };
    }

    private static JsonObject Events(params (string Id, string Logical, string Type, string Status, string? Reason)[] events) =>
        CloudFormationAnswers.Events(Stack, $"arn:aws:cloudformation:eu-west-1:111122223333:stack/{Stack}/1", Later, events);

    private void ScriptCreate()
    {
        _cfn.Fails("DescribeStacks", 400, "ValidationError", $"Stack with id {Stack} does not exist")
            .Returns("CreateChangeSet", new JsonObject { ["Id"] = "arn:aws:cloudformation:eu-west-1:111122223333:changeSet/pipeline/1", ["StackId"] = $"arn:aws:cloudformation:eu-west-1:111122223333:stack/{Stack}/1" })
            .Returns("DescribeChangeSet", new JsonObject { ["Status"] = "CREATE_COMPLETE" })
            .Returns("ExecuteChangeSet", []);
    }

    private void ScriptDelete()
    {
        _cfn.Returns("DescribeStacks", Stacks("CREATE_COMPLETE"))
            .Returns("DeleteStack", [])
            .Returns("DescribeStackEvents", Events(("d1", Stack, "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", null)))
            .Fails("DescribeStacks", 400, "ValidationError", $"Stack with id {Stack} does not exist");
    }

    /// <summary>The plan's lines: each one JSON object on stdout, each request valid for botocore's model of its operation.</summary>
    private static JsonObject[] PlanCalls(HostRunResult result)
    {
        var calls = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
        foreach (var call in calls)
        {
            var model = AwsServiceModel.Find((string)call["service"]!);
            Skip.If(model is null && !DatabaseServers.IsCi, "botocore's models are not installed (python3-botocore)");
            model!.ValidateInput((string)call["operation"]!, call["request"]).Should().BeEmpty($"{call.ToJsonString()[..Math.Min(200, call.ToJsonString().Length)]} is a valid request");
        }

        return calls;
    }

    private void NoProblems()
    {
        _s3.RequestProblems.Should().BeEmpty();
        _cfn.RequestProblems.Should().BeEmpty();
        _sts.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Plan_sends_nothing_and_prints_each_call_in_order_as_botocore_describes_it_with_secrets_masked()
    {
        var result = await Run("--target=DeployLiveTest", "--lane=aws", "--plan", $"--stack={Stack}");

        result.ExitCode.Should().Be(0, result.ToString());
        _cfn.Requests.Should().BeEmpty("plan mode sends nothing");
        _sts.Requests.Should().BeEmpty();
        var calls = PlanCalls(result);
        calls.Select(c => $"{c["service"]}.{c["operation"]}").Should().StartWith(["sts.GetCallerIdentity", "s3.HeadObject", "s3.PutObject"], "the preflight first, then the artifact is published: nothing is there yet");
        calls.Where(c => (string?)c["service"] == "cloudformation").Select(c => (string?)c["operation"]).Should().StartWith(
            ["DescribeStacks", "CreateChangeSet", "DescribeChangeSet", "ExecuteChangeSet"],
            "then a CREATE change set: the stack is assumed absent");
        var lastPut = Array.FindLastIndex(calls, c => (string?)c["operation"] == "PutObject");
        ((string?)calls[lastPut]["request"]!["Key"]).Should().EndWith("/manifest.json");
        lastPut.Should().BeLessThan(Array.FindIndex(calls, c => (string?)c["operation"] == "CreateChangeSet"), "the stack is deployed from a complete publication");
        calls.Select(c => (string?)c["operation"]).Should().Contain("DeleteStack", "the teardown hook runs in the plan as it would in the run");
        var create = calls.Single(c => (string?)c["operation"] == "CreateChangeSet")["request"]!;
        create["ChangeSetType"]!.GetValue<string>().Should().Be("CREATE");
        create["Capabilities"]!.AsArray().Select(c => (string?)c).Should().Contain("CAPABILITY_IAM", "the template has IAM roles");
        var parameters = create["Parameters"]!.AsArray().ToDictionary(p => (string)p!["ParameterKey"]!, p => (string?)p!["ParameterValue"]);
        parameters["ProbeToken"].Should().Be("****");
        parameters["ArtifactBucket"].Should().Be("glue-etl-artifacts-123456789012-us-east-1", "without PIPELINE_ARTIFACT_BUCKET the plan uses a placeholder of the placeholder account");
        parameters["NameSuffix"].Should().Be("livetest_aws_1");
        var tags = create["Tags"]!.AsArray().ToDictionary(t => (string)t!["Key"]!, t => (string?)t!["Value"]);
        tags.Should().ContainKeys("pipeline", "branch", "commit", "digest", "expiry", "owner");
        tags["commit"].Should().Be(_repo.Head);
        tags["digest"].Should().MatchRegex("^[0-9a-f]{64}$");
        DateTimeOffset.Parse(tags["expiry"]!, CultureInfo.InvariantCulture).Should().BeCloseTo(DateTimeOffset.UtcNow.AddHours(24), TimeSpan.FromMinutes(10));
        (result.Output + result.Error).Should().NotContain(Secret);
        result.Error.Should().Contain("Plan mode").And.Contain("Lint").And.Contain("Package");
    }

    [SkippableFact]
    public async Task Plan_of_a_template_over_51200_bytes_uploads_it_and_passes_its_url()
    {
        var template = File.ReadAllText(Path.Combine(_repo.Path, "templates/etl.yaml"));
        _repo.Write("templates/etl.yaml", template + string.Concat(Enumerable.Repeat("# padding to go over CloudFormation's inline limit of 51,200 bytes ........................\n", 600)));
        _repo.Commit("a large template");

        var result = await Run("--target=DeployLiveTest", "--lane=aws", "--plan", $"--stack={Stack}");

        result.ExitCode.Should().Be(0, result.ToString());
        var calls = PlanCalls(result);
        var put = calls.Single(c => (string?)c["operation"] == "PutObject" && ((string?)c["request"]!["Key"])!.EndsWith("/templates/etl.yaml", StringComparison.Ordinal));
        put["service"]!.GetValue<string>().Should().Be("s3");
        put["request"]!["Bucket"]!.GetValue<string>().Should().Be("glue-etl-artifacts-123456789012-us-east-1");
        var create = calls.Single(c => (string?)c["operation"] == "CreateChangeSet")["request"]!.AsObject();
        create.ContainsKey("TemplateBody").Should().BeFalse();
        create["TemplateURL"]!.GetValue<string>().Should().StartWith("https://glue-etl-artifacts-123456789012-us-east-1.s3.us-east-1.amazonaws.com/").And.EndWith("/templates/etl.yaml");
        Array.IndexOf(calls, put).Should().BeLessThan(Array.IndexOf(calls, calls.Single(c => (string?)c["operation"] == "CreateChangeSet")));
    }

    [Fact]
    public async Task Plan_is_for_the_aws_lane()
    {
        var result = await Run("--target=DeployLiveTest", "--plan");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain("ARG-PLAN").And.Contain("--lane=aws");
    }

    [SkippableFact]
    public async Task A_new_stack_is_created_its_events_shown_live_and_the_teardown_hook_deletes_it()
    {
        UseFakes();
        ScriptCreate();
        _cfn.Returns("DescribeStackEvents", Events(("e1", "RawBucket", "AWS::S3::Bucket", "CREATE_IN_PROGRESS", null)))
            .Returns("DescribeStacks", Stacks("CREATE_IN_PROGRESS"))
            .Returns("DescribeStackEvents", Events(("e1", "RawBucket", "AWS::S3::Bucket", "CREATE_IN_PROGRESS", null), ("e2", "RawBucket", "AWS::S3::Bucket", "CREATE_COMPLETE", null)))
            .Returns("DescribeStacks", Stacks("CREATE_COMPLETE"));
        ScriptDelete();

        var result = await Run("--target=DeployLiveTest", "--lane=aws", $"--stack={Stack}");

        result.ExitCode.Should().Be(0, result.ToString());
        (result.Output + result.Error).Should().Contain("arn:aws:sts::111122223333:assumed-role/ci/build", "the preflight says who acts");
        (result.Output + result.Error).Should().MatchRegex(@"CREATE_IN_PROGRESS\s+AWS::S3::Bucket RawBucket").And.MatchRegex(@"CREATE_COMPLETE\s+AWS::S3::Bucket RawBucket");
        (result.Output + result.Error).Should().Contain($"Created the aws stack {Stack}").And.Contain($"Deleted the aws stack {Stack}");
        _sts.Requests.Select(r => r.Operation).Should().Equal("GetCallerIdentity");
        var create = _cfn.Requests.Single(r => r.Operation == "CreateChangeSet").Body;
        create["TemplateBody"]!.GetValue<string>().Should().Contain("AWS::Glue::Job");
        var parameters = create["Parameters"]!.AsArray().ToDictionary(p => (string)p!["ParameterKey"]!, p => (string?)p!["ParameterValue"]);
        parameters["ProbeToken"].Should().Be(Secret, "CloudFormation is sent the secret");
        parameters["ArtifactBucket"].Should().Be("artifacts-bucket-1");
        var puts = _s3.Requests.Where(r => r.Operation == "PutObject").ToArray();
        puts.Select(p => (string?)p.Body["Key"]).Should().Contain($"{parameters["ArtifactPrefix"]}/jobs/runtime/glue_runtime.py", "the stack's jobs read the published artifact");
        ((string?)puts[^1].Body["Key"]).Should().Be($"{parameters["ArtifactPrefix"]}/manifest.json", "the manifest marks a complete publication, so it goes last");
        puts[^1].Headers["x-amz-meta-digest"].Should().Be(create["Tags"]!.AsArray().Single(t => (string?)t!["Key"] == "digest")!["Value"]!.GetValue<string>());
        (result.Output + result.Error).Should().NotContain(Secret, "but it is never printed");
        _cfn.Requests.Last().Operation.Should().Be("DescribeStacks");
        _cfn.Requests.Count(r => r.Operation == "DeleteStack").Should().Be(1);
        _cfn.Requests.Should().OnlyContain(r => r.Headers["Authorization"].Contains("/eu-west-1/cloudformation/aws4_request", StringComparison.Ordinal));
        NoProblems();
    }

    [SkippableFact]
    public async Task A_create_that_fails_reports_the_root_cause_first_and_is_torn_down()
    {
        UseFakes();
        ScriptCreate();
        _cfn.Returns("DescribeStackEvents", Events(
                ("e1", "GlueServiceRole", "AWS::IAM::Role", "CREATE_FAILED", "Resource handler returned message: \"Access denied for operation 'iam:CreateRole'\""),
                ("e2", "RawBucket", "AWS::S3::Bucket", "CREATE_FAILED", "Resource creation cancelled"),
                ("e3", Stack, "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE", null)))
            .Returns("DescribeStacks", Stacks("ROLLBACK_COMPLETE"));
        ScriptDelete();

        var result = await Run("--target=DeployLiveTest", "--lane=aws", $"--stack={Stack}");

        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        (result.Output + result.Error).Should().Contain("Root cause: GlueServiceRole (AWS::IAM::Role) CREATE_FAILED: Resource handler returned message: \"Access denied for operation 'iam:CreateRole'\"");
        (result.Output + result.Error).Should().Contain($"Deleted the aws stack {Stack}");
        _cfn.Requests.Count(r => r.Operation == "DeleteStack").Should().Be(1, "the teardown hook deletes what the failed create left");
        NoProblems();
    }

    [SkippableFact]
    public async Task Ctrl_C_during_the_wait_stops_waiting_and_the_stack_is_torn_down()
    {
        UseFakes();
        ScriptCreate();

        // The stack stays CREATE_IN_PROGRESS for as long as the run waits; once deletion was asked for, it is gone.
        _cfn.Otherwise("DescribeStackEvents", _ => Events(("e1", "RawBucket", "AWS::S3::Bucket", "CREATE_IN_PROGRESS", null)));
        _cfn.Otherwise("DescribeStacks", _ => _cfn.Requests.Any(r => r.Operation == "DeleteStack")
            ? throw new FakeAwsError(400, "ValidationError", $"Stack with id {Stack} does not exist")
            : Stacks("CREATE_IN_PROGRESS"));
        _cfn.Returns("DeleteStack", []);
        using var cancellation = new CancellationTokenSource();
        var run = Run(cancellation.Token, "--target=DeployLiveTest", "--lane=aws", $"--stack={Stack}");
        var until = DateTime.UtcNow.AddSeconds(60);
        while (_cfn.Requests.Count(r => r.Operation == "DescribeStacks") < 4 && DateTime.UtcNow < until)
        {
            await Task.Delay(10);
        }

        await cancellation.CancelAsync();
        var result = await run;

        result.ExitCode.Should().Be(ExitCodes.Cancelled, result.ToString());
        (result.Output + result.Error).Should().Contain("Cancelled; teardown ran.").And.Contain($"Deleted the aws stack {Stack}");
        _cfn.Requests.Count(r => r.Operation == "DeleteStack").Should().Be(1);
        NoProblems();
    }

    [SkippableFact]
    public async Task TeardownLiveTest_refuses_a_stack_without_an_expiry_tag()
    {
        UseFakes();
        _cfn.Returns("DescribeStacks", Stacks("UPDATE_COMPLETE", livetest: false));

        var result = await Run("--target=TeardownLiveTest", "--lane=aws", "--stack=glue-etl-prod");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        (result.Output + result.Error).Should().Contain("STACK-NOT-LIVETEST").And.Contain("left alone");
        _cfn.Requests.Should().NotContain(r => r.Operation == "DeleteStack");
        NoProblems();
    }

    [SkippableFact]
    public async Task Sweep_deletes_only_this_pipelines_expired_stacks()
    {
        UseFakes();
        var past = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var future = DateTimeOffset.UtcNow.AddHours(3).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        _cfn.Returns("DescribeStacks", new JsonObject
            {
                ["Stacks"] = new JsonArray(StackEntry(Stack, "CREATE_COMPLETE", "glue-etl", past), StackEntry("livetest-fresh-2", "CREATE_COMPLETE", "glue-etl", future)),
                ["NextToken"] = "page-2",
            })
            .Returns("DescribeStacks", new JsonObject
            {
                ["Stacks"] = new JsonArray(StackEntry("glue-etl-prod", "UPDATE_COMPLETE", "glue-etl", null), StackEntry("livetest-other-3", "CREATE_COMPLETE", "other-pipeline", past)),
            });
        _cfn.Returns("DeleteStack", [])
            .Returns("DescribeStackEvents", Events(("d1", Stack, "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", null)))
            .Fails("DescribeStacks", 400, "ValidationError", $"Stack with id {Stack} does not exist");

        var result = await Run("--target=Sweep", "--lane=aws");

        result.ExitCode.Should().Be(0, result.ToString());
        _cfn.Requests.Where(r => r.Operation == "DeleteStack").Select(r => (string?)r.Body["StackName"]).Should().Equal(Stack);
        _cfn.Requests.Where(r => r.Operation == "DescribeStacks").Skip(1).First().Body["NextToken"]!.GetValue<string>().Should().Be("page-2");
        (result.Output + result.Error).Should().Contain($"removed stack  {Stack}").And.Contain("kept           livetest-fresh-2").And.Contain("1 stack(s) removed");
        NoProblems();
    }

    [SkippableFact]
    public async Task Without_an_artifact_bucket_nothing_is_sent_and_the_error_says_what_to_set()
    {
        UseFakes();
        Environment.SetEnvironmentVariable("PIPELINE_ARTIFACT_BUCKET", null);

        var result = await Run("--target=DeployLiveTest", "--lane=aws", $"--stack={Stack}");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        (result.Output + result.Error).Should().Contain("AWS-ARTIFACT-BUCKET").And.Contain("export PIPELINE_ARTIFACT_BUCKET=");
        _cfn.Requests.Should().BeEmpty();
        _sts.Requests.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Without_credentials_the_error_says_how_to_provide_them()
    {
        Environment.SetEnvironmentVariable("AWS_REGION", "eu-west-1");
        Environment.SetEnvironmentVariable("PIPELINE_ARTIFACT_BUCKET", "artifacts-bucket-1");

        var result = await Run("--target=DeployLiveTest", "--lane=aws", $"--stack={Stack}");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        (result.Output + result.Error).Should().Contain("AWS-CREDENTIALS").And.Contain("AWS_PROFILE");
        (result.Output + result.Error).Should().NotContain("   at ", "a user mistake is not a stack trace");
    }
    private async Task<(string Zip, string Digest)> PackageAsync()
    {
        var packaged = await Run("--target=Package");
        packaged.ExitCode.Should().Be(0, packaged.ToString());
        var zip = Directory.GetFiles(Path.Combine(_repo.Path, "artifacts"), "*.zip").Single();
        var digest = System.Text.RegularExpressions.Regex.Match(packaged.Output, @"Digest\s+([0-9a-f]{64})").Groups[1].Value;
        return (zip, digest);
    }

    private void ScriptProductionChangeSet(params (string Action, string Logical, string Type, string? Replacement)[] changes)
    {
        _cfn.Returns("DescribeStacks", new JsonObject { ["Stacks"] = new JsonArray(StackEntry("glue-etl-prod", "UPDATE_COMPLETE", "glue-etl", null)) })
            .Returns("CreateChangeSet", new JsonObject { ["Id"] = "arn:aws:cloudformation:eu-west-1:111122223333:changeSet/pipeline/2", ["StackId"] = "arn:aws:cloudformation:eu-west-1:111122223333:stack/glue-etl-prod/1" })
            .Returns("DescribeChangeSet", new JsonObject
            {
                ["Status"] = "CREATE_COMPLETE",
                ["Changes"] = new JsonArray(changes.Select(c =>
                {
                    var change = new JsonObject { ["Action"] = c.Action, ["LogicalResourceId"] = c.Logical, ["PhysicalResourceId"] = c.Logical.ToLowerInvariant() + "-1", ["ResourceType"] = c.Type };
                    if (c.Replacement is { } replacement)
                    {
                        change["Replacement"] = replacement;
                    }

                    return (JsonNode)new JsonObject { ["Type"] = "Resource", ["ResourceChange"] = change };
                }).ToArray()),
            });
    }

    [SkippableFact]
    public async Task Promotion_is_refused_when_the_change_set_replaces_a_bucket_and_production_is_left_as_it_was()
    {
        var (zip, digest) = await PackageAsync();
        UseFakes();
        ScriptProductionChangeSet(("Modify", "RawBucket", "AWS::S3::Bucket", "True"), ("Modify", "GlueServiceRole", "AWS::IAM::Role", "False"), ("Remove", "CuratedTable", "AWS::Glue::Table", null));
        _cfn.Returns("DeleteChangeSet", []);

        var result = await Run("--target=PromoteToProduction", "--lane=aws", "--exclusive", $"--artifact={zip}", $"--digest={digest}");

        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        result.Error.Should().Contain("replace RawBucket (AWS::S3::Bucket, rawbucket-1)").And.Contain("remove CuratedTable (AWS::Glue::Table").And.Contain("--allow-data-loss").And.NotContain("GlueServiceRole (");
        _cfn.Requests.Should().NotContain(r => r.Operation == "ExecuteChangeSet");
        _cfn.Requests.Last().Operation.Should().Be("DeleteChangeSet", "the refused change set is not left behind");
        var create = _cfn.Requests.Single(r => r.Operation == "CreateChangeSet").Body;
        create["ChangeSetType"]!.GetValue<string>().Should().Be("UPDATE");
        var tags = create["Tags"]!.AsArray().ToDictionary(t => (string)t!["Key"]!, t => (string?)t!["Value"]);
        tags.Should().NotContainKey("expiry", "production is never swept").And.Contain("environment", "prod");
        _s3.Requests.Should().NotContain(r => r.Operation == "PutObject" && ((string?)r.Body["Key"])!.StartsWith("releases/", StringComparison.Ordinal));
        NoProblems();
    }

    [SkippableFact]
    public async Task With_allow_data_loss_the_approved_digest_is_promoted_and_recorded_in_the_release_history()
    {
        var (zip, digest) = await PackageAsync();
        UseFakes();
        ScriptProductionChangeSet(("Modify", "RawBucket", "AWS::S3::Bucket", "Conditional"));
        _cfn.Returns("ExecuteChangeSet", [])
            .Returns("DescribeStackEvents", Events(("u1", "RawBucket", "AWS::S3::Bucket", "UPDATE_COMPLETE", null)))
            .Returns("DescribeStacks", new JsonObject { ["Stacks"] = new JsonArray(StackEntry("glue-etl-prod", "UPDATE_COMPLETE", "glue-etl", null)) });
        _s3.Fails("GetObject", 404, "NoSuchKey", "The specified key does not exist.");

        var result = await Run("--target=PromoteToProduction", "--lane=aws", "--exclusive", $"--artifact={zip}", $"--digest={digest}", "--allow-data-loss");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain("--allow-data-loss: the change set will replace RawBucket").And.Contain($"PROMOTED").And.Contain(digest);
        var history = _s3.Requests.Single(r => r.Operation == "PutObject" && (string?)r.Body["Key"] == "releases/glue-etl-prod.jsonl");
        System.Text.Encoding.UTF8.GetString(history.Payload).Should().Contain(digest).And.Contain("\"kind\":\"promote\"");
        NoProblems();
    }

    [SkippableFact]
    public async Task An_artifact_other_than_the_approved_one_is_refused_before_anything_changes()
    {
        var (zip, _) = await PackageAsync();
        UseFakes();

        var result = await Run("--target=PromoteToProduction", "--lane=aws", "--exclusive", $"--artifact={zip}", "--digest=" + new string('a', 64));

        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        result.Error.Should().Contain("but the approved artifact is " + new string('a', 64));
        _cfn.Requests.Should().BeEmpty();
        _s3.Requests.Should().BeEmpty();
    }

    /// <summary>The pipeline waits at its approval, its LiveTest having tested <see cref="Aws.CodePipelineApprovalTests.Digest"/>.</summary>
    private FakeAws PendingApproval()
    {
        UseFakes();
        Environment.SetEnvironmentVariable("PIPELINE_CODEPIPELINE", Aws.CodePipelineApprovalTests.Pipeline);
        return _codePipeline.Returns("GetPipelineState", Aws.CodePipelineApprovalTests.Waiting())
            .Returns("ListActionExecutions", Aws.CodePipelineApprovalTests.Tested(Aws.CodePipelineApprovalTests.Digest));
    }

    [SkippableFact]
    public async Task AwaitApproval_answers_the_pipelines_approval_for_the_digest_its_LiveTest_tested()
    {
        PendingApproval().Returns("PutApprovalResult", Aws.CodePipelineApprovalTests.Approved());

        var result = await Run("--target=AwaitApproval", "--lane=aws", "--exclusive", "--approve", "--digest=" + Aws.CodePipelineApprovalTests.Digest);

        result.ExitCode.Should().Be(0, result.ToString());
        var put = _codePipeline.Requests.Single(r => r.Operation == "PutApprovalResult").Body;
        ((string?)put["token"]).Should().Be(Aws.CodePipelineApprovalTests.Token);
        ((string?)put["result"]!["status"]).Should().Be("Approved");
        ((string?)put["result"]!["summary"]).Should().Contain(Aws.CodePipelineApprovalTests.Digest);
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task AwaitApproval_refuses_to_approve_a_digest_the_pipeline_did_not_test()
    {
        PendingApproval();

        var result = await Run("--target=AwaitApproval", "--lane=aws", "--exclusive", "--approve", "--digest=" + new string('b', 64));

        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        result.Error.Should().Contain(Aws.CodePipelineApprovalTests.Digest).And.Contain(new string('b', 64));
        _codePipeline.Requests.Should().NotContain(r => r.Operation == "PutApprovalResult");
        _codePipeline.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Rollback_puts_an_earlier_release_back_from_its_published_zip_through_the_guarded_path()
    {
        var (zip, digest) = await PackageAsync();
        var version = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(zip, ".manifest.json"))).RootElement.GetProperty("version").GetString()!;
        var current = new string('c', 64);
        var history = $"{{\"digest\":\"{digest}\",\"version\":\"{version}\",\"commit\":null,\"at\":\"2026-11-20T10:00:00Z\",\"approver\":\"alice\",\"kind\":\"promote\"}}\n"
            + $"{{\"digest\":\"{current}\",\"version\":\"9.9.9\",\"commit\":null,\"at\":\"2026-11-26T10:00:00Z\",\"approver\":\"bob\",\"kind\":\"promote\"}}\n";
        UseFakes();
        _s3.Returns("GetObject", new JsonObject { ["Body"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(history)) })
            .Returns("GetObject", new JsonObject { ["Body"] = Convert.ToBase64String(File.ReadAllBytes(zip)) })
            .Returns("GetObject", new JsonObject { ["Body"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(history)) });
        ScriptProductionChangeSet(("Modify", "TaxiJob", "AWS::Glue::Job", "False"));
        _cfn.Returns("ExecuteChangeSet", [])
            .Returns("DescribeStackEvents", Events(("u1", "TaxiJob", "AWS::Glue::Job", "UPDATE_COMPLETE", null)))
            .Returns("DescribeStacks", new JsonObject { ["Stacks"] = new JsonArray(StackEntry("glue-etl-prod", "UPDATE_COMPLETE", "glue-etl", null)) });

        var result = await Run("--target=Rollback", "--lane=aws", $"--to={version}");

        result.ExitCode.Should().Be(0, result.ToString());
        result.Output.Should().Contain($"ROLLED BACK glue-etl-prod to {version} ({digest})");
        var gets = _s3.Requests.Where(r => r.Operation == "GetObject").Select(r => (string?)r.Body["Key"]).ToArray();
        gets[1].Should().EndWith($"/{digest[..16]}/artifact.zip");
        var written = _s3.Requests.Single(r => r.Operation == "PutObject" && (string?)r.Body["Key"] == "releases/glue-etl-prod.jsonl");
        var lines = System.Text.Encoding.UTF8.GetString(written.Payload).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(3);
        lines[^1].Should().Contain(digest).And.Contain("\"kind\":\"rollback\"");
        NoProblems();
    }

    [SkippableFact]
    public async Task Rollback_to_a_release_that_was_never_promoted_lists_the_ones_that_were()
    {
        UseFakes();
        _s3.Returns("GetObject", new JsonObject { ["Body"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("{\"digest\":\"" + new string('c', 64) + "\",\"version\":\"1.2.0\",\"commit\":null,\"at\":\"2026-11-26T10:00:00Z\",\"approver\":\"bob\",\"kind\":\"promote\"}\n")) });

        var result = await Run("--target=Rollback", "--lane=aws", "--to=0.9.0");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain("ROLLBACK-TARGET").And.Contain("No earlier release is 0.9.0").And.Contain("1.2.0 (cccccccccccc)");
        _cfn.Requests.Should().BeEmpty();
        NoProblems();
    }

    [SkippableFact]
    public async Task Validate_runs_the_rules_as_Athena_SQL_where_the_data_is()
    {
        UseFakes();
        using var athena = new FakeAws("athena", "AmazonAthena");
        await using var duckDb = await GluePipeline.Data.DuckDbEngine.OpenAsync(null, CancellationToken.None);
        await duckDb.ExecuteAsync("CREATE TABLE trips AS SELECT * FROM (VALUES (1, 12.5), (2, 7.0), (3, NULL)) t(id, fare)", CancellationToken.None);
        await FakeAthenaOnDuckDb.ServeAsync(athena, duckDb);
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_ATHENA", athena.Endpoint.ToString());
        var rules = _repo.Write("checks/trips.dqdl", "Rules = [\n  RowCount = 3,\n  IsComplete \"id\",\n  IsComplete \"fare\"\n]\n");

        var result = await Run("--target=Validate", $"--rules={rules}", "--dataset=athena://livetest_main_1?table=trips&workgroup=pipeline", "--format=json");

        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        var report = JsonNode.Parse(result.Output)!;
        report["rules"]!.AsArray().Select(r => (string?)r!["outcome"]).Should().Equal("Passed", "Passed", "Failed");
        athena.Requests.Where(r => r.Operation == "StartQueryExecution").Should().OnlyContain(r => (string?)r.Body["WorkGroup"] == "pipeline" && (string?)r.Body["QueryExecutionContext"]!["Database"] == "livetest_main_1");
        athena.RequestProblems.Should().BeEmpty();
    }

    [Fact]
    public async Task An_Athena_dataset_without_a_table_or_query_is_one_clear_error()
    {
        var result = await Run("--target=Validate", "--rules=x.dqdl", "--dataset=athena://db?workgroup=primary");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain("ATHENA-URI").And.Contain("exactly one of table= and query=");
    }

    [SkippableFact]
    public async Task Plan_of_a_promotion_publishes_previews_a_change_set_and_records_the_release()
    {
        var (zip, digest) = await PackageAsync();

        var result = await Run("--target=PromoteToProduction", "--lane=aws", "--plan", "--exclusive", $"--artifact={zip}", $"--digest={digest}");

        result.ExitCode.Should().Be(0, result.ToString());
        var calls = PlanCalls(result);
        var create = calls.Single(c => (string?)c["operation"] == "CreateChangeSet")["request"]!;
        ((string?)create["StackName"]).Should().Be("glue-etl-prod");
        create["Tags"]!.AsArray().Select(t => (string?)t!["Key"]).Should().NotContain("expiry");
        calls.Select(c => (string?)c["operation"]).Should().ContainInOrder("HeadObject", "CreateChangeSet", "DescribeChangeSet", "ExecuteChangeSet", "GetObject", "PutObject");
        ((string?)calls[^1]["request"]!["Key"]).Should().Be("releases/glue-etl-prod.jsonl");
        calls.Should().NotContain(c => (string?)c["operation"] == "DeleteStack", "production is never torn down");
    }
    /// <summary>A stack of one declarative job (jobs/taxi), its crawlers and a ruleset, as the aws lane's AutomatedLiveTest tests it.</summary>
    private static string TaxiTemplate(string extraParameters = "", string extraJobs = "") => $$$"""
        AWSTemplateFormatVersion: "2010-09-09"
        Parameters:
          Environment: {Type: String, AllowedValues: [livetest, prod]}
          NameSuffix: {Type: String}
          ArtifactBucket: {Type: String}
          ArtifactPrefix: {Type: String}
        {{{extraParameters}}}Resources:
          RawBucket: {Type: AWS::S3::Bucket}
          DatalakeBucket: {Type: AWS::S3::Bucket}
          GlueServiceRole:
            Type: AWS::IAM::Role
            Properties:
              AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: glue.amazonaws.com}, Action: sts:AssumeRole}]}
          RawDatabase:
            Type: AWS::Glue::Database
            Properties: {CatalogId: !Ref AWS::AccountId, DatabaseInput: {Name: !Sub "nycitytaxi_${NameSuffix}"}}
          DatalakeDatabase:
            Type: AWS::Glue::Database
            Properties: {CatalogId: !Ref AWS::AccountId, DatabaseInput: {Name: !Sub "nytaxiparquet_${NameSuffix}"}}
          RawCrawler:
            Type: AWS::Glue::Crawler
            Properties: {Role: !GetAtt GlueServiceRole.Arn, DatabaseName: !Ref RawDatabase, Targets: {S3Targets: [{Path: !Sub "s3://${RawBucket}/nyc-taxi/green/"}]}}
          DatalakeCrawler:
            Type: AWS::Glue::Crawler
            Properties: {Role: !GetAtt GlueServiceRole.Arn, DatabaseName: !Ref DatalakeDatabase, Targets: {S3Targets: [{Path: !Sub "s3://${DatalakeBucket}/nyc-taxi/green/"}]}}
        {{{DeclarativeJob("TaxiJob", "taxi")}}}{{{extraJobs}}}  GreenRuleset:
            Type: AWS::Glue::DataQualityRuleset
            Properties:
              Name: !Sub "green_${NameSuffix}"
              Ruleset: 'Rules = [ RowCount > 0, IsComplete "vendor_id" ]'
              TargetTable: {DatabaseName: !Ref DatalakeDatabase, TableName: green}
        Outputs:
          DatalakeDatabaseName: {Value: !Ref DatalakeDatabase}
        """;

    /// <summary>A Glue job of the stack running jobs/&lt;job&gt;/job.yaml on the runtime script, named &lt;job&gt;_&lt;suffix&gt;; its lines end with a newline.</summary>
    private static string DeclarativeJob(string logicalId, string job) => $$$"""
          {{{logicalId}}}:
            Type: AWS::Glue::Job
            Properties:
              Name: !Sub "{{{job}}}_${NameSuffix}"
              Role: !GetAtt GlueServiceRole.Arn
              GlueVersion: "4.0"
              Timeout: 60
              Command: {Name: glueetl, PythonVersion: "3", ScriptLocation: !Sub "s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/runtime/glue_runtime.py"}
              DefaultArguments:
                --job_spec: !Sub "s3://${ArtifactBucket}/${ArtifactPrefix}/jobs/{{{job}}}/job.yaml"
                --raw_bucket: !Ref RawBucket
                --datalake_bucket: !Ref DatalakeBucket
                --job-bookmark-option: job-bookmark-enable

        """;

    /// <summary>
    /// Deploys the taxi stack against the fakes, then lets AutomatedLiveTest run: CloudFormation names
    /// its buckets and crawlers (as it does, with random suffixes), Glue answers crawls and the job run
    /// as <paramref name="jobRun"/> says, Athena answers from DuckDB where the data lake's table holds a
    /// few good trips.
    /// </summary>
    private async Task<(HostRunResult Result, FakeAws Glue, FakeAws Athena)> RunTaxiLiveTestAsync(Func<string, JsonObject> jobRun, string? deployedDigest = null)
    {
        var (glue, athena) = await ScriptTaxiStackAsync(TaxiTemplate(), jobRun, deployedDigest);
        var result = await Run("--target=AutomatedLiveTest", "--lane=aws", $"--stack={Stack}", "--scale=0.0001", "--no-livetests");
        return (result, glue, athena);
    }

    /// <summary>Scripts the fakes for the taxi stack's create, its description and resources, its Glue runs, Athena, and its deletion.</summary>
    private async Task<(FakeAws Glue, FakeAws Athena)> ScriptTaxiStackAsync(string template, Func<string, JsonObject> jobRun, string? deployedDigest = null, params (string Key, string Value)[] deployedParameters)
    {
        _repo.Write("templates/etl.yaml", template);
        _repo.Commit("a stack of the taxi job");
        UseFakes();
        ScriptCreate();
        _cfn.Returns("DescribeStackEvents", Events(("e1", Stack, "AWS::CloudFormation::Stack", "CREATE_COMPLETE", null)))
            .Returns("DescribeStacks", Stacks("CREATE_COMPLETE"));
        var described = Stacks("CREATE_COMPLETE");
        described["Stacks"]![0]!["Outputs"] = new JsonArray(new JsonObject { ["OutputKey"] = "DatalakeDatabaseName", ["OutputValue"] = "nytaxiparquet_livetest_aws_1" });
        described["Stacks"]![0]!["Parameters"] = new JsonArray(deployedParameters.Select(p => (JsonNode)new JsonObject { ["ParameterKey"] = p.Key, ["ParameterValue"] = p.Value }).ToArray());
        if (deployedDigest is not null)
        {
            described["Stacks"]![0]!["Tags"]!.AsArray().Add(new JsonObject { ["Key"] = "digest", ["Value"] = deployedDigest });
        }

        _cfn.Returns("DescribeStacks", described);
        var ids = new (string Logical, string Physical, string Type)[]
        {
            ("RawBucket", "livetest-aws-1-rawbucket-1x2y3z", "AWS::S3::Bucket"),
            ("DatalakeBucket", "livetest-aws-1-datalakebucket-4u5v6w", "AWS::S3::Bucket"),
            ("GlueServiceRole", "livetest-aws-1-GlueServiceRole-AbC", "AWS::IAM::Role"),
            ("RawDatabase", "nycitytaxi_livetest_aws_1", "AWS::Glue::Database"),
            ("DatalakeDatabase", "nytaxiparquet_livetest_aws_1", "AWS::Glue::Database"),
            ("RawCrawler", "RawCrawler-k7Lm9", "AWS::Glue::Crawler"),
            ("DatalakeCrawler", "DatalakeCrawler-Q2w3E", "AWS::Glue::Crawler"),
            ("TaxiJob", "taxi_livetest_aws_1", "AWS::Glue::Job"),
            ("GreenRuleset", "green_livetest_aws_1", "AWS::Glue::DataQualityRuleset"),
        };
        _cfn.Returns("ListStackResources", new JsonObject
        {
            ["StackResourceSummaries"] = new JsonArray(ids.Take(5).Select(Summary).ToArray()),
            ["NextToken"] = "page-2",
        }).Returns("ListStackResources", new JsonObject { ["StackResourceSummaries"] = new JsonArray(ids.Skip(5).Select(Summary).ToArray()) });
        ScriptDelete();

        var glue = new FakeAws("glue", "AWSGlue");
        var crawls = new System.Collections.Concurrent.ConcurrentDictionary<string, double>(StringComparer.Ordinal);
        glue.Otherwise("StartCrawler", request =>
        {
            crawls[(string)request["Name"]!] = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeMilliseconds() / 1000.0;
            return [];
        }).Otherwise("GetCrawler", request => new JsonObject
        {
            ["Crawler"] = new JsonObject { ["Name"] = (string)request["Name"]!, ["State"] = "READY", ["LastCrawl"] = new JsonObject { ["Status"] = "SUCCEEDED", ["StartTime"] = crawls[(string)request["Name"]!] } },
        }).Otherwise("StartJobRun", _ => new JsonObject { ["JobRunId"] = "jr_taxi1" })
            .Otherwise("GetJobRun", request => new JsonObject { ["JobRun"] = jobRun((string)request["JobName"]!) });
        var athena = new FakeAws("athena", "AmazonAthena");
        var duckDb = await GluePipeline.Data.DuckDbEngine.OpenAsync(null, CancellationToken.None);
        await duckDb.ExecuteAsync("""
            CREATE SCHEMA nytaxiparquet_livetest_aws_1;
            CREATE TABLE nytaxiparquet_livetest_aws_1.green AS SELECT * FROM (VALUES
              (1, TIMESTAMP '2016-01-01 10:00:00', TIMESTAMP '2016-01-01 10:20:00', 1, 2.5, 10.0, 0.5, 0.5, 2.0, 0.0, 0.3, 13.3, 1, 'N', 2016, 1),
              (2, TIMESTAMP '2016-02-01 11:00:00', TIMESTAMP '2016-02-01 11:05:00', 2, 0.8, 5.0, 0.0, 0.5, 0.0, 0.0, 0.3, 5.8, 2, 'Y', 2016, 2))
              t(vendor_id, pickup_at, dropoff_at, passenger_count, trip_distance, fare_amount, extra, mta_tax, tip_amount, tolls_amount, improvement_surcharge, total_amount, payment_type, store_and_fwd_flag, year, month)
            """, CancellationToken.None);
        await FakeAthenaOnDuckDb.ServeAsync(athena, duckDb);
        _disposables.Add(glue);
        _disposables.Add(athena);
        _disposables.Add(duckDb);
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_GLUE", glue.Endpoint.ToString());
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL_ATHENA", athena.Endpoint.ToString());
        return (glue, athena);

        static JsonNode Summary((string Logical, string Physical, string Type) r) => new JsonObject
        {
            ["LogicalResourceId"] = r.Logical,
            ["PhysicalResourceId"] = r.Physical,
            ["ResourceType"] = r.Type,
            ["LastUpdatedTimestamp"] = "2026-11-27T10:00:00Z",
            ["ResourceStatus"] = "CREATE_COMPLETE",
        };
    }

    private static JsonObject JobRun(string job, string state, string? error = null)
    {
        var run = new JsonObject { ["Id"] = "jr_taxi1", ["JobName"] = job, ["JobRunState"] = state, ["StartedOn"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() };
        if (error is not null)
        {
            run["ErrorMessage"] = error;
            run["LogGroupName"] = "/aws-glue/jobs";
        }

        return run;
    }

    [SkippableFact]
    public async Task AutomatedLiveTest_runs_the_stack_in_Glue_by_its_real_names_and_checks_the_output_with_Athena()
    {
        var (result, glue, athena) = await RunTaxiLiveTestAsync(job => JobRun(job, "SUCCEEDED"));

        result.ExitCode.Should().Be(0, result.ToString());
        var fixtures = _s3.Requests.Where(r => r.Operation == "PutObject" && ((string?)r.Body["Key"])!.StartsWith("nyc-taxi/green/", StringComparison.Ordinal)).ToArray();
        fixtures.Should().NotBeEmpty("the job's fixtures are generated here and uploaded where its source reads");
        fixtures.Should().OnlyContain(p => (string?)p.Body["Bucket"] == "livetest-aws-1-rawbucket-1x2y3z", "the raw bucket's name is the one CloudFormation gave it");
        glue.Requests.Select(r => $"{r.Operation} {(string?)r.Body["Name"] ?? (string?)r.Body["JobName"]}").Where(s => s.StartsWith("Start", StringComparison.Ordinal))
            .Should().Equal(["StartCrawler RawCrawler-k7Lm9", "StartJobRun taxi_livetest_aws_1", "StartCrawler DatalakeCrawler-Q2w3E"], "the raw crawl comes before the job that reads it, the data lake's after the job that writes it");
        var queries = athena.Requests.Where(r => r.Operation == "StartQueryExecution").Select(r => (string)r.Body["QueryString"]!).ToArray();
        queries.Should().Contain(q => q.Contains("\"nytaxiparquet_livetest_aws_1\".\"green\"", StringComparison.Ordinal), "the job's rules and the template's ruleset run on the data lake's table");
        athena.Requests.Where(r => r.Operation == "StartQueryExecution").Should().OnlyContain(r => (string?)r.Body["ResultConfiguration"]!["OutputLocation"] == $"s3://artifacts-bucket-1/athena-results/{Stack}/");
        var output = result.Output + result.Error;
        output.Should().MatchRegex(@"rules of taxi_livetest_aws_1\s+PASSED").And.MatchRegex(@"ruleset green_livetest_aws_1\s+PASSED");
        var digest = (await File.ReadAllTextAsync(Path.Combine(_repo.Path, "artifacts", "livetest-digest.txt"))).Trim();
        digest.Should().MatchRegex("^[0-9a-f]{64}$", "the tested digest is there for the pipeline's ArtifactDigest variable");
        var manifest = GluePipeline.Stacks.RunManifest.Load(Path.Combine(_repo.Path, "artifacts", "livetest", Stack, "manifest.json"));
        (manifest.Lane, manifest.ArtifactDigest, manifest.Outputs["DatalakeDatabaseName"]).Should().Be(("aws", digest, "nytaxiparquet_livetest_aws_1"));
        File.Exists(Path.Combine(_repo.Path, "artifacts", "livetest", Stack, "livetest.junit.xml")).Should().BeTrue();
        Directory.Exists(Path.Combine(_repo.Path, ".pipeline", "aws", Stack)).Should().BeFalse("the mirror is scratch, gone when the run ends");
        _cfn.Requests.Count(r => r.Operation == "DeleteStack").Should().Be(1, "the teardown hook removes the stack after the run");
        glue.RequestProblems.Should().BeEmpty();
        athena.RequestProblems.Should().BeEmpty();
        NoProblems();
    }

    [SkippableFact]
    public async Task In_CodePipelines_separate_actions_one_stack_is_deployed_kept_tested_with_its_deployed_parameters_and_cleaned_up()
    {
        // A NoEcho parameter given to the Deploy action only, as CI passes a secret to the build that needs it.
        var template = TaxiTemplate(extraParameters: "  WarehousePassword: {Type: String, NoEcho: true}\n");
        var (glue, _) = await ScriptTaxiStackAsync(template, job => JobRun(job, "SUCCEEDED"), null, ("Environment", "livetest"), ("NameSuffix", "livetest_aws_1"), ("WarehousePassword", "****"));
        Environment.SetEnvironmentVariable("PIPELINE_PARAM_WarehousePassword", "w4rehouse-s3cret");
        var deploy = await Run("--target=DeployLiveTest", "--lane=aws", "--keep-stack", $"--stack={Stack}");
        Environment.SetEnvironmentVariable("PIPELINE_PARAM_WarehousePassword", null);
        deploy.ExitCode.Should().Be(0, deploy.ToString());
        _cfn.Requests.Should().NotContain(r => r.Operation == "DeleteStack", "the Deploy action keeps the stack for the next action");
        var zip = Directory.GetFiles(Path.Combine(_repo.Path, "artifacts"), "*.zip").Single();

        var test = await Run("--target=AutomatedLiveTest", "--lane=aws", "--exclusive", $"--artifact={zip}", $"--stack={Stack}", "--scale=0.0001", "--no-livetests");

        test.ExitCode.Should().Be(0, test.ToString());
        glue.Requests.Should().Contain(r => r.Operation == "StartJobRun" && (string?)r.Body["JobName"] == "taxi_livetest_aws_1");
        _cfn.Requests.Should().NotContain(r => r.Operation == "DeleteStack", "AutomatedLiveTest alone deploys nothing, so it tears nothing down");
        (test.Output + test.Error).Should().NotContain("w4rehouse-s3cret");

        var cleanup = await Run("--target=TeardownLiveTest", "--lane=aws", $"--stack={Stack}");

        cleanup.ExitCode.Should().Be(0, cleanup.ToString());
        _cfn.Requests.Count(r => r.Operation == "DeleteStack").Should().Be(1);
        NoProblems();
    }

    [SkippableFact]
    public async Task Independent_jobs_run_in_Glue_at_the_same_time()
    {
        // quakes reads what no crawler or job makes, so it need not wait for the raw crawl that taxi waits for.
        var template = TaxiTemplate(extraJobs: DeclarativeJob("QuakesJob", "quakes"));

        // Each run finishes only once both are being followed: one after the other, the first would never end.
        var followed = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        JsonObject Together(string job)
        {
            followed[job] = true;
            return JobRun(job, followed.Count >= 2 ? "SUCCEEDED" : "RUNNING");
        }

        var (glue, _) = await ScriptTaxiStackAsync(template, Together);
        Environment.SetEnvironmentVariable("PIPELINE_AWS_WAIT_MINUTES", "0.2");

        var result = await Run("--target=AutomatedLiveTest", "--lane=aws", $"--stack={Stack}", "--scale=0.0001", "--no-livetests");

        result.ExitCode.Should().Be(0, result.ToString());
        followed.Keys.Should().BeEquivalentTo("taxi_livetest_aws_1", "quakes_livetest_aws_1");
        (result.Output + result.Error).Should().MatchRegex(@"rules of quakes_livetest_aws_1\s+SKIPPED", "its output is in no catalog table of this stack");
        glue.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_stack_deployed_from_another_artifact_is_not_tested_with_this_ones_template()
    {
        var (result, glue, _) = await RunTaxiLiveTestAsync(job => JobRun(job, "SUCCEEDED"), deployedDigest: new string('e', 64));

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain("STACK-DIGEST").And.Contain($"was deployed from the artifact with digest {new string('e', 64)}");
        glue.Requests.Should().BeEmpty("nothing runs against a stack of another artifact");
        _cfn.Requests.Count(r => r.Operation == "DeleteStack").Should().Be(1);
    }

    [SkippableFact]
    public async Task A_job_that_fails_in_Glue_fails_the_run_with_its_message_and_what_needs_its_output_is_skipped()
    {
        Directory.CreateDirectory(Path.Combine(_repo.Path, "artifacts"));
        File.WriteAllText(Path.Combine(_repo.Path, "artifacts", "livetest-digest.txt"), new string('0', 64) + "\n");

        var (result, glue, _) = await RunTaxiLiveTestAsync(job => JobRun(job, "FAILED", "AnalysisException: cannot resolve 'pickup_at'"));

        result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
        var output = result.Output + result.Error;
        output.Should().Contain("AnalysisException: cannot resolve 'pickup_at'").And.Contain("/aws-glue/jobs");
        output.Should().MatchRegex(@"crawler DatalakeCrawler-Q2w3E\s+SKIPPED").And.MatchRegex(@"rules of taxi_livetest_aws_1\s+SKIPPED");
        glue.Requests.Should().NotContain(r => r.Operation == "StartCrawler" && (string?)r.Body["Name"] == "DatalakeCrawler-Q2w3E");
        File.Exists(Path.Combine(_repo.Path, "artifacts", "livetest-digest.txt")).Should().BeFalse("a failed LiveTest exports no digest to approve, not even an earlier run's");
        _cfn.Requests.Count(r => r.Operation == "DeleteStack").Should().Be(1, "a failed LiveTest is torn down too");
        glue.RequestProblems.Should().BeEmpty();
        NoProblems();
    }

    [SkippableFact]
    public async Task Plan_of_AutomatedLiveTest_uploads_fixtures_and_runs_crawlers_and_jobs_in_order_and_asks_no_queries()
    {
        var result = await Run("--target=AutomatedLiveTest", "--lane=aws", "--plan", $"--stack={Stack}", "--scale=0.0001");

        result.ExitCode.Should().Be(0, result.ToString());
        var calls = PlanCalls(result);
        var steps = calls.Select(c => $"{c["operation"]} {(string?)c["request"]!["Name"] ?? (string?)c["request"]!["JobName"] ?? (string?)c["request"]!["Bucket"]}").ToArray();
        var at = new[] { "ListStackResources", "PutObject livetest-aws-1-rawbucket-", "StartCrawler livetest-aws-1-RawCrawler-", "StartJobRun taxi_livetest_aws_1", "StartCrawler livetest-aws-1-DatalakeCrawler-" }
            .Select(prefix => Array.FindIndex(steps, s => s.StartsWith(prefix, StringComparison.Ordinal))).ToArray();
        at.Should().NotContain(-1, string.Join("\n", steps)).And.BeInAscendingOrder("the stack's names, then fixtures where the job reads, the raw crawl, the job, the data lake's crawl");
        steps.Should().NotContain(s => s.StartsWith("StartQueryExecution", StringComparison.Ordinal), "a plan asks Athena nothing");
        result.Error.Should().MatchRegex(@"rules of taxi_livetest_aws_1\s+SKIPPED").And.Contain("plan mode: Athena is not asked");
        File.Exists(Path.Combine(_repo.Path, "artifacts", "livetest-digest.txt")).Should().BeFalse("a plan tests nothing, so it exports no tested digest");
    }

    [SkippableFact]
    public async Task Plan_of_DeployPipeline_creates_the_pipeline_stack_with_its_own_permissions_and_no_expiry()
    {
        Environment.SetEnvironmentVariable("PIPELINE_PARAM_RepositoryId", "acme/glue-etl");
        Environment.SetEnvironmentVariable("PIPELINE_DEPLOY_ROLE", "arn:aws:iam::123456789012:role/glue-etl-pipeline-DeployRole-1");

        var result = await Run("--target=DeployPipeline", "--lane=aws", "--plan");

        result.ExitCode.Should().Be(0, result.ToString());
        var calls = PlanCalls(result);
        var create = calls.Single(c => (string?)c["operation"] == "CreateChangeSet")["request"]!;
        ((string?)create["StackName"]).Should().Be("glue-etl-pipeline");
        create["TemplateBody"]!.GetValue<string>().Should().Contain("AWS::CodePipeline::Pipeline");
        create["Capabilities"]!.AsArray().Select(c => (string?)c).Should().Equal("CAPABILITY_IAM");
        create["Parameters"]!.AsArray().ToDictionary(p => (string)p!["ParameterKey"]!, p => (string?)p!["ParameterValue"]).Should()
            .Contain("RepositoryId", "acme/glue-etl").And.Contain("ProjectName", "glue-etl");
        create["RoleARN"].Should().BeNull("the pipeline stack makes the deploy role; it is deployed with the caller's own permissions");
        create["Tags"]!.AsArray().Select(t => (string?)t!["Key"]).Should().Contain("pipeline").And.NotContain("expiry", "Sweep never removes the pipeline");
        calls.Should().NotContain(c => (string?)c["operation"] == "DeleteStack", "the pipeline stack is not a LiveTest stack");
    }

    [Fact]
    public async Task DeployPipeline_without_the_repository_says_which_parameter_to_give_and_sends_nothing()
    {
        var result = await Run("--target=DeployPipeline", "--lane=aws", "--plan");

        result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
        result.Error.Should().Contain("RepositoryId").And.Contain("PIPELINE_PARAM_RepositoryId");
        result.Output.Should().NotContain("CreateChangeSet");
    }

    [SkippableFact]
    public async Task With_a_deploy_role_LiveTest_stacks_are_created_and_deleted_through_it()
    {
        Environment.SetEnvironmentVariable("PIPELINE_DEPLOY_ROLE", "arn:aws:iam::123456789012:role/glue-etl-pipeline-DeployRole-1");

        var result = await Run("--target=DeployLiveTest", "--lane=aws", "--plan", $"--stack={Stack}");

        result.ExitCode.Should().Be(0, result.ToString());
        var calls = PlanCalls(result);
        calls.Where(c => (string?)c["operation"] is "CreateChangeSet" or "DeleteStack").Should().HaveCount(2)
            .And.OnlyContain(c => (string?)c["request"]!["RoleARN"] == "arn:aws:iam::123456789012:role/glue-etl-pipeline-DeployRole-1");
    }

    [SkippableFact]
    public async Task With_keep_stack_the_LiveTest_stack_outlives_the_run_for_the_pipelines_next_action()
    {
        var result = await Run("--target=DeployLiveTest", "--lane=aws", "--plan", "--keep-stack", $"--stack={Stack}");

        result.ExitCode.Should().Be(0, result.ToString());
        PlanCalls(result).Should().NotContain(c => (string?)c["operation"] == "DeleteStack");
        result.Error.Should().Contain("--keep-stack").And.Contain("TeardownLiveTest removes it");
    }

    [SkippableFact]
    public async Task Plan_of_AwaitApproval_through_CodePipeline_reads_the_approval_and_the_tested_digest_then_answers_it()
    {
        Environment.SetEnvironmentVariable("PIPELINE_CODEPIPELINE", "glue-etl-pipeline");
        var digest = new string('a', 64);

        var result = await Run("--target=AwaitApproval", "--lane=aws", "--plan", "--exclusive", "--approve", $"--digest={digest}");

        result.ExitCode.Should().Be(0, result.ToString());
        var calls = PlanCalls(result).Where(c => (string?)c["service"] == "codepipeline").ToArray();
        calls.Select(c => (string?)c["operation"]).Should().Equal("GetPipelineState", "ListActionExecutions", "PutApprovalResult");
        var answer = calls[^1]["request"]!;
        ((string?)answer["stageName"], (string?)answer["actionName"], (string?)answer["result"]!["status"]).Should().Be(("LiveTest", "LiveTestApproval", "Approved"));
        ((string?)answer["result"]!["summary"]).Should().Contain(digest);
    }
}

/// <summary>The aws lane's host tests change the process's AWS_* variables: they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AwsLaneCollection
{
    public const string Name = "aws lane (process environment)";
}
