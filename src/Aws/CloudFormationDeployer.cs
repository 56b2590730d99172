using System.Globalization;
using System.Text.Json.Nodes;

namespace GluePipeline.Aws;

/// <summary>What to deploy.</summary>
/// <param name="StackName">The stack.</param>
/// <param name="TemplateBody">The template (at most 51,200 bytes inline; larger ones are uploaded and given as <see cref="TemplateUrl"/>).</param>
/// <param name="Parameters">Parameter values by name.</param>
/// <param name="Capabilities">CAPABILITY_IAM, CAPABILITY_NAMED_IAM, CAPABILITY_AUTO_EXPAND as the template needs.</param>
/// <param name="Tags">Stack tags (pipeline, branch, commit, digest, expiry).</param>
public sealed record StackDeployRequest(string StackName, string TemplateBody, IReadOnlyDictionary<string, string> Parameters, IReadOnlyList<string> Capabilities, IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>CloudFormation's limit on an inline TemplateBody, in bytes.</summary>
    public const int MaxTemplateBody = 51_200;

    /// <summary>Where the template was uploaded (S3), for templates over <see cref="MaxTemplateBody"/>; then the body is not sent.</summary>
    public string? TemplateUrl { get; init; }
}

/// <summary>What a change set would do to one resource (DescribeChangeSet's ResourceChange).</summary>
/// <param name="Action">Add, Modify, Remove, Import or Dynamic.</param>
/// <param name="LogicalId">Its logical id.</param>
/// <param name="PhysicalId">Its physical id, when it exists.</param>
/// <param name="Type">Its type.</param>
/// <param name="Replacement">For Modify: True, False or Conditional (whether it is replaced: a new physical resource, the old one deleted).</param>
public sealed record ResourceChange(string Action, string LogicalId, string? PhysicalId, string Type, string? Replacement);

/// <summary>A resource that failed in a stack operation.</summary>
/// <param name="LogicalId">Its logical id.</param>
/// <param name="Type">Its type.</param>
/// <param name="PhysicalId">Its physical id (a bucket's name).</param>
/// <param name="Status">Its status (e.g. DELETE_FAILED).</param>
/// <param name="Reason">CloudFormation's reason.</param>
public sealed record FailedResource(string LogicalId, string Type, string PhysicalId, string Status, string Reason);

/// <summary>How a deployment ended.</summary>
/// <param name="Stack">The stack.</param>
/// <param name="Action">CREATE, UPDATE, or NONE (an empty change set).</param>
/// <param name="Status">The stack's final status.</param>
/// <param name="Outputs">The stack's outputs.</param>
public sealed record StackDeployResult(string Stack, string Action, string Status, IReadOnlyDictionary<string, string> Outputs);

/// <summary>A deployment or deletion that failed, with the root cause first: the first resource that failed and why.</summary>
public sealed class StackDeployException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StackDeployException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception for an operation whose resources failed, first failure first.</summary>
    public StackDeployException(string message, IReadOnlyList<FailedResource> failed)
        : base(message)
    {
        Failed = failed;
    }

    /// <summary>The resources that failed, in the order they failed.</summary>
    public IReadOnlyList<FailedResource> Failed { get; } = [];

    /// <summary>Creates the exception.</summary>
    public StackDeployException()
        : this("The stack operation failed")
    {
    }

    /// <summary>Creates the exception.</summary>
    public StackDeployException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Deploys a CloudFormation stack with change sets, as the seed's pipeline does, with what a
