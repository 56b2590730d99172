namespace GluePipeline.Build;

/// <summary>Where the LiveTest and production stacks run (ARCHITECTURE.md, "lanes").</summary>
public enum Lane
{
    /// <summary>The template interpreted on this machine: folders, DuckDB, local catalog.</summary>
    Local,

    /// <summary>CloudFormation, Glue, Athena and CodePipeline in an AWS account.</summary>
    Aws,
}
