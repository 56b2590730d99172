using GluePipeline.Build.Hosting;

namespace GluePipeline.Build;

/// <summary>The product's own switches, on top of the host's built-in ones (<c>--target</c>, <c>--tree</c>, ...).</summary>
public static class BuildSwitches
{
    /// <summary>Every product switch, in the order <c>--help</c> lists them.</summary>
    public static IReadOnlyList<HostSwitch> All { get; } =
    [
        HostSwitch.Value("lane", "local|aws", "Where stacks run: local (default; folders, DuckDB) or aws (CloudFormation, Glue, Athena)."),
        HostSwitch.Flag("plan", "aws lane: send nothing; print each AWS API call the run would make as one JSON line on stdout (account 123456789012, us-east-1, the LiveTest stack absent). Lint and Package run for real."),
        HostSwitch.Value("configuration", "Debug|Release", "The .NET configuration for UnitTests (default: Debug).", "c"),
        HostSwitch.Value("version", "semver", "The artifact version (default: from git describe, or CODEBUILD_RESOLVED_SOURCE_VERSION)."),
        HostSwitch.Value("format", "text|json", "Output format of Lint and Validate (default: text)."),
        HostSwitch.Flag("strict", "Lint: warnings (security, networking) are errors."),
        HostSwitch.Value("templates", "path|glob", "Lint these CloudFormation templates (any, not only ours) instead of the repository.") with { Repeatable = true },
        HostSwitch.Value("rules", "file", "Validate: the DQDL rule file."),
        HostSwitch.Value("dataset", "path|glob|uri", "Validate: the dataset: a file, folder or glob of .csv/.json/.parquet, or postgres://...?table=|query= or mysql://...?table=|query=."),
        HostSwitch.Value("reference", "alias=dataset", "Validate: a reference dataset for RowCountMatch, ReferentialIntegrity, DatasetMatch, SchemaMatch, AggregateMatch.") with { Repeatable = true },
        HostSwitch.Value("output", "file", "Validate: also write a report to this file; its extension picks the format: .json, .xml (JUnit), .html, .txt. Repeatable.") with { Repeatable = true },
        HostSwitch.Value("samples", "n", "Validate: rows shown per failing rule (default 20; 0 for none)."),
        HostSwitch.Flag("redact", "Validate: show sample rows with their values masked."),
        HostSwitch.Value("job", "name", "RunJob, NewJob: the job (a folder under jobs/)."),
        HostSwitch.Value("arg", "name=value", "RunJob: a job argument over its default (as Glue's --name value).") with { Repeatable = true },
        HostSwitch.Value("databases", "auto|containers|urls|binaries|none", "DeployLiveTest, RunJob: where the Glue connections' databases come from (default PIPELINE_DATABASES, else auto: Testcontainers, then PIPELINE_POSTGRES_URL/PIPELINE_MYSQL_URL, then local server binaries)."),
        HostSwitch.Value("connection", "name=uri", "RunJob: serve the Glue connection <name> with this database: postgres://user:password@host:5432/db or mysql://user:password@host:3306/db.") with { Repeatable = true },
        HostSwitch.Value("scale", "factor", "RunJob, AutomatedLiveTest: multiply the fixtures' row counts (default 1: the seed's 1,070,262 taxi trips)."),
        HostSwitch.Value("stack", "name", "DeployLiveTest, AutomatedLiveTest, TeardownLiveTest: the LiveTest stack (default: from the branch or PR and the checkout)."),
        HostSwitch.Flag("keep-stack", "DeployLiveTest: leave the LiveTest stack deployed when the run ends, for a later AutomatedLiveTest or TeardownLiveTest (CodePipeline's separate actions). Its expiry tag still lets Sweep remove it."),
        HostSwitch.Flag("no-livetests", "AutomatedLiveTest: leave out the dotnet test of livetests/ (the data work still runs)."),
        HostSwitch.Value("suite", "validation|livetest|jdbc", "Benchmark: run one suite (default all)."),
        HostSwitch.Flag("approve", "AwaitApproval: approve the artifact digest (without a terminal)."),
        HostSwitch.Flag("reject", "AwaitApproval: reject the artifact digest: the run fails."),
        HostSwitch.Flag("allow-data-loss", "PromoteToProduction (aws): deploy even when the change set replaces or removes S3 buckets, Glue databases, tables or connections, or databases."),
        HostSwitch.Value("to", "digest|version", "Rollback: the earlier release to put back in production."),
        HostSwitch.Value("rows", "n", "Benchmark: rows of the dataset (validation: default 10000000 Parquet rows, PostgreSQL a tenth; jdbc: default 1000000)."),
        HostSwitch.Value("iterations", "n", "Benchmark: measured runs per variant (default 5; the median counts)."),
        HostSwitch.Value("artifact", "zip", "The artifact to verify or promote (default: the one this run packaged, else the newest in artifacts/)."),
        HostSwitch.Value("digest", "sha256", "The artifact digest VerifyArtifact must find (e.g. the approved one)."),
    ];
}
