using GluePipeline.Data.Jdbc;
using GluePipeline.Data.Servers;
using GluePipeline.Diagnostics;
using GluePipeline.Tests.Support;
using DatabaseServers = GluePipeline.Data.Servers.DatabaseServers;

namespace GluePipeline.Tests.Data.Servers;

/// <summary>Which provider serves which engine, and why an engine is missing, without starting any server.</summary>
public sealed class ProviderChoiceTests : IDisposable
{
    private readonly TempDirectory _temp = new("servers-choice");
    private readonly List<string> _log = [];

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ForcedUrlsServeTheGivenServersAndNeverLogTheirPasswords()
    {
        var servers = await Start(DatabaseProviderChoice.Urls, new()
        {
            ["PIPELINE_POSTGRES_URL"] = "postgres://etl:S3cr3t%2FPg@db.example:6543/warehouse",
            ["PIPELINE_MYSQL_URL"] = "mysql://etl:My-Pa55word@127.0.0.1:3307/shop",
        });

        servers.Postgres!.Password.Should().Be("S3cr3t/Pg");
        servers.Postgres.Port.Should().Be(6543);
        servers.MySql!.Database.Should().Be("shop");
        servers.For(JdbcEngine.Redshift).Should().BeSameAs(servers.Postgres);
        servers.For(JdbcEngine.MySql).Should().BeSameAs(servers.MySql);
        servers.Provider.Should().Be("PIPELINE_POSTGRES_URL, PIPELINE_MYSQL_URL");
        servers.Servers.Should().BeEmpty("given servers are not started, so nothing is recorded or stopped");
        await servers.DisposeAsync();

        LocalBinariesTests.AssertNoPasswordIn(_log, servers.Postgres, servers.MySql);
        _log.Should().NotContain(l => l.Contains("S3cr3t", StringComparison.Ordinal));
        _log.Should().Contain("databases: PostgreSQL from urls (PIPELINE_POSTGRES_URL): postgres://etl:***@db.example:6543/warehouse");
    }

    [Fact]
    public async Task ForcedUrlsWithNoneSetSayWhichVariableIsMissing()
    {
        var servers = await Start(DatabaseProviderChoice.Urls, new() { ["PIPELINE_MYSQL_URL"] = "mysql://u:p@127.0.0.1:3306/db" });

        servers.Postgres.Should().BeNull();
        servers.Missing(JdbcEngine.PostgreSql).Should().Be("no PostgreSQL server: PIPELINE_POSTGRES_URL is not set (start Docker, set PIPELINE_POSTGRES_URL, or install postgresql)");
        servers.Missing(JdbcEngine.Redshift).Should().Be(servers.Missing(JdbcEngine.PostgreSql), "Redshift is served by PostgreSQL");
        servers.Missing(JdbcEngine.MySql).Should().BeNull();
        servers.Missing(JdbcEngine.Other).Should().Contain("not served in the local lane");
        servers.For(JdbcEngine.Other).Should().BeNull();
        servers.Provider.Should().Be("PIPELINE_MYSQL_URL");
    }

    [Fact]
    public async Task ForcedNoneServesNothingAndSaysSo()
    {
        var servers = await Start(DatabaseProviderChoice.None, new() { ["PIPELINE_POSTGRES_URL"] = "postgres://u:p@127.0.0.1:5432/db" });

        servers.Postgres.Should().BeNull();
        servers.MySql.Should().BeNull();
        servers.Provider.Should().Be("none");
        servers.Missing(JdbcEngine.PostgreSql).Should().Contain("the database provider is 'none'");
        servers.Missing(JdbcEngine.MySql).Should().Contain("the database provider is 'none'");
    }

