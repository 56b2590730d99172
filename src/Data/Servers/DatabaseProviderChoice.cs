using GluePipeline.Diagnostics;

namespace GluePipeline.Data.Servers;

/// <summary>Where the local lane's JDBC jobs get their PostgreSQL and MySQL/MariaDB servers from.</summary>
public enum DatabaseProviderChoice
{
    /// <summary>Per engine, the first of containers, urls, binaries that serves it.</summary>
    Auto,

    /// <summary>Testcontainers, when a Docker engine answers.</summary>
    Containers,

    /// <summary>Servers given by <c>PIPELINE_POSTGRES_URL</c> / <c>PIPELINE_MYSQL_URL</c>.</summary>
    Urls,

    /// <summary>Throw-away servers from the local PostgreSQL and MariaDB binaries.</summary>
    Binaries,

    /// <summary>No servers: JDBC jobs are skipped (fail under CI).</summary>
    None,
}

/// <summary>Reads a <see cref="DatabaseProviderChoice"/> from an option or the environment.</summary>
public static class DatabaseProviderChoices
{
    /// <summary>The environment variable that picks the provider when no option does.</summary>
    public const string EnvironmentVariable = "PIPELINE_DATABASES";

    /// <summary>The values a user may write, in the order they are tried under auto.</summary>
    public static IReadOnlyList<string> Allowed { get; } = ["auto", "containers", "urls", "binaries", "none"];

    /// <summary>Parses a choice (case-insensitive); anything else is a <see cref="PipelineInputException"/> naming <paramref name="source"/> and the allowed values.</summary>
    /// <param name="text">The value as written.</param>
    /// <param name="source">Where it was written, e.g. <c>--databases</c> or <c>PIPELINE_DATABASES</c>.</param>
    public static DatabaseProviderChoice Parse(string text, string source) =>
        text.Trim().ToLowerInvariant() switch
        {
            "auto" => DatabaseProviderChoice.Auto,
            "containers" => DatabaseProviderChoice.Containers,
            "urls" => DatabaseProviderChoice.Urls,
            "binaries" => DatabaseProviderChoice.Binaries,
            "none" => DatabaseProviderChoice.None,
            _ => throw new PipelineInputException(Diagnostic.Error(
                new SourceLocation(source),
                "DATABASE-PROVIDER",
                $"'{text}' is not a database provider",
                $"use one of {string.Join(", ", Allowed)}")),
        };

    /// <summary>The choice <see cref="EnvironmentVariable"/> makes, or auto when it is unset or blank.</summary>
    public static DatabaseProviderChoice FromEnvironment(IReadOnlyDictionary<string, string?> environment) =>
        environment.TryGetValue(EnvironmentVariable, out var text) && !string.IsNullOrWhiteSpace(text)
            ? Parse(text, EnvironmentVariable)
            : DatabaseProviderChoice.Auto;

    /// <summary>The name a user writes for a choice.</summary>
    public static string Name(DatabaseProviderChoice choice) => Allowed[(int)choice];
}
