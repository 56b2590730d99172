using System.Diagnostics;
using GluePipeline.Approval;
using GluePipeline.Diagnostics;
using GluePipeline.Packaging;
using GluePipeline.Stacks;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Stacks;

public sealed class ApprovalGateTests
{
    private sealed class Terminal(string? answer) : IApprovalPrompt
    {
        public string Shown { get; private set; } = string.Empty;

        public void Show(string text) => Shown += text;

        public string? Answer() => answer;
    }

    [Theory]
    [InlineData(true, false, Verdict.Approved, "--approve")]
    [InlineData(false, true, Verdict.Rejected, "--reject")]
    [InlineData(false, false, Verdict.NotApproved, "no terminal and no --approve/--reject")]
    public void Without_a_terminal_only_the_flags_decide_and_neither_is_not_approved(bool approve, bool reject, Verdict verdict, string how)
    {
        ApprovalGate.Decide(approve, reject, null, "summary").Should().Be((verdict, how));
    }

    [Theory]
    [InlineData("y", Verdict.Approved)]
    [InlineData("YES", Verdict.Approved)]
    [InlineData("r", Verdict.Rejected)]
    [InlineData("n", Verdict.NotApproved)]
    [InlineData("", Verdict.NotApproved)]
    [InlineData("sure", Verdict.NotApproved)]
    [InlineData(null, Verdict.NotApproved)]
    public void On_a_terminal_only_an_explicit_yes_approves(string? answer, Verdict verdict)
    {
        var terminal = new Terminal(answer);

        ApprovalGate.Decide(false, false, terminal, "digest abc").Verdict.Should().Be(verdict);
        terminal.Shown.Should().Contain("digest abc").And.Contain("Promote this artifact to production?");
    }

    [Fact]
    public void The_store_keeps_every_decision_and_the_latest_counts()
    {
        using var dir = new TempDirectory("approvals");
        var store = new ApprovalStore(dir.Path);
        var now = DateTimeOffset.UtcNow;

        store.Append(new ApprovalRecord("d1", "1.0.0", "c1", Verdict.Approved, "ann", now, "--approve", "s", null));
        store.Append(new ApprovalRecord("d2", "1.1.0", "c2", Verdict.Approved, "ann", now, "--approve", "s", null));
        store.Append(new ApprovalRecord("d2", "1.1.0", "c2", Verdict.Rejected, "bo", now, "prompt", "s", null));

        store.All().Should().HaveCount(3);
        store.IsApproved("d1").Should().BeTrue();
        store.IsApproved("d2").Should().BeFalse("a later rejection withdraws the approval");
        store.IsApproved("d3").Should().BeFalse();
    }
}

public sealed class LocalProductionTests : IDisposable
{
    private readonly GitFixture _repo = new("prod-repo");
    private readonly TempDirectory _work = new("prod");

    public LocalProductionTests()
    {
        _repo.Write("cake.config", "[Package]\nName=etl\n");
        GluePipeline.Repository.ProductFiles.CopyTree(RepositoryRoot.Path, _repo.Path);
        _repo.Commit("v1");
    }

    public void Dispose()
    {
        _repo.Dispose();
        _work.Dispose();
    }

    private ApprovalStore Approvals => new(Path.Combine(_work.Path, "approvals"));

    private LocalProduction Production => new(Path.Combine(_work.Path, "prod"));

    private async Task<PackagedArtifact> Package(string version, bool approve = true)
    {
        var artifact = await new ArtifactBuilder().BuildAsync(new PackageRequest(_repo.Path, "etl", version, Path.Combine(_work.Path, "artifacts")), CancellationToken.None);
        if (approve)
        {
            Approvals.Append(new ApprovalRecord(artifact.Manifest.Digest, version, null, Verdict.Approved, "ann", DateTimeOffset.UtcNow, "--approve", null, null));
        }

        return artifact;
    }

