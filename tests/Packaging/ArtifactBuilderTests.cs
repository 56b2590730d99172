using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using GluePipeline.Diagnostics;
using GluePipeline.Packaging;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Packaging;

public sealed class ArtifactBuilderTests
{
    private static Task<PackagedArtifact> Package(string root, string? version = null, Func<string, string?>? environment = null) =>
        new ArtifactBuilder(environment ?? (_ => null)).BuildAsync(
            new PackageRequest(root, "sample-etl", version, Path.Combine(root, "artifacts")),
            CancellationToken.None);

    private static string[] EntryNames(string zip)
    {
        using var archive = ZipFile.OpenRead(zip);
        return archive.Entries.Select(e => e.FullName).ToArray();
    }

    [Fact]
    public async Task Packs_the_product_files_git_does_not_ignore_except_tests_with_a_manifest_first()
    {
        using var repo = GitFixture.WithProduct();

        var artifact = await Package(repo.Path);

        EntryNames(artifact.ZipPath).Should().Equal(
            "manifest.json",
            "jobs/runtime/glue_runtime.py",
            "jobs/taxi/job.yaml",
            "jobs/taxi/transform.sql",
            "templates/environments/livetest.json",
            "templates/etl.yaml");
        artifact.Manifest.Files.Select(f => f.Path).Should().NotContain(p => p.Contains("tests/") || p.Contains("fixtures/") || p.StartsWith("src/"));
    }

    [Fact]
    public async Task The_manifest_records_name_version_commit_source_date_files_and_the_digest()
    {
        using var repo = GitFixture.WithProduct();

        var artifact = await Package(repo.Path);
        var m = artifact.Manifest;

        m.Name.Should().Be("sample-etl");
        m.Version.Should().Be("0.0.0-g" + repo.Head[..7]);
        m.Commit.Should().Be(repo.Head);
        m.SourceDate.Should().Be(DateTimeOffset.Parse("2024-03-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        m.Dirty.Should().BeFalse();
        var sql = m.Files.Single(f => f.Path == "jobs/taxi/transform.sql");
        sql.Size.Should().Be(Encoding.UTF8.GetByteCount("SELECT *\nFROM trips\n"));
        sql.Sha256.Should().Be(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("SELECT *\nFROM trips\n"))));
        Path.GetFileName(artifact.ZipPath).Should().Be($"sample-etl-{m.Version}.zip");
        File.ReadAllBytes(artifact.ManifestPath).Should().Equal(m.ToJsonBytes(), "the manifest beside the zip is the one inside");
    }

