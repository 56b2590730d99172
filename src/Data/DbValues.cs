using System.Globalization;
using System.Numerics;

namespace GluePipeline.Data;

/// <summary>Reads the numbers engines return (DuckDB's HUGEINT arrives as BigInteger, decimals as decimal, ...).</summary>
public static class DbValues
{
    /// <summary>A value as a double, or null for NULL and non-numbers.</summary>
    public static double? ToDouble(object? value) => value switch
    {
        null or DBNull => null,
        double d => d,
        float f => f,
        decimal m => (double)m,
        BigInteger b => (double)b,
        bool b => b ? 1 : 0,
        string s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null,
        IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
        _ => null,
    };
}
