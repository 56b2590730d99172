using System.Text;
using System.Text.Json;
using GluePipeline.Aws;

namespace GluePipeline.Stacks;

/// <summary>What to promote.</summary>
/// <param name="ArtifactZip">The artifact that was tested.</param>
/// <param name="ApprovedDigest">The digest a person approved (AwaitApproval in this run, or the pipeline's approved digest).</param>
/// <param name="Bucket">The artifact bucket (the artifact is published there; the release history too).</param>
/// <param name="StackName">The production stack.</param>
/// <param name="Approver">Who approved.</param>
public sealed record AwsPromoteRequest(string ArtifactZip, string ApprovedDigest, string Bucket, string StackName, string Approver)
{
    /// <summary>Deploy even when the change set replaces or removes data-bearing resources (<c>--allow-data-loss</c>).</summary>
    public bool AllowDataLoss { get; init; }

    /// <summary>The clock.</summary>
    public TimeProvider? Time { get; init; }
}

/// <summary>How a promotion ended.</summary>
/// <param name="Release">The release now in production.</param>
/// <param name="Changed">False when the change set was empty: production already ran these bytes.</param>
/// <param name="Deployment">The production stack.</param>
/// <param name="DataLoss">The data-bearing resources replaced or removed (only with <c>--allow-data-loss</c>).</param>
public sealed record AwsPromotion(Release Release, bool Changed, AwsDeployment Deployment, IReadOnlyList<ResourceChange> DataLoss);

/// <summary>
/// Guarded promotion in the aws lane: the approved digest, and only it, goes to production. The
/// artifact is verified against its manifest (a dirty build or a digest other than the approved one is
/// refused), published (a no-op for a digest already published, so production runs the LiveTest's
/// bytes), and deployed through a change set that is previewed first: a change that replaces or removes a
/// data-bearing resource (S3 buckets, Glue databases, tables and connections, databases) is refused
/// unless <c>--allow-data-loss</c>, naming each one, and the stack is left as it was. Each promotion is
/// appended to the release history in the artifact bucket.
/// </summary>
public static class AwsProduction
{
    /// <summary>Resource types whose replacement or removal loses data.</summary>
    public static IReadOnlySet<string> DataBearing { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "AWS::S3::Bucket", "AWS::Glue::Database", "AWS::Glue::Table", "AWS::Glue::Connection", "AWS::Glue::Partition",
        "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::Redshift::Cluster", "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable",
        "AWS::KMS::Key",
    };

    /// <summary>The changes that lose data: a data-bearing resource removed, or replaced (Replacement True or Conditional).</summary>
    public static IReadOnlyList<ResourceChange> DataLoss(IReadOnlyList<ResourceChange> changes) =>
        changes.Where(c => DataBearing.Contains(c.Type) && (c.Action == "Remove" || (c.Action == "Modify" && c.Replacement is "True" or "Conditional"))).ToArray();

    /// <summary>Where the release history is kept in the artifact bucket.</summary>
    public static string HistoryKey(string stackName) => $"releases/{stackName}.jsonl";

    /// <summary>Promotes the approved artifact to the production stack.</summary>
    public static Task<AwsPromotion> PromoteAsync(AwsPromoteRequest request, AwsClients aws, Action<string> log, CancellationToken cancellationToken) =>
        DeployReleaseAsync(request, "promote", aws, log, cancellationToken);

