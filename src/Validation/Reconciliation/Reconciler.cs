using System.Globalization;
using System.IO.Hashing;
using System.Numerics;
using System.Text;
using GluePipeline.Data;

namespace GluePipeline.Validation.Reconciliation;

/// <summary>How values are normalised before source and target are compared.</summary>
/// <param name="Columns">The source columns to compare (default: every source column).</param>
/// <param name="ColumnMap">Target column names where they differ from the source (source name to target name).</param>
/// <param name="Ignore">Source columns to leave out.</param>
/// <param name="SignificantDigits">Floating-point values are compared to this many significant digits.</param>
/// <param name="TimestampPrecision">Timestamps are truncated to this (default a millisecond).</param>
/// <param name="TrimTrailingSpaces">Trailing spaces do not count (CHAR(n) padding).</param>
public sealed record ReconciliationOptions(
    IReadOnlyList<string>? Columns = null,
    IReadOnlyDictionary<string, string>? ColumnMap = null,
    IReadOnlyList<string>? Ignore = null,
    int SignificantDigits = 12,
    TimeSpan? TimestampPrecision = null,
    bool TrimTrailingSpaces = true)
{
    /// <summary>The timestamp precision in effect.</summary>
    public TimeSpan Precision => TimestampPrecision ?? TimeSpan.FromMilliseconds(1);
}

/// <summary>What one column holds, after normalisation.</summary>
/// <param name="Name">The source column name.</param>
/// <param name="NonNull">Values that are not NULL.</param>
/// <param name="Sum">The sum of the numeric values, or null for non-numeric columns.</param>
/// <param name="Min">The smallest normalised value.</param>
/// <param name="Max">The largest normalised value.</param>
/// <param name="Checksum">An order-independent checksum of the values.</param>
public sealed record ColumnProfile(string Name, long NonNull, decimal? Sum, string? Min, string? Max, ulong Checksum);

/// <summary>What a dataset holds: rows, an order-independent checksum of all rows, and each column.</summary>
public sealed record DatasetProfile(string Name, long Rows, ulong Checksum, IReadOnlyList<ColumnProfile> Columns);

/// <summary>The comparison of a source and a target; <see cref="Differences"/> is empty when they hold the same data.</summary>
public sealed record ReconciliationResult(DatasetProfile Source, DatasetProfile Target, IReadOnlyList<string> Differences)
{
    /// <summary>Whether source and target hold the same rows.</summary>
    public bool Matches => Differences.Count == 0;
}

/// <summary>
/// Reconciles a source with a target across engines (DuckDB, PostgreSQL, MySQL, Athena): row
/// counts, per-column counts, sums, minimum and maximum, and an order-independent checksum of the
/// rows, after normalising types (decimal scale, floating-point noise, timestamp precision and
/// zone, trailing spaces) so that equal data compares equal and different data does not. Rows are
/// streamed; nothing is held beyond one row.
/// </summary>
public static class Reconciler
{
    /// <summary>Profiles a relation of an engine.</summary>
    public static async Task<DatasetProfile> ProfileAsync(IQueryEngine engine, string relation, IReadOnlyList<string>? columns, ReconciliationOptions options, CancellationToken cancellationToken)
    {
        var schema = await engine.DescribeAsync(relation, cancellationToken);
        var selected = columns ?? schema.Select(c => c.Name).ToArray();
        var types = selected.Select(c => schema.FirstOrDefault(s => s.Name.Equals(c, StringComparison.OrdinalIgnoreCase))?.Type
            ?? throw new InvalidOperationException($"{relation} has no column {c} (it has {string.Join(", ", schema.Select(s => s.Name))})")).ToArray();
        var sql = $"SELECT {string.Join(", ", selected.Select(c => engine.Dialect.Identifier(schema.First(s => s.Name.Equals(c, StringComparison.OrdinalIgnoreCase)).Name)))} FROM {relation}";

        var accumulators = selected.Select(c => new ColumnAccumulator(c)).ToArray();
        long rows = 0;
        ulong checksum = 0;
        var row = new StringBuilder();
        await foreach (var values in engine.StreamAsync(sql, cancellationToken))
        {
            rows++;
            row.Clear();
            for (var i = 0; i < values.Length; i++)
            {
                var normalised = Normalise(values[i], types[i], options);
                accumulators[i].Add(values[i], normalised);
                row.Append(normalised ?? "\u2400").Append('\u001f');
            }

            checksum = unchecked(checksum + Hash(row.ToString()));
        }

        return new DatasetProfile(relation, rows, checksum, accumulators.Select(a => a.ToProfile()).ToArray());
    }

