namespace GluePipeline.Templates;

/// <summary>
/// The parameters a deployment fills in per stack when the template declares them, so that the
/// environment files need not (and cannot sensibly) hold them: a suffix derived from the stack
/// name for physical names, and where the published artifact is.
/// </summary>
public static class RunParameters
{
    /// <summary>Suffix of physical names (e.g. Glue database names), from the stack name: <c>livetest_main_1a2b3c</c>.</summary>
    public const string NameSuffix = "NameSuffix";

    /// <summary>The bucket holding the published artifact.</summary>
    public const string ArtifactBucket = "ArtifactBucket";

    /// <summary>The key prefix of the published artifact (name/version/digest).</summary>
    public const string ArtifactPrefix = "ArtifactPrefix";

    /// <summary>Every run parameter with the stand-in value Lint evaluates templates with.</summary>
    public static IReadOnlyDictionary<string, string> LintValues { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [NameSuffix] = "lint",
        [ArtifactBucket] = "lint-artifact-bucket",
        [ArtifactPrefix] = "glue-etl/0.0.0/0000000000000000",
    };
}