    /// <summary>
    /// Puts an earlier promoted release back in production (<c>--to=&lt;version|digest&gt;</c>): its zip is
    /// read from where it was published and goes through the same guarded deployment; the history records
    /// the rollback. The release already in production is a no-op.
    /// </summary>
    public static async Task<AwsPromotion?> RollbackAsync(string to, string artifactName, string bucket, string stackName, string approver, bool allowDataLoss, AwsClients aws, Action<string> log, CancellationToken cancellationToken)
    {
        var history = await HistoryAsync(bucket, stackName, aws, cancellationToken);
        var target = LocalProduction.FindRelease(history, to);
        if (history.Count > 0 && history[^1].Digest == target.Digest)
        {
            log($"{target.Version} ({target.Digest}) is what {stackName} runs: nothing to roll back");
            return null;
        }

        var key = $"{AwsStack.ArtifactPrefix(artifactName, target.Version, target.Digest)}/{AwsPublish.ArtifactFile}";
        var zip = await aws.S3.GetObjectAsync(bucket, key, cancellationToken)
            ?? throw new PromotionRefusedException($"The artifact of {target.Version} ({target.Digest}) is not at s3://{bucket}/{key}: cannot roll back to it");
        var path = Path.Combine(Path.GetTempPath(), $"rollback-{target.Digest[..16]}-{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(path, zip, cancellationToken);
        try
        {
            return await DeployReleaseAsync(new AwsPromoteRequest(path, target.Digest, bucket, stackName, approver) { AllowDataLoss = allowDataLoss }, "rollback", aws, log, cancellationToken);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<AwsPromotion> DeployReleaseAsync(AwsPromoteRequest request, string kind, AwsClients aws, Action<string> log, CancellationToken cancellationToken)
    {
        var manifest = await LocalProduction.VerifyPromotableAsync(request.ArtifactZip, cancellationToken);

        if (!string.Equals(manifest.Digest, request.ApprovedDigest, StringComparison.OrdinalIgnoreCase))
        {
            throw new PromotionRefusedException($"{Path.GetFileName(request.ArtifactZip)} is {manifest.Digest}, but the approved artifact is {request.ApprovedDigest}: not promoted (only the approved bytes go to production)");
        }

        await AwsPublish.PublishAsync(request.ArtifactZip, request.Bucket, aws, log, cancellationToken);

        IReadOnlyList<ResourceChange> loss = [];
        var deployment = await AwsStack.DeployAsync(
            new AwsDeployRequest(request.StackName, request.ArtifactZip, request.Bucket, Environment: "prod")
            {
                Lifetime = null,
                Time = request.Time,
                Tags = new Dictionary<string, string>(StringComparer.Ordinal) { ["approver"] = request.Approver },
                Review = changes =>
                {
                    loss = DataLoss(changes);
                    foreach (var change in changes)
                    {
                        log($"  {change.Action,-7} {change.Type} {change.LogicalId}{(change.Replacement is { Length: > 0 } r && change.Action == "Modify" ? $" (replacement: {r})" : string.Empty)}");
                    }

                    if (loss.Count > 0 && !request.AllowDataLoss)
                    {
                        throw new PromotionRefusedException(
                            $"The production change set would {Describe(loss)}: not promoted, production is unchanged. " +
                            "Change the template so these resources are kept (e.g. do not rename a bucket or a table; add DeletionPolicy/UpdateReplacePolicy: Retain), or re-run with --allow-data-loss if losing their data is intended");
                    }

                    if (loss.Count > 0)
                    {
                        log($"--allow-data-loss: the change set will {Describe(loss)}");
                    }

                    return Task.CompletedTask;
                },
            },
            aws,
            log,
            cancellationToken);

        var release = new Release(manifest.Digest, manifest.Version, manifest.Commit, (request.Time ?? TimeProvider.System).GetUtcNow(), request.Approver, kind);
        var changed = deployment.Action != "NONE";
        if (changed)
        {
            await AppendAsync(request.Bucket, request.StackName, release, aws, cancellationToken);
        }

        return new AwsPromotion(release, changed, deployment, loss);
    }

    /// <summary>The release history of a production stack (oldest first); empty when there is none.</summary>
    public static async Task<IReadOnlyList<Release>> HistoryAsync(string bucket, string stackName, AwsClients aws, CancellationToken cancellationToken)
    {
        var bytes = await aws.S3.GetObjectAsync(bucket, HistoryKey(stackName), cancellationToken);
        return bytes is null ? [] : Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<Release>(l, Json)!).ToArray();
    }

    private static async Task AppendAsync(string bucket, string stackName, Release release, AwsClients aws, CancellationToken cancellationToken)
    {
        // Read again right before writing (a rollback read it before a deployment of many minutes): S3 has no
        // append, and the shorter the read-modify-write, the smaller the window for another pipeline's entry to be lost.
        var history = await HistoryAsync(bucket, stackName, aws, cancellationToken);
        var text = string.Concat(history.Append(release).Select(r => JsonSerializer.Serialize(r, Json) + "\n"));
        await aws.S3.PutObjectAsync(bucket, HistoryKey(stackName), Encoding.UTF8.GetBytes(text), "application/x-ndjson", cancellationToken);
    }

    private static string Describe(IReadOnlyList<ResourceChange> loss) =>
        string.Join(", ", loss.Select(c => $"{(c.Action == "Remove" ? "remove" : "replace")} {c.LogicalId} ({c.Type}{(c.PhysicalId is { Length: > 0 } id ? ", " + id : string.Empty)}{(c.Replacement == "Conditional" ? ", replacement conditional" : string.Empty)})"));

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
