using System.Globalization;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using GluePipeline.Aws;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Aws;

/// <summary>The change-set deployer's flows against the fake CloudFormation (every request checked against botocore).</summary>
public sealed class CloudFormationDeployerTests : IDisposable
{
    private const string Stack = "livetest-main-3fa9c1";
    private static readonly string Later = DateTimeOffset.UtcNow.AddMinutes(1).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
    private readonly FakeAws _cfn = new("cloudformation");
    private readonly List<string> _log = [];

    public void Dispose() => _cfn.Dispose();

    private CloudFormationDeployer Deployer => new(
        new AwsQueryClient(AwsHttp.Signed(new BasicAWSCredentials("AKIDEXAMPLE", "secret"), "us-east-1", "cloudformation", _cfn.Endpoint), "cloudformation", "2010-05-15", new AwsRetryPolicy(3, TimeSpan.FromMilliseconds(1))),
        _log.Add,
        poll: TimeSpan.FromMilliseconds(1),
        deadline: TimeSpan.FromSeconds(30));

    private static StackDeployRequest Request => new(Stack, "Resources: {}", new Dictionary<string, string> { ["Environment"] = "livetest" }, ["CAPABILITY_IAM"], new Dictionary<string, string> { ["pipeline"] = "glue-etl", ["expiry"] = "2026-11-28T10:00:00Z" });

    private static JsonObject Stacks(string status, string? reason = null) => new()
    {
        ["Stacks"] = new JsonArray(new JsonObject
        {
            ["StackName"] = Stack,
            ["CreationTime"] = "2026-11-27T10:00:00Z",
            ["StackStatus"] = status,
            ["StackStatusReason"] = reason ?? string.Empty,
            ["Outputs"] = new JsonArray(new JsonObject { ["OutputKey"] = "RawBucketName", ["OutputValue"] = "raw-1" }),
        }),
    };

    private static JsonObject Events(params (string Id, string Logical, string Type, string Status, string? Reason)[] events) =>
        CloudFormationAnswers.Events(Stack, "arn:aws:cloudformation:us-east-1:123456789012:stack/" + Stack + "/1", Later, events);

    private FakeAws Absent() => _cfn.Fails("DescribeStacks", 400, "ValidationError", $"Stack with id {Stack} does not exist");