    [Fact]
    public async Task An_approved_artifact_is_promoted_once_and_again_is_a_no_op()
    {
        var v1 = await Package("1.0.0");

        var first = await Production.PromoteAsync(v1.ZipPath, Approvals, "ann", null, CancellationToken.None);
        var again = await Production.PromoteAsync(v1.ZipPath, Approvals, "ann", null, CancellationToken.None);

        first.Changed.Should().BeTrue();
        first.Manifest!.ArtifactDigest.Should().Be(v1.Manifest.Digest);
        first.Manifest.Outputs["RawDatabaseName"].Should().Be("nycitytaxi_prod");
        again.Changed.Should().BeFalse();
        Production.History().Should().ContainSingle().Which.Should().Match<Release>(r => r.Digest == v1.Manifest.Digest && r.Version == "1.0.0" && r.Approver == "ann" && r.Kind == "promote");
    }

    [Fact]
    public async Task Rollback_restores_the_earlier_digests_prod_state_and_keeps_the_data()
    {
        var v1 = await Package("1.0.0");
        await Production.PromoteAsync(v1.ZipPath, Approvals, "ann", null, CancellationToken.None);
        var data = Path.Combine(Production.StateRoot, "prod", "buckets", "kept.txt");
        File.WriteAllText(data, "production data");
        var sql = Path.Combine(_repo.Path, "jobs", "taxi", "transform.sql");
        File.WriteAllText(sql, File.ReadAllText(sql).Replace("FROM trips", "FROM trips\nWHERE CAST(Fare_amount AS DOUBLE) >= 0", StringComparison.Ordinal));
        _repo.Commit("v2");
        var v2 = await Package("2.0.0");
        await Production.PromoteAsync(v2.ZipPath, Approvals, "ann", null, CancellationToken.None);

        var rolledBack = await Production.RollbackAsync("1.0.0", "bo", null, CancellationToken.None);

        rolledBack.Changed.Should().BeTrue();
        Production.Manifest!.ArtifactDigest.Should().Be(v1.Manifest.Digest);
        var deployedSql = Path.Combine(Production.StateRoot, "prod", "buckets", "pipeline-artifacts", "artifact", v1.Manifest.Digest[..16], "jobs", "taxi", "transform.sql");
        File.ReadAllText(deployedSql).Should().NotContain("Fare_amount AS DOUBLE) >= 0", "the jobs run v1's bytes again");
        File.ReadAllText(data).Should().Be("production data", "an update keeps production's data");
        Production.History().Select(r => (r.Version, r.Kind)).Should().Equal(("1.0.0", "promote"), ("2.0.0", "promote"), ("1.0.0", "rollback"));
        (await Production.RollbackAsync(v1.Manifest.Digest[..10], "bo", null, CancellationToken.None)).Changed.Should().BeFalse();
    }

    [Fact]
    public async Task Unapproved_tampered_and_dirty_artifacts_are_refused_and_production_is_untouched()
    {
        var unapproved = await Package("1.0.0", approve: false);
        var act = () => Production.PromoteAsync(unapproved.ZipPath, Approvals, "ann", null, CancellationToken.None);
        (await act.Should().ThrowAsync<PromotionRefusedException>()).Which.Message.Should().Contain("has no approval");

        var tampered = Path.Combine(_work.Path, "tampered.zip");
        File.Copy(unapproved.ZipPath, tampered);
        File.Copy(unapproved.ManifestPath, PackagedArtifact.ManifestPathFor(tampered));
        using (var zip = System.IO.Compression.ZipFile.Open(tampered, System.IO.Compression.ZipArchiveMode.Update))
        {
            using var writer = new StreamWriter(zip.GetEntry("jobs/taxi/transform.sql")!.Open());
            writer.Write("SELECT 1");
        }

        act = () => Production.PromoteAsync(tampered, Approvals, "ann", null, CancellationToken.None);
        (await act.Should().ThrowAsync<PromotionRefusedException>()).Which.Message.Should().Contain("does not match its manifest");

        File.AppendAllText(Path.Combine(_repo.Path, "jobs", "taxi", "rules.dqdl"), "\n");
        var dirty = await Package("1.0.1");
        act = () => Production.PromoteAsync(dirty.ZipPath, Approvals, "ann", null, CancellationToken.None);
        (await act.Should().ThrowAsync<PromotionRefusedException>()).Which.Message.Should().Contain("uncommitted changes");

        Production.History().Should().BeEmpty();
        Production.Manifest.Should().BeNull();
    }

