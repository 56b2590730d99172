using System.Diagnostics;

namespace GluePipeline.Tests.Support;

/// <summary>A throw-away git repository with a product layout, for packaging and versioning tests.</summary>
public sealed class GitFixture : IDisposable
{
    private readonly TempDirectory _dir;

    public GitFixture(string? prefix = null)
    {
        _dir = new TempDirectory(prefix ?? "gitrepo");
        Git("init", "-q", "-b", "main");
    }

    public string Path => _dir.Path;

    /// <summary>A repository holding a small product: templates, a job, a runtime with tests, and an ignored file.</summary>
    public static GitFixture WithProduct()
    {
        var repo = new GitFixture();
        repo.Write("cake.config", "[Package]\nName=sample-etl\n");
        repo.Write(".gitignore", "artifacts/\njobs/*/fixtures/\n");
        repo.Write("templates/etl.yaml", "AWSTemplateFormatVersion: \"2010-09-09\"\nParameters:\n  Environment:\n    Type: String\nResources:\n  Raw:\n    Type: AWS::S3::Bucket\n");
        repo.Write("templates/environments/livetest.json", "{\"Parameters\": {\"Environment\": \"livetest\"}}\n");
        MinimalJob.Write(repo.Write);
        repo.Write("jobs/runtime/glue_runtime.py", "print('runtime')\n");
        repo.Write("jobs/runtime/tests/test_runtime.py", "def test_x():\n    pass\n");
        repo.Write("jobs/taxi/fixtures/generated.csv", "a,b\n1,2\n");
        repo.Write("src/Unrelated.cs", "class Unrelated {}\n");
        repo.Commit("initial");
        return repo;
    }

    public string Write(string relativePath, string content) => _dir.Write(relativePath, content);

    public void Commit(string message, string date = "2024-03-01T10:00:00Z")
    {
        Git("add", "-A");
        GitWithDate(date, "commit", "-q", "-m", message);
    }

    public void Tag(string name) => Git("tag", name);

    public string Head => Git("rev-parse", "HEAD").Trim();

    /// <summary>Clones this repository into a new temporary folder.</summary>
    public TempDirectory CloneTo(params string[] extraConfig)
    {
        var target = new TempDirectory("clone");
        Directory.Delete(target.Path);
        var args = new List<string> { "clone", "-q" };
        foreach (var config in extraConfig)
        {
            args.Add("-c");
            args.Add(config);
        }

        args.Add(Path);
        args.Add(target.Path);
        Run(Directory.GetCurrentDirectory(), null, [.. args]);
        return target;
    }

    public string Git(params string[] args) => Run(Path, null, args);

    private string GitWithDate(string date, params string[] args) => Run(Path, date, args);

    public static string Run(string workingDirectory, string? date, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["GIT_AUTHOR_NAME"] = "Test";
        start.Environment["GIT_AUTHOR_EMAIL"] = "test@example.com";
        start.Environment["GIT_COMMITTER_NAME"] = "Test";
        start.Environment["GIT_COMMITTER_EMAIL"] = "test@example.com";
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        if (date is not null)
        {
            start.Environment["GIT_AUTHOR_DATE"] = date;
            start.Environment["GIT_COMMITTER_DATE"] = date;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {error}");
        }

        return output;
    }

    public void Dispose() => _dir.Dispose();
}
