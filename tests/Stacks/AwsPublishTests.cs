using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using GluePipeline.Aws;
using GluePipeline.Packaging;
using GluePipeline.Stacks;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Stacks;

/// <summary>Publishing an artifact's jobs/ to the artifact bucket, against the fake S3 (every request checked against botocore).</summary>
public sealed class AwsPublishTests : IDisposable
{
    private readonly TempDirectory _dir = new("publish");
    private readonly FakeAws _s3 = new("s3");

    public void Dispose()
    {
        _s3.Dispose();
        _dir.Dispose();
    }

    private AwsClients Clients() => AwsClients.Connect(
        new AwsEnvironment("eu-west-1", new Amazon.Runtime.BasicAWSCredentials("AKIDEXAMPLE", "secret"), new Dictionary<string, string?> { ["AWS_ENDPOINT_URL_S3"] = _s3.Endpoint.ToString() }),
        new AwsRetryPolicy(3, TimeSpan.FromMilliseconds(1)));

    /// <summary>An artifact zip as Package writes it: files plus manifest.json with their digest.</summary>
    private (string Zip, ArtifactManifest Manifest) Artifact(params (string Path, string Text)[] files)
    {
        var entries = files.Select(f => new ArtifactFile(f.Path, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(f.Text))), Encoding.UTF8.GetByteCount(f.Text))).ToArray();
        var manifest = new ArtifactManifest { Name = "glue-etl", Version = "1.4.0+build.7", Commit = "0123456789abcdef0123456789abcdef01234567", Files = entries, Digest = ArtifactManifest.ComputeDigest(entries) };
        var zip = Path.Combine(_dir.Path, "glue-etl-1.4.0.zip");
        using (var archive = ZipFile.Open(zip, ZipArchiveMode.Create))
        {
            foreach (var (path, text) in files)
            {
                using var writer = new StreamWriter(archive.CreateEntry(path).Open());
                writer.Write(text);
            }

            using var stream = archive.CreateEntry(ArtifactManifest.EntryName).Open();
            stream.Write(manifest.ToJsonBytes());
        }

        return (zip, manifest);
    }

    [SkippableFact]
    public async Task The_jobs_go_under_name_version_digest_and_the_manifest_last_with_its_digest()
    {
        var (zip, manifest) = Artifact(("jobs/runtime/glue_runtime.py", "print('runtime')\n"), ("jobs/taxi/job.yaml", "name: taxi\n"), ("jobs/taxi/transform.sql", "select 1\n"), ("templates/etl.yaml", "Resources: {}\n"));
        _s3.Fails("HeadObject", 404, "NotFound", "Not Found").Otherwise("PutObject", _ => new JsonObject { ["ETag"] = "\"e\"" });
        var log = new List<string>();

        var published = await AwsPublish.PublishAsync(zip, "artifacts-1", Clients(), log.Add, CancellationToken.None);

        var prefix = $"glue-etl/1.4.0_build.7/{manifest.Digest[..16]}";
        published.Should().Be(new PublishedArtifact("artifacts-1", prefix, 5, AlreadyPublished: false));
        published.Location.Should().Be($"s3://artifacts-1/{prefix}/");
        var puts = _s3.Requests.Where(r => r.Operation == "PutObject").ToArray();
        // Distinct: on a loaded machine an upload may be retried (PutObject is idempotent).
        puts.Select(p => (string?)p.Body["Key"]).Distinct().Should().BeEquivalentTo(
            [$"{prefix}/jobs/runtime/glue_runtime.py", $"{prefix}/jobs/taxi/job.yaml", $"{prefix}/jobs/taxi/transform.sql", $"{prefix}/artifact.zip", $"{prefix}/manifest.json"],
            "jobs/ is what Glue reads, the zip is kept for Rollback; the template goes to CloudFormation");
        puts.Single(p => ((string?)p.Body["Key"])!.EndsWith("artifact.zip", StringComparison.Ordinal)).Payload.Should().Equal(File.ReadAllBytes(zip));
        ((string?)puts[^1].Body["Key"]).Should().Be($"{prefix}/manifest.json", "the manifest marks a complete publication");
        puts[^1].Headers["x-amz-meta-digest"].Should().Be(manifest.Digest);
        Encoding.UTF8.GetString(puts.Single(p => ((string?)p.Body["Key"])!.EndsWith("job.yaml", StringComparison.Ordinal)).Payload).Should().Be("name: taxi\n");
        puts.Single(p => ((string?)p.Body["Key"])!.EndsWith(".py", StringComparison.Ordinal)).Headers["Content-Type"].Should().Be("text/x-python");
        log.Should().ContainSingle(l => l.Contains("Published glue-etl 1.4.0+build.7", StringComparison.Ordinal));
        _s3.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Publishing_a_digest_that_is_there_already_uploads_nothing()
    {
        var (zip, manifest) = Artifact(("jobs/taxi/job.yaml", "name: taxi\n"));
        _s3.Returns("HeadObject", new JsonObject { ["Metadata"] = new JsonObject { ["digest"] = manifest.Digest } });

        var published = await AwsPublish.PublishAsync(zip, "artifacts-1", Clients(), _ => { }, CancellationToken.None);

        published.AlreadyPublished.Should().BeTrue();
        published.Uploaded.Should().Be(0);
        _s3.Requests.Select(r => r.Operation).Should().Equal("HeadObject");
        _s3.RequestProblems.Should().BeEmpty();
    }

    [SkippableFact]
    public async Task Another_artifact_under_the_same_prefix_is_refused()
    {
        var (zip, _) = Artifact(("jobs/taxi/job.yaml", "name: taxi\n"));
        _s3.Returns("HeadObject", new JsonObject { ["Metadata"] = new JsonObject { ["digest"] = new string('e', 64) } });

        var act = () => AwsPublish.PublishAsync(zip, "artifacts-1", Clients(), _ => { }, CancellationToken.None);

        (await act.Should().ThrowAsync<StackDeployException>()).Which.Message.Should().Contain("two artifacts share a prefix");
        _s3.Requests.Should().NotContain(r => r.Operation == "PutObject");
    }
}
