using System.Security.Cryptography;
using GluePipeline.Data.Jdbc;
using GluePipeline.Data.Servers;
using GluePipeline.Diagnostics;
using GluePipeline.Documents;
using GluePipeline.Templates;

namespace GluePipeline.Jobs;

/// <summary>
/// Databases for RunJob: the Glue connections a job uses, found in the template by name (their
/// engine and database from the JDBC URL), each served by a fresh database on the run's database
/// servers and dropped when the run ends.
/// </summary>
public sealed class JobConnections : IAsyncDisposable
{
    private readonly List<(Data.DatabaseUri Server, string Database)> _created = [];

    private JobConnections()
    {
    }

    /// <summary>Connection name to the database that serves it.</summary>
    public Dictionary<string, JdbcEndpoint> Endpoints { get; } = new(StringComparer.Ordinal);

    /// <summary>The Glue connections a job reads or writes through (placeholders filled).</summary>
    public static IReadOnlyList<string> Used(JobSpec spec, IReadOnlyDictionary<string, string> values) =>
        spec.Sources.Select(s => s.Jdbc).Append(spec.Sink.Jdbc).OfType<JdbcRef>().Select(j => JobArguments.Substitute(j.Connection, values)).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// The JDBC URLs of a template's AWS::Glue::Connection resources by connection name, by the
    /// name without its placeholders (<c>mysql_source_${NameSuffix}</c> is also <c>mysql_source</c>) and
    /// by logical id; a URL made with Fn::Sub keeps its placeholders (the engine and database are what matter).
    /// </summary>
    public static IReadOnlyDictionary<string, JdbcUrl> FromTemplate(string path, string display)
    {
        var result = new Dictionary<string, JdbcUrl>(StringComparer.Ordinal);
        if (!File.Exists(path) || CfnTemplate.From(DocumentParser.Parse(display, File.ReadAllBytes(path), DocumentDialect.CloudFormation)) is not { } template)
        {
            return result;
        }

        foreach (var resource in template.Resources.Values.Where(r => r.Type == "AWS::Glue::Connection"))
        {
            var input = (resource.Definition["Properties"] as MappingNode)?["ConnectionInput"] as MappingNode;
            if (Loose(input?["Name"], template) is { } name && Loose((input?["ConnectionProperties"] as MappingNode)?["JDBC_CONNECTION_URL"], template) is { } text)
            {
                // A URL that is not JDBC is kept (as an engine the lane does not serve), so RunJob can say what is wrong with it.
                var url = JdbcUrl.TryParse(text) ?? new JdbcUrl(text, JdbcEngine.Other, string.Empty, string.Empty, null, null);

                // A name made per stack (mysql_source_${NameSuffix}) is also found by its stem, the job's default (mysql_source).
                result[name] = url;
                result.TryAdd(System.Text.RegularExpressions.Regex.Replace(name, @"[_\-.]?\$\{[^}]+\}", string.Empty), url);
                result.TryAdd(resource.LogicalId, url);
            }
        }

        return result;
    }

    /// <summary>Gives each connection a fresh database on the servers; a connection the template lacks or no server serves is an error with the fix.</summary>
    public static async Task<JobConnections> ServeAsync(IReadOnlyList<string> names, IReadOnlyDictionary<string, JdbcUrl> template, string templateDisplay, DatabaseServers servers, CancellationToken cancellationToken)
    {
        var result = new JobConnections();
        var suffix = "rj" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        try
        {
            foreach (var name in names)
            {
                if (!template.TryGetValue(name, out var url))
                {
                    throw new PipelineInputException(Diagnostic.Error(new SourceLocation($"--job (connection {name})"), "JOB-CONNECTION", $"The job uses Glue connection '{name}', which {templateDisplay} does not define", $"add an AWS::Glue::Connection named {name} with its JDBC_CONNECTION_URL, or give --connection {name}=postgres://user:password@host:5432/database"));
                }

                if (url.Engine == JdbcEngine.Other)
                {
                    throw new PipelineInputException(Diagnostic.Error(new SourceLocation($"--job (connection {name})"), "JOB-CONNECTION", $"Connection '{name}' in {templateDisplay} has JDBC_CONNECTION_URL '{url.Text}', which the local lane cannot serve (it serves jdbc:postgresql, jdbc:mysql and jdbc:redshift URLs)", $"write the URL as jdbc:<postgresql|mysql|redshift>://host:port/database (Lint checks it), or give --connection {name}=<uri>"));
                }

                if (servers.For(url.Engine) is not { } server)
                {
                    throw new PipelineInputException(Diagnostic.Error(new SourceLocation($"--job (connection {name})"), "JOB-CONNECTION", $"No database serves connection '{name}' ({url.Engine}): {servers.Missing(url.Engine)}", $"give --connection {name}=<uri>, set PIPELINE_POSTGRES_URL/PIPELINE_MYSQL_URL, or install the database server"));
                }

                var logical = url.Database ?? name;
                var database = RunDatabase.Name(logical, suffix);
                if (!result._created.Any(c => c.Server == server && c.Database == database))
                {
                    await RunDatabase.CreateAsync(server, database, cancellationToken);
                    result._created.Add((server, database));
                }

                result.Endpoints[name] = new JdbcEndpoint(name, url.Engine, server.WithDatabase(database)) { LogicalDatabase = logical };
            }
        }
        catch
        {
            await result.DisposeAsync();
            throw;
        }

        return result;
    }

    /// <summary>Drops the databases it created.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (server, database) in _created)
        {
            await RunDatabase.DropAsync(server, database, CancellationToken.None);
        }

        _created.Clear();
    }

    /// <summary>A value as far as it can be known without deploying: text, Fn::Sub's text, a parameter's default, else <c>${name}</c>.</summary>
    private static string? Loose(DocumentNode? value, CfnTemplate template) => value switch
    {
        ScalarNode scalar => scalar.Value,
        MappingNode { Entries.Count: 1 } map when map["Fn::Sub"] is { } sub => sub is SequenceNode { Items.Count: > 0 } list ? Loose(list.Items[0], template) : Loose(sub, template),
        MappingNode { Entries.Count: 1 } map when map["Ref"] is ScalarNode reference =>
            template.Parameters.TryGetValue(reference.Value, out var parameter) && parameter.Default is { } fallback ? fallback : "${" + reference.Value + "}",
        _ => null,
    };
}
