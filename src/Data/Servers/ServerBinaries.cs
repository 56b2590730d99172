namespace GluePipeline.Data.Servers;

/// <summary>
/// The local PostgreSQL and MariaDB server binaries: PostgreSQL's <c>initdb</c> + <c>pg_ctl</c> (the newest
/// <c>/usr/lib/postgresql/&lt;version&gt;/bin</c> first) and MariaDB's <c>mariadbd</c> + <c>mariadb-install-db</c>.
/// </summary>
/// <param name="PostgresBin">The folder holding <c>initdb</c> and <c>pg_ctl</c>, or null.</param>
/// <param name="MariaDbServer">The <c>mariadbd</c> executable, or null.</param>
/// <param name="MariaDbInstallDb">The <c>mariadb-install-db</c> executable, or null.</param>
public sealed record ServerBinaries(string? PostgresBin, string? MariaDbServer, string? MariaDbInstallDb)
{
    /// <summary>The default search path: Debian's versioned PostgreSQL folders (newest first), PATH, then the sbin folders.</summary>
    public static IReadOnlyList<string> DefaultSearchPath
    {
        get
        {
            var postgres = Directory.Exists("/usr/lib/postgresql")
                ? Directory.EnumerateDirectories("/usr/lib/postgresql")
                    .Select(d => (Folder: Path.Combine(d, "bin"), Version: Version.TryParse(Path.GetFileName(d).Contains('.', StringComparison.Ordinal) ? Path.GetFileName(d) : Path.GetFileName(d) + ".0", out var v) ? v : new Version(0, 0)))
                    .OrderByDescending(d => d.Version)
                    .Select(d => d.Folder)
                : [];
            var path = (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries);
            return [.. postgres.Concat(path).Concat(["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"]).Distinct(StringComparer.Ordinal)];
        }
    }

    /// <summary>Whether PostgreSQL can be started.</summary>
    public bool HasPostgres => PostgresBin is not null;

    /// <summary>Whether MariaDB can be started.</summary>
    public bool HasMariaDb => MariaDbServer is not null && MariaDbInstallDb is not null;

    /// <summary>Finds the binaries in the search path (the first folder that has them wins).</summary>
    public static ServerBinaries Find(IReadOnlyList<string>? searchPath = null)
    {
        var folders = searchPath ?? DefaultSearchPath;
        string? First(string name) => folders.Select(f => Path.Combine(f, name)).FirstOrDefault(IsExecutable);
        var postgresBin = folders.FirstOrDefault(f => IsExecutable(Path.Combine(f, "initdb")) && IsExecutable(Path.Combine(f, "pg_ctl")));
        return new ServerBinaries(postgresBin, First("mariadbd"), First("mariadb-install-db"));
    }

    private static bool IsExecutable(string path) =>
        File.Exists(path) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(path) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
}
