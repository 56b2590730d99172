using System.Text.RegularExpressions;
using GluePipeline.Diagnostics;

namespace GluePipeline.Jobs;

/// <summary>Creates a new declarative job folder that runs (RunJob) and lints clean as it is (the service behind NewJob).</summary>
public static partial class JobScaffold
{
    /// <summary>Creates <c>&lt;jobs&gt;/&lt;name&gt;/</c>; returns the files written, relative to the jobs folder.</summary>
    public static IReadOnlyList<string> Create(string jobsDirectory, string displayDirectory, string name)
    {
        if (!JobName().IsMatch(name))
        {
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation($"--job={name}"), "JOB-NAME", $"'{name}' cannot name a job", "use lowercase letters, digits, - and _, starting with a letter (it names the folder, the Glue job and its views), e.g. --job=orders"));
        }

        var folder = Path.Combine(jobsDirectory, name);
        if (Directory.Exists(folder))
        {
            throw new PipelineInputException(Diagnostic.Error(new SourceLocation($"--job={name}"), "JOB-NAME", $"{displayDirectory}/{name} already exists", "choose another name, or edit that job"));
        }

        var view = name.Replace('-', '_');
        var files = new Dictionary<string, string>
        {
            ["job.yaml"] = $$"""
                # yaml-language-server: $schema=../job.schema.json
                # {{name}}: what the job does, in a sentence (description below is shown by RunJob).
                description: {{name}} from raw CSV to Parquet

                # Job arguments: Glue passes them as --name value; ${name} fills them in here and in transform.sql.
                arguments:
                  raw_bucket: glue-etl-raw
                  datalake_bucket: glue-etl-datalake

                # Each source is a view of transform.sql. s3: + format: (csv, json, parquet), or catalog: {database, table}.
                sources:
                  {{view}}:
                    s3: s3://${raw_bucket}/{{name}}/
                    format: csv

                transform: transform.sql

                # Where the result goes; mode: overwrite replaces it, append adds to it.
                sink:
                  s3: s3://${datalake_bucket}/{{name}}/
                  format: parquet
                  mode: overwrite

                rules: rules.dqdl

                # The input RunJob and the LiveTest stack run the job on.
                fixtures:
                  {{view}}:
                    sql: fixtures/{{view}}.sql

                """,
            ["transform.sql"] = $"""
                -- One SELECT over the sources (each is a view named after it). Keep it portable: it runs on
                -- DuckDB here and on Spark in Glue.
                SELECT
                  CAST(id AS BIGINT) AS id,
                  name,
                  CAST(amount AS DOUBLE) AS amount
                FROM {view}

                """,
            ["rules.dqdl"] = """
                # Data-quality rules of the job's output (DQDL, as AWS Glue Data Quality reads it).
                Rules = [
                  RowCount > 0,
                  IsComplete "id",
                  IsUnique "id",
                  ColumnValues "amount" >= 0
                ]

                """,
            [$"fixtures/{view}.sql"] = """
                -- The job's test input: a DuckDB query whose rows are written as the source's files
                -- (add a _file column to spread them over several files).
                SELECT i AS id, 'item ' || i AS name, round(i * 1.5, 2) AS amount
                FROM range(1, 101) r(i)

                """,
        };

        foreach (var (path, text) in files)
        {
            var full = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text.ReplaceLineEndings("\n"));
        }

        return files.Keys.Select(f => $"{displayDirectory}/{name}/{f}").ToArray();
    }

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex JobName();
}
