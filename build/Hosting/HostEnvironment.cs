using Cake.Core;
using Cake.Core.IO;

namespace GluePipeline.Build.Hosting;

/// <summary>
/// Cake's environment with a working directory of its own. Cake's <c>CakeEnvironment</c> changes
/// the process's current directory when its working directory is set; this host never does, so
/// paths a user gives relative to their shell stay valid and in-process runs do not interfere.
/// </summary>
internal sealed class HostEnvironment(DirectoryPath workingDirectory) : ICakeEnvironment
{
    private readonly CakePlatform _platform = new();
    private readonly CakeRuntime _runtime = new();

    public DirectoryPath WorkingDirectory { get; set; } = workingDirectory;

    public DirectoryPath UserHomeDirectory => new(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile));

    public DirectoryPath ApplicationRoot => new(AppContext.BaseDirectory);

    public ICakePlatform Platform => _platform;

    public ICakeRuntime Runtime => _runtime;

    public DirectoryPath GetSpecialPath(SpecialPath path) => path switch
    {
        SpecialPath.LocalTemp => new DirectoryPath(System.IO.Path.GetTempPath()),
        _ => new DirectoryPath(Environment.GetFolderPath(path switch
        {
            SpecialPath.ApplicationData => Environment.SpecialFolder.ApplicationData,
            SpecialPath.CommonApplicationData => Environment.SpecialFolder.CommonApplicationData,
            SpecialPath.LocalApplicationData => Environment.SpecialFolder.LocalApplicationData,
            SpecialPath.ProgramFiles => Environment.SpecialFolder.ProgramFiles,
            SpecialPath.ProgramFilesX86 => Environment.SpecialFolder.ProgramFilesX86,
            SpecialPath.Windows => Environment.SpecialFolder.Windows,
            _ => throw new NotSupportedException($"The special path {path} is not supported."),
        })),
    };

    public string? GetEnvironmentVariable(string variable) => Environment.GetEnvironmentVariable(variable);

    public IDictionary<string, string> GetEnvironmentVariables() =>
        Environment.GetEnvironmentVariables()
            .Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => e.Value as string ?? string.Empty, StringComparer.Ordinal);
}
