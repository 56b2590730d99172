using GluePipeline.Build.Hosting;

namespace GluePipeline.Build;

/// <summary>The product's host: its context, lifetime, tasks and switches.</summary>
public static class PipelineHost
{
    /// <summary>The command a user types, for usage text.</summary>
    public const string Command = "dotnet run --project build --";

    /// <summary>Creates the host with every task of this assembly.</summary>
    public static CakeHost Create() =>
        new CakeHost()
            .UseContext<BuildContext>()
            .UseLifetime<BuildLifetime>()
            .AddAssembly(typeof(PipelineHost).Assembly)
            .UseSwitches(BuildSwitches.All)
            .UseProductName(Command)
            .UseMachineReadableOutputWhen(arguments =>
                arguments["format"].Any(f => f.Equals("json", StringComparison.OrdinalIgnoreCase)) || arguments["plan"].Any(p => p == "true"));
}
