namespace GluePipeline.Diagnostics;

/// <summary>What the benchmarks share: the median of interleaved runs (robust to a noisy machine).</summary>
public static class Measure
{
    /// <summary>The median of the values (the mean of the middle two for an even count).</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("No values", nameof(values));
        }

        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
