using GluePipeline.Build.Hosting;

namespace GluePipeline.Tests.Stacks;

/// <summary>
/// The multi-VPC events job under mutation: a job that loses rows, cuts strings or swaps two
/// columns reaches PostgreSQL and Redshift without an error, and must be caught by the
/// reconciliation of source and targets in livetests/ (EventsLiveTests) before anything is promoted.
/// </summary>
[Collection(nameof(NestedLiveTests))]
public sealed class EventsMutationTests : IDisposable
{
    private readonly ReleaseRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    [SkippableTheory]
    [InlineData("loses rows", "FROM events", "FROM events\nWHERE event_id % 50 <> 0", "row count: source 200, target 196")]
    [InlineData("truncates strings", "  notes\n", "  LEFT(notes, 8) AS notes\n", "notes")]
    [InlineData("swaps two columns", "  event_type,\n  user_id,\n  occurred_at,\n  amount,\n  country,", "  country AS event_type,\n  user_id,\n  occurred_at,\n  amount,\n  event_type AS country,", "event_type")]
    public async Task A_broken_events_job_is_caught_by_the_reconciliation(string mutation, string from, string to, string difference)
    {
        _ = GluePipeline.Tests.Support.DatabaseServers.Postgres;
        _repo.Change("jobs/mysql_events/transform.sql", from, to);

        var result = await _repo.RunAsync("--target=PromoteToProduction", "--scale=0.01", "--approve");

        result.ExitCode.Should().Be(ExitCodes.Failure, $"a job that {mutation} must not be promoted\n{result}");
        result.Output.Should().Contain("FAILED livetests/");
        _repo.Production.History().Should().BeEmpty();
        var log = File.ReadAllText(Directory.GetFiles(Path.Combine(_repo.Path, "artifacts", "livetest"), "livetests.log", SearchOption.AllDirectories).Single());
        log.Should().Contain("Every_source_event_is_in_the_target_with_the_same_values").And.Contain(difference);
        _repo.Stacks.Should().BeEmpty("teardown ran");
    }
}
