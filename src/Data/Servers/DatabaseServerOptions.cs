using GluePipeline.Stacks;

namespace GluePipeline.Data.Servers;

/// <summary>How <see cref="DatabaseServers"/> finds or starts the servers.</summary>
/// <param name="ServersFolder">The pidfiles' folder (<c>.pipeline/servers</c>) where started local servers are recorded for Sweep.</param>
public sealed record DatabaseServerOptions(string ServersFolder)
{
    /// <summary>The provider; null reads <c>PIPELINE_DATABASES</c> from <see cref="Environment"/>, and auto when that is unset.</summary>
    public DatabaseProviderChoice? Choice { get; init; }

    /// <summary>Where local servers get their temp folders; null is the system temp folder.</summary>
    public string? TempRoot { get; init; }

    /// <summary>The environment to read (<c>PIPELINE_*_URL</c>, <c>PIPELINE_DATABASES</c>, <c>DOCKER_HOST</c>); null is this process's.</summary>
    public IReadOnlyDictionary<string, string?>? Environment { get; init; }

    /// <summary>The run that owns started local servers (Sweep stops them once it is gone); null is this process.</summary>
    public RunOwner? Owner { get; init; }

    /// <summary>The start of pidfile and temp folder names (letters, digits, <c>-</c>).</summary>
    public string NamePrefix { get; init; } = "pipeline";

    /// <summary>The folders searched for server binaries; null is the default (<see cref="ServerBinaries.DefaultSearchPath"/>). Tests pass an empty list to simulate a machine without them.</summary>
    public IReadOnlyList<string>? BinarySearchPath { get; init; }

    /// <summary>How long one server may take to start and answer.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>The clock for deadlines and polling.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The Docker images of the containers provider, pinned to exact versions.</summary>
    public ContainerImages Images { get; init; } = new("postgres:16.4", "mysql:8.0.39");
}

/// <summary>The Docker images the containers provider runs (exact versions, never <c>latest</c>).</summary>
/// <param name="Postgres">The PostgreSQL image, e.g. <c>postgres:16.4</c>.</param>
/// <param name="MySql">The MySQL image, e.g. <c>mysql:8.0.39</c>.</param>
public sealed record ContainerImages(string Postgres, string MySql);
