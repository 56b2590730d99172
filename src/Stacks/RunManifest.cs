using System.Text.Json;
using System.Text.Json.Serialization;

namespace GluePipeline.Stacks;

/// <summary>How a resource of the template fared in the lane.</summary>
public enum Emulation
{
    /// <summary>It exists locally and behaves as in AWS for the data flow.</summary>
    Emulated,

    /// <summary>Checked by Lint, recorded, not enforced (IAM, KMS: no local effect on data).</summary>
    Checked,

    /// <summary>Recorded; it has no effect on the data flow (alarms, topics, log groups).</summary>
    Recorded,

    /// <summary>Runs in the aws lane only (a hand-written PySpark job): its checks are SKIPPED, never passed.</summary>
    Skipped,

    /// <summary>Not emulated: its effect does not happen locally, and the report says what to do.</summary>
    NotEmulated,
}

/// <summary>A resource of the deployed stack.</summary>
/// <param name="LogicalId">Its logical id.</param>
/// <param name="Type">Its type.</param>
/// <param name="PhysicalId">Its physical id (a name, for the resources that have one).</param>
/// <param name="Emulation">How the lane treats it.</param>
/// <param name="Note">What that means, and what to do when it is not emulated.</param>
public sealed record StackResource(string LogicalId, string Type, string PhysicalId, Emulation Emulation, string? Note = null);

/// <summary>A crawler of the stack.</summary>
/// <param name="Name">Its name.</param>
/// <param name="LogicalId">Its logical id.</param>
/// <param name="Database">The database it fills.</param>
/// <param name="Targets">The S3 locations it crawls.</param>
/// <param name="TablePrefix">Its table prefix.</param>
/// <param name="UpdateInDatabase">Whether a re-crawl updates a table's schema.</param>
public sealed record StackCrawler(string Name, string LogicalId, string Database, IReadOnlyList<string> Targets, string TablePrefix, bool UpdateInDatabase)
{
    /// <summary>Its JDBC targets (tables of a database, through a Glue connection).</summary>
    public IReadOnlyList<Catalog.JdbcCrawlTarget> JdbcTargets { get; init; } = [];
}

/// <summary>A Glue job of the stack.</summary>
/// <param name="Name">Its name.</param>
/// <param name="LogicalId">Its logical id.</param>
/// <param name="Spec">For a declarative job, its spec in the artifact (e.g. <c>jobs/taxi/job.yaml</c>); else null.</param>
/// <param name="SpecLocation">The spec's S3 location.</param>
/// <param name="Script">The script the job runs.</param>
/// <param name="Arguments">Its DefaultArguments, resolved (with the leading dashes).</param>
/// <param name="Runnable">Whether the local lane runs it (declarative jobs); otherwise <see cref="Note"/> says why not.</param>
/// <param name="Note">Why it does not run here.</param>
public sealed record StackJob(string Name, string LogicalId, string? Spec, string? SpecLocation, string Script, IReadOnlyDictionary<string, string> Arguments, bool Runnable, string? Note = null);

/// <summary>An edge of the run order from a trigger: when these succeed, run those.</summary>
/// <param name="Trigger">The trigger's name.</param>
/// <param name="After">Jobs and crawlers (as job:name / crawler:name) that must succeed first.</param>
/// <param name="Run">Jobs and crawlers it starts.</param>
public sealed record StackTrigger(string Trigger, IReadOnlyList<string> After, IReadOnlyList<string> Run);

/// <summary>A DataQualityRuleset of the template, attached to its table.</summary>
/// <param name="Name">Its name.</param>
/// <param name="LogicalId">Its logical id.</param>
/// <param name="Database">Its target table's database.</param>
/// <param name="Table">Its target table.</param>
/// <param name="Ruleset">The DQDL text.</param>
public sealed record StackRuleset(string Name, string LogicalId, string Database, string Table, string Ruleset);

