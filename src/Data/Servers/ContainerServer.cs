using System.Net.Sockets;
using DotNet.Testcontainers.Containers;
using GluePipeline.Stacks;
using Testcontainers.MySql;
using Testcontainers.PostgreSql;

namespace GluePipeline.Data.Servers;

/// <summary>
/// A PostgreSQL or MySQL container started with Testcontainers (images pinned to exact versions). Containers are
/// not recorded as pidfiles: Testcontainers' resource reaper (Ryuk) removes them when the run dies.
/// </summary>
/// <remarks>Written against the Testcontainers 4.16 API; not exercised on machines without a Docker engine.</remarks>
internal sealed class ContainerServer : IStartedServer
{
    private const int PostgresPort = 5432;
    private const int MySqlPort = 3306;
    private readonly IContainer _container;

    private ContainerServer(IContainer container, DatabaseUri uri, string description)
    {
        _container = container;
        Uri = uri;
        Description = description;
    }

    /// <inheritdoc/>
    public DatabaseUri Uri { get; }

    /// <inheritdoc/>
    public string Description { get; }

    /// <inheritdoc/>
    public LocalServer? Record => null;

    /// <summary>Starts a PostgreSQL container whose <c>postgres</c> superuser has a generated password.</summary>
    public static Task<ContainerServer> StartPostgresAsync(string image, Uri? dockerEndpoint, CancellationToken cancellationToken)
    {
        var password = ServerProcess.NewPassword();
        var builder = new PostgreSqlBuilder(image)
            .WithDatabase("postgres")
            .WithUsername("postgres")
            .WithPassword(password)
            .WithCommand("-c", "max_connections=200"); // the builder itself already turns durability off
        if (dockerEndpoint is not null)
        {
            builder = builder.WithDockerEndpoint(dockerEndpoint);
        }

        return StartAsync(builder.Build(), image, password, container => new DatabaseUri(DatabaseKind.PostgreSql, container.Hostname, container.GetMappedPublicPort(PostgresPort), "postgres", "postgres", password), cancellationToken);
    }

    /// <summary>Starts a MySQL container (<c>--local-infile=1</c>) whose root has a generated password.</summary>
    public static Task<ContainerServer> StartMySqlAsync(string image, Uri? dockerEndpoint, CancellationToken cancellationToken)
    {
        var password = ServerProcess.NewPassword();

        // Username root: Testcontainers then only sets MYSQL_ROOT_PASSWORD, and root may CREATE DATABASE.
        var builder = new MySqlBuilder(image)
            .WithDatabase("pipeline")
            .WithUsername("root")
            .WithPassword(password)
            .WithCommand("--local-infile=1", "--skip-log-bin", "--innodb-flush-log-at-trx-commit=0", "--max-connections=200");
        if (dockerEndpoint is not null)
        {
            builder = builder.WithDockerEndpoint(dockerEndpoint);
        }

        return StartAsync(builder.Build(), image, password, container => new DatabaseUri(DatabaseKind.MySql, container.Hostname, container.GetMappedPublicPort(MySqlPort), "mysql", "root", password), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _container.DisposeAsync();

    private static async Task<ContainerServer> StartAsync(IContainer container, string image, string password, Func<IContainer, DatabaseUri> uri, CancellationToken cancellationToken)
    {
        try
        {
            await container.StartAsync(cancellationToken);
            return new ContainerServer(container, uri(container), image);
        }
        catch (Exception ex)
        {
            await container.DisposeAsync();
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            // A failed wait strategy may quote its command line, which carries the password.
            throw new DatabaseServerException(ex.Message.Replace(password, "***", StringComparison.Ordinal), ex);
        }
    }
}

/// <summary>Whether a Docker engine answers, checked cheaply before Testcontainers is asked for anything.</summary>
internal static class DockerEngine
{
    private const string DefaultSocket = "/var/run/docker.sock";

    /// <summary>The endpoint to use (null: Testcontainers' own discovery), or why there is no engine.</summary>
    public static async Task<(bool Available, Uri? Endpoint, string Reason)> ProbeAsync(IReadOnlyDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var dockerHost = environment.TryGetValue("DOCKER_HOST", out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        if (dockerHost is null && !File.Exists(DefaultSocket))
        {
            return (false, null, $"DOCKER_HOST is not set and {DefaultSocket} does not exist");
        }

        if (dockerHost is not null && !Uri.TryCreate(dockerHost, UriKind.Absolute, out _))
        {
            return (false, null, $"DOCKER_HOST={dockerHost} is not a URI");
        }

        var endpoint = new Uri(dockerHost ?? "unix://" + DefaultSocket);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            switch (endpoint.Scheme)
            {
                case "unix":
                    if (!File.Exists(endpoint.LocalPath))
                    {
                        return (false, null, $"{endpoint.LocalPath} does not exist");
                    }

                    return await PingUnixAsync(endpoint.LocalPath, timeout.Token)
                        ? (true, endpoint, string.Empty)
                        : (false, null, $"the Docker engine at {endpoint} does not answer /_ping");
                case "tcp":
                    using (var client = new TcpClient())
                    {
                        await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
                    }

                    return (true, endpoint, string.Empty);
                default:
                    // ssh:// and friends: leave it to Testcontainers, whose failure is caught as "not available".
                    return (true, endpoint, string.Empty);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, null, $"the Docker engine at {endpoint} did not answer within 3 s");
        }
        catch (Exception ex) when (ex is SocketException or IOException or HttpRequestException)
        {
            return (false, null, $"the Docker engine at {endpoint} does not answer ({ex.Message})");
        }
    }

    private static async Task<bool> PingUnixAsync(string socketPath, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var http = new HttpClient(handler);
        using var response = await http.GetAsync(new Uri("http://docker/_ping"), cancellationToken);
        return response.IsSuccessStatusCode;
    }
}