    [Fact]
    public async Task AutoWithNothingAvailableNamesEverythingItTried()
    {
        var servers = await Start(DatabaseProviderChoice.Auto, new() { ["DOCKER_HOST"] = "unix:///nonexistent/docker.sock" }, binarySearchPath: []);

        servers.Provider.Should().Be("none");
        servers.Missing(JdbcEngine.PostgreSql).Should().Be(
            "no PostgreSQL server: no Docker engine (/nonexistent/docker.sock does not exist); PIPELINE_POSTGRES_URL is not set; " +
            "no PostgreSQL binaries (initdb and pg_ctl; install postgresql) (start Docker, set PIPELINE_POSTGRES_URL, or install postgresql)");
        servers.Missing(JdbcEngine.MySql).Should().Contain("PIPELINE_MYSQL_URL is not set").And.Contain("no MariaDB binaries");
        _log.Should().Contain(l => l.StartsWith("databases: no MySQL/MariaDB server:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheEnvironmentPicksTheProviderWhenNoOptionDoes()
    {
        var servers = await Start(null, new() { ["PIPELINE_DATABASES"] = "None", ["PIPELINE_POSTGRES_URL"] = "postgres://u:p@127.0.0.1:5432/db" });

        servers.Choice.Should().Be(DatabaseProviderChoice.None);
        servers.Postgres.Should().BeNull();
    }

    [Fact]
    public async Task AnInvalidChoiceIsAClearErrorNamingTheAllowedValues()
    {
        var start = () => Start(null, new() { ["PIPELINE_DATABASES"] = "docker" });

        var error = (await start.Should().ThrowAsync<PipelineInputException>()).Which;
        error.Message.Should().Contain("PIPELINE_DATABASES").And.Contain("'docker' is not a database provider").And.Contain("auto, containers, urls, binaries, none");

        var option = () => DatabaseProviderChoices.Parse("local", "--databases");
        option.Should().Throw<PipelineInputException>().WithMessage("*--databases*'local'*auto, containers, urls, binaries, none*");
        DatabaseProviderChoices.Parse(" Binaries ", "--databases").Should().Be(DatabaseProviderChoice.Binaries);
    }

    [Fact]
    public async Task AUrlOfTheWrongEngineIsAClearErrorWithoutItsPassword()
    {
        var start = () => Start(DatabaseProviderChoice.Urls, new() { ["PIPELINE_POSTGRES_URL"] = "mysql://u:Hidden42@127.0.0.1:3306/db" });

        var error = (await start.Should().ThrowAsync<PipelineInputException>()).Which;
        error.Message.Should().Contain("PIPELINE_POSTGRES_URL must name a PostgreSQL server").And.NotContain("Hidden42");
    }

    [Fact]
    public async Task DockerIsNotAvailableWhenItsEngineDoesNotAnswer()
    {
        var (available, _, reason) = await DockerEngine.ProbeAsync(new Dictionary<string, string?> { ["DOCKER_HOST"] = "tcp://127.0.0.1:1" }, CancellationToken.None);

        available.Should().BeFalse();
        reason.Should().StartWith("the Docker engine at tcp://127.0.0.1:1/ does not answer");
    }

    [Fact]
    public async Task RunDatabaseNamesAreSafeIdentifiers()
    {
        RunDatabase.Name("Glue Demo", "LT3fa9c1").Should().Be("glue_demo_lt3fa9c1");
        RunDatabase.Name(new string('x', 80), "lt3fa9c1").Should().HaveLength(63).And.EndWith("_lt3fa9c1");
        RunDatabase.IsValidName("glue_demo_lt3fa9c1").Should().BeTrue();
        RunDatabase.IsValidName("Glue").Should().BeFalse();
        RunDatabase.IsValidName("a-b").Should().BeFalse();
        RunDatabase.IsValidName("x; DROP DATABASE y").Should().BeFalse();
        RunDatabase.IsValidName(new string('a', 64)).Should().BeFalse();

        var server = new GluePipeline.Data.DatabaseUri(GluePipeline.Data.DatabaseKind.PostgreSql, "127.0.0.1", 1, "postgres", "u", "p");
        var create = () => RunDatabase.CreateAsync(server, "bad`name", CancellationToken.None);
        (await create.Should().ThrowAsync<ArgumentException>()).WithMessage("*'bad`name' is not a safe database name*");
    }

    private Task<DatabaseServers> Start(DatabaseProviderChoice? choice, Dictionary<string, string?> environment, IReadOnlyList<string>? binarySearchPath = null) =>
        DatabaseServers.StartAsync(
            new DatabaseServerOptions(Path.Combine(_temp.Path, "servers")) { Choice = choice, Environment = environment, TempRoot = _temp.Path, BinarySearchPath = binarySearchPath },
            _log.Add,
            CancellationToken.None);
}
