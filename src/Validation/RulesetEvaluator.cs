using System.Globalization;
using System.Text.RegularExpressions;
using GluePipeline.Data;
using GluePipeline.Validation.Dqdl;

namespace GluePipeline.Validation;

/// <summary>A dataset as the evaluator sees it: a name for reports and a relation the engine can read.</summary>
/// <param name="Name">What the user called it (a path, a URI, an alias).</param>
/// <param name="Relation">SQL the engine accepts after FROM: a view, a table or a parenthesised query with an alias.</param>
public sealed record ValidationDataset(string Name, string Relation);

/// <summary>How the evaluator reports.</summary>
/// <param name="SampleSize">Rows that break a failing row-level rule, at most (0: none).</param>
/// <param name="RedactSamples">Replace every sampled value with <c>***</c> (keep column names).</param>
/// <param name="Time">The clock for <c>now()</c> and DataFreshness (UTC).</param>
public sealed record ValidationOptions(int SampleSize = 20, bool RedactSamples = false, TimeProvider? Time = null);

/// <summary>
/// Evaluates a DQDL ruleset on a dataset with as few queries as the rules allow: every
/// scan-shareable rule of a dataset is one expression of ONE aggregate query, uniqueness-style
/// rules share one GROUP BY per key set, each reference rule is one join, and failing row-level
/// rules get one bounded sample query each. Semantics follow Glue Data Quality (Deequ); see the
/// notes at each rule. The queries issued are recorded in the result.
/// </summary>
public sealed partial class RulesetEvaluator(IQueryEngine engine, ValidationOptions? options = null)
{
    private readonly ValidationOptions _options = options ?? new ValidationOptions();

    /// <summary>Evaluates the rules on <paramref name="primary"/>, with reference datasets by alias.</summary>
    public async Task<ValidationResult> EvaluateAsync(DqdlDocument document, ValidationDataset primary, IReadOnlyDictionary<string, ValidationDataset>? references, CancellationToken cancellationToken)
    {
        var time = _options.Time ?? TimeProvider.System;
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        var run = new Run(engine, _options, primary, references ?? new Dictionary<string, ValidationDataset>(StringComparer.Ordinal), cancellationToken);
        await run.PrepareAsync();

        // Plan every leaf, then run the shared queries once, then decide.
        var leaves = document.Rules.SelectMany(r => r.Leaves()).Distinct().ToArray();
        var plans = leaves.ToDictionary(l => l, run.Plan);
        await run.ExecuteAsync();
        var outcomes = new Dictionary<SimpleRule, Leaf>();
        foreach (var (leaf, plan) in plans)
        {
            try
            {
                outcomes[leaf] = await plan();
            }
            catch (UnsupportedRuleException ex)
            {
                outcomes[leaf] = Leaf.Error(ex.Message);
            }
            catch (QueryFailedException ex)
            {
                outcomes[leaf] = Leaf.Error($"The rule could not be evaluated: {ex.EngineMessage}");
            }
        }

        await run.SampleAsync(outcomes);
        var results = document.Rules.Select(rule => Combine(rule, outcomes)).ToArray();
        return new ValidationResult(primary.Name, document.Path, results, run.Queries) { StartedAt = startedAt, Elapsed = time.GetElapsedTime(started) };
    }

    private static RuleResult Combine(DqdlRule rule, IReadOnlyDictionary<SimpleRule, Leaf> outcomes)
    {
        if (rule is SimpleRule simple)
        {
            var leaf = outcomes[simple];
            return new RuleResult(rule.Text, leaf.Outcome, leaf.Reason, leaf.Metrics) { Samples = leaf.Samples, Labels = simple.Labels, Line = rule.Location.Line };
        }

        var composite = (CompositeRule)rule;
        var left = Combine(composite.Left, outcomes);
        var right = Combine(composite.Right, outcomes);
        var parts = new[] { left, right };
        RuleOutcome outcome;
        if (composite.Operator == CompositeOperator.And)
        {
            outcome = parts.All(p => p.Outcome == RuleOutcome.Passed) ? RuleOutcome.Passed : parts.Any(p => p.Outcome == RuleOutcome.Error) ? RuleOutcome.Error : RuleOutcome.Failed;
        }
        else
        {
            outcome = parts.Any(p => p.Outcome == RuleOutcome.Passed) ? RuleOutcome.Passed : parts.Any(p => p.Outcome == RuleOutcome.Error) ? RuleOutcome.Error : RuleOutcome.Failed;
        }

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (key, value) in parts.SelectMany(p => p.EvaluatedMetrics))
        {
            metrics[key] = value;
        }

