using System.Security.Cryptography;
using GluePipeline.Data;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Stacks;

/// <summary>
/// Secrets never appear in logs, manifests or reports: a whole release run (Lint to production,
/// livetests/ included) with a NoEcho database password given as PIPELINE_PARAM_ and a database
/// server password given in PIPELINE_POSTGRES_URL, both known; then every byte the run wrote -
/// stdout, stderr, .pipeline/, artifacts/ (reports, manifests, logs, the artifact) - is searched.
/// </summary>
[Collection(nameof(NestedLiveTests))]
public sealed class SecretLeakTests : IDisposable
{
    private readonly ReleaseRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    [SkippableFact]
    public async Task A_release_run_writes_neither_a_NoEcho_password_nor_a_database_server_password_anywhere()
    {
        var noEcho = "NoEcho-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var serverPassword = "Server-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var role = "probe_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        _repo.Change(
            "templates/etl.yaml",
            "  TargetDbSecretId:\n",
            "  SourceDbPassword:\n    Type: String\n    NoEcho: true\n    Description: The source database's password (CI gives it as PIPELINE_PARAM_SourceDbPassword).\n  TargetDbSecretId:\n");
        _repo.Change("templates/etl.yaml", "          SECRET_ID: !Ref SourceDbSecretId\n", "          USERNAME: etl\n          PASSWORD: !Ref SourceDbPassword\n");

        await using var admin = await AdoQueryEngine.ConnectAsync(DatabaseServers.Postgres, CancellationToken.None);
        await admin.ExecuteAsync($"CREATE ROLE {role} LOGIN SUPERUSER PASSWORD '{serverPassword}'", CancellationToken.None);
        try
        {
            var server = DatabaseServers.Postgres with { User = role, Password = serverPassword };
            using var host = _repo.StartHost(
                new Dictionary<string, string>
                {
                    ["PIPELINE_PARAM_SourceDbPassword"] = noEcho,
                    ["PIPELINE_POSTGRES_URL"] = server.ToString(includePassword: true),
                    ["PIPELINE_LIVETESTS_PROJECT"] = Path.Combine(RepositoryRoot.Path, "livetests"),
                },
                "--target=PromoteToProduction", "--scale=0.001", "--approve");
            var stdout = host.StandardOutput.ReadToEndAsync();
            var stderr = host.StandardError.ReadToEndAsync();
            await host.WaitForExitAsync();
            var output = await stdout + "\n" + await stderr;

            host.ExitCode.Should().Be(0, output);
            output.Should().Contain("PROMOTED").And.Contain("job events_to_postgres").And.Contain(":***@", "the run did use the server and said so, masked");
            var production = _repo.Production.Manifest!;
            production.Parameters["SourceDbPassword"].Should().Be("****");
            production.Connections.Single(c => c.LogicalId == "SourceDbConnection").Credentials.Should().Be("parameter SourceDbPassword (NoEcho)");

            foreach (var secret in new[] { noEcho, serverPassword })
            {
                output.Should().NotContain(secret);
                var leaks = new[] { ".pipeline", "artifacts" }
                    .Select(folder => Path.Combine(_repo.Path, folder))
                    .Where(Directory.Exists)
                    .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
                    .Where(file => Contains(file, secret))
                    .Select(file => Path.GetRelativePath(_repo.Path, file))
                    .ToArray();
                leaks.Should().BeEmpty($"no file the run wrote may hold {(secret == noEcho ? "the NoEcho parameter" : "the server password")}");
            }
        }
        finally
        {
            await admin.ExecuteAsync($"DROP ROLE IF EXISTS {role}", CancellationToken.None);
        }
    }

    private static bool Contains(string file, string secret)
    {
        var bytes = File.ReadAllBytes(file);
        return bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(secret)) >= 0 || bytes.AsSpan().IndexOf(System.Text.Encoding.Unicode.GetBytes(secret)) >= 0;
    }
}
