using GluePipeline.Build.Hosting;

namespace GluePipeline.Tests.Stacks;

/// <summary>
/// The seed's JDBC scenarios under mutation: a job that loses rows, cuts strings or swaps two
/// columns runs without an error, and must be caught by the reconciliation in livetests/ that
/// guards it before anything is promoted. (A job that duplicates rows on a rerun:
/// tests/Jobs/IncrementalExportTests.cs.)
/// </summary>
[Collection(nameof(NestedLiveTests))]
public sealed class SampleMutationTests : IDisposable
{
    private readonly ReleaseRepository _repo = new();

    public void Dispose() => _repo.Dispose();

    [SkippableTheory]
    [InlineData("jobs/mysql_events/transform.sql", "FROM events", "FROM events\nWHERE event_id % 50 <> 0", "Every_source_event_is_in_the_target_with_the_same_values", "row count: source 200, target 196")]
    [InlineData("jobs/mysql_events/transform.sql", "  notes\n", "  LEFT(notes, 8) AS notes\n", "Every_source_event_is_in_the_target_with_the_same_values", "notes")]
    [InlineData("jobs/mysql_events/transform.sql", "  event_type,\n  user_id,\n  occurred_at,\n  amount,\n  country,", "  country AS event_type,\n  user_id,\n  occurred_at,\n  amount,\n  event_type AS country,", "Every_source_event_is_in_the_target_with_the_same_values", "event_type")]
    [InlineData("jobs/cfs_to_postgres/transform.sql", "CAST(ORIG_CFS_AREA AS STRING) AS orig_cfs_area", "LEFT(CAST(ORIG_CFS_AREA AS STRING), 3) AS orig_cfs_area", "The_CSV_shipments_are_in_the_on_premises_table_with_the_same_values", "orig_cfs_area")]
    [InlineData("jobs/cfs_to_parquet/transform.sql", "FROM cfs", "FROM cfs\nWHERE shipmt_id % 20 <> 0", "Each_quarter_of_the_data_lake_holds_the_source_rows_of_that_quarter", "partition quarter=<q>/ holds the shipments of quarter q")]
    public async Task A_broken_job_is_caught_by_the_reconciliation_that_guards_it(string file, string from, string to, string test, string difference)
    {
        _ = GluePipeline.Tests.Support.DatabaseServers.Postgres;
        _repo.Change(file, from, to);

        var result = await _repo.RunAsync("--target=PromoteToProduction", "--scale=0.01", "--approve");

        result.ExitCode.Should().Be(ExitCodes.Failure, $"a broken {file} must not be promoted\n{result}");
        result.Output.Should().Contain("FAILED livetests/");
        _repo.Production.History().Should().BeEmpty();
        var log = File.ReadAllText(Directory.GetFiles(Path.Combine(_repo.Path, "artifacts", "livetest"), "livetests.log", SearchOption.AllDirectories).Single());
        log.Should().MatchRegex($@"Failed GluePipeline\.LiveTests\.\w+\.{test}", "the check that guards this mutation caught it").And.Contain(difference);
        _repo.Stacks.Should().BeEmpty("teardown ran");
    }
}