        var reason = outcome == RuleOutcome.Passed ? null : string.Join("\n", parts.Where(p => p.Outcome != RuleOutcome.Passed && p.FailureReason is not null).Select(p => p.FailureReason));
        return new RuleResult(rule.Text, outcome, reason, metrics) { Samples = parts.SelectMany(p => p.Samples).Take(20).ToArray(), Line = rule.Location.Line };
    }

    /// <summary>The outcome of one simple rule, before composites are combined.</summary>
    private sealed record Leaf(RuleOutcome Outcome, string? Reason, Dictionary<string, double> Metrics)
    {
        /// <summary>For a failing row-level rule: the rows that break it, as a query.</summary>
        public string? SampleQuery { get; init; }

        public IReadOnlyList<IReadOnlyDictionary<string, object?>> Samples { get; set; } = [];

        public static Leaf Error(string reason) => new(RuleOutcome.Error, reason, []);

        public static Leaf Fail(string reason, Dictionary<string, double>? metrics = null) => new(RuleOutcome.Failed, reason, metrics ?? []);
    }

    /// <summary>One dataset's shared queries: the aggregate scan, the groupings and the schema.</summary>
    private sealed class DatasetScan(ValidationDataset dataset)
    {
        private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _owners = new(StringComparer.Ordinal);

        public ValidationDataset Dataset { get; } = dataset;

        public IReadOnlyList<ColumnSchema> Schema { get; set; } = [];

        public Dictionary<string, string> Expressions { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, object?> Values { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string> Failures { get; } = new(StringComparer.Ordinal);

        public Dictionary<(string Columns, string? Where), Grouping> Groupings { get; } = [];

        /// <summary>Adds an expression to the aggregate scan (once per distinct expression) and returns its alias.</summary>
        public string Add(string expression, string owner)
        {
            if (!_aliases.TryGetValue(expression, out var alias))
            {
                alias = "m" + _aliases.Count.ToString(CultureInfo.InvariantCulture);
                _aliases[expression] = alias;
                Expressions[alias] = expression;
            }

            _owners.TryAdd(alias, owner);
            return alias;
        }

        public double? Number(string alias) => DbValues.ToDouble(Values.GetValueOrDefault(alias));

        public string? Failure(string alias) => Failures.GetValueOrDefault(alias);
    }

    /// <summary>The frequencies of one key set: how many rows, groups and singletons, and Σ c·ln c.</summary>
    private sealed class Grouping(string[] columns, string? where)
    {
        /// <summary>The key columns as SQL.</summary>
        public string[] Columns { get; } = columns;

        /// <summary>The key columns as grouped (exact text where the engine would fold case or spaces).</summary>
        public string[] Keys { get; set; } = columns;

        public string? Where { get; } = where;

        /// <summary>Whether an Entropy rule needs the sum of count * ln(count).</summary>
        public bool Entropy { get; set; }

        public double Rows { get; set; }

        public double Groups { get; set; }

        public double Singletons { get; set; }

        public double CLnC { get; set; }

        public string? Failure { get; set; }
    }

    /// <summary>The state of one evaluation.</summary>
    private sealed partial class Run(IQueryEngine engine, ValidationOptions options, ValidationDataset primary, IReadOnlyDictionary<string, ValidationDataset> references, CancellationToken cancellationToken)
    {
        private readonly Dictionary<string, DatasetScan> _scans = new(StringComparer.Ordinal);
        private readonly DateTime _now = (options.Time ?? TimeProvider.System).GetUtcNow().UtcDateTime;

        public List<IssuedQuery> Queries { get; } = [];

        private SqlDialect Dialect => engine.Dialect;

        private DatasetScan Primary => _scans["primary"];

        private string Now => Dialect.TimestampLiteral(_now);

        public async Task PrepareAsync()
        {
            _scans["primary"] = new DatasetScan(primary) { Schema = await DescribeAsync(primary) };
        }

        private async Task<IReadOnlyList<ColumnSchema>> DescribeAsync(ValidationDataset dataset)
        {
            Queries.Add(new IssuedQuery(QueryPurpose.Schema, dataset.Name, $"DESCRIBE {dataset.Relation}"));
            return await engine.DescribeAsync(dataset.Relation, cancellationToken);
        }

        private async Task<DatasetScan> ReferenceAsync(string alias)
        {
            if (_scans.TryGetValue("ref:" + alias, out var scan))
            {
                return scan;
            }

            var dataset = references.FirstOrDefault(r => r.Key.Equals(alias, StringComparison.OrdinalIgnoreCase)).Value
                ?? throw new UnsupportedRuleException($"The reference dataset \"{alias}\" is not given; pass --reference={alias}=<dataset>");
            scan = new DatasetScan(dataset) { Schema = await DescribeAsync(dataset) };
            _scans["ref:" + alias] = scan;
            return scan;
        }

        // ----- Columns --------------------------------------------------------------------

        /// <summary>The SQL of a column (case-insensitive as in Spark; a.b reaches into a struct), or null when the dataset has none.</summary>
        private string? Column(DatasetScan scan, string name)
        {
            var exact = scan.Schema.FirstOrDefault(c => c.Name == name) ?? scan.Schema.FirstOrDefault(c => c.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (exact is not null)
            {
                return Dialect.Identifier(exact.Name);
            }

            var parts = name.Split('.');
            if (parts.Length > 1 && scan.Schema.FirstOrDefault(c => c.Name.Equals(parts[0], StringComparison.OrdinalIgnoreCase)) is { } root && root.Type.StartsWith("STRUCT", StringComparison.OrdinalIgnoreCase))
            {
                return string.Join(".", parts.Select((p, i) => Dialect.Identifier(i == 0 ? root.Name : p)));
            }

            return null;
        }

        private static bool IsNumeric(DatasetScan scan, string column)
        {
            var type = scan.Schema.FirstOrDefault(c => c.Name.Equals(column.Trim('"', '`'), StringComparison.OrdinalIgnoreCase))?.Type.ToUpperInvariant() ?? string.Empty;
            return NumericType().IsMatch(type);
        }

        private static bool IsText(DatasetScan scan, string column)
        {
            var type = scan.Schema.FirstOrDefault(c => c.Name.Equals(column.Trim('"', '`'), StringComparison.OrdinalIgnoreCase))?.Type.ToUpperInvariant() ?? string.Empty;
            return type.Contains("CHAR", StringComparison.Ordinal) || type.Contains("TEXT", StringComparison.Ordinal) || type == "STRING";
        }

        /// <summary>
        /// A column as DISTINCT compares it: numbers and times natively (a value has one text per
        /// type, and native comparison is cheaper), text exactly, anything else by its text.
        /// </summary>
        private string DistinctKey(DatasetScan scan, string column) =>
            IsNumeric(scan, column) || TemporalKind(scan, column) is not null ? column
            : IsText(scan, column) ? Dialect.ExactText(column)
            : Dialect.ExactText(Dialect.ToText(column));

        /// <summary>DATE for a date column, TIMESTAMP for a timestamp or datetime column (with or without zone), else null.</summary>
        private static string? TemporalKind(DatasetScan scan, string column)
        {
            var type = scan.Schema.FirstOrDefault(c => c.Name.Equals(column.Trim('"', '`'), StringComparison.OrdinalIgnoreCase))?.Type.ToUpperInvariant() ?? string.Empty;
            return type == "DATE" ? "DATE" : TemporalType().IsMatch(type) ? "TIMESTAMP" : null;
        }

        /// <summary>A column as a date: a plain cast when it is already temporal (cheap, and the engine's own), else the safe parse of text.</summary>
        private string AsDate(DatasetScan scan, string column) => TemporalKind(scan, column) switch
        {
            "DATE" => column,
            "TIMESTAMP" => $"CAST({column} AS DATE)",
            _ => Dialect.SafeToDate(column),
        };

        /// <summary>A column as a timestamp, likewise.</summary>
        private string AsTimestamp(DatasetScan scan, string column) => TemporalKind(scan, column) switch
        {
            "TIMESTAMP" => column,
            "DATE" => $"CAST({column} AS TIMESTAMP)",
            _ => Dialect.SafeToTimestamp(column),
        };

        [GeneratedRegex(@"^(DATETIME|TIMESTAMP)", RegexOptions.CultureInvariant)]
        private static partial Regex TemporalType();

        [GeneratedRegex(@"^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|REAL|DOUBLE|DECIMAL.*|NUMERIC.*|INT2|INT4|INT8|FLOAT4|FLOAT8|DOUBLE PRECISION|MEDIUMINT)( UNSIGNED)?$", RegexOptions.CultureInvariant)]
        private static partial Regex NumericType();

        private static Leaf MissingColumn(string name) => Leaf.Fail($"Column \"{name}\" does not exist in the dataset");

        private string Rows(string? where) => where is null ? "COUNT(*)" : Dialect.CountIf($"({where})");

        private string CountIf(string? where, string predicate) => Dialect.CountIf(where is null ? predicate : $"({where}) AND ({predicate})");

        /// <summary>The non-NULL values of a column (COUNT(column) skips NULLs without a filter per row).</summary>
        private static string NonNull(string? where, string column) => $"COUNT({Filter(where, column)})";

        private static string Filter(string? where, string expression) => where is null ? expression : $"CASE WHEN ({where}) THEN {expression} END";

        // ----- Planning -------------------------------------------------------------------

        /// <summary>Registers what a rule needs and returns how to decide it once the queries ran.</summary>
        public Func<Task<Leaf>> Plan(SimpleRule rule)
        {
            try
            {
                if (!rule.Type.Supported)
                {
                    var why = rule.Type.Name == "DetectAnomalies"
                        ? "it compares with the metrics of earlier runs, and this engine keeps no history"
                        : "it checks S3 files, not a dataset";
                    return () => Task.FromResult(Leaf.Error($"{rule.Type.Name} is not supported by this engine: {why}"));
                }

                if (rule.Condition is NumberCondition condition)
                {
                    _ = condition.Operands.Select(MetricConditions.Evaluate).ToArray();
                }

                return rule.Type.Name switch
                {
                    "RowCount" => Metric(rule, Rows(rule.Where), "Dataset.*.RowCount"),
                    "Completeness" or "IsComplete" => Completeness(rule),
                    "Mean" => ColumnMetric(rule, "Mean", c => $"AVG({Filter(rule.Where, Dialect.ToDouble(c))})", countNonNull: true),
                    "Sum" => ColumnMetric(rule, "Sum", c => $"SUM({Filter(rule.Where, Dialect.ToDouble(c))})", countNonNull: true),
                    "StandardDeviation" => ColumnMetric(rule, "StandardDeviation", c => Dialect.StdDevPop(Filter(rule.Where, c)), countNonNull: true),
                    "Variance" => ColumnMetric(rule, "Variance", c => Dialect.VarPop(Filter(rule.Where, c)), countNonNull: true),
                    "Range" => ColumnMetric(rule, "Range", c => $"(MAX({Filter(rule.Where, Dialect.ToDouble(c))}) - MIN({Filter(rule.Where, Dialect.ToDouble(c))}))", countNonNull: true),
                    "DistinctValuesCount" => ColumnMetric(rule, "DistinctValuesCount", c => $"(COUNT(DISTINCT {Filter(rule.Where, DistinctKey(Primary, c))}) + CASE WHEN COUNT({Filter(rule.Where, c)}) < {Rows(rule.Where)} THEN 1 ELSE 0 END)", countNonNull: false),
                    "ColumnCorrelation" => Correlation(rule),
                    "Uniqueness" or "IsUnique" or "UniqueValueRatio" or "Entropy" => Frequencies(rule),
                    "IsPrimaryKey" => PrimaryKey(rule),
                    "ColumnValues" => ColumnValues(rule),
                    "ColumnLength" => ColumnLength(rule),
                    "DataFreshness" => DataFreshness(rule),
                    "ColumnDataType" => ColumnDataType(rule),
                    "ColumnCount" => Decide(rule, Primary.Schema.Count, "Dataset.*.ColumnCount"),
                    "ColumnExists" => ColumnExists(rule),
                    "ColumnNamesMatchPattern" => ColumnNamesMatchPattern(rule),
                    "RowCountMatch" => RowCountMatch(rule),
                    "SchemaMatch" => SchemaMatch(rule),
                    "AggregateMatch" => AggregateMatch(rule),
                    "ReferentialIntegrity" => ReferentialIntegrity(rule),
                    "DatasetMatch" => DatasetMatch(rule),
                    "CustomSql" => CustomSql(rule),
                    _ => () => Task.FromResult(Leaf.Error($"{rule.Type.Name} is not supported by this engine")),
                };
            }
            catch (UnsupportedRuleException ex)
            {
                return () => Task.FromResult(Leaf.Error(ex.Message));
            }
        }

        /// <summary>A rule decided by one metric from the primary aggregate scan.</summary>
        private Func<Task<Leaf>> Metric(SimpleRule rule, string expression, string key)
        {
            var alias = Primary.Add(expression, rule.Text);
            return () => Task.FromResult(Primary.Failure(alias) is { } failure
                ? Leaf.Error(failure)
                : DecideNow(rule, Primary.Number(alias), key));
        }

        private static Func<Task<Leaf>> Decide(SimpleRule rule, double? value, string key) => () => Task.FromResult(DecideNow(rule, value, key));

        /// <summary>Applies the rule's numeric condition to a metric (Glue's "Value: x does not meet the constraint requirement!").</summary>
        private static Leaf DecideNow(SimpleRule rule, double? value, string key, Dictionary<string, double>? more = null)
        {
            var metrics = more ?? new Dictionary<string, double>(StringComparer.Ordinal);
            if (value is { } v)
            {
                metrics[key] = v;
            }

            var condition = (NumberCondition)rule.Condition!;
            if (MetricConditions.Holds(condition, value))
            {
                return new Leaf(RuleOutcome.Passed, null, metrics);
            }

            var shown = value is null || double.IsNaN(value.Value) ? "NaN (no non-NULL values to measure)" : Format(value.Value);
            return Leaf.Fail($"Value: {shown} does not meet the constraint requirement! ({MetricConditions.Describe(condition)})", metrics);
        }

        private static string Format(double value) => value.ToString("0.################", CultureInfo.InvariantCulture);

        private static string Percent(double passed, double rows) => (rows == 0 ? 100 : passed / rows * 100).ToString("0.00", CultureInfo.InvariantCulture);

        private Func<Task<Leaf>> ColumnMetric(SimpleRule rule, string name, Func<string, string> expression, bool countNonNull)
        {
            var column = Column(Primary, rule.Arguments[0]);
            if (column is null)
            {
                return () => Task.FromResult(MissingColumn(rule.Arguments[0]));
            }

            // AVG, SUM, STDDEV_POP, VAR_POP, MAX - MIN are NULL exactly when every value is NULL: no COUNT needed.
            var alias = Primary.Add(expression(column), rule.Text);
            var key = $"Column.{rule.Arguments[0]}.{name}";
            return () =>
            {
                if (Primary.Failure(alias) is { } failure)
                {
                    return Task.FromResult(Leaf.Error(failure));
                }

                if (countNonNull && Primary.Number(alias) is null)
                {
                    return Task.FromResult(Leaf.Fail($"All values of \"{rule.Arguments[0]}\" are NULL{(rule.Where is null ? string.Empty : " where " + rule.Where)}, so there is no {name} to check"));
                }

                return Task.FromResult(DecideNow(rule, Primary.Number(alias), key));
            };
        }

        private Func<Task<Leaf>> Completeness(SimpleRule rule)
        {
            var column = Column(Primary, rule.Arguments[0]);
            if (column is null)
            {
                return () => Task.FromResult(MissingColumn(rule.Arguments[0]));
            }

            // Deequ Completeness: non-NULL rows / rows (NULL rows count in the denominator).
            var rows = Primary.Add(Rows(rule.Where), rule.Text);
            var complete = Primary.Add(NonNull(rule.Where, column), rule.Text);
            var key = $"Column.{rule.Arguments[0]}.Completeness";
            return () =>
            {
                if ((Primary.Failure(complete) ?? Primary.Failure(rows)) is { } failure)
                {
                    return Task.FromResult(Leaf.Error(failure));
                }

                var n = Primary.Number(rows) ?? 0;
                var ratio = n == 0 ? double.NaN : (Primary.Number(complete) ?? 0) / n;
                if (rule.Type.Name == "Completeness")
                {
                    return Task.FromResult(DecideNow(rule, ratio, key) with { SampleQuery = Sample(rule.Where, $"{column} IS NOT NULL") });
                }

                var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { [key] = ratio };
                return Task.FromResult(ratio == 1.0
                    ? new Leaf(RuleOutcome.Passed, null, metrics)
                    : Leaf.Fail(n == 0 ? "The dataset has no rows to check" : $"Value: {Format(ratio)} does not meet the constraint requirement! ({Format(n - (Primary.Number(complete) ?? 0))} of {Format(n)} rows are NULL)", metrics) with { SampleQuery = Sample(rule.Where, $"{column} IS NOT NULL") });
            };
        }

        private Func<Task<Leaf>> Correlation(SimpleRule rule)
        {
            var x = Column(Primary, rule.Arguments[0]);
            var y = Column(Primary, rule.Arguments[1]);
            if (x is null || y is null)
            {
                return () => Task.FromResult(MissingColumn(x is null ? rule.Arguments[0] : rule.Arguments[1]));
            }

            return Metric(rule, Dialect.Correlation(Filter(rule.Where, x), Filter(rule.Where, y)), $"Multicolumn.{rule.Arguments[0]},{rule.Arguments[1]}.ColumnCorrelation");
        }

        // ----- Frequencies (one GROUP BY per key set) -------------------------------------

        private Grouping? GroupingFor(SimpleRule rule, out string? missing)
        {
            missing = null;
            var columns = new List<string>();
            foreach (var name in rule.Arguments)
            {
                if (Column(Primary, name) is not { } column)
                {
                    missing = name;
                    return null;
                }

                columns.Add(column);
            }

            var key = (string.Join(",", columns), rule.Where);
            if (!Primary.Groupings.TryGetValue(key, out var grouping))
            {
                grouping = new Grouping([.. columns], rule.Where) { Keys = columns.Select(c => IsText(Primary, c) ? Dialect.ExactText(c) : c).ToArray() };
                Primary.Groupings[key] = grouping;
            }

            return grouping;
        }

        private Func<Task<Leaf>> Frequencies(SimpleRule rule)
        {
            var grouping = GroupingFor(rule, out var missing);
            if (grouping is null)
            {
                return () => Task.FromResult(MissingColumn(missing!));
            }

            var entity = rule.Arguments.Count == 1 ? $"Column.{rule.Arguments[0]}" : $"Multicolumn.{string.Join(",", rule.Arguments)}";
            grouping.Entropy |= rule.Type.Name == "Entropy";
            return () =>
            {
                if (grouping.Failure is { } failure)
                {
                    return Task.FromResult(Leaf.Error(failure));
                }

                // Deequ (GroupingAnalyzers): rows whose key columns are all NULL are left out of both counts.
                var n = grouping.Rows;
                var uniqueness = n == 0 ? double.NaN : grouping.Singletons / n;
                return Task.FromResult(rule.Type.Name switch
                {
                    "Uniqueness" => DecideNow(rule, uniqueness, $"{entity}.Uniqueness"),
                    "IsUnique" => uniqueness == 1.0 || n == 0
                        ? new Leaf(RuleOutcome.Passed, null, new() { [$"{entity}.Uniqueness"] = n == 0 ? 1.0 : uniqueness })
                        : Leaf.Fail($"Value: {Format(uniqueness)} does not meet the constraint requirement! ({Format(n - grouping.Singletons)} of {Format(n)} non-NULL rows share their value with another row)", new() { [$"{entity}.Uniqueness"] = uniqueness }) with { SampleQuery = DuplicatesSample(grouping) },
                    "UniqueValueRatio" => DecideNow(rule, grouping.Groups == 0 ? double.NaN : grouping.Singletons / grouping.Groups, $"{entity}.UniqueValueRatio"),
                    _ => DecideNow(rule, n == 0 ? double.NaN : Math.Log(n) - (grouping.CLnC / n), $"{entity}.Entropy"),
                });
            };
        }

        private Func<Task<Leaf>> PrimaryKey(SimpleRule rule)
        {
            var grouping = GroupingFor(rule, out var missing);
            if (grouping is null)
            {
                return () => Task.FromResult(MissingColumn(missing!));
            }

            var rows = Primary.Add(Rows(rule.Where), rule.Text);
            var complete = rule.Arguments.Select(a => (Name: a, Alias: Primary.Add(NonNull(rule.Where, Column(Primary, a)!), rule.Text))).ToArray();
            var entity = rule.Arguments.Count == 1 ? $"Column.{rule.Arguments[0]}" : $"Multicolumn.{string.Join(",", rule.Arguments)}";
            return () =>
            {
                if ((grouping.Failure ?? Primary.Failure(rows)) is { } failure)
                {
                    return Task.FromResult(Leaf.Error(failure));
                }

                var n = Primary.Number(rows) ?? 0;
                var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
                var uniqueness = grouping.Rows == 0 ? 1.0 : grouping.Singletons / grouping.Rows;
                metrics[$"{entity}.Uniqueness"] = uniqueness;
                var reasons = new List<string>();
                foreach (var (name, alias) in complete)
                {
                    var ratio = n == 0 ? 1.0 : (Primary.Number(alias) ?? 0) / n;
                    metrics[$"Column.{name}.Completeness"] = ratio;
                    if (ratio != 1.0)
                    {
                        reasons.Add($"\"{name}\" has NULL values (completeness {Format(ratio)})");
                    }
                }

                if (uniqueness != 1.0)
                {
                    reasons.Add($"{Format(grouping.Rows - grouping.Singletons)} rows share their key with another row (uniqueness {Format(uniqueness)})");
                }

                return Task.FromResult(reasons.Count == 0
                    ? new Leaf(RuleOutcome.Passed, null, metrics)
                    : Leaf.Fail("Not a primary key: " + string.Join("; ", reasons), metrics) with { SampleQuery = uniqueness != 1.0 ? DuplicatesSample(grouping) : null });
            };
        }

        // ----- Row-level rules --------------------------------------------------------------

        private Func<Task<Leaf>> RowLevel(SimpleRule rule, string predicate, string complianceKey, Dictionary<string, string>? extra = null)
        {
            var rows = Primary.Add(Rows(rule.Where), rule.Text);
            var passed = Primary.Add(CountIf(rule.Where, predicate), rule.Text);
            return () =>
            {
                if ((Primary.Failure(passed) ?? Primary.Failure(rows)) is { } failure)
                {
                    return Task.FromResult(Leaf.Error(failure));
                }

                var n = Primary.Number(rows) ?? 0;
                var ok = Primary.Number(passed) ?? 0;
                var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
                foreach (var (key, alias) in extra ?? [])
                {
                    if (Primary.Number(alias) is { } value)
                    {
                        metrics[key] = value;
                    }
                }

                if (n == 0)
                {
                    metrics[complianceKey] = 1.0;
                    return Task.FromResult(new Leaf(RuleOutcome.Passed, rule.Where is null ? "The dataset has no rows" : "No rows matched the filter", metrics));
                }

                var compliance = ok / n;
                metrics[complianceKey] = compliance;
                var sample = Sample(rule.Where, predicate);
                if (rule.Threshold is { } threshold)
                {
                    return Task.FromResult(MetricConditions.Holds(threshold, compliance)
                        ? new Leaf(RuleOutcome.Passed, null, metrics)
                        : Leaf.Fail($"Value: {Format(compliance)} does not meet the constraint requirement! ({Percent(ok, n)} % of rows passed; the threshold is {MetricConditions.Describe(threshold)})", metrics) with { SampleQuery = sample });
                }

                return Task.FromResult(ok == n
                    ? new Leaf(RuleOutcome.Passed, null, metrics)
                    : Leaf.Fail($"{Percent(ok, n)} % of rows passed ({Format(ok)} of {Format(n)}); every row must pass{NullHint(rule)}", metrics) with { SampleQuery = sample });
            };
        }

        private static string NullHint(SimpleRule rule) =>
            rule.Type.Name == "ColumnValues" && rule.Condition?.Operator is not (ConditionOperator.NotEqual or ConditionOperator.NotIn or ConditionOperator.NotBetween)
                ? " (NULL rows fail this rule)"
                : string.Empty;

        private Func<Task<Leaf>> ColumnValues(SimpleRule rule)
        {
            var name = rule.Arguments[0];
            var column = Column(Primary, name);
            if (column is null)
            {
                return () => Task.FromResult(MissingColumn(name));
            }

            var predicates = new RowPredicates(Dialect, _now);
            var key = $"Column.{name}.ColumnValues.Compliance";
            switch (rule.Condition)
            {
                case NumberCondition number:
                {
                    var value = IsNumeric(Primary, column) ? column : Dialect.SafeToDouble(column);
                    var extra = new Dictionary<string, string>(StringComparer.Ordinal);
                    // Glue's metrics (ColumnValuesRule): > and >= report the minimum, < and <= the maximum, = both.
                    if (number.Operator is ConditionOperator.Greater or ConditionOperator.GreaterOrEqual or ConditionOperator.Equal)
                    {
                        extra[$"Column.{name}.Minimum"] = Primary.Add($"MIN({Filter(rule.Where, value)})", rule.Text);
                    }

                    if (number.Operator is ConditionOperator.Less or ConditionOperator.LessOrEqual or ConditionOperator.Equal)
                    {
                        extra[$"Column.{name}.Maximum"] = Primary.Add($"MAX({Filter(rule.Where, value)})", rule.Text);
                    }

                    return RowLevel(rule, predicates.Number(column, value, number), key, extra);
                }

                case StringCondition text:
                    return RowLevel(rule, predicates.String(IsText(Primary, column) ? column : Dialect.ToText(column), text), key);
                case DateCondition date:
                    return RowLevel(rule, TemporalKind(Primary, column) == "TIMESTAMP" ? predicates.DateOfTimestamp(column, AsDate(Primary, column), date) : predicates.Date(column, AsDate(Primary, column), date), key);
                default:
                    throw new UnsupportedRuleException("ColumnValues needs a condition");
            }
        }

        private Func<Task<Leaf>> ColumnLength(SimpleRule rule)
        {
            var name = rule.Arguments[0];
            var column = Column(Primary, name);
            if (column is null)
            {
                return () => Task.FromResult(MissingColumn(name));
            }

            // Deequ's ColumnLength reads NULL as the empty string: length 0.
            var length = $"COALESCE({Dialect.Length(IsText(Primary, column) ? column : Dialect.ToText(column))}, 0)";
            // Glue's metrics (ColumnLengthRule): > and >= report the minimum length, < and <= the maximum, the others both.
            var condition = (NumberCondition)rule.Condition!;
            var extra = new Dictionary<string, string>(StringComparer.Ordinal);
            if (condition.Operator is not (ConditionOperator.Less or ConditionOperator.LessOrEqual))
            {
                extra[$"Column.{name}.MinimumLength"] = Primary.Add($"MIN({Filter(rule.Where, length)})", rule.Text);
            }

            if (condition.Operator is not (ConditionOperator.Greater or ConditionOperator.GreaterOrEqual))
            {
                extra[$"Column.{name}.MaximumLength"] = Primary.Add($"MAX({Filter(rule.Where, length)})", rule.Text);
            }

            return RowLevel(rule, new RowPredicates(Dialect, _now).Length(length, condition), $"Column.{name}.LengthCompliance", extra);
        }

        private Func<Task<Leaf>> DataFreshness(SimpleRule rule)
        {
            var name = rule.Arguments[0];
            var column = Column(Primary, name);
            if (column is null)
            {
                return () => Task.FromResult(MissingColumn(name));
            }

            var age = Dialect.HoursBetween(AsTimestamp(Primary, column), Now);
            return RowLevel(rule, new RowPredicates(Dialect, _now).Age(age, (DurationCondition)rule.Condition!), $"Column.{name}.DataFreshness.Compliance");
        }

        private Func<Task<Leaf>> ColumnDataType(SimpleRule rule)
        {
            var name = rule.Arguments[0];
            var column = Column(Primary, name);
            if (column is null)
            {
                return () => Task.FromResult(MissingColumn(name));
            }

            var condition = (StringCondition)rule.Condition!;
            var type = ((StringValue)condition.Operands[0]).Value;
            var castable = Dialect.Castable(column, type);
            var predicate = condition.Operator == ConditionOperator.Equal ? castable : $"NOT COALESCE({castable}, FALSE)";
            return RowLevel(rule, predicate, $"Column.{name}.ColumnDataType.Compliance");
        }

        // ----- Schema rules ---------------------------------------------------------------

        private Func<Task<Leaf>> ColumnExists(SimpleRule rule)
        {
            var exists = Column(Primary, rule.Arguments[0]) is not null;
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { [$"Dataset.{rule.Arguments[0]}.ColumnExists"] = exists ? 1 : 0 };
            return () => Task.FromResult(exists ? new Leaf(RuleOutcome.Passed, null, metrics) : Leaf.Fail($"Column \"{rule.Arguments[0]}\" does not exist in the dataset", metrics));
        }

        private Func<Task<Leaf>> ColumnNamesMatchPattern(SimpleRule rule)
        {
            Regex pattern;
            try
            {
                pattern = new Regex(rule.Arguments[0], RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                return () => Task.FromResult(Leaf.Error($"The pattern is not a valid regular expression: {ex.Message}"));
            }

            // As Deequ: a name matches when the pattern is found in it (not a full match).
            var names = Primary.Schema.Select(c => c.Name).ToArray();
            var failing = names.Where(n => !pattern.IsMatch(n)).ToArray();
            var ratio = names.Length == 0 ? 1.0 : (double)(names.Length - failing.Length) / names.Length;
            var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["Dataset.*.ColumnNamesPatternMatchRatio"] = ratio };
            return () => Task.FromResult(failing.Length == 0
                ? new Leaf(RuleOutcome.Passed, null, metrics)
                : Leaf.Fail($"Columns that do not match the pattern: {string.Join(", ", failing)}", metrics));
        }

        // ----- Reference rules ------------------------------------------------------------

        private Func<Task<Leaf>> RowCountMatch(SimpleRule rule)
        {
            var own = Primary.Add("COUNT(*)", rule.Text);
            var alias = rule.Arguments[0];
            return async () =>
            {
                var reference = await ReferenceAsync(alias);
                var result = await QueryAsync(QueryPurpose.Aggregate, reference.Dataset.Name, $"SELECT COUNT(*) AS n FROM {reference.Dataset.Relation}");
                var theirs = (DbValues.ToDouble(result.Scalar("n")) ?? 0);
                var ratio = theirs == 0 ? (Primary.Number(own) == 0 ? 1.0 : 0.0) : (Primary.Number(own) ?? 0) / theirs;
                return DecideNow(rule, ratio, $"Dataset.{alias}.RowCountMatch");
            };
        }

        private Func<Task<Leaf>> SchemaMatch(SimpleRule rule)
        {
            var alias = rule.Arguments[0];
            return async () =>
            {
                var reference = await ReferenceAsync(alias);
                var mine = Primary.Schema.ToDictionary(c => c.Name.ToLowerInvariant(), c => NormalizeType(c.Type));
                var theirs = reference.Schema.ToDictionary(c => c.Name.ToLowerInvariant(), c => NormalizeType(c.Type));
                var ratio = mine.Count == 0 || theirs.Count == 0 || mine.Count != theirs.Count
                    ? 0.0
                    : (double)mine.Count(c => theirs.TryGetValue(c.Key, out var t) && t == c.Value) / mine.Count;
                return DecideNow(rule, ratio, $"Dataset.{alias}.SchemaMatch");
            };
        }

        private static string NormalizeType(string type)
        {
            var t = type.ToUpperInvariant();
            return t switch
            {
                "INT4" or "INT" or "INTEGER" => "INTEGER",
                "INT8" or "BIGINT" => "BIGINT",
                "FLOAT8" or "DOUBLE" or "DOUBLE PRECISION" => "DOUBLE",
                "TEXT" or "VARCHAR" or "STRING" => "VARCHAR",
                _ when t.StartsWith("VARCHAR", StringComparison.Ordinal) || t.StartsWith("CHARACTER VARYING", StringComparison.Ordinal) => "VARCHAR",
                _ => t,
            };
        }

        private Func<Task<Leaf>> AggregateMatch(SimpleRule rule)
        {
            var first = ParseAggregate(rule.Arguments[0]);
            var second = ParseAggregate(rule.Arguments[1]);
            return async () =>
            {
                var a = await AggregateAsync(first);
                var b = await AggregateAsync(second);
                if ((a.Error ?? b.Error) is { } error)
                {
                    return Leaf.Error(error);
                }

                // Deequ's AggregateMatch: a / b, 1 when both are 0, 0 when only b is.
                var ratio = a.Value == 0 && b.Value == 0 ? 1.0 : b.Value == 0 ? 0.0 : a.Value / b.Value;
                var leaf = DecideNow(rule, ratio, $"Column.{first.Column}.AggregateMatch");
                return leaf;
            };
        }

        private static (string Function, string Alias, string Column) ParseAggregate(string text)
        {
            var match = Regex.Match(text.Trim(), @"^(sum|avg|SUM|AVG)\s*\((.+)\)$", RegexOptions.CultureInvariant);
            var inner = match.Groups[2].Value.Trim().Trim('`', '"');
            var dot = inner.LastIndexOf('.');
            return (match.Groups[1].Value.ToUpperInvariant(), dot < 0 ? "primary" : inner[..dot], dot < 0 ? inner : inner[(dot + 1)..]);
        }

        private async Task<(double Value, string? Error)> AggregateAsync((string Function, string Alias, string Column) aggregate)
        {
            var scan = aggregate.Alias.Equals("primary", StringComparison.OrdinalIgnoreCase) ? Primary : await ReferenceAsync(aggregate.Alias);
            if (Column(scan, aggregate.Column) is not { } column)
            {
                return (0, $"Column \"{aggregate.Column}\" does not exist in {scan.Dataset.Name}");
            }

            var result = await QueryAsync(QueryPurpose.Aggregate, scan.Dataset.Name, $"SELECT {aggregate.Function}({Dialect.ToDouble(column)}) AS v FROM {scan.Dataset.Relation}");
            return (result.Scalar("v") is { } v ? (DbValues.ToDouble(v) ?? 0) : 0, null);
        }

        private Func<Task<Leaf>> ReferentialIntegrity(SimpleRule rule)
        {
            var primaryColumns = rule.Arguments[0].Split(',').Select(c => c.Trim()).ToArray();
            var match = Regex.Match(rule.Arguments[1], @"^(.+)\.\{(.+)\}$|^(.+)\.([^.]+)$", RegexOptions.CultureInvariant);
            var alias = match.Groups[1].Success ? match.Groups[1].Value : match.Groups[3].Value;
            var referenceColumns = (match.Groups[2].Success ? match.Groups[2].Value : match.Groups[4].Value).Split(',').Select(c => c.Trim()).ToArray();
            return async () =>
            {
                if (primaryColumns.Length != referenceColumns.Length)
                {
                    return Leaf.Error($"ReferentialIntegrity compares {primaryColumns.Length} column(s) with {referenceColumns.Length}; the numbers must be equal");
                }

                var reference = await ReferenceAsync(alias);
                var mine = primaryColumns.Select(c => Column(Primary, c)).ToArray();
                var theirs = referenceColumns.Select(c => Column(reference, c)).ToArray();
                if (Array.FindIndex(mine, m => m is null) is var i and >= 0)
                {
                    return MissingColumn(primaryColumns[i]);
                }

                if (Array.FindIndex(theirs, t => t is null) is var j and >= 0)
                {
                    return Leaf.Fail($"Column \"{referenceColumns[j]}\" does not exist in {reference.Dataset.Name}");
                }

                // Deequ's subset check: a primary row passes when its key is in the reference (plain =, so NULL keys fail).
                var keys = string.Join(", ", theirs.Select((t, k) => $"{t} AS k{k}"));
                var on = string.Join(" AND ", mine.Select((m, k) => $"p.{m} = r.k{k}"));
                var sql = $"SELECT COUNT(*) AS total, COUNT(r.dq_found) AS found FROM {Primary.Dataset.Relation} p LEFT JOIN (SELECT DISTINCT {keys}, 1 AS dq_found FROM {reference.Dataset.Relation}) r ON {on}";
                var result = await QueryAsync(QueryPurpose.Reference, Primary.Dataset.Name, sql);
                var total = (DbValues.ToDouble(result.Scalar("total")) ?? 0);
                var found = (DbValues.ToDouble(result.Scalar("found")) ?? 0);
                if (total == 0)
                {
                    return Leaf.Fail("The dataset has no rows");
                }

                var leaf = DecideNow(rule, found / total, $"Column.{alias}.ReferentialIntegrity");
                return leaf.Outcome == RuleOutcome.Failed
                    ? leaf with { SampleQuery = $"SELECT p.* FROM {Primary.Dataset.Relation} p LEFT JOIN (SELECT DISTINCT {keys}, 1 AS dq_found FROM {reference.Dataset.Relation}) r ON {on} WHERE r.dq_found IS NULL" }
                    : leaf;
            };
        }

        private Func<Task<Leaf>> DatasetMatch(SimpleRule rule)
        {
            var alias = rule.Arguments[0];
            static (string Mine, string Theirs)[] Mappings(string text) =>
                text.Split(',').Select(p => p.Split("->")).Select(p => (p[0].Trim(), (p.Length > 1 ? p[1] : p[0]).Trim())).ToArray();
            var keyMap = Mappings(rule.Arguments[1]);
            return async () =>
            {
                var reference = await ReferenceAsync(alias);
                var keys = keyMap.Select(k => (Mine: Column(Primary, k.Mine), Theirs: Column(reference, k.Theirs), k)).ToArray();
                if (keys.FirstOrDefault(k => k.Mine is null || k.Theirs is null) is { k: var bad } && bad != default)
                {
                    return Leaf.Fail($"Key column \"{bad.Mine}\" or \"{bad.Theirs}\" does not exist");
                }

                var matchMap = rule.Arguments.Count > 2
                    ? Mappings(rule.Arguments[2])
                    : Primary.Schema.Select(c => c.Name).Where(n => !keyMap.Any(k => k.Mine.Equals(n, StringComparison.OrdinalIgnoreCase))).Select(n => (n, n)).ToArray();
                var compare = matchMap.Select(m => (Mine: Column(Primary, m.Item1), Theirs: Column(reference, m.Item2), m)).ToArray();
                if (compare.FirstOrDefault(c => c.Mine is null || c.Theirs is null) is { m: var missing } && missing != default)
                {
                    return Leaf.Fail($"Column \"{missing.Item1}\" cannot be compared: it is missing in {(Column(Primary, missing.Item1) is null ? primary.Name : reference.Dataset.Name)}");
                }

                var mineKeys = string.Join(", ", keys.Select(k => k.Mine));
                var theirKeys = string.Join(", ", keys.Select(k => k.Theirs));
                var duplicates = await QueryAsync(QueryPurpose.Reference, Primary.Dataset.Name,
                    $"SELECT (SELECT COUNT(*) FROM {Primary.Dataset.Relation}) AS p_rows, (SELECT COUNT(*) FROM (SELECT {mineKeys} FROM {Primary.Dataset.Relation} GROUP BY {mineKeys}) pk) AS p_keys, " +
                    $"(SELECT COUNT(*) FROM {reference.Dataset.Relation}) AS r_rows, (SELECT COUNT(*) FROM (SELECT {theirKeys} FROM {reference.Dataset.Relation} GROUP BY {theirKeys}) rk) AS r_keys");
                double N(string c) => (DbValues.ToDouble(duplicates.Scalar(c)) ?? 0);
                if (N("p_rows") == 0)
                {
                    return Leaf.Fail("The dataset has no rows");
                }

                if (N("p_rows") != N("p_keys") || N("r_rows") != N("r_keys"))
                {
                    return Leaf.Error("Provided key map not suitable for given data frames: the keys are not unique in " + (N("p_rows") != N("p_keys") ? primary.Name : reference.Dataset.Name));
                }

                var on = string.Join(" AND ", keys.Select(k => $"p.{k.Mine} = r.{k.Theirs}").Concat(compare.Select(c => Dialect.NullSafeEqual("p." + c.Mine, "r." + c.Theirs))));
                var result = await QueryAsync(QueryPurpose.Reference, Primary.Dataset.Name, $"SELECT COUNT(*) AS matched FROM {Primary.Dataset.Relation} p JOIN {reference.Dataset.Relation} r ON {on}");
                var matched = (DbValues.ToDouble(result.Scalar("matched")) ?? 0);
                return DecideNow(rule, matched / N("p_rows"), $"Dataset.{alias}.DatasetMatch");
            };
        }

        private Func<Task<Leaf>> CustomSql(SimpleRule rule)
        {
            var relations = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["primary"] = Primary.Dataset.Relation };
            foreach (var (alias, dataset) in references)
            {
                relations[alias] = dataset.Relation;
            }

            var sql = SqlRewriter.ReplaceDatasets(rule.Arguments[0].Trim().TrimEnd(';'), relations);
            if (rule.Condition is NumberCondition)
            {
                return async () =>
                {
                    QueryResult result;
                    try
                    {
                        result = await QueryAsync(QueryPurpose.CustomSql, Primary.Dataset.Name, sql);
                    }
                    catch (QueryFailedException ex)
                    {
                        return Leaf.Error($"The CustomSql statement failed: {ex.EngineMessage}");
                    }

                    if (result.Rows.Count != 1 || result.Columns.Count != 1 || DbValues.ToDouble(result.Rows[0][0]) is not { } value)
                    {
                        return Leaf.Error($"The CustomSql statement must return one number; it returned {result.Rows.Count} row(s) of {result.Columns.Count} column(s)");
                    }

                    return DecideNow(rule, value, "Dataset.*.CustomSQL");
                };
            }

            // Row-level form: the rows the statement returns pass; each primary row is matched on every returned column (NULL-safe).
            return async () =>
            {
                QueryResult shape;
                try
                {
                    shape = await QueryAsync(QueryPurpose.CustomSql, Primary.Dataset.Name, $"SELECT * FROM ({sql}) dq_shape WHERE 1 = 0");
                }
                catch (QueryFailedException ex)
                {
                    return Leaf.Error($"The CustomSql statement failed: {ex.EngineMessage}");
                }

                var columns = shape.Columns.Select(c => (Name: c, Sql: Column(Primary, c))).ToArray();
                if (columns.Length == 0 || columns.Any(c => c.Sql is null))
                {
                    return Leaf.Fail("The output from CustomSQL must contain at least one column, and only columns of the primary dataset (or write a condition, e.g. > 0, for a statement that returns a number)");
                }

                var matches = string.Join(" AND ", columns.Select(c => Dialect.NullSafeEqual("q." + Dialect.Identifier(c.Name), "p." + c.Sql)));
                var result = await QueryAsync(QueryPurpose.CustomSql, Primary.Dataset.Name,
                    $"SELECT COUNT(*) AS total, {Dialect.CountIf($"EXISTS (SELECT 1 FROM ({sql}) q WHERE {matches})")} AS passed FROM {Primary.Dataset.Relation} p");
                var total = (DbValues.ToDouble(result.Scalar("total")) ?? 0);
                var passed = result.Scalar("passed") is { } v ? (DbValues.ToDouble(v) ?? 0) : 0;
                if (total == 0)
                {
                    return Leaf.Fail("The dataset has no rows");
                }

                var ratio = passed / total;
                var metrics = new Dictionary<string, double>(StringComparer.Ordinal) { ["Dataset.*.CustomSQL.Compliance"] = ratio };
                var holds = rule.Threshold is { } threshold ? MetricConditions.Holds(threshold, ratio) : passed == total;
                var sample = $"SELECT p.* FROM {Primary.Dataset.Relation} p WHERE NOT EXISTS (SELECT 1 FROM ({sql}) q WHERE {matches})";
                return holds
                    ? new Leaf(RuleOutcome.Passed, null, metrics)
                    : Leaf.Fail($"{Percent(passed, total)} % of rows are returned by the statement{(rule.Threshold is { } t ? $"; the threshold is {MetricConditions.Describe(t)}" : "; every row must be")}", metrics) with { SampleQuery = sample };
            };
        }

        // ----- Execution --------------------------------------------------------------------

        /// <summary>Runs each dataset's aggregate scan once, then one query per grouping.</summary>
        public async Task ExecuteAsync()
        {
            foreach (var scan in _scans.Values.Where(s => s.Expressions.Count > 0))
            {
                await AggregateScanAsync(scan);
            }

            foreach (var scan in _scans.Values)
            {
                foreach (var grouping in scan.Groupings.Values)
                {
                    await GroupingAsync(scan, grouping);
                }
            }
        }

        private async Task AggregateScanAsync(DatasetScan scan)
        {
            var select = string.Join(", ", scan.Expressions.Select(e => $"{e.Value} AS {e.Key}"));
            try
            {
                var result = await QueryAsync(QueryPurpose.Aggregate, scan.Dataset.Name, $"SELECT {select} FROM {scan.Dataset.Relation}");
                foreach (var alias in scan.Expressions.Keys)
                {
                    scan.Values[alias] = result.Scalar(alias);
                }
            }
            catch (QueryFailedException)
            {
                // One bad expression (usually a where clause) must not sink the others: evaluate each alone.
                foreach (var (alias, expression) in scan.Expressions)
                {
                    try
                    {
                        var single = await QueryAsync(QueryPurpose.Aggregate, scan.Dataset.Name, $"SELECT {expression} AS {alias} FROM {scan.Dataset.Relation}");
                        scan.Values[alias] = single.Scalar(alias);
                    }
                    catch (QueryFailedException ex)
                    {
                        scan.Failures[alias] = $"The rule could not be evaluated (is the where clause valid SQL for {Dialect.Kind}?): {ex.EngineMessage}";
                    }
                }
            }
        }

        private async Task GroupingAsync(DatasetScan scan, Grouping grouping)
        {
            var groupBy = string.Join(", ", grouping.Keys);
            var anyNotNull = string.Join(" OR ", grouping.Columns.Select(c => $"{c} IS NOT NULL"));
            var where = grouping.Where is null ? $"({anyNotNull})" : $"({grouping.Where}) AND ({anyNotNull})";
            var entropy = grouping.Entropy ? $", COALESCE(SUM(dq_count * {Dialect.Ln(Dialect.ToDouble("dq_count"))}), 0) AS clnc" : string.Empty;
            var sql = $"SELECT {Dialect.CountIf("dq_count = 1")} AS singletons, COUNT(*) AS dq_groups, COALESCE(SUM(dq_count), 0) AS dq_rows{entropy} " +
                      $"FROM (SELECT COUNT(*) AS dq_count FROM {scan.Dataset.Relation} WHERE {where} GROUP BY {groupBy}) dq_frequencies";
            try
            {
                var result = await QueryAsync(QueryPurpose.Grouping, scan.Dataset.Name, sql);
                double N(string c) => (DbValues.ToDouble(result.Scalar(c) ?? 0) ?? 0);
                grouping.Singletons = N("singletons");
                grouping.Groups = N("dq_groups");
                grouping.Rows = N("dq_rows");
                grouping.CLnC = grouping.Entropy ? N("clnc") : 0;
            }
            catch (QueryFailedException ex)
            {
                grouping.Failure = $"The rule could not be evaluated (is the where clause valid SQL for {Dialect.Kind}?): {ex.EngineMessage}";
            }
        }

        private async Task<QueryResult> QueryAsync(QueryPurpose purpose, string dataset, string sql)
        {
            Queries.Add(new IssuedQuery(purpose, dataset, sql));
            return await engine.QueryAsync(sql, cancellationToken);
        }

        // ----- Samples --------------------------------------------------------------------

        private string Sample(string? where, string predicate) =>
            $"SELECT * FROM {Primary.Dataset.Relation} WHERE {(where is null ? string.Empty : $"({where}) AND ")}NOT COALESCE({predicate}, FALSE)";

        private string DuplicatesSample(Grouping grouping)
        {
            var columns = string.Join(", ", grouping.Columns.Select(c => $"MIN({c}) AS {c}"));
            var where = grouping.Where is null ? string.Empty : $"WHERE ({grouping.Where}) ";
            return $"SELECT {columns}, COUNT(*) AS occurrences FROM {Primary.Dataset.Relation} {where}GROUP BY {string.Join(", ", grouping.Keys)} HAVING COUNT(*) > 1";
        }

        /// <summary>Fetches a bounded sample of offending rows for every failing rule that has a sample query.</summary>
        public async Task SampleAsync(Dictionary<SimpleRule, Leaf> outcomes)
        {
            if (options.SampleSize <= 0)
            {
                return;
            }

            foreach (var leaf in outcomes.Values.Where(l => l.Outcome == RuleOutcome.Failed && l.SampleQuery is not null))
            {
                try
                {
                    var result = await QueryAsync(QueryPurpose.Sample, primary.Name, Dialect.Limit(leaf.SampleQuery!, options.SampleSize));
                    leaf.Samples = result.Rows
                        .Select(row => (IReadOnlyDictionary<string, object?>)result.Columns
                            .Select((c, i) => (c, Value: options.RedactSamples ? (object?)"***" : Plain(row[i])))
                            .ToDictionary(p => p.c, p => p.Value, StringComparer.Ordinal))
                        .ToArray();
                }
                catch (QueryFailedException)
                {
                    // A sample is a courtesy; the outcome stands without it.
                }
            }
        }

        /// <summary>Values as JSON-friendly types (engine-specific types become text).</summary>
        private static object? Plain(object? value) => value switch
        {
            null => null,
            string or bool or long or int or short or byte or double or float or decimal => value,
            DateTime dt => dt.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString(),
        };
    }
}
