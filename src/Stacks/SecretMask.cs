namespace GluePipeline.Stacks;

/// <summary>
/// Masks known secret values (NoEcho parameters' values) wherever they appear in text the lane
/// writes: the manifest's parameters, outputs, job arguments and connection URLs.
/// </summary>
public sealed class SecretMask
{
    /// <summary>What a secret is shown as (CloudFormation's own mask).</summary>
    public const string Masked = "****";

    private readonly string[] _secrets;

    /// <summary>Creates a mask for these values (empty ones are ignored).</summary>
    public SecretMask(IEnumerable<string> secrets) =>
        _secrets = secrets.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();

    /// <summary>The text with every secret replaced by <see cref="Masked"/>.</summary>
    public string Mask(string text) => _secrets.Aggregate(text, (current, secret) => current.Replace(secret, Masked, StringComparison.Ordinal));
}
