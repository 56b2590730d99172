using System.Text.Json;
using GluePipeline.Approval;
using GluePipeline.Diagnostics;
using GluePipeline.Packaging;

namespace GluePipeline.Stacks;

/// <summary>A release of production: which artifact went out, when, approved by whom.</summary>
/// <param name="Digest">The artifact digest.</param>
/// <param name="Version">Its version.</param>
/// <param name="Commit">Its commit.</param>
/// <param name="At">When it was deployed.</param>
/// <param name="Approver">Who approved it.</param>
/// <param name="Kind">promote or rollback.</param>
public sealed record Release(string Digest, string Version, string? Commit, DateTimeOffset At, string Approver, string Kind);

/// <summary>What a promotion or rollback did.</summary>
/// <param name="Release">The release now in production.</param>
/// <param name="Changed">False when that release was already in production (a no-op).</param>
/// <param name="Manifest">The production stack's manifest.</param>
public sealed record PromotionResult(Release Release, bool Changed, RunManifest? Manifest);

/// <summary>
/// The local lane's production: the <c>prod</c> stack (updated in place, its data kept), the
/// promoted artifacts, and the release history (<c>releases.jsonl</c>), all under one folder that
/// Sweep never touches. Only an approved digest whose artifact verifies against its manifest is
/// deployed; promoting the release already in production does nothing; a rollback re-deploys an
/// earlier release from the history.
/// </summary>
public sealed class LocalProduction(string root)
{
    /// <summary>The production stack's name.</summary>
    public const string StackName = "prod";

    private static readonly JsonSerializerOptions Json = new();

    /// <summary>Where production lives.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The folder of the production stack's state.</summary>
    public string StateRoot => Path.Combine(Root, "stacks");

    private string HistoryPath => Path.Combine(Root, "releases.jsonl");

    /// <summary>Every release, oldest first.</summary>
    public IReadOnlyList<Release> History() =>
        File.Exists(HistoryPath) ? File.ReadAllLines(HistoryPath).Where(l => l.Trim().Length > 0).Select(l => JsonSerializer.Deserialize<Release>(l, Json)!).ToArray() : [];

    /// <summary>The release in production, or null.</summary>
    public Release? Current => History().LastOrDefault();

    /// <summary>The production stack's manifest, or null before the first release.</summary>
    public RunManifest? Manifest => LocalStack.Find(StateRoot, StackName);

    /// <summary>Promotes an approved artifact.</summary>
    public async Task<PromotionResult> PromoteAsync(string zip, ApprovalStore approvals, string approver, TimeProvider? time, CancellationToken cancellationToken)
    {
        var manifest = await VerifyPromotableAsync(zip, cancellationToken);

        if (!approvals.IsApproved(manifest.Digest))
        {
            throw new PromotionRefusedException($"{manifest.Digest} has no approval: not promoted (AwaitApproval records one; fail closed)");
        }

        if (Current is { } current && current.Digest == manifest.Digest)
        {
            return new PromotionResult(current, Changed: false, Manifest);
        }

        var kept = Path.Combine(Root, "releases", manifest.Digest + ".zip");
        Directory.CreateDirectory(Path.GetDirectoryName(kept)!);
        File.Copy(zip, kept, overwrite: true);
        var release = new Release(manifest.Digest, manifest.Version, manifest.Commit, (time ?? TimeProvider.System).GetUtcNow(), approver, "promote");
        var deployed = await DeployAsync(kept, manifest.Digest, cancellationToken);
        Append(release);
        return new PromotionResult(release, Changed: true, deployed);
    }

    /// <summary>Re-deploys an earlier release, named by its digest (or a prefix of 7+ characters) or its version.</summary>
    public async Task<PromotionResult> RollbackAsync(string to, string approver, TimeProvider? time, CancellationToken cancellationToken)
    {
        var history = History();
        var target = FindRelease(history, to);
        if (Current is { } current && current.Digest == target.Digest)
        {
            return new PromotionResult(current, Changed: false, Manifest);
        }

        var kept = Path.Combine(Root, "releases", target.Digest + ".zip");
        if (!File.Exists(kept))
        {
            throw new PromotionRefusedException($"The artifact of {target.Version} ({target.Digest}) is no longer kept in {Path.GetDirectoryName(kept)}: cannot roll back to it");
        }

        var release = target with { At = (time ?? TimeProvider.System).GetUtcNow(), Approver = approver, Kind = "rollback" };
        var deployed = await DeployAsync(kept, target.Digest, cancellationToken);
        Append(release);
        return new PromotionResult(release, Changed: true, deployed);
    }

    /// <summary>
    /// The manifest of an artifact fit for production, in either lane: it matches its manifest byte for
    /// byte and was built from a commit, not from uncommitted changes; else <see cref="PromotionRefusedException"/>.
    /// </summary>
    public static async Task<ArtifactManifest> VerifyPromotableAsync(string zip, CancellationToken cancellationToken)
    {
        var verification = await ArtifactVerifier.VerifyAsync(zip, null, cancellationToken);
        if (!verification.IsIntact)
        {
            throw new PromotionRefusedException($"{Path.GetFileName(zip)} does not match its manifest ({string.Join("; ", verification.Problems)}): not promoted");
        }

        var manifest = verification.Manifest!;
        return manifest.Dirty
            ? throw new PromotionRefusedException($"{Path.GetFileName(zip)} was built from uncommitted changes: not promoted (commit, then package again)")
            : manifest;
    }

    /// <summary>The promoted release <paramref name="to"/> names: a version, or a digest or its first 7+ characters; anything else is one clear error listing the releases.</summary>
    public static Release FindRelease(IReadOnlyList<Release> history, string to)
    {
        var matches = history.Where(r => r.Kind == "promote" && (r.Version == to || (to.Length >= 7 && r.Digest.StartsWith(to, StringComparison.OrdinalIgnoreCase)))).DistinctBy(r => r.Digest).ToArray();
        if (matches.Length != 1)
        {
            var known = string.Join(", ", history.Where(r => r.Kind == "promote").DistinctBy(r => r.Digest).Select(r => $"{r.Version} ({r.Digest[..12]})"));
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation($"--to={to}"), "ROLLBACK-TARGET", matches.Length == 0 ? $"No earlier release is {to}" : $"{to} names {matches.Length} releases", history.Count == 0 ? "nothing has been promoted yet" : $"name one of: {known}"));
        }

        return matches[0];
    }

    private async Task<RunManifest> DeployAsync(string zip, string digest, CancellationToken cancellationToken)
    {
        var deployment = await LocalStack.DeployAsync(
            new LocalDeployRequest(StackName, StateRoot, Environment: "prod") { ArtifactZip = zip, ArtifactDigest = digest, Replace = false, Lifetime = TimeSpan.FromDays(36500), Tags = new Dictionary<string, string> { ["environment"] = "prod" } },
            cancellationToken);
        return deployment.Manifest;
    }

    private void Append(Release release)
    {
        Directory.CreateDirectory(Root);
        File.AppendAllText(HistoryPath, JsonSerializer.Serialize(release, Json) + "\n");
    }
}

/// <summary>A promotion that must not happen (unapproved digest, tampered artifact): the run fails, production is untouched.</summary>
public sealed class PromotionRefusedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PromotionRefusedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public PromotionRefusedException()
        : this("The promotion was refused")
    {
    }

    /// <summary>Creates the exception.</summary>
    public PromotionRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
