using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace GluePipeline.Data.Servers;

/// <summary>The process plumbing the local server binaries need: run a tool, run as another user, ports, pids.</summary>
internal static class ServerProcess
{
    private const string PasswordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /// <summary>Whether this process runs as root (PostgreSQL then has to run as its own user).</summary>
    public static bool IsRoot => string.Equals(Environment.UserName, "root", StringComparison.Ordinal);

    /// <summary>Runs a tool to its end; returns its exit code and what it printed (stdout and stderr).</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> arguments, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory ?? string.Empty,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new DatabaseServerException($"{file} did not start");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, (await stdout + await stderr).Trim());
    }

    /// <summary>Runs a tool and throws <see cref="DatabaseServerException"/> naming it when it fails.</summary>
    public static async Task<string> RunCheckedAsync(string what, string file, IEnumerable<string> arguments, CancellationToken cancellationToken, string? workingDirectory = null)
    {
        var (exitCode, output) = await RunAsync(file, arguments, cancellationToken, workingDirectory);
        if (exitCode != 0)
        {
            throw new DatabaseServerException($"{what} failed (exit code {exitCode}): {Tail(output, 800)}");
        }

        return output;
    }

    /// <summary>The arguments that run a command line as another user through <c>su</c> (PostgreSQL refuses root).</summary>
    public static string[] AsUser(string user, IEnumerable<string> command) =>
        [user, "-s", "/bin/sh", "-c", string.Join(' ', command.Select(Quote))];

    /// <summary>Quotes a word for /bin/sh.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>A loopback port free right now (bind port 0, read it back, let it go).</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    /// <summary>A random password of letters and digits (safe in SQL literals and URIs without escaping).</summary>
    public static string NewPassword() => RandomNumberGenerator.GetString(PasswordAlphabet, 24);

    /// <summary>A short random suffix for names of folders and pidfiles.</summary>
    public static string NewSuffix() => RandomNumberGenerator.GetHexString(8, lowercase: true);

    /// <summary>Whether a process runs (exists and is not a zombie waiting for its parent).</summary>
    public static bool IsRunning(int pid)
    {
        if (pid <= 0)
        {
            return false;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");

            // pid (comm) state ...: the command may hold spaces and parentheses, so read after the last ')'.
            var state = stat[(stat.LastIndexOf(')') + 2)..].TrimStart();
            return state.Length > 0 && state[0] is not 'Z' and not 'X';
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Sends a signal with <c>kill</c> (SIGTERM lets a server shut down cleanly; .NET only offers SIGKILL).</summary>
    public static async Task SignalAsync(int pid, string signal)
    {
        await RunAsync("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)], CancellationToken.None);
    }

    /// <summary>Waits until a process is gone or the timeout passes; true when it is gone.</summary>
    public static async Task<bool> WaitGoneAsync(int pid, TimeSpan timeout, TimeProvider time)
    {
        var deadline = time.GetUtcNow() + timeout;
        while (IsRunning(pid))
        {
            if (time.GetUtcNow() > deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), time, CancellationToken.None);
        }

        return true;
    }

    /// <summary>Stops a process for good: SIGTERM, then SIGKILL after the grace period.</summary>
    public static async Task TerminateAsync(int pid, TimeSpan grace, TimeProvider time)
    {
        if (!IsRunning(pid))
        {
            return;
        }

        await SignalAsync(pid, "TERM");
        if (!await WaitGoneAsync(pid, grace, time))
        {
            await SignalAsync(pid, "KILL");
            await WaitGoneAsync(pid, TimeSpan.FromSeconds(5), time);
        }
    }

    /// <summary>The last part of a text (a server log), for error messages.</summary>
    public static string Tail(string text, int characters) =>
        text.Length <= characters ? text : "..." + text[^characters..];

    /// <summary>The last part of a log file, or a note that there is none.</summary>
    public static string LogTail(string path)
    {
        try
        {
            return File.Exists(path) ? Tail(File.ReadAllText(path).Trim(), 800) : "(no server log)";
        }
        catch (IOException)
        {
            return "(server log unreadable)";
        }
    }

    /// <summary>Removes a folder and everything in it, if it is there.</summary>
    public static void DeleteFolder(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }
}
