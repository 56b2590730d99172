using Cake.Core.Diagnostics;

namespace GluePipeline.Build.Hosting;

/// <summary>
/// The actions that must run when the run ends, whatever its outcome. Thread-safe, because a
/// cancelled task may still be registering while the host starts tearing down.
/// </summary>
internal sealed class TeardownRegistry
{
    private readonly Lock _gate = new();
    private readonly List<KeyValuePair<string, Func<CancellationToken, Task>>> _actions = [];

    public IReadOnlyList<string> Keys
    {
        get
        {
            lock (_gate)
            {
                return _actions.Select(a => a.Key).ToArray();
            }
        }
    }

    public void Register(string key, Func<CancellationToken, Task> action)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(action);
        lock (_gate)
        {
            _actions.RemoveAll(a => a.Key == key);
            _actions.Add(new(key, action));
        }
    }

    public void Unregister(string key)
    {
        lock (_gate)
        {
            _actions.RemoveAll(a => a.Key == key);
        }
    }

    /// <summary>
    /// Runs every action, newest first. One failing action does not stop the others; the failures
    /// are returned so the host can fail the run (a resource may have been left behind).
    /// </summary>
    public async Task<IReadOnlyList<(string Key, Exception Error)>> RunAllAsync(ICakeLog log, TimeSpan deadline)
    {
        KeyValuePair<string, Func<CancellationToken, Task>>[] actions;
        lock (_gate)
        {
            actions = [.. _actions];
            _actions.Clear();
        }

        var failures = new List<(string, Exception)>();
        using var timeout = new CancellationTokenSource(deadline);
        foreach (var (key, action) in actions.Reverse())
        {
            log.Information("Teardown: {0}", key);
            try
            {
                await action(timeout.Token);
            }
#pragma warning disable CA1031 // Every teardown action must get its chance, whatever an earlier one threw.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                log.Error("Teardown of {0} failed: {1}", key, ex.Message);
                failures.Add((key, ex));
            }
        }

        return failures;
    }
}
