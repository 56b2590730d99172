using System.Text.RegularExpressions;
using Cake.Core;
using Cake.Core.Diagnostics;
using GluePipeline.Build.Hosting;
using GluePipeline.Packaging;

namespace GluePipeline.Build;

/// <summary>
/// The typed context of a run, built once from the arguments before any task runs, so that a bad
/// argument fails the run before anything has happened.
/// </summary>
public sealed partial class BuildContext : FrostingContext
{
    /// <summary>Parses and validates the arguments of the run.</summary>
    public BuildContext(ICakeContext context)
        : base(context)
    {
        RepositoryRoot = context.Environment.WorkingDirectory.FullPath;
        ArtifactsDirectory = Path.Combine(RepositoryRoot, "artifacts");
        Target = Single("target") ?? "Default";
        Lane = ParseLane(Single("lane"));
        BuildConfiguration = ParseConfiguration(Single("configuration"));
        Version = ParseVersion(Single("version"));
        Format = ParseFormat(Single("format"));
        ArtifactName = context.Configuration.GetValue("Package_Name") ?? "glue-etl";
        TemplatePatterns = [.. Arguments.GetArguments("templates")];
        Strict = Arguments.GetArguments("strict") is { Count: > 0 } strict
            ? strict.Last() == "true"
            : string.Equals(context.Configuration.GetValue("Lint_Strict"), "true", StringComparison.OrdinalIgnoreCase);
        ArtifactPath = ParseArtifactPath(Single("artifact"));
        ExpectedDigest = ParseDigest(Single("digest"));
        IsContinuousIntegration =
            string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) ||
            !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CODEBUILD_BUILD_ID"));
        StackOverride = Single("stack");
        IsDryRun = Arguments.HasArgument("dryrun");
        IsPlan = Arguments.GetArguments("plan") is { Count: > 0 } plan && plan.Last() == "true";
        if (IsPlan && Lane != Lane.Aws)
        {
            throw new HostUsageException("--plan", "ARG-PLAN", "--plan prints the AWS API calls of the aws lane, and this run is in the local lane", "add --lane=aws (nothing is sent to AWS in plan mode)");
        }

