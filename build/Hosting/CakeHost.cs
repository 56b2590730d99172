using System.Globalization;
using System.Reflection;
using Cake.Cli;
using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Packaging;
using Cake.Core.Scripting;
using Cake.Core.Tooling;
using GluePipeline.Diagnostics;
using Spectre.Console;
using Path = System.IO.Path;

namespace GluePipeline.Build.Hosting;

/// <summary>
/// A Frosting-style host on Cake's own engine: discovers the task classes, builds the typed context
/// once from the arguments, runs the target (or prints the tree, the descriptions or the dry-run
/// plan) and turns the outcome into an exit code. Ctrl-C cancels the context's token; the teardown
/// hook still runs.
/// </summary>
/// <remarks>
/// Mirrors the API of Cake.Frosting's <c>CakeHost</c> (<c>UseContext</c>, <c>UseLifetime</c>,
/// <c>Run</c>) so that the day the feed serves Cake.Frosting, switching is a reference change.
/// </remarks>
public sealed class CakeHost
{
    /// <summary>The name of the file that marks the repository root (Cake's INI configuration).</summary>
    public const string RootMarker = "cake.config";

    private readonly List<Assembly> _assemblies = [];
    private readonly List<Type> _taskTypes = [];
    private readonly List<HostSwitch> _switches = [];
    private Type _contextType = typeof(FrostingContext);
    private Type? _lifetimeType;
    private string? _workingDirectory;
    private TextWriter? _output;
    private TextWriter? _error;
    private Func<ILookup<string, string>, bool> _machineReadable = _ => false;
    private TimeSpan _teardownDeadline = TimeSpan.FromMinutes(30);
    private string _product = "build";

    /// <summary>The switches every host understands (Cake.Frosting's), before the product's own.</summary>
    public static IReadOnlyList<HostSwitch> BuiltInSwitches { get; } =
    [
        HostSwitch.Value("target", "name", "The target to run (default: Default).", "t"),
        HostSwitch.Value("verbosity", "quiet|minimal|normal|verbose|diagnostic", "How much to log; diagnostic also prints stack traces.", "v"),
        HostSwitch.Flag("dryrun", "Print the tasks the target would run, in order, without running any.", "noop", "whatif"),
        HostSwitch.Flag("tree", "Print the task graph."),
        HostSwitch.Flag("description", "Print every task with its description.", "showdescription"),
        HostSwitch.Flag("exclusive", "Run the target alone, without its dependencies.", "e"),
        HostSwitch.Value("working", "dir", "Where to start looking for the repository root (the nearest folder with cake.config; default: the current directory).", "w"),
        HostSwitch.Flag("help", "Print the targets and switches.", "h"),
    ];

    /// <summary>Uses a typed context, created once per run with a constructor taking <see cref="ICakeContext"/>.</summary>
    public CakeHost UseContext<TContext>()
        where TContext : FrostingContext
    {
        _contextType = typeof(TContext);
        return this;
    }

    /// <summary>Uses a lifetime (setup and teardown) for the run.</summary>
    public CakeHost UseLifetime<TLifetime>()
        where TLifetime : IFrostingLifetime, new()
    {
        _lifetimeType = typeof(TLifetime);
        return this;
    }

    /// <summary>Registers every task class of an assembly (types implementing <see cref="IFrostingTask"/>).</summary>
    public CakeHost AddAssembly(Assembly assembly)
    {
        _assemblies.Add(assembly);
        return this;
    }

    /// <summary>Registers one task class.</summary>
    public CakeHost AddTask<TTask>()
        where TTask : IFrostingTask, new()
    {
        _taskTypes.Add(typeof(TTask));
        return this;
    }

    /// <summary>Declares the product's own switches (e.g. <c>--lane</c>); undeclared switches are errors.</summary>
    public CakeHost UseSwitches(IEnumerable<HostSwitch> switches)
    {
        _switches.AddRange(switches);
        return this;
    }

    /// <summary>Sets the repository root instead of finding it from the current directory.</summary>
    public CakeHost UseWorkingDirectory(string path)
    {
        _workingDirectory = path;
        return this;
    }

    /// <summary>Writes to the given writers instead of the process's stdout and stderr (tests read what users see).</summary>
    public CakeHost UseConsole(TextWriter output, TextWriter error)
    {
        _output = output;
        _error = error;
        return this;
    }

