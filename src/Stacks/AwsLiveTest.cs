using System.IO.Compression;
using GluePipeline.Aws;
using GluePipeline.Data;
using GluePipeline.Diagnostics;
using GluePipeline.Jobs;
using GluePipeline.Packaging;
using GluePipeline.Linting;
using GluePipeline.Templates;
using GluePipeline.Validation;

namespace GluePipeline.Stacks;

/// <summary>What the aws lane's AutomatedLiveTest tests: a stack DeployLiveTest deployed from this artifact.</summary>
/// <param name="StackName">The deployed LiveTest stack.</param>
/// <param name="ArtifactZip">The artifact it was deployed from (its template says what the stack holds).</param>
/// <param name="ArtifactBucket">The artifact bucket the stack's jobs read their specs from.</param>
/// <param name="ScratchRoot">A folder for the stack's mirror: specs, fixtures before upload (git-ignored state).</param>
/// <param name="Template">The template inside the artifact.</param>
/// <param name="Environment">The environment.</param>
public sealed record AwsLiveTestRequest(string StackName, string ArtifactZip, string ArtifactBucket, string ScratchRoot, string Template = RepositoryLinter.MainTemplate, string Environment = "livetest");

/// <summary>
/// The aws lane's AutomatedLiveTest: the deployed stack is mirrored (its template evaluated with the
/// physical ids CloudFormation gave, in its account and region) so that the same run as the local lane's
/// - fixtures, run order, rules, livetests/ - happens against it: fixtures are generated locally and
/// uploaded to the stack's buckets, crawlers and jobs run in Glue, rules run as Athena SQL.
/// </summary>
public static class AwsLiveTest
{
    /// <summary>
    /// The run manifest of a deployed aws stack (lane <c>aws</c>): its resources by their real names,
    /// its outputs, its crawlers, jobs, triggers and rulesets. Its buckets and catalog fields point at a
    /// scratch mirror under <see cref="AwsLiveTestRequest.ScratchRoot"/>.
    /// </summary>
    public static async Task<LocalDeployment> MirrorAsync(AwsLiveTestRequest request, AwsClients aws, Action<string> log, CancellationToken cancellationToken)
    {
        var deployer = aws.Deployer(log);
        var stack = await deployer.DescribeAsync(request.StackName, cancellationToken)
            ?? throw new PipelineInputException(Diagnostic.Error(new SourceLocation($"--stack={request.StackName}"), "STACK-MISSING", $"There is no aws stack {request.StackName} to test (region {aws.Environment.Region})", "run AutomatedLiveTest with its dependencies (DeployLiveTest deploys it), or name a deployed stack with --stack"));
        var ids = await deployer.PhysicalIdsAsync(request.StackName, cancellationToken);
        var identity = await aws.CallerIdentityAsync(cancellationToken);
        ArtifactManifest artifact;
        using (var zip = ZipFile.OpenRead(request.ArtifactZip))
        {
            (artifact, _) = await ArtifactManifest.ReadAsync(zip, request.ArtifactZip, cancellationToken);
        }

        // The stack's jobs read the artifact published under its digest: testing it with another artifact's template would test the wrong thing.
        var tags = CloudFormationDeployer.Tags(stack);
        if (tags.GetValueOrDefault("digest") is { Length: > 0 } deployed && deployed != artifact.Digest)
        {
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation($"--stack={request.StackName}"), "STACK-DIGEST", $"The aws stack {request.StackName} was deployed from the artifact with digest {deployed}, not {artifact.Digest} ({Path.GetFileName(request.ArtifactZip)})", "give --artifact the zip the stack was deployed from, or deploy this one first (DeployLiveTest)"));
        }

        var mirror = await LocalStack.DeployAsync(
            new LocalDeployRequest(request.StackName, request.ScratchRoot, request.Template, request.Environment)
            {
                ArtifactZip = request.ArtifactZip,
                ArtifactDigest = artifact.Digest,
                Pseudo = new PseudoParameters(request.StackName, aws.Environment.Region, identity.Account),
                PhysicalIds = ids,
                DeployedParameters = AwsQueryClient.Items(stack["Parameters"]).ToDictionary(p => (string)p["ParameterKey"]!, p => (string?)p["ParameterValue"] ?? string.Empty, StringComparer.Ordinal),
                Artifact = (request.ArtifactBucket, AwsStack.ArtifactPrefix(artifact)),
                Tags = tags,
            },
            cancellationToken);
        var manifest = mirror.Manifest with
        {
            Lane = "aws",
            Artifact = Path.GetFullPath(request.ArtifactZip),
            Outputs = CloudFormationDeployer.Outputs(stack),
            Unavailable = new Dictionary<string, string>(),
            Resources = mirror.Manifest.Resources.Select(r => r with { PhysicalId = ids.GetValueOrDefault(r.LogicalId, r.PhysicalId), Emulation = Emulation.Emulated, Note = "deployed by CloudFormation" }).ToArray(),
            Connections = mirror.Manifest.Connections.Select(c => c with { ServedBy = null, Provider = null, Note = "reached by the stack's Glue jobs in its VPC" }).ToArray(),
            Jobs = mirror.Manifest.Jobs.Select(j => j with { Note = j.Runnable ? null : "a script: run by Glue; its output is checked by livetests/ only" }).ToArray(),
        };
        manifest.Save(mirror.ManifestPath);
        return mirror with { Manifest = manifest, Warnings = [] };
    }
}

