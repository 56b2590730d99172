using Cake.Core;

namespace GluePipeline.Build.Hosting;

/// <summary>
/// The base of a typed build context (as in Cake.Frosting), plus what this host adds: the run's
/// cancellation token and the teardown hook that runs after success, failure and cancellation.
/// </summary>
public class FrostingContext : CakeContextAdapter
{
    private TeardownRegistry _teardown = new();

    /// <summary>Wraps the context Cake created for this run.</summary>
    public FrostingContext(ICakeContext context)
        : base(context)
    {
    }

    /// <summary>Cancelled by Ctrl-C (SIGINT) or SIGTERM; every async task passes it on.</summary>
    public CancellationToken CancellationToken { get; private set; }

    /// <summary>
    /// Registers an action (e.g. deleting a stack this run deployed) that the host runs once the
    /// tasks are over, whether they succeeded, failed or were cancelled. Actions run in reverse
    /// order of registration; registering the same key again replaces the earlier action.
    /// </summary>
    /// <param name="key">What is torn down, e.g. <c>stack:glue-etl-livetest-main-1a2b3c</c>.</param>
    /// <param name="action">The action; its token has its own deadline, not the run's token.</param>
    public void RegisterTeardown(string key, Func<CancellationToken, Task> action) => _teardown.Register(key, action);

    /// <summary>Removes a teardown action that is no longer needed (e.g. after an explicit teardown).</summary>
    public void UnregisterTeardown(string key) => _teardown.Unregister(key);

    /// <summary>The keys of the teardown actions registered so far, in registration order.</summary>
    public IReadOnlyList<string> RegisteredTeardowns => _teardown.Keys;

    /// <summary>
    /// Where a task writes data meant for machines or pipes (e.g. Lint's JSON): the process's stdout.
    /// Logs go through <see cref="CakeContextAdapter.Log"/>; in machine-readable mode they go to stderr.
    /// </summary>
    public TextWriter Output { get; private set; } = TextWriter.Null;

    internal TeardownRegistry Teardown => _teardown;

    internal void Attach(CancellationToken cancellationToken, TeardownRegistry teardown, TextWriter output)
    {
        CancellationToken = cancellationToken;
        _teardown = teardown;
        Output = output;
    }
}
