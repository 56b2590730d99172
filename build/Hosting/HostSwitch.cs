namespace GluePipeline.Build.Hosting;

/// <summary>
/// One command-line switch the host accepts. Switches are declared up front so that a misspelt
/// switch is an error with a suggestion instead of being silently ignored.
/// </summary>
/// <param name="Name">The long name without dashes, e.g. <c>lane</c>.</param>
/// <param name="ValueName">The value's placeholder (e.g. <c>local|aws</c>), or null for a flag.</param>
/// <param name="Description">One line for <c>--help</c>.</param>
public sealed record HostSwitch(string Name, string? ValueName, string Description)
{
    /// <summary>Other spellings, e.g. <c>t</c> for <c>target</c> (used as <c>-t</c>).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Whether the switch may be given more than once (e.g. <c>--arg k=v</c>).</summary>
    public bool Repeatable { get; init; }

    /// <summary>Whether the switch takes no value.</summary>
    public bool IsFlag => ValueName is null;

    /// <summary>How the switch is written in help text.</summary>
    public string Usage => IsFlag ? $"--{Name}" : $"--{Name}=<{ValueName}>";

    /// <summary>Creates a flag (a switch without a value).</summary>
    public static HostSwitch Flag(string name, string description, params string[] aliases) =>
        new(name, null, description) { Aliases = aliases };

    /// <summary>Creates a switch that takes a value.</summary>
    public static HostSwitch Value(string name, string valueName, string description, params string[] aliases) =>
        new(name, valueName, description) { Aliases = aliases };
}
