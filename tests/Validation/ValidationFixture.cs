using GluePipeline.Data;
using GluePipeline.Tests.Support;
using GluePipeline.Validation;
using GluePipeline.Validation.Dqdl;

namespace GluePipeline.Tests.Validation;

/// <summary>
/// A small table with hand-computable metrics, in a real DuckDB:
/// <code>
/// id | name  | amount | code  | created  | flag   | grp
///  1 | alice |   10.0 | AB12  | now - 1h | true   | a
///  2 | bob   |   20.0 | CD34  | now - 30h| yes    | a
///  3 | NULL  |   30.0 | ef56  | now - 50h| nope   | b
///  4 | dave  |   NULL | ''    | NULL     | 1      | c
///  5 | eve   |   40.0 | '   ' | now - 2h | NULL   | NULL
/// </code>
/// and a reference table r (zip codes, and the same ids) for the reference rules.
/// </summary>
public sealed class ValidationFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public DuckDbEngine Engine { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Engine = await DuckDbEngine.OpenAsync(null, CancellationToken.None);
        await Engine.ExecuteAsync("""
            CREATE TABLE t AS SELECT * FROM (VALUES
              (1, 'alice', 10.0, 'AB12', TIMESTAMP '2026-11-27 11:00:00', 'true', 'a'),
              (2, 'bob',   20.0, 'CD34', TIMESTAMP '2026-11-26 06:00:00', 'yes',  'a'),
              (3, NULL,    30.0, 'ef56', TIMESTAMP '2026-11-25 10:00:00', 'nope', 'b'),
              (4, 'dave',  NULL, '',     NULL,                            '1',    'c'),
              (5, 'eve',   40.0, '   ',  TIMESTAMP '2026-11-27 10:00:00', NULL,   NULL)
            ) v(id, name, amount, code, created, flag, grp)
            """, CancellationToken.None);
        await Engine.ExecuteAsync("CREATE TABLE empty_t AS SELECT * FROM t WHERE 1 = 0", CancellationToken.None);
        await Engine.ExecuteAsync("""
            CREATE TABLE r AS SELECT * FROM (VALUES
              (1, 'alice', 10.0), (2, 'bob', 20.0), (3, 'carol', 30.0), (4, 'dave', NULL), (6, 'frank', 60.0), (7, 'gina', 70.0)
            ) v(id, name, amount)
            """, CancellationToken.None);
    }

    public async Task DisposeAsync() => await Engine.DisposeAsync();

    public async Task<ValidationResult> Evaluate(string rules, string table = "t", ValidationOptions? options = null)
    {
        var document = DqdlParser.Parse("rules.dqdl", rules.Contains("Rules", StringComparison.Ordinal) ? rules : $"Rules = [ {rules} ]");
        var evaluator = new RulesetEvaluator(Engine, options ?? new ValidationOptions(Time: new FixedTime(Now)));
        return await evaluator.EvaluateAsync(document, new ValidationDataset(table, table), new Dictionary<string, ValidationDataset> { ["reference"] = new("r", "r") }, CancellationToken.None);
    }

    public async Task<RuleResult> One(string rule, string table = "t") => (await Evaluate(rule, table)).Rules.Single();
}

[CollectionDefinition(nameof(ValidationCollection))]
public sealed class ValidationCollection : ICollectionFixture<ValidationFixture>;