    [Fact]
    public void The_digest_is_the_sha256_of_the_sorted_path_tab_sha_lines()
    {
        var files = new[] { new ArtifactFile("b.txt", "22", 1), new ArtifactFile("a.txt", "11", 1) };
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("a.txt\t11\nb.txt\t22\n")));

        ArtifactManifest.ComputeDigest(files).Should().Be(expected);
    }

    [Fact]
    public async Task The_digest_depends_on_content_not_on_version()
    {
        using var repo = GitFixture.WithProduct();

        var first = await Package(repo.Path, "1.0.0");
        var second = await Package(repo.Path, "2.0.0");

        second.Manifest.Digest.Should().Be(first.Manifest.Digest);
        second.ZipPath.Should().NotBe(first.ZipPath);
    }

    [Fact]
    public async Task Every_entry_has_the_commit_time_and_fixed_permissions()
    {
        using var repo = GitFixture.WithProduct();

        var artifact = await Package(repo.Path);

        using var archive = ZipFile.OpenRead(artifact.ZipPath);
        archive.Entries.Should().OnlyContain(e => e.LastWriteTime.DateTime == new DateTime(2024, 3, 1, 10, 0, 0));
        archive.Entries.Should().OnlyContain(e => e.ExternalAttributes == (ArtifactBuilder.UnixFileMode << 16));
    }

    [Fact]
    public async Task Two_clones_of_one_commit_give_identical_bytes_whatever_path_umask_timezone_file_times_and_line_ending_settings()
    {
        using var repo = GitFixture.WithProduct();
        using var first = repo.CloneTo();
        using var second = repo.CloneTo("core.autocrlf=true");
        foreach (var file in Directory.EnumerateFiles(second.Path, "*", SearchOption.AllDirectories).Where(f => !f.Contains("/.git/", StringComparison.Ordinal)))
        {
            File.SetLastWriteTimeUtc(file, new DateTime(2031, 7, 4, 13, 37, 11, DateTimeKind.Utc));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        File.ReadAllText(Path.Combine(second.Path, "jobs/taxi/transform.sql")).Should().Contain("\r\n", "autocrlf gives this clone CRLF work-tree files");

        var a = await RunHostProcess(first.Path, umask: "022", timeZone: "UTC");
        var b = await RunHostProcess(second.Path, umask: "077", timeZone: "Pacific/Kiritimati");

        Path.GetFileName(b).Should().Be(Path.GetFileName(a));
        File.ReadAllBytes(b).Should().Equal(File.ReadAllBytes(a));
        File.ReadAllBytes(PackagedArtifact.ManifestPathFor(b)).Should().Equal(File.ReadAllBytes(PackagedArtifact.ManifestPathFor(a)));
    }

    /// <summary>Runs the built host as its own process (not `dotnet run`), so umask and TZ are really its own.</summary>
    private static async Task<string> RunHostProcess(string root, string umask, string timeZone)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "GluePipeline.Build.dll");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"umask {umask} && exec dotnet \"$0\" --target=Package --exclusive --working=\"$1\"");
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(root);
        start.Environment["TZ"] = timeZone;
        start.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.Should().Be(0, await stdout + await stderr);
        return Directory.GetFiles(Path.Combine(root, "artifacts"), "*.zip").Single();
    }

    [Fact]
    public async Task A_dirty_tree_still_packages_its_work_tree_and_says_dirty()
    {
        using var repo = GitFixture.WithProduct();
        repo.Write("jobs/taxi/transform.sql", "SELECT 1\n");
        repo.Write("jobs/taxi/rules.dqdl", "Rules = [ RowCount > 0 ]\n");

        var artifact = await Package(repo.Path);

        artifact.Manifest.Dirty.Should().BeTrue();
        artifact.Manifest.Version.Should().EndWith("+dirty");
        artifact.Manifest.Files.Select(f => f.Path).Should().Contain("jobs/taxi/rules.dqdl", "untracked product files are packaged");
        using var archive = ZipFile.OpenRead(artifact.ZipPath);
        using var reader = new StreamReader(archive.GetEntry("jobs/taxi/transform.sql")!.Open());
        (await reader.ReadToEndAsync()).Should().Be("SELECT 1\n");
    }

    [Fact]
    public async Task An_untracked_file_outside_the_product_does_not_make_the_tree_dirty()
    {
        using var repo = GitFixture.WithProduct();
        repo.Write("notes.txt", "scratch\n");

        var artifact = await Package(repo.Path);

        artifact.Manifest.Dirty.Should().BeFalse();
    }

    [Fact]
    public async Task A_tracked_change_outside_the_product_makes_the_tree_dirty()
    {
        using var repo = GitFixture.WithProduct();
        repo.Write("src/Unrelated.cs", "class Changed {}\n");

        var artifact = await Package(repo.Path);

        artifact.Manifest.Dirty.Should().BeTrue("the code that tests the artifact is not the commit's");
    }

    [Theory]
    [InlineData("v1.2.0", 0, "1.2.0-0-g")]
    [InlineData("1.2.0", 2, "1.2.0-2-g")]
    [InlineData("v2.0.0-rc.1", 1, "2.0.0-rc.1.1-g")]
    [InlineData("release-5", 1, "0.0.0-release-5-1-g")]
    public async Task Without_version_the_version_is_git_describe_with_the_short_sha(string tag, int commitsAfter, string prefix)
    {
        using var repo = GitFixture.WithProduct();
        repo.Tag(tag);
        for (var i = 0; i < commitsAfter; i++)
        {
            repo.Write($"jobs/taxi/change{i}.sql", "SELECT 1\n");
            repo.Commit($"change {i}");
        }

        var artifact = await Package(repo.Path);

        artifact.Manifest.Version.Should().Be(prefix + repo.Head[..7]);
    }

    [Theory]
    [InlineData("1.4.0", "1.4.0+dirty")]
    [InlineData("1.4.0+build.7", "1.4.0+build.7.dirty")]
    public async Task A_given_version_is_used_and_still_marked_dirty(string given, string expected)
    {
        using var repo = GitFixture.WithProduct();
        repo.Write("templates/etl.yaml", "Resources: {}\n");

        var artifact = await Package(repo.Path, given);

        artifact.Manifest.Version.Should().Be(expected);
    }

    [Fact]
    public async Task Without_git_the_CodeBuild_source_version_names_the_commit()
    {
        using var dir = new TempDirectory("nogit");
        dir.Write("templates/etl.yaml", "Resources: {}\n");
        dir.Write("jobs/j/job.yaml", "name: j\n");
        const string sha = "0123456789abcdef0123456789abcdef01234567";

        var artifact = await Package(dir.Path, environment: name => name == "CODEBUILD_RESOLVED_SOURCE_VERSION" ? sha : null);

        artifact.Manifest.Version.Should().Be("0.0.0-g0123456");
        artifact.Manifest.Commit.Should().Be(sha);
        artifact.Manifest.Dirty.Should().BeFalse();
    }

    [Fact]
    public async Task Without_git_or_CodeBuild_the_version_must_be_given()
    {
        using var dir = new TempDirectory("nogit");
        dir.Write("templates/etl.yaml", "Resources: {}\n");
        dir.Write("jobs/j/job.yaml", "name: j\n");

        var act = () => Package(dir.Path);

        (await act.Should().ThrowAsync<PipelineInputException>()).Which.Diagnostics[0].ToString()
            .Should().Contain("PKG-VERSION").And.Contain("give --version=<semver>");
        (await Package(dir.Path, "3.1.4")).Manifest.Version.Should().Be("3.1.4");
    }

    [Theory]
    [InlineData("jobs")]
    [InlineData("templates")]
    public async Task A_missing_product_folder_is_a_clear_error(string folder)
    {
        using var repo = GitFixture.WithProduct();
        Directory.Delete(Path.Combine(repo.Path, folder), recursive: true);

        var act = () => Package(repo.Path);

        var error = (await act.Should().ThrowAsync<PipelineInputException>()).Which.Diagnostics.Single();
        error.Rule.Should().Be("PKG-LAYOUT");
        error.Message.Should().Contain($"{folder}/ does not exist");
        error.Fix.Should().Contain($"under {folder}/");
        Directory.Exists(Path.Combine(repo.Path, "artifacts")).Should().BeFalse("nothing half-done is left behind");
    }

    [Fact]
    public async Task A_bad_artifact_name_is_a_clear_error()
    {
        using var repo = GitFixture.WithProduct();

        var act = () => new ArtifactBuilder(_ => null).BuildAsync(new PackageRequest(repo.Path, "Bad Name", null, Path.Combine(repo.Path, "artifacts")), CancellationToken.None);

        (await act.Should().ThrowAsync<PipelineInputException>()).Which.Diagnostics[0].Rule.Should().Be("PKG-NAME");
    }

    [Fact]
    public async Task A_committed_symbolic_link_is_refused()
    {
        using var repo = GitFixture.WithProduct();
        File.CreateSymbolicLink(Path.Combine(repo.Path, "jobs/taxi/link.sql"), "transform.sql");
        repo.Commit("add a link");

        var act = () => Package(repo.Path);

        (await act.Should().ThrowAsync<PipelineInputException>()).Which.Diagnostics[0].Rule.Should().Be("PKG-SYMLINK");
    }
}