    [Fact]
    public async Task Rolling_back_to_a_release_that_never_was_names_the_ones_that_were()
    {
        await Production.PromoteAsync((await Package("1.0.0")).ZipPath, Approvals, "ann", null, CancellationToken.None);

        var act = () => Production.RollbackAsync("0.9.0", "bo", null, CancellationToken.None);

        (await act.Should().ThrowAsync<PipelineInputException>()).Which.Message.Should().Contain("--to=0.9.0: error ROLLBACK-TARGET: No earlier release is 0.9.0").And.Contain("name one of: 1.0.0 (");
    }
}

public sealed class SweeperTests : IDisposable
{
    private readonly TempDirectory _dir = new("sweep");

    public void Dispose() => _dir.Dispose();

    private string Stacks => Path.Combine(_dir.Path, "stacks");

    private string Servers => Path.Combine(_dir.Path, "servers");

    /// <summary>A process that has already exited: a run that was killed.</summary>
    private static RunOwner DeadOwner()
    {
        using var process = Process.Start(new ProcessStartInfo("true"))!;
        var owner = new RunOwner(process.Id, DateTimeOffset.UtcNow, Environment.MachineName);
        process.WaitForExit();
        return owner;
    }

    private void Stack(string name, RunOwner? owner, DateTimeOffset? expires = null)
    {
        var folder = Path.Combine(Stacks, name);
        Directory.CreateDirectory(Path.Combine(folder, "buckets"));
        if (owner is not null)
        {
            RunOwner.Write(Path.Combine(folder, RunOwner.FileName), owner);
        }

        if (expires is { } at)
        {
            new RunManifest { Stack = name, Lane = "local", Environment = "livetest", Template = "t", ExpiresAt = at }.Save(Path.Combine(folder, RunManifest.FileName));
        }
    }

    [Fact]
    public void Stacks_of_killed_runs_go_and_live_runs_stay()
    {
        Stack("livetest-killed-1", DeadOwner());
        Stack("livetest-unowned-1", null);
        Stack("livetest-live-1", RunOwner.Current, DateTimeOffset.UtcNow.AddDays(-1));

        var result = Sweeper.Sweep(Stacks, Servers);

        result.RemovedStacks.Should().HaveCount(2);
        result.RemovedStacks.Should().Contain(r => r.StartsWith("livetest-killed-1: its run (pid", StringComparison.Ordinal));
        result.KeptStacks.Should().ContainSingle().Which.Should().StartWith("livetest-live-1: its run");
        Directory.EnumerateDirectories(Stacks).Select(Path.GetFileName).Should().Equal("livetest-live-1");
    }

    [Fact]
    public void An_orphaned_server_is_stopped_and_its_data_removed_while_a_live_runs_server_stays()
    {
        using var orphan = Process.Start(new ProcessStartInfo("sleep", "300"))!;
        using var live = Process.Start(new ProcessStartInfo("sleep", "300"))!;
        try
        {
            var data = Path.Combine(_dir.Path, "pgdata");
            Directory.CreateDirectory(data);
            LocalServer.Register(Servers, new LocalServer("postgres-killed", orphan.Id, DeadOwner(), data));
            LocalServer.Register(Servers, new LocalServer("postgres-live", live.Id, RunOwner.Current, null));

            var result = Sweeper.Sweep(Stacks, Servers);

            result.StoppedServers.Should().ContainSingle().Which.Should().StartWith($"postgres-killed: stopped pid {orphan.Id}");
            orphan.WaitForExit(5000).Should().BeTrue();
            Directory.Exists(data).Should().BeFalse();
            live.HasExited.Should().BeFalse();
            result.KeptServers.Should().ContainSingle().Which.Should().StartWith("postgres-live");
        }
        finally
        {
            foreach (var process in new[] { orphan, live }.Where(p => !p.HasExited))
            {
                process.Kill();
            }
        }
    }
}