    /// <summary>Compares a source with a target.</summary>
    public static async Task<ReconciliationResult> CompareAsync(IQueryEngine source, string sourceRelation, IQueryEngine target, string targetRelation, ReconciliationOptions? options, CancellationToken cancellationToken)
    {
        options ??= new ReconciliationOptions();
        var sourceSchema = await source.DescribeAsync(sourceRelation, cancellationToken);
        var sourceColumns = (options.Columns ?? sourceSchema.Select(c => c.Name).ToArray())
            .Where(c => options.Ignore?.Contains(c, StringComparer.OrdinalIgnoreCase) != true)
            .ToArray();
        var targetColumns = sourceColumns.Select(c => options.ColumnMap?.GetValueOrDefault(c) ?? c).ToArray();

        var a = await ProfileAsync(source, sourceRelation, sourceColumns, options, cancellationToken);
        var b = await ProfileAsync(target, targetRelation, targetColumns, options, cancellationToken);
        var differences = new List<string>();
        if (a.Rows != b.Rows)
        {
            differences.Add($"row count: source {a.Rows}, target {b.Rows}");
        }

        for (var i = 0; i < a.Columns.Count; i++)
        {
            var x = a.Columns[i];
            var y = b.Columns[i];
            var label = x.Name == targetColumns[i] ? x.Name : $"{x.Name} -> {targetColumns[i]}";
            if (x.NonNull != y.NonNull)
            {
                differences.Add($"{label}: non-NULL values: source {x.NonNull}, target {y.NonNull}");
            }

            if (x.Sum != y.Sum)
            {
                differences.Add($"{label}: sum: source {Show(x.Sum)}, target {Show(y.Sum)}");
            }

            if (x.Min != y.Min || x.Max != y.Max)
            {
                differences.Add($"{label}: range: source [{x.Min} .. {x.Max}], target [{y.Min} .. {y.Max}]");
            }

            if (x.Checksum != y.Checksum && x.NonNull == y.NonNull && x.Sum == y.Sum && x.Min == y.Min && x.Max == y.Max)
            {
                differences.Add($"{label}: the values differ (same count, sum and range, different checksum)");
            }
        }

        if (a.Checksum != b.Checksum && differences.Count == 0)
        {
            differences.Add("the rows differ (every column matches on its own, but values are combined into rows differently, e.g. swapped between rows)");
        }

        return new ReconciliationResult(a, b, differences);
    }

    private static string Show(decimal? value) => value is { } number ? Canonical(number) : "(not numeric)";

    /// <summary>The canonical text of a value, or null for NULL.</summary>
    public static string? Normalise(object? value, string type, ReconciliationOptions options)
    {
        var dateOnly = type.Contains("DATE", StringComparison.OrdinalIgnoreCase) && !type.Contains("TIME", StringComparison.OrdinalIgnoreCase);
        return value switch
        {
            null or DBNull => null,
            string s => options.TrimTrailingSpaces ? s.TrimEnd(' ') : s,
            bool b => b ? "true" : "false",
            sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger => Convert.ToString(value, CultureInfo.InvariantCulture),
            decimal m => Canonical(m),
            double d => Floating(d, options.SignificantDigits),
            float f => Floating(f, options.SignificantDigits),
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTime t when dateOnly => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTime t => Timestamp(t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc), options.Precision),
            DateTimeOffset o => Timestamp(o.UtcDateTime, options.Precision),
            TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture),
            TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
            Guid g => g.ToString("D"),
            byte[] bytes => Convert.ToHexStringLower(bytes),
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
    }

    private static string Canonical(decimal value) => (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    private static string Floating(double value, int digits)
    {
        if (!double.IsFinite(value))
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        var rounded = double.Parse(value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return Math.Abs(rounded) < 7.9e27 ? Canonical((decimal)rounded) : rounded.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string Timestamp(DateTime utc, TimeSpan precision)
    {
        var ticks = utc.Ticks - (utc.Ticks % Math.Max(1, precision.Ticks));
        return new DateTime(ticks, DateTimeKind.Utc).ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
    }

    private static ulong Hash(string text) => XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(text));

    private sealed class ColumnAccumulator(string name)
    {
        private long _nonNull;
        private decimal? _sum = 0;
        private string? _min;
        private string? _max;
        private decimal? _minNumber;
        private decimal? _maxNumber;
        private ulong _checksum;

        public void Add(object? raw, string? normalised)
        {
            if (normalised is null)
            {
                return;
            }

            _nonNull++;
            _checksum = unchecked(_checksum + Hash(normalised));
            if (_sum is not null && raw is not string && raw is not bool && decimal.TryParse(normalised, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                _sum += number;
                if (_minNumber is null || number < _minNumber)
                {
                    _minNumber = number;
                    _min = normalised;
                }

                if (_maxNumber is null || number > _maxNumber)
                {
                    _maxNumber = number;
                    _max = normalised;
                }

                return;
            }

            _sum = null;
            if (_min is null || string.CompareOrdinal(normalised, _min) < 0)
            {
                _min = normalised;
            }

            if (_max is null || string.CompareOrdinal(normalised, _max) > 0)
            {
                _max = normalised;
            }
        }

        public ColumnProfile ToProfile() => new(name, _nonNull, _nonNull == 0 ? 0 : _sum, _min, _max, _checksum);
    }
}