/// hand-written script forgets: CREATE for a new stack (or one left in REVIEW_IN_PROGRESS), UPDATE
/// otherwise; a stack in ROLLBACK_COMPLETE is deleted first (it cannot be updated); an empty change
/// set is a no-op, not a failure; waits poll (no fixed sleeps) under a deadline, print each new
/// resource event as it happens, and on failure report the first failed resource's reason first.
/// </summary>
/// <param name="cloudFormation">The CloudFormation client.</param>
/// <param name="log">Where events go, live.</param>
/// <param name="poll">How often to ask (5 s against AWS).</param>
/// <param name="deadline">How long a wait may take.</param>
/// <param name="time">The clock.</param>
/// <param name="s3">Empties the buckets whose deletion failed because they were not empty (versions included).</param>
public sealed class CloudFormationDeployer(AwsQueryClient cloudFormation, Action<string> log, TimeSpan? poll = null, TimeSpan? deadline = null, TimeProvider? time = null, AwsS3Client? s3 = null)
{
    private readonly TimeSpan _poll = poll ?? TimeSpan.FromSeconds(5);
    private readonly TimeSpan _deadline = deadline ?? TimeSpan.FromMinutes(60);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// The CloudFormation service role the stack's resources are created, changed and deleted with
    /// (<c>RoleARN</c>), or null for the caller's own permissions. With it, the caller needs only
    /// <c>iam:PassRole</c> on it, not the permissions of everything the template makes.
    /// </summary>
    public string? RoleArn { get; init; }

    /// <summary>The stack's status, or null when it does not exist.</summary>
    public async Task<JsonNode?> DescribeAsync(string stackName, CancellationToken cancellationToken)
    {
        try
        {
            var result = await cloudFormation.CallAsync("DescribeStacks", new JsonObject { ["StackName"] = stackName }, cancellationToken);
            return AwsQueryClient.Items(result["Stacks"]).FirstOrDefault();
        }
        catch (AwsException ex) when (ex.Code == "ValidationError" && ex.AwsMessage.Contains("does not exist", StringComparison.Ordinal))
        {
            return null;
        }
    }

