using System.Globalization;
using System.Text.Json.Nodes;
using GluePipeline.Stacks;

namespace GluePipeline.Aws;

/// <summary>
/// Plan mode (<c>--plan</c>): the clients send nothing; each call is written as one JSON line,
/// <c>{"service":..,"operation":..,"request":{..}}</c>, with the members in the API's structured form
/// (what botocore's model describes, not the wire form) and every secret masked, and is answered by a
/// small model of an account where the LiveTest stack does not exist yet: a change set is created and
/// completes, the stack then exists, a deleted stack is gone; Glue job runs and crawls succeed at once. The code paths are the real ones; only
/// the transport is replaced, so the plan is the order of calls a real run makes from an empty account.
/// </summary>
/// <param name="write">Where plan lines go (stdout).</param>
public sealed class AwsPlan(Action<string> write)
{
    /// <summary>The placeholder account.</summary>
    public const string Account = "123456789012";

    /// <summary>The placeholder region.</summary>
    public const string Region = "us-east-1";

    private static readonly System.Text.Json.JsonSerializerOptions LineOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Dictionary<string, (string Status, JsonArray Tags)> _stacks = new(StringComparer.Ordinal);
    private readonly List<string> _secrets = [];
    private readonly Lock _lock = new();

    /// <summary>The plan lines written so far.</summary>
    public int Calls { get; private set; }

    /// <summary>Values to mask from now on (NoEcho parameters' values, passwords).</summary>
    public void AddSecrets(IEnumerable<string> secrets)
    {
        lock (_lock)
        {
            _secrets.AddRange(secrets.Where(s => s.Length > 0));
        }
    }

    /// <summary>
    /// The digest a CodePipeline's AutomatedLiveTest exported, as a plan assumes it: a plan of
    /// AwaitApproval through a pipeline finds that pipeline waiting at its approval for the digest this
    /// run approves. Null: the pipeline exported none.
    /// </summary>
    public string? PipelineDigest { get; set; }

    /// <summary>Records a call and answers it as the empty account would.</summary>
    public JsonObject Call(string service, string operation, JsonObject request)
    {
        lock (_lock)
        {
            var line = new JsonObject { ["service"] = service, ["operation"] = operation, ["request"] = request.DeepClone() }.ToJsonString(LineOptions);
            write(new SecretMask(_secrets).Mask(line));
            Calls++;
            return Answer(service, operation, request);
        }
    }

