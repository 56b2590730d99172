using System.Diagnostics;
using System.Text.Json;

namespace GluePipeline.Stacks;

/// <summary>A local server a run started (issue #12's database servers), recorded so Sweep can stop it if the run dies.</summary>
/// <param name="Name">What it is, e.g. <c>postgres-livetest-main-3fa9c1</c>.</param>
/// <param name="Pid">The server's process id.</param>
/// <param name="Owner">The run that started it.</param>
/// <param name="DataDirectory">Its data folder, removed with it.</param>
public sealed record LocalServer(string Name, int Pid, RunOwner Owner, string? DataDirectory)
{
    /// <summary>Records a server in the pidfile folder (<c>.pipeline/servers</c>).</summary>
    public static string Register(string serversFolder, LocalServer server)
    {
        Directory.CreateDirectory(serversFolder);
        var path = Path.Combine(serversFolder, server.Name + ".json");
        File.WriteAllText(path, JsonSerializer.Serialize(server));
        return path;
    }
}

/// <summary>What Sweep did.</summary>
/// <param name="RemovedStacks">LiveTest stacks removed, with why.</param>
/// <param name="KeptStacks">LiveTest stacks left alone, with why.</param>
/// <param name="StoppedServers">Local servers stopped, with why.</param>
/// <param name="KeptServers">Local servers left alone.</param>
public sealed record SweepResult(IReadOnlyList<string> RemovedStacks, IReadOnlyList<string> KeptStacks, IReadOnlyList<string> StoppedServers, IReadOnlyList<string> KeptServers);

/// <summary>
/// Removes what killed runs left behind: LiveTest stacks whose owning run is gone (SIGKILL, a lost
/// machine) or expired, and local servers whose owning run is gone (stopped, their data folders
/// removed). Production (a different folder) and the stacks of live runs are never touched.
/// </summary>
public static class Sweeper
{
    /// <summary>Sweeps the local lane's state.</summary>
    /// <param name="stateRoot">The LiveTest stacks' folder (<c>.pipeline/stacks</c>).</param>
    /// <param name="serversFolder">The pidfiles' folder (<c>.pipeline/servers</c>).</param>
    /// <param name="time">The clock.</param>
    /// <param name="beforeRemove">Called with a stack's state folder before it goes (e.g. to drop its databases on shared servers).</param>
    public static SweepResult Sweep(string stateRoot, string serversFolder, TimeProvider? time = null, Action<string>? beforeRemove = null)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var removed = new List<string>();
        var kept = new List<string>();
        foreach (var stack in Directory.Exists(stateRoot) ? Directory.EnumerateDirectories(stateRoot).Order(StringComparer.Ordinal).ToArray() : [])
        {
            var name = Path.GetFileName(stack);
            var owner = RunOwner.Read(Path.Combine(stack, RunOwner.FileName));
            RunManifest? manifest = null;
            try
            {
                manifest = File.Exists(Path.Combine(stack, RunManifest.FileName)) ? RunManifest.Load(Path.Combine(stack, RunManifest.FileName)) : null;
            }
            catch (JsonException)
            {
                // An unreadable manifest is a killed deployment's.
            }

            if (owner is { IsAlive: true })
            {
                kept.Add($"{name}: its run (pid {owner.Pid}) is still going");
                continue;
            }

            var why = owner is null ? "no owning run recorded (a deployment killed before it started)" : $"its run (pid {owner.Pid}) is gone";
            if (manifest is not null && manifest.ExpiresAt != default && manifest.ExpiresAt < now)
            {
                why += $"; it expired at {manifest.ExpiresAt:u}";
            }

            beforeRemove?.Invoke(stack);
            Directory.Delete(stack, recursive: true);
            removed.Add($"{name}: {why}");
        }

        var stopped = new List<string>();
        var keptServers = new List<string>();
        foreach (var file in Directory.Exists(serversFolder) ? Directory.EnumerateFiles(serversFolder, "*.json").Order(StringComparer.Ordinal).ToArray() : [])
        {
            LocalServer? server;
            try
            {
                server = JsonSerializer.Deserialize<LocalServer>(File.ReadAllText(file));
            }
            catch (JsonException)
            {
                server = null;
            }

            if (server is null)
            {
                File.Delete(file);
                continue;
            }

            if (server.Owner.IsAlive)
            {
                keptServers.Add($"{server.Name}: its run (pid {server.Owner.Pid}) is still going");
                continue;
            }

            var running = Stop(server.Pid);
            if (server.DataDirectory is { } data && Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }

            File.Delete(file);
            stopped.Add($"{server.Name}: {(running ? $"stopped pid {server.Pid}" : "already stopped")}, its run (pid {server.Owner.Pid}) is gone");
        }

        return new SweepResult(removed, kept, stopped, keptServers);
    }

    /// <summary>Stops a process: politely (SIGTERM), then for good after a grace period.</summary>
    private static bool Stop(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited)
            {
                return false;
            }

            using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { RedirectStandardError = true }))
            {
                term?.WaitForExit();
            }

            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(TimeSpan.FromSeconds(5));
            }

            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