/// <summary>The aws lane: fixtures uploaded to the stack's buckets, crawlers and jobs in Glue, rules on Athena.</summary>
public sealed class AwsLiveTestLane : LiveTestLane
{
    private readonly AwsClients _aws;
    private readonly GlueRuns _glue;
    private readonly AthenaOptions _athena;

    /// <summary>The lane of a mirrored aws stack (<see cref="AwsLiveTest.MirrorAsync"/>).</summary>
    public AwsLiveTestLane(RunManifest manifest, AwsClients aws, AthenaOptions athena, Action<string> log, TimeSpan? poll = null, TimeSpan? deadline = null)
        : base(manifest)
    {
        _aws = aws;
        _athena = athena;
        _glue = new GlueRuns(aws.Glue, log, poll ?? aws.Environment.Poll, deadline ?? aws.Environment.WaitDeadline);
    }

    /// <inheritdoc/>
    public override string Name => "aws";

    /// <inheritdoc/>
    public override bool Parallel => true;

    /// <inheritdoc/>
    public override bool JobsReachDatabases => true;

    /// <inheritdoc/>
    public override bool RunsScripts => true;

    /// <inheritdoc/>
    public override string? NotQueried => _aws.Plan is null ? null : "plan mode: Athena is not asked, so the rules are not evaluated";

    /// <inheritdoc/>
    public override async Task<string?> PublishFixturesAsync(IReadOnlyList<FixtureWritten> written, CancellationToken cancellationToken)
    {
        var objects = 0;
        long bytes = 0;
        foreach (var fixture in written.Where(w => w.Location.StartsWith("s3://", StringComparison.Ordinal)))
        {
            var (bucket, prefix) = LocalBuckets.Split(fixture.Location);
            var folder = Buckets.PathOf(fixture.Location);
            prefix = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
            foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var body = await File.ReadAllBytesAsync(file, cancellationToken);
                var key = prefix + Path.GetRelativePath(folder, file).Replace('\\', '/');
                await _aws.S3.PutObjectAsync(bucket, key, body, "application/octet-stream", cancellationToken);
                objects++;
                bytes += body.Length;
            }
        }

        return objects == 0 ? null : $"uploaded {objects} object(s), {bytes / 1024.0:N0} KiB, to S3";
    }

    /// <inheritdoc/>
    public override async Task<(StageOutcome Outcome, string Detail)> CrawlAsync(StackCrawler crawler, CancellationToken cancellationToken)
    {
        var crawl = await _glue.CrawlAsync(crawler.Name, cancellationToken);
        return (StageOutcome.Passed, $"{crawl.Status} in Glue into {crawler.Database}");
    }

    /// <inheritdoc/>
    public override async Task<(StageOutcome Outcome, string Detail)> RunJobAsync(StackJob job, LiveTestJob? declared, CancellationToken cancellationToken)
    {
        // The stack's DefaultArguments are the arguments: the run is the one production will make.
        var run = await _glue.RunJobAsync(job.Name, new Dictionary<string, string>(), cancellationToken);
        return (StageOutcome.Passed, $"{run.State} in Glue, run {run.RunId}{(run.Attempt > 1 ? $" (started on attempt {run.Attempt}: the job's concurrent runs were taken)" : string.Empty)}");
    }

    /// <inheritdoc/>
    public override async Task<(ValidationResult? Result, string? Skipped)> ValidateOutputAsync(LiveTestJob job, string rulesPath, string? output, CatalogRef? table, string baseDirectory, CancellationToken cancellationToken)
    {
        if (job.Spec.Sink.Jdbc is not null)
        {
            return (null, $"{job.Job.Name} writes a database table, which Athena does not reach from here: check it in livetests/ through PIPELINE_CONNECTION_<NAME>, or in the local lane");
        }

        if (table is null)
        {
            return (null, $"its output {output} is in no catalog table for Athena to query: write it to a catalog table (sink: catalog:) or give the stack a crawler whose target is {output}");
        }

        await using var engine = await OpenCatalogEngineAsync(cancellationToken);
        var relation = $"{engine.Dialect.Identifier(table.Database)}.{engine.Dialect.Identifier(table.Table)}";
        var result = await new DatasetValidator().ValidateOnAsync(engine, rulesPath, new ValidationDataset($"{table.Database}.{table.Table}", relation), new Dictionary<string, ValidationDataset>(), baseDirectory, cancellationToken);
        return (result with { Dataset = $"{output} (athena {table.Database}.{table.Table})" }, null);
    }

    /// <inheritdoc/>
    public override Task<IQueryEngine> OpenCatalogEngineAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IQueryEngine>(new AthenaEngine(new AthenaQueries(_aws.Athena, _aws.Environment.Poll, _aws.Environment.WaitDeadline, planned: _aws.Plan is not null), _athena));
}