    private FakeAws ChangeSetCreated(string status = "CREATE_COMPLETE", string? reason = null) =>
        _cfn.Returns("CreateChangeSet", new JsonObject { ["Id"] = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/pipeline/1", ["StackId"] = "arn:aws:cloudformation:us-east-1:123456789012:stack/" + Stack + "/1" })
            .Returns("DescribeChangeSet", new JsonObject { ["Status"] = "CREATE_PENDING" })
            .Returns("DescribeChangeSet", new JsonObject { ["Status"] = status, ["StatusReason"] = reason ?? string.Empty });

    [SkippableFact]
    public async Task A_new_stack_is_created_through_a_change_set_and_its_events_are_shown_as_they_happen()
    {
        Absent();
        ChangeSetCreated();
        _cfn.Returns("ExecuteChangeSet", [])
            .Returns("DescribeStackEvents", Events(("e1", "RawBucket", "AWS::S3::Bucket", "CREATE_IN_PROGRESS", null)))
            .Returns("DescribeStacks", Stacks("CREATE_IN_PROGRESS"))
            .Returns("DescribeStackEvents", Events(("e1", "RawBucket", "AWS::S3::Bucket", "CREATE_IN_PROGRESS", null), ("e2", "RawBucket", "AWS::S3::Bucket", "CREATE_COMPLETE", null)))
            .Returns("DescribeStacks", Stacks("CREATE_COMPLETE"));

        var result = await Deployer.DeployAsync(Request, CancellationToken.None);

        result.Should().BeEquivalentTo(new StackDeployResult(Stack, "CREATE", "CREATE_COMPLETE", new Dictionary<string, string> { ["RawBucketName"] = "raw-1" }));
        _cfn.Requests.Single(r => r.Operation == "CreateChangeSet").Body["ChangeSetType"]!.GetValue<string>().Should().Be("CREATE");
        _log.Where(l => l.Contains("RawBucket", StringComparison.Ordinal)).Should().HaveCount(2, "each event once, as it happens").And.SatisfyRespectively(
            first => first.Should().Contain("CREATE_IN_PROGRESS"),
            second => second.Should().Contain("CREATE_COMPLETE"));
        _cfn.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Events_are_read_across_pages_and_a_retried_execute_keeps_its_token()
    {
        Absent();
        ChangeSetCreated();
        var page1 = Events(("e3", "Job", "AWS::Glue::Job", "CREATE_COMPLETE", null), ("e4", Stack, "AWS::CloudFormation::Stack", "CREATE_COMPLETE", null));
        page1["NextToken"] = "page-2";
        _cfn.Fails("ExecuteChangeSet", 400, "Throttling", "Rate exceeded")
            .Returns("ExecuteChangeSet", [])
            .Returns("DescribeStackEvents", page1)
            .Returns("DescribeStackEvents", Events(("e1", "RawBucket", "AWS::S3::Bucket", "CREATE_IN_PROGRESS", null), ("e2", "RawBucket", "AWS::S3::Bucket", "CREATE_COMPLETE", null)))
            .Returns("DescribeStacks", Stacks("CREATE_COMPLETE"));

        await Deployer.DeployAsync(Request, CancellationToken.None);

        _log.Where(l => l.Contains("AWS::", StringComparison.Ordinal)).Select(l => l.Split(' ')[^1]).Should().Equal(["RawBucket", "RawBucket", "Job", Stack], "oldest first, both pages");
        _cfn.Requests.Where(r => r.Operation == "DescribeStackEvents").Select(r => (string?)r.Body["NextToken"]).Should().Equal(null, "page-2");
        var executes = _cfn.Requests.Where(r => r.Operation == "ExecuteChangeSet").Select(r => (string?)r.Body["ClientRequestToken"]).ToArray();
        executes.Should().HaveCount(2).And.OnlyContain(t => t != null && t.StartsWith("pipeline-", StringComparison.Ordinal));
        executes.Distinct().Should().ContainSingle("a retry must be recognised as the same request");
        _cfn.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_failed_create_reports_the_first_failed_resource_as_the_root_cause()
    {
        Absent();
        ChangeSetCreated();
        _cfn.Returns("ExecuteChangeSet", [])
            .Returns("DescribeStackEvents", Events(
                ("e1", "RawBucket", "AWS::S3::Bucket", "CREATE_FAILED", "raw-1 already exists"),
                ("e2", "GlueServiceRole", "AWS::IAM::Role", "CREATE_FAILED", "Resource creation cancelled"),
                ("e3", Stack, "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS", "The following resource(s) failed to create: [RawBucket, GlueServiceRole]")))
            .Returns("DescribeStacks", Stacks("ROLLBACK_COMPLETE"));

        var deploy = () => Deployer.DeployAsync(Request, CancellationToken.None);

        (await deploy.Should().ThrowAsync<StackDeployException>()).Which.Message.Should().Be($"{Stack} ended ROLLBACK_COMPLETE. Root cause: RawBucket (AWS::S3::Bucket) CREATE_FAILED: raw-1 already exists");
    }

    [SkippableFact]
    public async Task An_empty_change_set_is_a_no_op()
    {
        _cfn.Returns("DescribeStacks", Stacks("UPDATE_COMPLETE"));
        ChangeSetCreated("FAILED", "The submitted information didn't contain changes. Submit different information to create a change set.");
        _cfn.Returns("DeleteChangeSet", []).Returns("DescribeStacks", Stacks("UPDATE_COMPLETE"));

        var result = await Deployer.DeployAsync(Request, CancellationToken.None);

        (result.Action, result.Status).Should().Be(("NONE", "UPDATE_COMPLETE"));
        _cfn.Requests.Select(r => r.Operation).Should().NotContain("ExecuteChangeSet");
        _cfn.Requests.Single(r => r.Operation == "CreateChangeSet").Body["ChangeSetType"]!.GetValue<string>().Should().Be("UPDATE");
    }

    [SkippableFact]
    public async Task A_stack_in_ROLLBACK_COMPLETE_is_deleted_then_created_again()
    {
        _cfn.Returns("DescribeStacks", Stacks("ROLLBACK_COMPLETE"))
            .Returns("DeleteStack", [])
            .Returns("DescribeStackEvents", Events(("d1", Stack, "AWS::CloudFormation::Stack", "DELETE_IN_PROGRESS", null)));
        Absent();
        ChangeSetCreated();
        _cfn.Returns("ExecuteChangeSet", [])
            .Returns("DescribeStackEvents", Events(("c1", Stack, "AWS::CloudFormation::Stack", "CREATE_COMPLETE", null)))
            .Returns("DescribeStacks", Stacks("CREATE_COMPLETE"));

        var result = await Deployer.DeployAsync(Request, CancellationToken.None);

        result.Action.Should().Be("CREATE");
        _cfn.Requests.Select(r => r.Operation).Should().ContainInConsecutiveOrder("DeleteStack", "DescribeStackEvents", "DescribeStacks", "CreateChangeSet");
        _log.Should().Contain(l => l.Contains("ROLLBACK_COMPLETE (a create that failed): deleting it", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task A_deletion_that_fails_names_the_resource_and_why()
    {
        _cfn.Returns("DescribeStacks", Stacks("CREATE_COMPLETE"))
            .Returns("DeleteStack", [])
            .Returns("DescribeStackEvents", Events(("x1", "RawBucket", "AWS::S3::Bucket", "DELETE_FAILED", "The bucket you tried to delete is not empty. You must delete all versions in the bucket.")))
            .Returns("DescribeStacks", Stacks("DELETE_FAILED", "The following resource(s) failed to delete: [RawBucket]."));

        var delete = () => Deployer.DeleteAsync(Stack, CancellationToken.None);

        (await delete.Should().ThrowAsync<StackDeployException>()).Which.Message.Should().Contain("Root cause: RawBucket (AWS::S3::Bucket) DELETE_FAILED: The bucket you tried to delete is not empty");
    }

    [SkippableFact]
    public async Task A_wait_has_a_deadline_and_a_cancel_stops_it()
    {
        // The stack never finishes deleting: it stays where it is, poll after poll.
        _cfn.Returns("DeleteStack", []);
        for (var i = 0; i < 400; i++)
        {
            _cfn.Returns("DescribeStackEvents", Events()).Returns("DescribeStacks", Stacks("DELETE_IN_PROGRESS"));
        }

        var slow = new CloudFormationDeployer(
            new AwsQueryClient(AwsHttp.Signed(new BasicAWSCredentials("AKIDEXAMPLE", "secret"), "us-east-1", "cloudformation", _cfn.Endpoint), "cloudformation", "2010-05-15"),
            _log.Add,
            poll: TimeSpan.FromMilliseconds(5),
            deadline: TimeSpan.FromMilliseconds(200));
        var timedOut = () => slow.DeleteAsync(Stack, CancellationToken.None);
        (await timedOut.Should().ThrowAsync<StackDeployException>()).Which.Message.Should().StartWith($"Waiting for stack {Stack} took longer than");

        _cfn.Returns("DeleteStack", []);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var cancelled = () => Deployer.DeleteAsync(Stack, cancel.Token);
        await cancelled.Should().ThrowAsync<OperationCanceledException>("Ctrl-C during a wait stops it; the host's teardown then runs");
    }

    [SkippableFact]
    public async Task Deleting_a_stack_that_does_not_exist_does_nothing()
    {
        Absent();

        (await Deployer.DeleteAsync(Stack, CancellationToken.None)).Should().BeFalse();
        _cfn.Requests.Select(r => r.Operation).Should().Equal("DescribeStacks");
    }

    // Deleting a stack whose bucket is not empty, and waits that are throttled.
    private const string NotEmpty = "The bucket you tried to delete is not empty. You must delete all versions in the bucket.";
    private const string StackArn = "arn:aws:cloudformation:us-east-1:123456789012:stack/" + Stack + "/1";

    private CloudFormationDeployer DeployerWith(FakeAws? s3) => new(
        new AwsQueryClient(AwsHttp.Signed(new BasicAWSCredentials("AKIDEXAMPLE", "secret"), "us-east-1", "cloudformation", _cfn.Endpoint), "cloudformation", "2010-05-15", new AwsRetryPolicy(3, TimeSpan.FromMilliseconds(1))),
        _log.Add,
        poll: TimeSpan.FromMilliseconds(1),
        deadline: TimeSpan.FromSeconds(30),
        s3: s3 is null ? null : new AwsS3Client(AwsHttp.Signed(new BasicAWSCredentials("AKIDEXAMPLE", "secret"), "us-east-1", "s3", s3.Endpoint), s3.Endpoint, pathStyle: true, new AwsRetryPolicy(3, TimeSpan.FromMilliseconds(1))));

    /// <summary>Stack events (oldest first, as <see cref="Events"/>) with their resources' physical ids (a bucket's name).</summary>
    private static JsonObject ResourceEvents(params (string Id, string Logical, string Type, string Physical, string Status, string? Reason)[] events)
    {
        var result = Events(events.Select(e => (e.Id, e.Logical, e.Type, e.Status, e.Reason)).ToArray());
        foreach (var (item, e) in result["StackEvents"]!.AsArray().Zip(events.Reverse()))
        {
            item!["PhysicalResourceId"] = e.Physical;
        }

        return result;
    }

    [SkippableFact]
    public async Task A_bucket_that_is_not_empty_is_emptied_and_the_stack_deleted_again()
    {
        using var s3 = new FakeAws("s3");
        _cfn.Returns("DescribeStacks", Stacks("CREATE_COMPLETE"))
            .Returns("DeleteStack", [])
            .Returns("DescribeStackEvents", ResourceEvents(
                ("d1", Stack, "AWS::CloudFormation::Stack", StackArn, "DELETE_IN_PROGRESS", "User Initiated"),
                ("d2", "RawBucket", "AWS::S3::Bucket", "raw-bucket-1", "DELETE_FAILED", NotEmpty),
                ("d3", Stack, "AWS::CloudFormation::Stack", StackArn, "DELETE_FAILED", "The following resource(s) failed to delete: [RawBucket]. ")))
            .Returns("DescribeStacks", Stacks("DELETE_FAILED", "The following resource(s) failed to delete: [RawBucket]. "))
            .Returns("DeleteStack", [])
            .Returns("DescribeStackEvents", ResourceEvents(
                ("d4", Stack, "AWS::CloudFormation::Stack", StackArn, "DELETE_IN_PROGRESS", "User Initiated"),
                ("d5", "RawBucket", "AWS::S3::Bucket", "raw-bucket-1", "DELETE_COMPLETE", null),
                ("d6", Stack, "AWS::CloudFormation::Stack", StackArn, "DELETE_COMPLETE", null)))
            .Fails("DescribeStacks", 400, "ValidationError", $"Stack with id {Stack} does not exist");
        s3.Returns("ListObjectVersions", new JsonObject
            {
                ["IsTruncated"] = false,
                ["Name"] = "raw-bucket-1",
                ["Versions"] = new JsonArray(
                    new JsonObject { ["Key"] = "landing/orders.csv", ["VersionId"] = "v2", ["IsLatest"] = false },
                    new JsonObject { ["Key"] = "staging/orders/part-0000.parquet", ["VersionId"] = "v1", ["IsLatest"] = true }),
                ["DeleteMarkers"] = new JsonArray(new JsonObject { ["Key"] = "landing/orders.csv", ["VersionId"] = "dm3", ["IsLatest"] = true }),
            })
            .Returns("DeleteObjects", []);

        var deleted = await DeployerWith(s3).DeleteAsync(Stack, CancellationToken.None);

        deleted.Should().BeTrue();
        _cfn.Requests.Select(r => r.Operation).Should().Equal("DescribeStacks", "DeleteStack", "DescribeStackEvents", "DescribeStacks", "DeleteStack", "DescribeStackEvents", "DescribeStacks");
        _cfn.Requests.Where(r => r.Operation == "DeleteStack").Select(r => (string?)r.Body["ClientRequestToken"]).Distinct().Should().HaveCount(2, "the second deletion is a new request, not a retry CloudFormation would ignore");
        s3.Requests.Select(r => r.Operation).Should().Equal("ListObjectVersions", "DeleteObjects");
        s3.Requests.Should().AllSatisfy(r => ((string?)r.Body["Bucket"]).Should().Be("raw-bucket-1"));
        s3.Requests.Last().Body["Delete"]!["Objects"]!.AsArray().Select(o => ((string?)o!["Key"], (string?)o["VersionId"]))
            .Should().Equal(("landing/orders.csv", "v2"), ("staging/orders/part-0000.parquet", "v1"), ("landing/orders.csv", "dm3"));
        var failedAt = _log.FindIndex(l => l.Contains("DELETE_FAILED", StringComparison.Ordinal) && l.Contains("RawBucket", StringComparison.Ordinal));
        var emptiedAt = _log.FindIndex(l => l.StartsWith("Emptied the bucket raw-bucket-1 (3 object version(s)", StringComparison.Ordinal) && l.EndsWith($"so that {Stack} can be deleted", StringComparison.Ordinal));
        var goneAt = _log.FindIndex(l => l.Contains("DELETE_COMPLETE", StringComparison.Ordinal) && l.Contains("RawBucket", StringComparison.Ordinal));
        (failedAt, emptiedAt, goneAt).Should().Match<(int Failed, int Emptied, int Gone)>(i => i.Failed >= 0 && i.Failed < i.Emptied && i.Emptied < i.Gone, string.Join(Environment.NewLine, _log));
        _cfn.RequestProblems.Should().BeEmpty();
        s3.RequestProblems.Should().BeEmpty();
    }

    [SkippableTheory]
    [InlineData("GlueServiceRole", "AWS::IAM::Role", "livetest-glue-role", "Cannot delete entity, must remove roles from instance profile first. (Service: Iam, Status Code: 409)", true)]
    [InlineData("AthenaWorkGroup", "AWS::Athena::WorkGroup", "livetest-wg", "WorkGroup livetest-wg is not empty", true)]
    [InlineData("RawBucket", "AWS::S3::Bucket", "raw-bucket-1", NotEmpty, false)]
    public async Task A_deletion_that_fails_for_what_emptying_a_bucket_cannot_fix_reports_the_root_cause_first(string logical, string type, string physical, string reason, bool withS3)
    {
        using var s3 = new FakeAws("s3");
        _cfn.Returns("DescribeStacks", Stacks("CREATE_COMPLETE"))
            .Returns("DeleteStack", [])
            .Returns("DescribeStackEvents", ResourceEvents(
                ("d1", Stack, "AWS::CloudFormation::Stack", StackArn, "DELETE_IN_PROGRESS", "User Initiated"),
                ("d2", logical, type, physical, "DELETE_FAILED", reason),
                ("d3", "JobScriptsBucket", "AWS::S3::Bucket", "scripts-bucket-1", "DELETE_SKIPPED", null),
                ("d4", Stack, "AWS::CloudFormation::Stack", StackArn, "DELETE_FAILED", $"The following resource(s) failed to delete: [{logical}]. ")))
            .Returns("DescribeStacks", Stacks("DELETE_FAILED", $"The following resource(s) failed to delete: [{logical}]. "));

        var delete = () => DeployerWith(withS3 ? s3 : null).DeleteAsync(Stack, CancellationToken.None);

        var error = (await delete.Should().ThrowAsync<StackDeployException>()).Which;
        error.Message.Should().Be($"{Stack} ended DELETE_FAILED. Root cause: {logical} ({type}) DELETE_FAILED: {reason}");
        error.Failed.Should().ContainSingle().Which.Should().Be(new FailedResource(logical, type, physical, "DELETE_FAILED", reason));
        _cfn.Requests.Count(r => r.Operation == "DeleteStack").Should().Be(1);
        s3.Requests.Should().BeEmpty("only a bucket that is not empty is emptied, and only with an S3 client");
        _cfn.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task A_wait_that_is_throttled_goes_on_and_prints_each_event_once()
    {
        Absent();
        ChangeSetCreated();
        _cfn.Returns("ExecuteChangeSet", [])
            .Fails("DescribeStackEvents", 400, "Throttling", "Rate exceeded")
            .Fails("DescribeStackEvents", 400, "Throttling", "Rate exceeded")
            .Returns("DescribeStackEvents", Events(("e1", "RawBucket", "AWS::S3::Bucket", "CREATE_IN_PROGRESS", null)))
            .Fails("DescribeStacks", 503, "ServiceUnavailable", "Service Unavailable")
            .Returns("DescribeStacks", Stacks("CREATE_IN_PROGRESS"))
            .Returns("DescribeStackEvents", Events(
                ("e1", "RawBucket", "AWS::S3::Bucket", "CREATE_IN_PROGRESS", null),
                ("e2", "RawBucket", "AWS::S3::Bucket", "CREATE_COMPLETE", null),
                ("e3", Stack, "AWS::CloudFormation::Stack", "CREATE_COMPLETE", null)))
            .Returns("DescribeStacks", Stacks("CREATE_COMPLETE"));

        var result = await Deployer.DeployAsync(Request, CancellationToken.None);

        (result.Action, result.Status).Should().Be(("CREATE", "CREATE_COMPLETE"));
        _log.Where(l => l.Contains("AWS::", StringComparison.Ordinal)).Should().SatisfyRespectively(
            e1 => e1.Should().Contain("CREATE_IN_PROGRESS").And.EndWith("AWS::S3::Bucket RawBucket"),
            e2 => e2.Should().Contain("CREATE_COMPLETE").And.EndWith("AWS::S3::Bucket RawBucket"),
            e3 => e3.Should().Contain("CREATE_COMPLETE").And.EndWith($"AWS::CloudFormation::Stack {Stack}"));
        _cfn.Requests.Count(r => r.Operation == "DescribeStackEvents").Should().Be(4, "two throttled, then two polls");
        _cfn.Requests.Count(r => r.Operation == "DescribeStacks").Should().Be(4, "the existence check, one 503, then two polls");
        _cfn.RequestProblems.Should().BeEmpty();
    }
}
