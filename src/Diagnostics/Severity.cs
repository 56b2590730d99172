namespace GluePipeline.Diagnostics;

/// <summary>How serious a finding is; errors fail the gate that found them.</summary>
public enum Severity
{
    /// <summary>Worth knowing; never fails a run.</summary>
    Info,

    /// <summary>Probably a mistake; fails only in strict mode.</summary>
    Warning,

    /// <summary>A mistake that must be fixed before the run can go on.</summary>
    Error,
}
