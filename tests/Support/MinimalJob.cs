namespace GluePipeline.Tests.Support;

/// <summary>The smallest valid declarative job, for fixtures of repositories that need one.</summary>
public static class MinimalJob
{
    public const string Spec = """
        sources:
          trips: {s3: s3://raw-bucket/trips/, format: csv}
        sink: {s3: s3://lake-bucket/trips/, format: parquet, mode: overwrite}
        """;

    public const string Sql = "SELECT *\nFROM trips\n";

    /// <summary>Writes jobs/&lt;name&gt;/job.yaml and transform.sql through a writer (relative path, content).</summary>
    public static void Write(Func<string, string, string> write, string name = "taxi")
    {
        write($"jobs/{name}/job.yaml", Spec);
        write($"jobs/{name}/transform.sql", Sql);
    }
}
