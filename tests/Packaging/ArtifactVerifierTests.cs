using System.IO.Compression;
using System.Text;
using GluePipeline.Build;
using GluePipeline.Build.Hosting;
using GluePipeline.Packaging;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Packaging;

public sealed class ArtifactVerifierTests : IDisposable
{
    private readonly GitFixture _repo = GitFixture.WithProduct();

    public void Dispose() => _repo.Dispose();

    private async Task<PackagedArtifact> Package() =>
        await new ArtifactBuilder(_ => null).BuildAsync(new PackageRequest(_repo.Path, "sample-etl", null, Path.Combine(_repo.Path, "artifacts")), CancellationToken.None);

    private static void Rewrite(string zip, Action<ZipArchive> change)
    {
        using var archive = ZipFile.Open(zip, ZipArchiveMode.Update);
        change(archive);
    }

    private static void Replace(ZipArchive archive, string name, string content)
    {
        archive.GetEntry(name)?.Delete();
        using var writer = new StreamWriter(archive.CreateEntry(name).Open());
        writer.Write(content);
    }

    private static Task<ArtifactVerification> Verify(string zip, string? digest = null) => ArtifactVerifier.VerifyAsync(zip, digest, CancellationToken.None);

    [Fact]
    public async Task An_untouched_artifact_is_intact_and_matches_its_digest()
    {
        var artifact = await Package();

        var result = await Verify(artifact.ZipPath, artifact.Manifest.Digest.ToUpperInvariant());

        result.IsIntact.Should().BeTrue(string.Join('\n', result.Problems));
        result.Manifest!.Digest.Should().Be(artifact.Manifest.Digest);
    }

    [Fact]
    public async Task Every_changed_missing_and_extra_file_is_listed_at_once()
    {
        var artifact = await Package();
        Rewrite(artifact.ZipPath, zip =>
        {
            Replace(zip, "jobs/taxi/transform.sql", "SELECT * FROM trips WHERE 1 = 0\n");
            zip.GetEntry("templates/etl.yaml")!.Delete();
            Replace(zip, "jobs/taxi/backdoor.py", "import os\n");
        });

        var result = await Verify(artifact.ZipPath);

        result.IsIntact.Should().BeFalse();
        result.Problems.Select(p => (p.Kind, p.Path)).Should().BeEquivalentTo(new[]
        {
            (ArtifactProblemKind.Changed, "jobs/taxi/transform.sql"),
            (ArtifactProblemKind.Missing, "templates/etl.yaml"),
            (ArtifactProblemKind.Extra, "jobs/taxi/backdoor.py"),
        });
    }

    [Fact]
    public async Task A_manifest_edited_to_match_a_changed_file_no_longer_matches_its_digest()
    {
        var artifact = await Package();
        var forged = artifact.Manifest with
        {
            Files = artifact.Manifest.Files.Select(f => f.Path == "jobs/taxi/transform.sql" ? f with { Sha256 = new string('0', 64) } : f).ToArray(),
        };
        Rewrite(artifact.ZipPath, zip => Replace(zip, "manifest.json", Encoding.UTF8.GetString(forged.ToJsonBytes())));

        var result = await Verify(artifact.ZipPath);

        result.Problems.Select(p => p.Kind).Should().Contain([ArtifactProblemKind.ManifestDigest, ArtifactProblemKind.Changed, ArtifactProblemKind.BesideManifest]);
    }