/// <summary>A Glue connection of the stack and, locally, the database that serves it (never with a password).</summary>
/// <param name="Name">Its name (<c>ConnectionInput.Name</c>), as jobs name it.</param>
/// <param name="LogicalId">Its logical id.</param>
/// <param name="Engine">postgresql, mysql, redshift or the URL's own sub-protocol.</param>
/// <param name="Url">The JDBC URL as the template gives it.</param>
/// <param name="Database">The database the URL names, or null.</param>
/// <param name="Credentials">Where its credentials come from (a Secrets Manager secret, a NoEcho parameter, ...), never the values.</param>
public sealed record StackConnection(string Name, string LogicalId, string Engine, string Url, string? Database, string Credentials)
{
    /// <summary>Local lane: the database that serves it in this run (password masked), or null when none does.</summary>
    public string? ServedBy { get; init; }

    /// <summary>Local lane: the database provider (containers, environment URLs, local binaries).</summary>
    public string? Provider { get; init; }

    /// <summary>What to know: Redshift is served by PostgreSQL; why it is not served.</summary>
    public string? Note { get; init; }
}

/// <summary>
/// What a deployed LiveTest stack is: written by DeployLiveTest, read by AutomatedLiveTest,
/// TeardownLiveTest, Sweep and <c>livetests/</c> (through PIPELINE_RUN_MANIFEST). Lane-agnostic: the
/// aws lane writes the same shape with real physical ids.
/// </summary>
public sealed record RunManifest
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The stack's name.</summary>
    public required string Stack { get; init; }

    /// <summary>local or aws.</summary>
    public required string Lane { get; init; }

    /// <summary>The environment (livetest).</summary>
    public required string Environment { get; init; }

    /// <summary>When it was deployed.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When Sweep may remove it if nothing tore it down.</summary>
    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>Who deployed it, from which branch and commit (the stack's tags).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The artifact under test.</summary>
    public string? Artifact { get; init; }

    /// <summary>Its digest.</summary>
    public string? ArtifactDigest { get; init; }

    /// <summary>Where the artifact's files are, as S3 (the ArtifactBucket/ArtifactPrefix parameters).</summary>
    public string? ArtifactLocation { get; init; }

    /// <summary>Local lane: the stack's state folder.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>The template deployed.</summary>
    public required string Template { get; init; }

    /// <summary>Parameter values.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Outputs (an output of something not emulated is absent, and listed in <see cref="Unavailable"/>).</summary>
    public IReadOnlyDictionary<string, string> Outputs { get; init; } = new Dictionary<string, string>();

    /// <summary>Outputs that could not be computed, with why.</summary>
    public IReadOnlyDictionary<string, string> Unavailable { get; init; } = new Dictionary<string, string>();

    /// <summary>Every resource with its physical id and how the lane treats it.</summary>
    public IReadOnlyList<StackResource> Resources { get; init; } = [];

    /// <summary>Local lane: bucket name to folder.</summary>
    public IReadOnlyDictionary<string, string> Buckets { get; init; } = new Dictionary<string, string>();

    /// <summary>Local lane: where the buckets' folders are.</summary>
    public string? BucketsRoot { get; init; }

    /// <summary>Local lane: the catalog's file.</summary>
    public string? Catalog { get; init; }

    /// <summary>Local lane: where job bookmarks are kept.</summary>
    public string? Bookmarks { get; init; }

    /// <summary>The crawlers.</summary>
    public IReadOnlyList<StackCrawler> Crawlers { get; init; } = [];

    /// <summary>The jobs.</summary>
    public IReadOnlyList<StackJob> Jobs { get; init; } = [];

    /// <summary>The run order from triggers.</summary>
    public IReadOnlyList<StackTrigger> Triggers { get; init; } = [];

    /// <summary>The DataQualityRulesets.</summary>
    public IReadOnlyList<StackRuleset> Rulesets { get; init; } = [];

    /// <summary>The Glue connections (JDBC) and the databases that serve them.</summary>
    public IReadOnlyList<StackConnection> Connections { get; init; } = [];

    /// <summary>The manifest's file name in a stack's state folder.</summary>
    public const string FileName = "manifest.json";

    /// <summary>Writes the manifest.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Reads a manifest.</summary>
    public static RunManifest Load(string path) =>
        JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} is not a run manifest");
}
