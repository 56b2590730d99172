using Cake.Core.Diagnostics;
using GluePipeline.Data.Servers;
using GluePipeline.Stacks;

namespace GluePipeline.Build.Tasks;

/// <summary>
/// The database servers of a run's LiveTest stack (issue #12): started by DeployLiveTest when the
/// template has Glue connections, shared by the targets of the run, released (databases dropped,
/// servers stopped) by TeardownLiveTest or the teardown hook.
/// </summary>
internal static class LiveTestDatabases
{
    private static string TeardownKey(string stack) => $"databases of {stack}";

    /// <summary>--databases, else PIPELINE_DATABASES, else auto.</summary>
    public static DatabaseProviderChoice? Choice(BuildContext context) =>
        context.Arguments.GetArguments("databases") is { Count: > 0 } values ? DatabaseProviderChoices.Parse(values.Last(), $"--databases={values.Last()}") : null;

    /// <summary>Starts the run's servers (once) and gives the stack's connections their databases.</summary>
    public static async Task<ServedConnections> ProvisionAsync(BuildContext context, LocalDeployment deployment)
    {
        var stack = deployment.Manifest.Stack;
        if (context.Databases is null)
        {
            context.Databases = await DatabaseServers.StartAsync(new DatabaseServerOptions(context.ServersDirectory) { Choice = Choice(context) }, line => context.Log.Information("{0}", line), context.CancellationToken);
        }

        // Registered after the stack's own teardown, so it runs first: the databases go before the stack's folder.
        context.RegisterTeardown(TeardownKey(stack), async token => await ReleaseAsync(context, stack, token));
        var served = await StackDatabases.ProvisionAsync(deployment.Manifest, deployment.ManifestPath, context.Databases, line => context.Log.Information("{0}", line), context.CancellationToken);
        context.Log.Information("Databases: {0}", context.Databases.Provider);
        foreach (var (name, why) in served.Unserved)
        {
            context.Log.Warning("Connection {0} has no database in this run: {1}", name, why);
        }

        context.Connections = served;
        return served;
    }

    /// <summary>The stack's connections for AutomatedLiveTest: this run's, or (another process) those it can reach again.</summary>
    public static async Task<ServedConnections> ForAsync(BuildContext context, RunManifest manifest)
    {
        if (context.Connections is { } served)
        {
            return served;
        }

        if (manifest.Connections.Count == 0)
        {
            return new ServedConnections(new Dictionary<string, Data.Jdbc.JdbcEndpoint>(), new Dictionary<string, string>());
        }

        context.Databases ??= await DatabaseServers.StartAsync(new DatabaseServerOptions(context.ServersDirectory) { Choice = DatabaseProviderChoice.Urls }, _ => { }, context.CancellationToken);
        return context.Connections = StackDatabases.Attach(manifest, context.Databases);
    }

    /// <summary>Drops the stack's databases and stops the servers this run started.</summary>
    public static async Task ReleaseAsync(BuildContext context, string stack, CancellationToken cancellationToken)
    {
        context.UnregisterTeardown(TeardownKey(stack));
        var state = LocalStack.StateDirectory(context.StateRoot, stack);
        if (File.Exists(Path.Combine(state, StackDatabases.FileName)))
        {
            var servers = context.Databases ?? await DatabaseServers.StartAsync(new DatabaseServerOptions(context.ServersDirectory) { Choice = DatabaseProviderChoice.Urls }, _ => { }, cancellationToken);
            try
            {
                await StackDatabases.ReleaseAsync(state, servers, line => context.Log.Information("{0}", line), cancellationToken);
            }
            finally
            {
                if (!ReferenceEquals(servers, context.Databases))
                {
                    await servers.DisposeAsync();
                }
            }
        }

        if (context.Databases is { } started)
        {
            context.Databases = null;
            context.Connections = null;
            await started.DisposeAsync();
            if (started.Servers.Count > 0)
            {
                context.Log.Information("Stopped the database servers of this run ({0})", started.Provider);
            }
        }
    }
}