    /// <summary>
    /// Creates or updates the stack through a change set and waits for it. A <paramref name="review"/>
    /// sees every change before anything is executed; when it throws, the change set is deleted and
    /// the stack is left as it was.
    /// </summary>
    public async Task<StackDeployResult> DeployAsync(StackDeployRequest request, CancellationToken cancellationToken, Func<IReadOnlyList<ResourceChange>, Task>? review = null)
    {
        var stack = await DescribeAsync(request.StackName, cancellationToken);
        var status = (string?)stack?["StackStatus"];
        if (status == "ROLLBACK_COMPLETE")
        {
            log($"{request.StackName} is in ROLLBACK_COMPLETE (a create that failed): deleting it before creating it again");
            await DeleteExistingAsync(request.StackName, cancellationToken);
            status = null;
        }

        var type = status is null or "REVIEW_IN_PROGRESS" ? "CREATE" : "UPDATE";
        var changeSet = $"pipeline-{_time.GetUtcNow():yyyyMMddHHmmss}";

        // One token for the whole operation: a retried call is recognised by CloudFormation, not repeated.
        var token = NewToken();
        var started = _time.GetUtcNow();
        var create = new JsonObject
        {
            ["StackName"] = request.StackName,
            ["ChangeSetName"] = changeSet,
            ["ChangeSetType"] = type,
            ["ClientToken"] = token,
        };
        if (request.TemplateUrl is { } url)
        {
            create["TemplateURL"] = url;
        }
        else
        {
            create["TemplateBody"] = request.TemplateBody;
        }

        if (RoleArn is not null)
        {
            create["RoleARN"] = RoleArn;
        }

        create["Capabilities"] = new JsonArray(request.Capabilities.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray());
        create["Parameters"] = new JsonArray(request.Parameters.Select(p => (JsonNode)new JsonObject { ["ParameterKey"] = p.Key, ["ParameterValue"] = p.Value }).ToArray());
        create["Tags"] = new JsonArray(request.Tags.Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value }).ToArray());
        await cloudFormation.CallAsync("CreateChangeSet", create, cancellationToken);

        var described = await WaitAsync($"change set {changeSet}", async token =>
        {
            var set = await cloudFormation.CallAsync("DescribeChangeSet", new JsonObject { ["ChangeSetName"] = changeSet, ["StackName"] = request.StackName }, token);
            return (string?)set["Status"] is "CREATE_COMPLETE" or "FAILED" ? set : null;
        }, cancellationToken);

        if ((string?)described["Status"] == "FAILED")
        {
            var reason = (string?)described["StatusReason"] ?? string.Empty;
            if (reason.StartsWith("The submitted information didn't contain changes", StringComparison.Ordinal) || reason.StartsWith("No updates are to be performed", StringComparison.Ordinal))
            {
                log($"{request.StackName}: no changes (the change set is empty); nothing to do");
                await cloudFormation.CallAsync("DeleteChangeSet", new JsonObject { ["ChangeSetName"] = changeSet, ["StackName"] = request.StackName }, cancellationToken);
                var unchanged = await DescribeAsync(request.StackName, cancellationToken);
                return new StackDeployResult(request.StackName, "NONE", (string?)unchanged?["StackStatus"] ?? "UNKNOWN", Outputs(unchanged));
            }

            throw new StackDeployException($"The change set of {request.StackName} failed: {reason}");
        }

        if (review is not null)
        {
            var changes = await ChangesAsync(request.StackName, changeSet, described, cancellationToken);
            try
            {
                await review(changes);
            }
            catch
            {
                await cloudFormation.CallAsync("DeleteChangeSet", new JsonObject { ["ChangeSetName"] = changeSet, ["StackName"] = request.StackName }, CancellationToken.None);
                throw;
            }
        }

        await cloudFormation.CallAsync("ExecuteChangeSet", new JsonObject { ["ChangeSetName"] = changeSet, ["StackName"] = request.StackName, ["ClientRequestToken"] = token }, cancellationToken);
        var final = await FollowAsync(request.StackName, started, type == "CREATE" ? "CREATE_COMPLETE" : "UPDATE_COMPLETE", cancellationToken);
        return new StackDeployResult(request.StackName, type, (string)final["StackStatus"]!, Outputs(final));
    }

    /// <summary>Every change of a change set, across DescribeChangeSet's pages (the first page is the one already read).</summary>
    private async Task<IReadOnlyList<ResourceChange>> ChangesAsync(string stackName, string changeSet, JsonNode first, CancellationToken cancellationToken)
    {
        var changes = new List<ResourceChange>();
        var page = first;
        while (true)
        {
            foreach (var change in AwsQueryClient.Items(page["Changes"]))
            {
                if (change["ResourceChange"] is { } rc)
                {
                    changes.Add(new ResourceChange((string?)rc["Action"] ?? string.Empty, (string?)rc["LogicalResourceId"] ?? string.Empty, (string?)rc["PhysicalResourceId"], (string?)rc["ResourceType"] ?? string.Empty, (string?)rc["Replacement"]));
                }
            }

            if ((string?)page["NextToken"] is not { Length: > 0 } next)
            {
                return changes;
            }

            page = await cloudFormation.CallAsync("DescribeChangeSet", new JsonObject { ["ChangeSetName"] = changeSet, ["StackName"] = stackName, ["NextToken"] = next }, cancellationToken);
        }
    }

    /// <summary>Deletes the stack and waits until it is gone; a stack that does not exist is fine.</summary>
    public async Task<bool> DeleteAsync(string stackName, CancellationToken cancellationToken)
    {
        if (await DescribeAsync(stackName, cancellationToken) is null)
        {
            return false;
        }

        await DeleteExistingAsync(stackName, cancellationToken);
        return true;
    }

    /// <summary>Deletes a stack the caller has just found (DescribeStacks, ListAsync) and waits until it is gone.</summary>
    public async Task DeleteExistingAsync(string stackName, CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        await cloudFormation.CallAsync("DeleteStack", DeleteRequest(stackName), cancellationToken);
        try
        {
            await FollowAsync(stackName, started, "DELETE_COMPLETE", cancellationToken);
        }
        catch (StackDeployException ex) when (s3 is not null && NotEmptyBuckets(ex.Failed) is { Count: > 0 } buckets)
        {
            // A bucket with objects (or, when versioned, old versions and delete markers) cannot be deleted:
            // empty it and delete the stack again; what is already deleted stays deleted.
            foreach (var bucket in buckets)
            {
                var count = await s3.EmptyBucketAsync(bucket, cancellationToken);
                log($"Emptied the bucket {bucket} ({count} object version(s) and delete marker(s)) so that {stackName} can be deleted");
            }

            started = _time.GetUtcNow();
            await cloudFormation.CallAsync("DeleteStack", DeleteRequest(stackName), cancellationToken);
            await FollowAsync(stackName, started, "DELETE_COMPLETE", cancellationToken);
        }
    }

    /// <summary>Every stack of the account and region, with its tags (DescribeStacks, all pages); deleted stacks are not listed.</summary>
    public async Task<IReadOnlyList<JsonNode>> ListAsync(CancellationToken cancellationToken)
    {
        var stacks = new List<JsonNode>();
        string? next = null;
        do
        {
            var request = new JsonObject();
            if (next is not null)
            {
                request["NextToken"] = next;
            }

            var page = await cloudFormation.CallAsync("DescribeStacks", request, cancellationToken);
            stacks.AddRange(AwsQueryClient.Items(page["Stacks"]));
            next = (string?)page["NextToken"];
        }
        while (!string.IsNullOrEmpty(next));

        return stacks;
    }

    /// <summary>The physical id of each of the stack's resources by logical id (ListStackResources, all pages; deleted ones left out).</summary>
    public async Task<IReadOnlyDictionary<string, string>> PhysicalIdsAsync(string stackName, CancellationToken cancellationToken)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        string? next = null;
        do
        {
            var request = new JsonObject { ["StackName"] = stackName };
            if (next is not null)
            {
                request["NextToken"] = next;
            }

            var page = await cloudFormation.CallAsync("ListStackResources", request, cancellationToken);
            foreach (var resource in AwsQueryClient.Items(page["StackResourceSummaries"]))
            {
                if ((string?)resource["PhysicalResourceId"] is { Length: > 0 } id && (string?)resource["ResourceStatus"] is not "DELETE_COMPLETE")
                {
                    ids[(string)resource["LogicalResourceId"]!] = id;
                }
            }

            next = (string?)page["NextToken"];
        }
        while (!string.IsNullOrEmpty(next));

        return ids;
    }

    private JsonObject DeleteRequest(string stackName)
    {
        var request = new JsonObject { ["StackName"] = stackName, ["ClientRequestToken"] = NewToken() };
        if (RoleArn is not null)
        {
            request["RoleARN"] = RoleArn;
        }

        return request;
    }

    /// <summary>A stack's tags.</summary>
    public static IReadOnlyDictionary<string, string> Tags(JsonNode stack) =>
        AwsQueryClient.Items(stack["Tags"]).ToDictionary(t => (string?)t["Key"] ?? string.Empty, t => (string?)t["Value"] ?? string.Empty, StringComparer.Ordinal);

    private static List<string> NotEmptyBuckets(IReadOnlyList<FailedResource> failed) =>
        failed.Where(f => f.Type == "AWS::S3::Bucket" && f.PhysicalId.Length > 0 && (f.Reason.Contains("not empty", StringComparison.OrdinalIgnoreCase) || f.Reason.Contains("BucketNotEmpty", StringComparison.Ordinal)))
            .Select(f => f.PhysicalId).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Follows a stack operation to its end, printing each new event; a failure names its first failed resource.</summary>
    private async Task<JsonNode> FollowAsync(string stackName, DateTimeOffset since, string success, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var events = new List<JsonNode>();
        return await WaitAsync($"stack {stackName}", async token =>
        {
            // Newest first, in pages: read back until an event already shown, or one from before this operation.
            var fresh = new List<JsonNode>();
            string? next = null;
            do
            {
                var request = new JsonObject { ["StackName"] = stackName };
                if (next is not null)
                {
                    request["NextToken"] = next;
                }

                var page = await cloudFormation.CallAsync("DescribeStackEvents", request, token);
                var items = AwsQueryClient.Items(page["StackEvents"]);
                fresh.AddRange(items);
                next = items.Count > 0 && !seen.Contains((string?)items[^1]["EventId"] ?? string.Empty) && Timestamp(items[^1]) >= since.AddSeconds(-1) ? (string?)page["NextToken"] : null;
            }
            while (!string.IsNullOrEmpty(next));

            foreach (var e in Enumerable.Reverse(fresh))
            {
                if (seen.Add((string?)e["EventId"] ?? string.Empty) && Timestamp(e) >= since.AddSeconds(-1))
                {
                    events.Add(e);
                    log($"{(string?)e["Timestamp"]} {(string?)e["ResourceStatus"],-28} {(string?)e["ResourceType"]} {(string?)e["LogicalResourceId"]}{((string?)e["ResourceStatusReason"] is { Length: > 0 } why ? ": " + why : string.Empty)}");
                }
            }

            var stack = await DescribeAsync(stackName, token);
            var status = (string?)stack?["StackStatus"] ?? (success == "DELETE_COMPLETE" ? "DELETE_COMPLETE" : "UNKNOWN");
            if (status == success)
            {
                return stack ?? new JsonObject { ["StackStatus"] = status };
            }

            if (status.EndsWith("_FAILED", StringComparison.Ordinal) || (status.EndsWith("_COMPLETE", StringComparison.Ordinal) && status.Contains("ROLLBACK", StringComparison.Ordinal)))
            {
                var failed = events.Where(e => ((string?)e["ResourceStatus"] ?? string.Empty).EndsWith("_FAILED", StringComparison.Ordinal) && (string?)e["LogicalResourceId"] != stackName)
                    .Select(e => new FailedResource((string?)e["LogicalResourceId"] ?? string.Empty, (string?)e["ResourceType"] ?? string.Empty, (string?)e["PhysicalResourceId"] ?? string.Empty, (string?)e["ResourceStatus"] ?? string.Empty, (string?)e["ResourceStatusReason"] ?? string.Empty))
                    .ToArray();
                var root = failed.Length == 0
                    ? (string?)stack?["StackStatusReason"] ?? "no resource reported a reason"
                    : $"{failed[0].LogicalId} ({failed[0].Type}) {failed[0].Status}: {failed[0].Reason}";
                throw new StackDeployException($"{stackName} ended {status}. Root cause: {root}", failed);
            }

            return null;
        }, cancellationToken);
    }

    /// <summary>Polls until the check answers, under the deadline (no fixed sleeps beyond the poll interval).</summary>
    private async Task<JsonNode> WaitAsync(string what, Func<CancellationToken, Task<JsonNode?>> check, CancellationToken cancellationToken)
    {
        var until = _time.GetUtcNow() + _deadline;
        while (true)
        {
            if (await check(cancellationToken) is { } done)
            {
                return done;
            }

            if (_time.GetUtcNow() >= until)
            {
                throw new StackDeployException(string.Create(CultureInfo.InvariantCulture, $"Waiting for {what} took longer than {_deadline.TotalMinutes:0.##} minutes"));
            }

            await Task.Delay(_poll, _time, cancellationToken);
        }
    }

    private static string NewToken() => "pipeline-" + Guid.NewGuid().ToString("N");

    private static DateTimeOffset Timestamp(JsonNode e) =>
        DateTimeOffset.TryParse((string?)e["Timestamp"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MaxValue;

    /// <summary>A described stack's outputs by name.</summary>
    public static Dictionary<string, string> Outputs(JsonNode? stack) =>
        AwsQueryClient.Items(stack?["Outputs"]).ToDictionary(o => (string)o["OutputKey"]!, o => (string?)o["OutputValue"] ?? string.Empty, StringComparer.Ordinal);
}