    private JsonObject Answer(string service, string operation, JsonObject request)
    {
        var stackName = (string?)request["StackName"];
        var stackId = $"arn:aws:cloudformation:{Region}:{Account}:stack/{stackName}/00000000-0000-0000-0000-000000000000";
        switch (service, operation)
        {
            case ("sts", "GetCallerIdentity"):
                return new JsonObject { ["Account"] = Account, ["Arn"] = $"arn:aws:iam::{Account}:user/plan", ["UserId"] = "AIDAPLANPLANPLANPLAN" };
            case ("cloudformation", "DescribeStacks") when stackName is null:
                return new JsonObject { ["Stacks"] = new JsonArray(_stacks.Select(s => (JsonNode)Stack(s.Key, s.Value.Status, s.Value.Tags)).ToArray()) };
            case ("cloudformation", "DescribeStacks"):
                return _stacks.TryGetValue(stackName, out var known)
                    ? new JsonObject { ["Stacks"] = new JsonArray(Stack(stackName, known.Status, known.Tags)) }
                    : throw new AwsException(service, operation, "ValidationError", $"Stack with id {stackName} does not exist", "plan", 400);
            case ("cloudformation", "CreateChangeSet"):
                _stacks[stackName!] = (_stacks.TryGetValue(stackName!, out var before) ? before.Status : "REVIEW_IN_PROGRESS", (JsonArray)(request["Tags"]?.DeepClone() ?? new JsonArray()));
                return new JsonObject { ["Id"] = $"arn:aws:cloudformation:{Region}:{Account}:changeSet/{(string?)request["ChangeSetName"]}/00000000-0000-0000-0000-000000000000", ["StackId"] = stackId };
            case ("cloudformation", "DescribeChangeSet"):
                return new JsonObject { ["ChangeSetName"] = (string?)request["ChangeSetName"], ["StackName"] = stackName, ["Status"] = "CREATE_COMPLETE", ["ExecutionStatus"] = "AVAILABLE" };
            case ("cloudformation", "ExecuteChangeSet"):
                var (status, tags) = _stacks[stackName!];
                _stacks[stackName!] = (status == "REVIEW_IN_PROGRESS" ? "CREATE_COMPLETE" : "UPDATE_COMPLETE", tags);
                return [];
            case ("cloudformation", "DeleteStack"):
                _stacks.Remove(stackName!);
                return [];
            case ("cloudformation", "DescribeStackEvents"):
                return new JsonObject { ["StackEvents"] = new JsonArray() };
            case ("glue", "StartJobRun"):
                return new JsonObject { ["JobRunId"] = "jr_plan" + Calls.ToString("D4", CultureInfo.InvariantCulture) };
            case ("glue", "GetJobRun"):
                return new JsonObject { ["JobRun"] = new JsonObject { ["Id"] = (string?)request["RunId"], ["JobName"] = (string?)request["JobName"], ["JobRunState"] = "SUCCEEDED", ["StartedOn"] = Now(), ["CompletedOn"] = Now() } };
            case ("glue", "GetCrawler"):
                // READY, its last crawl a success that started now: a crawl started before this answer is complete.
                return new JsonObject { ["Crawler"] = new JsonObject { ["Name"] = (string?)request["Name"], ["State"] = "READY", ["LastCrawl"] = new JsonObject { ["Status"] = "SUCCEEDED", ["StartTime"] = Now() } } };
            case ("codepipeline", "GetPipelineState"):
                return PlannedPipelineState(new PipelineApprovalTarget((string)request["name"]!));
            case ("codepipeline", "ListActionExecutions"):
                var target = new PipelineApprovalTarget((string)request["pipelineName"]!);
                var exported = PipelineDigest is null ? new JsonObject() : new JsonObject { [target.DigestVariable] = PipelineDigest };
                return new JsonObject
                {
                    ["actionExecutionDetails"] = new JsonArray(new JsonObject
                    {
                        ["pipelineExecutionId"] = PlannedExecution,
                        ["actionName"] = target.DigestAction,
                        ["status"] = "Succeeded",
                        ["lastUpdateTime"] = Now(),
                        ["output"] = new JsonObject { ["outputVariables"] = exported },
                    }),
                };
            case ("codepipeline", "PutApprovalResult"):
                return new JsonObject { ["approvedAt"] = Now() };
            default:
                return [];
        }
    }

    private const string PlannedExecution = "00000000-0000-0000-0000-00000000e1a0";

    /// <summary>A pipeline whose LiveTest stage waits at its approval, its AutomatedLiveTest done.</summary>
    private static JsonObject PlannedPipelineState(PipelineApprovalTarget target) => new()
    {
        ["pipelineName"] = target.Pipeline,
        ["pipelineVersion"] = 1,
        ["stageStates"] = new JsonArray(new JsonObject
        {
            ["stageName"] = target.Stage,
            ["latestExecution"] = new JsonObject { ["pipelineExecutionId"] = PlannedExecution, ["status"] = "InProgress" },
            ["actionStates"] = new JsonArray(
                new JsonObject { ["actionName"] = target.DigestAction, ["latestExecution"] = new JsonObject { ["status"] = "Succeeded", ["lastStatusChange"] = Now() } },
                new JsonObject { ["actionName"] = target.Action, ["latestExecution"] = new JsonObject { ["status"] = "InProgress", ["token"] = "00000000-0000-0000-0000-000000000001", ["lastStatusChange"] = Now() } }),
        }),
    };

    private static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    private static JsonObject Stack(string name, string status, JsonArray tags) => new()
    {
        ["Tags"] = tags.DeepClone(),
        ["StackName"] = name,
        ["StackId"] = $"arn:aws:cloudformation:{Region}:{Account}:stack/{name}/00000000-0000-0000-0000-000000000000",
        ["StackStatus"] = status,
        ["CreationTime"] = DateTimeOffset.UnixEpoch.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
    };
}
