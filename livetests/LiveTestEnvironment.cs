using GluePipeline.Aws;
using GluePipeline.Catalog;
using GluePipeline.Data;
using GluePipeline.Jobs;
using GluePipeline.Stacks;

namespace GluePipeline.LiveTests;

/// <summary>
/// What a live test run is about, as AutomatedLiveTest passes it in environment variables, with
/// defaults that let a developer run <c>dotnet test livetests</c> after <c>--target=Package</c>.
/// </summary>
public static class LiveTestEnvironment
{
    /// <summary>The artifact under test: PIPELINE_ARTIFACT, else the newest zip in the repository's artifacts/.</summary>
    public static string ArtifactPath
    {
        get
        {
            var given = Environment.GetEnvironmentVariable("PIPELINE_ARTIFACT");
            if (!string.IsNullOrEmpty(given))
            {
                return given;
            }

            var artifacts = Path.Combine(RepositoryRoot, "artifacts");
            var newest = Directory.Exists(artifacts)
                ? new DirectoryInfo(artifacts).GetFiles("*.zip").OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault()
                : null;
            return newest?.FullName ?? throw new InvalidOperationException(
                "No artifact under test: set PIPELINE_ARTIFACT, or run `dotnet run --project build -- --target=Package` first.");
        }
    }

    /// <summary>
    /// The run manifest of the stack under test (PIPELINE_RUN_MANIFEST, set by AutomatedLiveTest).
    /// Without it the data tests are skipped: they need a deployed stack whose jobs have run.
    /// </summary>
    public static RunManifest Manifest
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("PIPELINE_RUN_MANIFEST");
            Skip.If(string.IsNullOrEmpty(path), "No stack under test: PIPELINE_RUN_MANIFEST is not set (run `dotnet run --project build -- --target=AutomatedLiveTest`)");
            return RunManifest.Load(path!);
        }
    }

    /// <summary>An output of the stack under test.</summary>
    public static string Output(string name) =>
        Manifest.Outputs.TryGetValue(name, out var value) ? value : throw new InvalidOperationException($"The stack has no output {name} (it has {string.Join(", ", Manifest.Outputs.Keys)})");

    /// <summary>
    /// The stack's Athena: in the aws lane Athena itself (the work group and result location
    /// AutomatedLiveTest passes in <see cref="AthenaOptions.WorkGroupVariable"/> and <see cref="AthenaOptions.OutputVariable"/>, credentials as
    /// the SDKs find them); in the local lane a DuckDB over the local catalog, where
    /// <c>"database"."table"</c> queries run as they would on Athena.
    /// </summary>
    public static async Task<IQueryEngine> AthenaAsync()
    {
        var manifest = Manifest;
        if (manifest.Lane == "aws")
        {
            var aws = AwsClients.Connect(AwsEnvironment.Resolve());
            var options = AthenaOptions.FromEnvironment(null);
            return new AthenaEngine(new AthenaQueries(aws.Athena, aws.Environment.Poll, aws.Environment.WaitDeadline), options);
        }

        return await LocalAthena.OpenAsync(LocalGlueCatalog.Open(manifest.Catalog!), new LocalBuckets(manifest.BucketsRoot!), CancellationToken.None);
    }

    /// <summary>
    /// The database behind a Glue connection of the stack (by its logical id in the template), as
    /// AutomatedLiveTest hands it over (PIPELINE_CONNECTION_&lt;NAME&gt;, with credentials; the manifest
    /// never holds them). Skipped when no database serves the connection in this run (its jobs were
    /// SKIPPED too, with the reason).
    /// </summary>
    public static async Task<AdoQueryEngine> ConnectionAsync(string logicalId)
    {
        var connection = Manifest.Connections.SingleOrDefault(c => c.LogicalId == logicalId)
            ?? throw new InvalidOperationException($"The stack has no Glue connection {logicalId} (it has {string.Join(", ", Manifest.Connections.Select(c => c.LogicalId))})");
        var variable = LiveTestOptions.ConnectionVariable(connection.Name);
        var uri = Environment.GetEnvironmentVariable(variable);
        Skip.If(string.IsNullOrEmpty(uri), $"No database serves connection {connection.Name} in this run ({variable} is not set): {connection.Note ?? "see the AutomatedLiveTest log"}");
        return await AdoQueryEngine.ConnectAsync(DatabaseUri.Parse(uri!, variable), CancellationToken.None);
    }

    /// <summary>The digest the artifact must have (PIPELINE_ARTIFACT_DIGEST), or null to check it against its own manifest only.</summary>
    public static string? ExpectedDigest => Environment.GetEnvironmentVariable("PIPELINE_ARTIFACT_DIGEST") is { Length: > 0 } digest ? digest : null;

    /// <summary>The repository root, found from the test assembly's location (where cake.config is).</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "cake.config")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("The repository root (cake.config) was not found above " + AppContext.BaseDirectory);
        }
    }
}
