using System.Diagnostics;
using System.Text.Json;

namespace GluePipeline.Stacks;

/// <summary>
/// The process that owns local state (a LiveTest stack, a local server): its pid and start time, so
/// Sweep can tell a live run from one that was killed (a pid alone may be reused).
/// </summary>
/// <param name="Pid">The owner's process id.</param>
/// <param name="Started">When the owner started (UTC).</param>
/// <param name="Host">The machine.</param>
public sealed record RunOwner(int Pid, DateTimeOffset Started, string Host)
{
    /// <summary>The owner file's name in a stack's state folder.</summary>
    public const string FileName = "owner.json";

    /// <summary>This process.</summary>
    public static RunOwner Current
    {
        get
        {
            using var self = Process.GetCurrentProcess();
            return new RunOwner(self.Id, self.StartTime.ToUniversalTime(), Environment.MachineName);
        }
    }

    /// <summary>Whether the owner is still running on this machine (same pid and start time).</summary>
    public bool IsAlive
    {
        get
        {
            if (!Host.Equals(Environment.MachineName, StringComparison.OrdinalIgnoreCase))
            {
                return true; // another machine's run: not ours to judge
            }

            try
            {
                using var process = Process.GetProcessById(Pid);
                return !process.HasExited && Math.Abs((process.StartTime.ToUniversalTime() - Started.UtcDateTime).TotalSeconds) < 2;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                return false;
            }
        }
    }

    /// <summary>Writes this process as the owner.</summary>
    public static void Write(string path) => Write(path, Current);

    /// <summary>Writes an owner.</summary>
    public static void Write(string path, RunOwner owner)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(owner));
    }

    /// <summary>Reads an owner file, or null when there is none or it is unreadable.</summary>
    public static RunOwner? Read(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<RunOwner>(File.ReadAllText(path)) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
