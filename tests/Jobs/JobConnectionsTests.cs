using GluePipeline.Data.Servers;
using GluePipeline.Diagnostics;
using GluePipeline.Jobs;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Jobs;

/// <summary>RunJob's connections from the template: found by name (or its stem), and a URL the lane cannot serve said plainly.</summary>
public sealed class JobConnectionsTests : IDisposable
{
    private readonly TempDirectory _dir = new("jobconnections");

    public void Dispose() => _dir.Dispose();

    private string Template(string url) => _dir.Write("templates/etl.yaml", $$"""
        Parameters:
          NameSuffix: {Type: String}
          SourceUrl: {Type: String, Default: "{{url}}"}
        Resources:
          Source:
            Type: AWS::Glue::Connection
            Properties:
              CatalogId: !Ref AWS::AccountId
              ConnectionInput:
                Name: !Sub mysql_source_${NameSuffix}
                ConnectionType: JDBC
                ConnectionProperties: {JDBC_CONNECTION_URL: !Ref SourceUrl, SECRET_ID: s}
        """);

    [Fact]
    public void A_connection_is_found_by_its_name_its_stem_and_its_logical_id_with_its_engine_and_database()
    {
        var connections = JobConnections.FromTemplate(Template("jdbc:mysql://db.internal:3306/glue_demo"), "templates/etl.yaml");

        connections.Keys.Should().BeEquivalentTo("mysql_source_${NameSuffix}", "mysql_source", "Source");
        connections["mysql_source"].Should().Match<GluePipeline.Data.Jdbc.JdbcUrl>(u => u.Engine == GluePipeline.Data.Jdbc.JdbcEngine.MySql && u.Database == "glue_demo");
    }

    [Fact]
    public async Task A_URL_the_lane_cannot_serve_is_named_with_the_fix()
    {
        var connections = JobConnections.FromTemplate(Template("mysql://db.internal:3306/glue_demo"), "templates/etl.yaml");
        await using var none = await GluePipeline.Data.Servers.DatabaseServers.StartAsync(new DatabaseServerOptions(Path.Combine(_dir.Path, "servers")) { Choice = DatabaseProviderChoice.None }, _ => { }, CancellationToken.None);

        var serve = () => JobConnections.ServeAsync(["mysql_source"], connections, "templates/etl.yaml", none, CancellationToken.None);

        var error = (await serve.Should().ThrowAsync<PipelineInputException>()).Which.Diagnostics.Single();
        error.Message.Should().Be("Connection 'mysql_source' in templates/etl.yaml has JDBC_CONNECTION_URL 'mysql://db.internal:3306/glue_demo', which the local lane cannot serve (it serves jdbc:postgresql, jdbc:mysql and jdbc:redshift URLs)");
        error.Fix.Should().StartWith("write the URL as jdbc:");
    }
}