    [Fact]
    public async Task A_consistently_forged_artifact_is_caught_by_the_approved_digest()
    {
        var artifact = await Package();
        var content = "SELECT 'forged'\n";
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(content)));
        var files = artifact.Manifest.Files.Select(f => f.Path == "jobs/taxi/transform.sql" ? f with { Sha256 = sha, Size = content.Length } : f).ToArray();
        var forged = artifact.Manifest with { Files = files, Digest = ArtifactManifest.ComputeDigest(files) };
        Rewrite(artifact.ZipPath, zip =>
        {
            Replace(zip, "jobs/taxi/transform.sql", content);
            Replace(zip, "manifest.json", Encoding.UTF8.GetString(forged.ToJsonBytes()));
        });
        File.WriteAllBytes(artifact.ManifestPath, forged.ToJsonBytes());

        (await Verify(artifact.ZipPath)).IsIntact.Should().BeTrue("the forgery is self-consistent");
        var result = await Verify(artifact.ZipPath, artifact.Manifest.Digest);

        result.Problems.Should().ContainSingle(p => p.Kind == ArtifactProblemKind.ExpectedDigest);
    }

    [Fact]
    public async Task A_duplicated_entry_is_reported()
    {
        var artifact = await Package();
        Rewrite(artifact.ZipPath, zip =>
        {
            using var writer = new StreamWriter(zip.CreateEntry("templates/etl.yaml").Open());
            writer.Write("Resources: {}\n");
        });

        var result = await Verify(artifact.ZipPath);

        result.Problems.Should().Contain(p => p.Kind == ArtifactProblemKind.Duplicate && p.Path == "templates/etl.yaml");
    }

    [Fact]
    public async Task A_file_that_is_not_a_zip_is_unreadable_not_a_crash()
    {
        var path = Path.Combine(_repo.Path, "artifacts", "broken.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "this is not a zip");

        var result = await Verify(path);

        result.Problems.Should().ContainSingle(p => p.Kind == ArtifactProblemKind.Unreadable);
    }

    [Fact]
    public async Task A_zip_without_a_manifest_is_unreadable()
    {
        var path = Path.Combine(_repo.Path, "plain.zip");
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            Replace(zip, "templates/etl.yaml", "Resources: {}\n");
        }

        var result = await Verify(path);

        result.Problems.Should().ContainSingle(p => p.Kind == ArtifactProblemKind.Unreadable && p.Detail.Contains("no manifest.json"));
    }

    [Fact]
    public async Task A_garbled_manifest_is_unreadable()
    {
        var artifact = await Package();
        Rewrite(artifact.ZipPath, zip => Replace(zip, "manifest.json", "{\"name\": 1"));

        var result = await Verify(artifact.ZipPath);

        result.Problems.Should().Contain(p => p.Kind == ArtifactProblemKind.Unreadable && p.Path == "manifest.json");
    }

    public sealed class Targets : IDisposable
    {
        private readonly GitFixture _repo = GitFixture.WithProduct();

        public void Dispose() => _repo.Dispose();

        private Task<HostRunResult> Run(params string[] args) => HostRun.RunAsync(PipelineHost.Create(), _repo.Path, args);

        [Fact]
        public async Task Package_then_VerifyArtifact_passes_and_reports_the_digest()
        {
            var packaged = await Run("--target=Package");
            packaged.ExitCode.Should().Be(0, packaged.ToString());
            packaged.Output.Should().MatchRegex(@"Digest\s+[0-9a-f]{64}");

            var verified = await Run("--target=VerifyArtifact");

            verified.ExitCode.Should().Be(0, verified.ToString());
            verified.Output.Should().Contain("Verified sample-etl-0.0.0-g");
        }

        [Fact]
        public async Task VerifyArtifact_of_a_tampered_zip_fails_listing_each_problem()
        {
            (await Run("--target=Package")).ExitCode.Should().Be(0);
            var zip = Directory.GetFiles(Path.Combine(_repo.Path, "artifacts"), "*.zip").Single();
            Rewrite(zip, archive => Replace(archive, "templates/etl.yaml", "Resources: {}\n"));

            var result = await Run("--target=VerifyArtifact", $"--artifact={zip}");

            result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
            result.Error.Should().MatchRegex(@"changed\s+templates/etl\.yaml: sha256");
            result.Error.Should().Contain("does not match its manifest");
        }

        [Fact]
        public async Task VerifyArtifact_with_a_different_approved_digest_fails()
        {
            (await Run("--target=Package")).ExitCode.Should().Be(0);

            var result = await Run("--target=VerifyArtifact", "--digest=" + new string('a', 64));

            result.ExitCode.Should().Be(ExitCodes.Failure, result.ToString());
            result.Error.Should().Contain("expected " + new string('a', 64));
        }

        [Theory]
        [InlineData("--artifact=artifacts/none.zip", "error ARG-ARTIFACT")]
        [InlineData("--digest=abc", "error ARG-DIGEST")]
        public async Task Bad_arguments_are_clear_errors(string argument, string expected)
        {
            var result = await Run("--target=VerifyArtifact", argument);

            result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
            result.Error.Should().Contain(expected);
        }

        [Fact]
        public async Task VerifyArtifact_without_any_artifact_says_to_package_first()
        {
            var result = await Run("--target=VerifyArtifact");

            result.ExitCode.Should().Be(ExitCodes.UsageOrInput, result.ToString());
            result.Error.Should().Contain("There is no artifact to verify").And.Contain("run --target=Package first");
        }
    }
}