    /// <summary>
    /// Declares when stdout carries data for machines (e.g. <c>--format=json</c>): then logs and the
    /// summary table go to stderr and only what tasks write to <see cref="FrostingContext.Output"/> reaches stdout.
    /// </summary>
    public CakeHost UseMachineReadableOutputWhen(Func<ILookup<string, string>, bool> predicate)
    {
        _machineReadable = predicate;
        return this;
    }

    /// <summary>Bounds how long the teardown hook may take in all (default 30 minutes).</summary>
    public CakeHost UseTeardownDeadline(TimeSpan deadline)
    {
        _teardownDeadline = deadline;
        return this;
    }

    /// <summary>Names the program in usage text (e.g. <c>dotnet run --project build --</c>).</summary>
    public CakeHost UseProductName(string command)
    {
        _product = command;
        return this;
    }

    /// <summary>Runs synchronously, without cancellation (as Cake.Frosting's <c>Run</c>).</summary>
    public int Run(IEnumerable<string> args) => RunAsync([.. args], CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>Runs the requested target and returns the process exit code.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="cancellationToken">Cancelled by Ctrl-C or SIGTERM; tasks see it on the context.</param>
    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var environment = new HostEnvironment(new DirectoryPath(Environment.CurrentDirectory));
        var output = _output ?? Console.Out;
        var error = _error ?? Console.Error;
        IConsole console = _output is null ? new CakeConsole(environment) : new HostConsole(output, error);
        var log = new CakeBuildLog(console, Verbosity.Normal);
        var teardown = new TeardownRegistry();
        try
        {
            var allSwitches = BuiltInSwitches.Concat(_switches).ToArray();
            var arguments = ArgumentParser.Parse(args, allSwitches);
            if (_machineReadable(arguments))
            {
                console = new HostConsole(error, error);
                log = new CakeBuildLog(console, Verbosity.Normal);
            }

            log.Verbosity = ParseVerbosity(arguments);

            var tasks = DiscoverTasks();
            if (arguments.Contains("help"))
            {
                PrintHelp(console, tasks, allSwitches);
                return ExitCodes.Success;
            }

            var root = ResolveRoot(arguments);
            environment.WorkingDirectory = new DirectoryPath(root);

            var context = CreateCakeContext(environment, log, arguments, root);
            var engine = new CakeEngine(new CakeDataService(), log);
            RegisterTasks(engine, tasks);

            // --tree and --description describe the whole graph; they need no (existing) target.
            var describing = IsTrue(arguments, "tree") || IsTrue(arguments, "description");
            var target = describing ? arguments["target"].LastOrDefault() ?? "Default" : ResolveTarget(arguments, engine);
            var typed = CreateTypedContext(context);
            typed.Attach(cancellationToken, teardown, output);

            RegisterLifetime(engine, typed, log, teardown, cancellationToken);

            var scriptHost = CreateScriptHost(arguments, engine, typed, log, console, output);
            if (arguments.Contains("exclusive") && IsTrue(arguments, "exclusive"))
            {
                scriptHost.Settings.UseExclusiveTarget();
            }

            await scriptHost.RunTargetAsync(target);
            return ExitCodes.Success;
        }
#pragma warning disable CA1031 // The host is the last line: every failure becomes a message and an exit code.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Report(ex, log, console, cancellationToken);
        }
        finally
        {
            // Actions registered outside the engine's lifetime (e.g. before setup failed) still run.
            if (teardown.Keys.Count > 0)
            {
                await teardown.RunAllAsync(log, _teardownDeadline);
            }
        }
    }

    private static Verbosity ParseVerbosity(ILookup<string, string> arguments)
    {
        var value = arguments["verbosity"].LastOrDefault();
        if (value is null)
        {
            return Verbosity.Normal;
        }

        return value.ToLowerInvariant() switch
        {
            "q" or "quiet" => Verbosity.Quiet,
            "m" or "minimal" => Verbosity.Minimal,
            "n" or "normal" => Verbosity.Normal,
            "v" or "verbose" or "detailed" => Verbosity.Verbose,
            "d" or "diag" or "diagnostic" => Verbosity.Diagnostic,
            _ => throw new HostUsageException(
                $"--verbosity={value}",
                "ARG-VERBOSITY",
                $"Unknown verbosity '{value}'",
                "use quiet, minimal, normal, verbose or diagnostic"),
        };
    }

    private static bool IsTrue(ILookup<string, string> arguments, string name) =>
        arguments[name].Any(v => v.Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The repository root: the nearest folder at or above the start (<c>--working</c>, else the
    /// configured directory, else the current directory) that holds <see cref="RootMarker"/>; the
    /// start itself when there is none.
    /// </summary>
    private string ResolveRoot(ILookup<string, string> arguments)
    {
        var given = arguments["working"].LastOrDefault();
        var start = Path.GetFullPath(given ?? _workingDirectory ?? Environment.CurrentDirectory);
        if (!Directory.Exists(start))
        {
            throw new HostUsageException($"--working={given ?? start}", "ARG-WORKING", $"The directory '{start}' does not exist", "give the repository root, or run from inside the repository");
        }

        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, RootMarker)))
            {
                return dir.FullName;
            }
        }

        return start;
    }

    private static CakeContext CreateCakeContext(ICakeEnvironment environment, ICakeLog log, ILookup<string, string> arguments, string root)
    {
        var fileSystem = new FileSystem();
        var globber = new Globber(fileSystem, environment);

        // cake.config (INI) at the root, overridden by CAKE_* variables and --section_key=value switches.
        var overrides = arguments
            .Where(g => g.Key.Contains('_', StringComparison.Ordinal))
            .ToDictionary(g => g.Key.Replace('_', '.'), g => g.Last(), StringComparer.OrdinalIgnoreCase);
        var configuration = new CakeConfigurationProvider(fileSystem, environment).CreateConfiguration(new DirectoryPath(root), overrides);

        var toolRepository = new ToolRepository(environment);
        var resolution = new ToolResolutionStrategy(fileSystem, environment, globber, configuration, log);
        var toolLocator = new ToolLocator(environment, toolRepository, resolution);
        var processRunner = new ProcessRunner(fileSystem, environment, log, toolLocator, configuration);
        return new CakeContext(
            fileSystem,
            environment,
            globber,
            log,
            new CakeArguments(arguments),
            processRunner,
            new WindowsRegistry(),
            toolLocator,
            new CakeDataService(),
            configuration,
            new RefusingToolInstaller(),
            new EmptyServiceProvider());
    }

    private List<IFrostingTask> DiscoverTasks()
    {
        var types = _assemblies
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(IFrostingTask).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Concat(_taskTypes)
            .Distinct()
            .ToList();

        var tasks = new List<IFrostingTask>();
        foreach (var type in types)
        {
            if (type.GetConstructor(Type.EmptyTypes) is null)
            {
                throw new InvalidOperationException($"The task {type.FullName} needs a parameterless constructor.");
            }

            tasks.Add((IFrostingTask)Activator.CreateInstance(type)!);
        }

        return tasks;
    }

    /// <summary>The task name of a task type: its <see cref="TaskNameAttribute"/>, else the class name.</summary>
    public static string GetTaskName(Type taskType) =>
        taskType.GetCustomAttribute<TaskNameAttribute>()?.Name ?? taskType.Name;

    private void RegisterTasks(CakeEngine engine, IEnumerable<IFrostingTask> tasks)
    {
        foreach (var task in tasks)
        {
            var type = task.GetType();
            var contextType = GetContextType(type);
            if (!contextType.IsAssignableFrom(_contextType))
            {
                throw new InvalidOperationException($"The task {type.Name} needs a {contextType.Name}, but the host's context is {_contextType.Name}.");
            }

            var builder = engine.RegisterTask(GetTaskName(type));
            var description = type.GetCustomAttribute<TaskDescriptionAttribute>()?.Description;
            if (!string.IsNullOrWhiteSpace(description))
            {
                builder.Description(description);
            }

            if (IsOverridden(type, "Run") || IsOverridden(type, "RunAsync"))
            {
                builder.Does(task.RunAsync);
            }

            if (IsOverridden(type, nameof(IFrostingTask.ShouldRun)))
            {
                builder.WithCriteria(task.ShouldRun, $"{GetTaskName(type)}: {task.SkipReason}");
            }

            if (IsOverridden(type, nameof(IFrostingTask.OnError)))
            {
                builder.OnError((Action<Exception, ICakeContext>)task.OnError);
            }

            if (IsOverridden(type, nameof(IFrostingTask.Finally)))
            {
                builder.Finally((Action<ICakeContext>)task.Finally);
            }

            foreach (var dependency in type.GetCustomAttributes<IsDependentOnAttribute>())
            {
                EnsureTask(dependency.Task, type);
                builder.IsDependentOn(GetTaskName(dependency.Task));
            }

            foreach (var dependee in type.GetCustomAttributes<IsDependeeOfAttribute>())
            {
                EnsureTask(dependee.Task, type);
                builder.IsDependeeOf(GetTaskName(dependee.Task));
            }
        }
    }

    private static void EnsureTask(Type dependency, Type owner)
    {
        if (!typeof(IFrostingTask).IsAssignableFrom(dependency))
        {
            throw new InvalidOperationException($"The dependency {dependency.Name} of {owner.Name} is not a task.");
        }
    }

    private static Type GetContextType(Type taskType)
    {
        for (var type = taskType.BaseType; type is not null; type = type.BaseType)
        {
            if (type.IsConstructedGenericType &&
                (type.GetGenericTypeDefinition() == typeof(FrostingTask<>) || type.GetGenericTypeDefinition() == typeof(AsyncFrostingTask<>)))
            {
                return type.GenericTypeArguments[0];
            }
        }

        return typeof(ICakeContext);
    }

    private static bool IsOverridden(Type taskType, string methodName) =>
        taskType
            .GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Any(m => m.Name == methodName && m.GetBaseDefinition().DeclaringType != m.DeclaringType);

    private static string ResolveTarget(ILookup<string, string> arguments, CakeEngine engine)
    {
        var target = arguments["target"].LastOrDefault() ?? "Default";
        var match = engine.Tasks.FirstOrDefault(t => t.Name.Equals(target, StringComparison.OrdinalIgnoreCase));
        if (match is not null)
        {
            return match.Name;
        }

        var names = engine.Tasks.Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray();
        var closest = ArgumentParser.Suggest(target, names);
        var fix = (closest is null ? string.Empty : $"did you mean --target={closest}? ") +
                  "The targets are: " + string.Join(", ", names) + " (--description tells what each does)";
        throw new HostUsageException($"--target={target}", "ARG-TARGET", $"Unknown target '{target}'", fix);
    }

    private FrostingContext CreateTypedContext(ICakeContext context)
    {
        var constructor = _contextType.GetConstructor([typeof(ICakeContext)])
            ?? throw new InvalidOperationException($"The context {_contextType.Name} needs a constructor taking ICakeContext.");
        try
        {
            return (FrostingContext)constructor.Invoke([context]);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            // Argument mistakes found while building the context surface as themselves.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }

    private void RegisterLifetime(CakeEngine engine, FrostingContext context, ICakeLog log, TeardownRegistry teardown, CancellationToken cancellationToken)
    {
        var lifetime = _lifetimeType is null ? null : (IFrostingLifetime)Activator.CreateInstance(_lifetimeType)!;
        if (lifetime is not null)
        {
            engine.RegisterSetupAction(info => lifetime.Setup(context, info));
        }

        // No task starts after Ctrl-C, even a synchronous one that never looks at the token.
        engine.RegisterTaskSetupAction(_ => cancellationToken.ThrowIfCancellationRequested());

        engine.RegisterTeardownAction(info =>
        {
            Exception? lifetimeError = null;
            try
            {
                lifetime?.Teardown(context, info);
            }
#pragma warning disable CA1031 // The registered teardown actions must run even if the lifetime's teardown failed.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                lifetimeError = ex;
            }

            var failures = teardown.RunAllAsync(log, _teardownDeadline).GetAwaiter().GetResult();
            if (lifetimeError is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(lifetimeError).Throw();
            }

            if (failures.Count > 0)
            {
                throw new TargetFailedException(
                    "Teardown failed; these may have been left behind: " + string.Join(", ", failures.Select(f => f.Key)) +
                    ". Run --target=Sweep to remove leftovers.");
            }
        });
    }

    private ScriptHost CreateScriptHost(ILookup<string, string> arguments, CakeEngine engine, FrostingContext context, ICakeLog log, IConsole console, TextWriter output)
    {
        if (IsTrue(arguments, "dryrun"))
        {
            return new DryRunScriptHost<FrostingContext>(engine, context, log);
        }

        if (IsTrue(arguments, "tree"))
        {
            return new TreeScriptHost(engine, context, console);
        }

        if (IsTrue(arguments, "description"))
        {
            var ansi = _output is null
                ? AnsiConsole.Console
                : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
            return new DescriptionScriptHost(engine, context, ansi);
        }

        var printer = new CakeReportPrinter(console, context);
        return new BuildScriptHost<FrostingContext>(engine, new DefaultExecutionStrategy(log, printer), context, printer, context.Configuration, log);
    }

    private static int Report(Exception exception, ICakeLog log, IConsole console, CancellationToken cancellationToken)
    {
        var ex = Unwrap(exception);
        switch (ex)
        {
            case HostUsageException usage:
                console.WriteErrorLine(usage.Diagnostic.ToString());
                return ExitCodes.UsageOrInput;
            case PipelineInputException input:
                foreach (var diagnostic in input.Diagnostics)
                {
                    console.WriteErrorLine(diagnostic.ToString());
                }

                LogDetail(log, ex);
                return ExitCodes.UsageOrInput;
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                console.WriteErrorLine("Cancelled; teardown ran.");
                return ExitCodes.Cancelled;
            case CakeException skipped when skipped.Message.StartsWith("Could not reach target", StringComparison.Ordinal) && skipped.Message.Contains("skipped due to a criteria", StringComparison.Ordinal):
                // A target whose condition is false (PromoteToProduction without approval) is skipped, not failed.
                console.WriteLine("Skipped: " + skipped.Message[(skipped.Message.IndexOf(": ", StringComparison.Ordinal) + 2)..]);
                return ExitCodes.Success;
            case TargetFailedException failed:
                console.WriteErrorLine("Error: " + failed.Message);
                LogDetail(log, ex);
                return failed.ExitCode;
            default:
                console.WriteErrorLine("Error: " + ex.Message);
                LogDetail(log, ex);
                return ExitCodes.Failure;
        }
    }

    private static void LogDetail(ICakeLog log, Exception ex) =>
        log.Write(Verbosity.Diagnostic, LogLevel.Error, "{0}", ex.ToString());

    private static Exception Unwrap(Exception exception)
    {
        var ex = exception;
        while (true)
        {
            switch (ex)
            {
                case CakeReportException { InnerException: { } inner }:
                    ex = inner;
                    continue;
                case AggregateException aggregate when aggregate.InnerExceptions.Count == 1:
                    ex = aggregate.InnerExceptions[0];
                    continue;
                case TargetInvocationException { InnerException: { } inner }:
                    ex = inner;
                    continue;
                default:
                    return ex;
            }
        }
    }

    private void PrintHelp(IConsole console, IReadOnlyList<IFrostingTask> tasks, IReadOnlyList<HostSwitch> switches)
    {
        console.WriteLine($"Usage: {_product} [--target=<name>] [switches]");
        console.WriteLine(string.Empty);
        console.WriteLine("Targets:");
        var named = tasks
            .Select(t => (Name: GetTaskName(t.GetType()), Description: t.GetType().GetCustomAttribute<TaskDescriptionAttribute>()?.Description ?? string.Empty))
            .OrderBy(t => t.Name == "Default" ? 0 : 1)
            .ThenBy(t => t.Name, StringComparer.Ordinal)
            .ToList();
        var width = named.Count == 0 ? 0 : named.Max(t => t.Name.Length);
        foreach (var (name, description) in named)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name.PadRight(width)}  {description}"));
        }

        console.WriteLine(string.Empty);
        console.WriteLine("Switches:");
        var usageWidth = switches.Max(s => s.Usage.Length);
        foreach (var sw in switches)
        {
            var aliases = sw.Aliases.Count == 0 ? string.Empty : " (also " + string.Join(", ", sw.Aliases.Select(a => a.Length == 1 ? "-" + a : "--" + a)) + ")";
            console.WriteLine($"  {sw.Usage.PadRight(usageWidth)}  {sw.Description}{aliases}");
        }
    }

    /// <summary>Cake.Core has no tool installer; this host installs nothing at run time.</summary>
    private sealed class RefusingToolInstaller : IToolInstaller
    {
        public IEnumerable<FilePath> Install(PackageReference tool) =>
            throw new NotSupportedException($"Tool installation is not supported by this host ({tool.OriginalString}); install the tool first.");
    }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}