        StateRoot = Path.Combine(RepositoryRoot, ".pipeline", "stacks");
    }

    /// <summary>Whether this is a <c>--dryrun</c> (the plan is printed, nothing runs).</summary>
    public bool IsDryRun { get; }

    /// <summary>The stack given with <c>--stack</c>, or null for the run's own.</summary>
    public string? StackOverride { get; }

    /// <summary><c>--keep-stack</c>: DeployLiveTest registers no teardown; the stack outlives the run (until TeardownLiveTest, or Sweep after its expiry).</summary>
    public bool KeepStack => Arguments.GetArguments("keep-stack") is { Count: > 0 } keep && keep.Last() == "true";

    /// <summary>Registers the teardown of a stack this run deployed, unless <see cref="KeepStack"/>; says which.</summary>
    public void RegisterStackTeardown(string key, Func<CancellationToken, Task> teardown)
    {
        if (KeepStack)
        {
            Log.Information("--keep-stack: {0} stays when this run ends (TeardownLiveTest removes it; Sweep does after its expiry)", key);
            return;
        }

        RegisterTeardown(key, teardown);
    }

    /// <summary>Where local stacks keep their state (<c>.pipeline/stacks</c>, git-ignored).</summary>
    public string StateRoot { get; }

    /// <summary>Where approval records are kept (<c>.pipeline/approvals</c>).</summary>
    public string ApprovalsDirectory => Path.Combine(RepositoryRoot, ".pipeline", "approvals");

    /// <summary>Where the local production lives (<c>.pipeline/prod</c>; Sweep never touches it).</summary>
    public string ProductionRoot => Path.Combine(RepositoryRoot, ".pipeline", "prod");

    /// <summary>Where local servers record their pidfiles (<c>.pipeline/servers</c>).</summary>
    public string ServersDirectory => Path.Combine(RepositoryRoot, ".pipeline", "servers");

    /// <summary>Who is running: the CI principal, or the user.</summary>
    public static string Who =>
        System.Environment.GetEnvironmentVariable("CODEBUILD_INITIATOR") is { Length: > 0 } initiator ? initiator
        : System.Environment.GetEnvironmentVariable("GITHUB_ACTOR") is { Length: > 0 } actor ? actor
        : System.Environment.UserName;

    /// <summary>Whether this run's plan includes AwaitApproval (then the summary says whether it promoted).</summary>
    public bool DecidesRelease { get; set; }

    /// <summary>AutomatedLiveTest's result in this run.</summary>
    public GluePipeline.Stacks.LiveTestResult? LiveTest { get; set; }

    /// <summary>AwaitApproval's decision in this run.</summary>
    public GluePipeline.Approval.ApprovalRecord? Approval { get; set; }

    /// <summary>PromoteToProduction's result in this run.</summary>
    public GluePipeline.Stacks.PromotionResult? Promotion { get; set; }

    /// <summary>The local stack DeployLiveTest deployed in this run.</summary>
    public GluePipeline.Stacks.LocalDeployment? Deployment { get; set; }

    /// <summary>The database servers this run started or found (DeployLiveTest, for Glue connections).</summary>
    public GluePipeline.Data.Servers.DatabaseServers? Databases { get; set; }

    /// <summary>The LiveTest stack's connections and the databases that serve them.</summary>
    public GluePipeline.Stacks.ServedConnections? Connections { get; set; }

    /// <summary>The target requested with <c>--target</c> (default <c>Default</c>).</summary>
    public string Target { get; }

    /// <summary>The lane of the run.</summary>
    public Lane Lane { get; }

    /// <summary>The .NET configuration used to build and test.</summary>
    public string BuildConfiguration { get; }

    /// <summary>The artifact version given with <c>--version</c>, or null to derive it from git.</summary>
    public string? Version { get; }

    /// <summary>The output format of reporting targets (<c>text</c> or <c>json</c>).</summary>
    public string Format { get; }

    /// <summary>Whether Lint's warnings count as errors (<c>--strict</c>, else cake.config <c>[Lint] Strict</c>).</summary>
    public bool Strict { get; }

    /// <summary>The templates (paths or globs) given with <c>--templates</c>; empty to lint the repository.</summary>
    public IReadOnlyList<string> TemplatePatterns { get; }

    /// <summary>The artifact's name (cake.config <c>[Package] Name</c>).</summary>
    public string ArtifactName { get; }

    /// <summary>The artifact given with <c>--artifact</c> (full path), or null.</summary>
    public string? ArtifactPath { get; }

    /// <summary>The digest given with <c>--digest</c> (lowercase hex), or null.</summary>
    public string? ExpectedDigest { get; }

    /// <summary>The artifact this run packaged, once Package has run.</summary>
    public PackagedArtifact? PackagedArtifact { get; set; }

    /// <summary>The repository root (where <c>cake.config</c> is).</summary>
    public string RepositoryRoot { get; }

    /// <summary>Where the artifact, reports and test results go (<c>artifacts/</c>, git-ignored).</summary>
    public string ArtifactsDirectory { get; }

    /// <summary>Whether the run is on a build server (<c>CI=true</c> or CodeBuild).</summary>
    public bool IsContinuousIntegration { get; }

    private string? Single(string name)
    {
        var values = Arguments.GetArguments(name);
        return values.Count == 0 ? null : values.Last();
    }

    private static Lane ParseLane(string? value) => value?.ToLowerInvariant() switch
    {
        null or "local" => Lane.Local,
        "aws" => Lane.Aws,
        _ => throw new HostUsageException($"--lane={value}", "ARG-LANE", $"Unknown lane '{value}'", "use --lane=local (the default) or --lane=aws"),
    };

    private static string ParseConfiguration(string? value) => value?.ToLowerInvariant() switch
    {
        null or "debug" => "Debug",
        "release" => "Release",
        _ => throw new HostUsageException($"--configuration={value}", "ARG-CONFIGURATION", $"Unknown configuration '{value}'", "use --configuration=Debug or --configuration=Release"),
    };

    private static string ParseFormat(string? value) => value?.ToLowerInvariant() switch
    {
        null or "text" => "text",
        "json" => "json",
        _ => throw new HostUsageException($"--format={value}", "ARG-FORMAT", $"Unknown format '{value}'", "use --format=text or --format=json"),
    };

    private static string? ParseArtifactPath(string? value)
    {
        if (value is null)
        {
            return null;
        }

        var full = System.IO.Path.GetFullPath(value);
        if (!File.Exists(full))
        {
            throw new HostUsageException($"--artifact={value}", "ARG-ARTIFACT", $"The artifact '{full}' does not exist", "give the path of an artifact zip, e.g. --artifact=artifacts/glue-etl-1.0.0.zip, or run --target=Package first");
        }

        return full;
    }

    private static string? ParseDigest(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (!Sha256Hex().IsMatch(value))
        {
            throw new HostUsageException($"--digest={value}", "ARG-DIGEST", "The digest is not a SHA-256 (64 hexadecimal characters)", "copy the digest from the Package output or the manifest's \"digest\"");
        }

        return value.ToLowerInvariant();
    }

    private static string? ParseVersion(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (!SemVer().IsMatch(value))
        {
            throw new HostUsageException(
                $"--version={value}",
                "ARG-VERSION",
                $"'{value}' is not a semantic version",
                "use MAJOR.MINOR.PATCH with an optional -prerelease and +build, e.g. --version=1.4.0 or --version=1.4.0-rc.1");
        }

        return value;
    }

    // Semantic Versioning 2.0.0 (semver.org), the regular expression the specification suggests.
    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$", RegexOptions.CultureInvariant)]
    private static partial Regex SemVer();

    [GeneratedRegex("^[0-9a-fA-F]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Hex();
}
