namespace GluePipeline.Build.Hosting;

/// <summary>The process exit codes of the host (ARCHITECTURE.md, "Targets, dependencies and outcomes").</summary>
public static class ExitCodes
{
    /// <summary>Nothing failed.</summary>
    public const int Success = 0;

    /// <summary>A task failed (a check, a job, a deploy), or findings with errors.</summary>
    public const int Failure = 1;

    /// <summary>A usage mistake or input that cannot be parsed (bad switch, unparseable template or rule file).</summary>
    public const int UsageOrInput = 2;

    /// <summary>Cancelled by Ctrl-C or SIGTERM (128 + SIGINT), after teardown ran.</summary>
    public const int Cancelled = 130;
}
