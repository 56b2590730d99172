using GluePipeline.Diagnostics;
using GluePipeline.Documents;

namespace GluePipeline.Templates.Rules;

/// <summary>
/// Glue networking rules (warnings), from the multi-VPC and on-premises posts: a Glue connection's
/// security group needs a self-referencing ingress for all TCP; each database's security group
/// must admit the Glue security group (or the Glue subnet's CIDR) on its port; peered VPCs must not
/// overlap; a Glue subnet's route table needs an S3 gateway endpoint or a NAT route; VPCs Glue uses
/// need DNS support and hostnames. A rule only speaks when the template holds what it checks.
/// </summary>
public static class NetworkRules
{
    /// <summary>The rule ids this class reports, with what each is about.</summary>
    public static IReadOnlyDictionary<string, string> Rules { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["NET-GLUE-SG-SELF"] = "a Glue connection's security group has no self-referencing ingress for all TCP",
        ["NET-DB-SG"] = "a database's security group does not admit the Glue security group or subnet on the database port",
        ["NET-PEERING-OVERLAP"] = "peered VPCs with overlapping CIDR blocks",
        ["NET-GLUE-ROUTE"] = "a Glue subnet whose route table has no S3 gateway endpoint and no NAT route",
        ["NET-VPC-DNS"] = "a VPC that Glue uses without DNS support and DNS hostnames",
    };

    private sealed record Ingress(string Protocol, long? From, long? To, CfnResource? SourceGroup, string? SourceCidr);

    /// <summary>Runs the network rules.</summary>
    public static IEnumerable<Diagnostic> Check(TemplateGraph graph)
    {
        var findings = new List<Diagnostic>();
        var connections = graph.OfType("AWS::Glue::Connection").ToArray();
        var glueGroups = connections
            .SelectMany(c => graph.ReferencedAll(TemplateGraph.Property(c, "ConnectionInput.PhysicalConnectionRequirements.SecurityGroupIdList")))
            .Where(g => g.Type == "AWS::EC2::SecurityGroup")
            .Distinct()
            .ToArray();
        var glueSubnets = connections
            .Select(c => graph.Referenced(TemplateGraph.Property(c, "ConnectionInput.PhysicalConnectionRequirements.SubnetId")))
            .OfType<CfnResource>()
            .Where(s => s.Type == "AWS::EC2::Subnet")
            .Distinct()
            .ToArray();

        foreach (var group in glueGroups)
        {
            var self = IngressOf(graph, group).Any(i => i.SourceGroup == group && CoversAllTcp(i));
            if (!self)
            {
                findings.Add(Diagnostic.Warning(group.Location, "NET-GLUE-SG-SELF", $"Security group {group.LogicalId} is used by a Glue connection but has no ingress rule from itself for all TCP ports", $"add an AWS::EC2::SecurityGroupIngress with GroupId and SourceSecurityGroupId both !Ref {group.LogicalId}, IpProtocol tcp, FromPort 0, ToPort 65535 (Glue's workers talk to each other)"));
            }
        }

        DatabaseGroups(graph, glueGroups, glueSubnets, findings);
        Peering(graph, findings);

        foreach (var subnet in glueSubnets)
        {
            Routes(graph, subnet, findings);
        }

        var glueVpcs = glueSubnets.Select(s => graph.Referenced(TemplateGraph.Property(s, "VpcId")))
            .Concat(graph.OfType("AWS::EC2::VPCPeeringConnection").SelectMany(p => new[] { graph.Referenced(TemplateGraph.Property(p, "VpcId")), graph.Referenced(TemplateGraph.Property(p, "PeerVpcId")) }))
            .OfType<CfnResource>()
            .Where(v => v.Type == "AWS::EC2::VPC")
            .Distinct();
        foreach (var vpc in glueVpcs)
        {
            var off = new[] { "EnableDnsSupport", "EnableDnsHostnames" }
                .Where(f => graph.TryString(TemplateGraph.Property(vpc, f)) != "true" && !(f == "EnableDnsSupport" && TemplateGraph.Property(vpc, f) is null))
                .ToArray();
            if (off.Length > 0)
            {
                findings.Add(Diagnostic.Warning(vpc.Location, "NET-VPC-DNS", $"VPC {vpc.LogicalId} is used by Glue but {string.Join(" and ", off)} {(off.Length == 1 ? "is" : "are")} not true, so Glue resolves database endpoints to public addresses it cannot reach", "set EnableDnsSupport: true and EnableDnsHostnames: true"));
            }
        }

        return findings;
    }

    private static void DatabaseGroups(TemplateGraph graph, CfnResource[] glueGroups, CfnResource[] glueSubnets, List<Diagnostic> findings)
    {
        if (glueGroups.Length == 0 && glueSubnets.Length == 0)
        {
            return;
        }

        var glueCidrs = glueSubnets.Select(s => TemplateGraph.ParseCidr(graph.TryString(TemplateGraph.Property(s, "CidrBlock")))).OfType<(uint, int)>().ToArray();
        foreach (var database in graph.Template.Resources.Values)
        {
            var (groupsNode, port) = database.Type switch
            {
                "AWS::RDS::DBInstance" or "AWS::RDS::DBCluster" => (TemplateGraph.Property(database, "VPCSecurityGroups") ?? TemplateGraph.Property(database, "VpcSecurityGroupIds"), graph.TryInteger(TemplateGraph.Property(database, "Port")) ?? DefaultPort(graph.TryString(TemplateGraph.Property(database, "Engine")))),
                "AWS::Redshift::Cluster" => (TemplateGraph.Property(database, "VpcSecurityGroupIds"), graph.TryInteger(TemplateGraph.Property(database, "Port")) ?? 5439),
                _ => (null, null),
            };
            if (groupsNode is null || port is null)
            {
                continue;
            }

            foreach (var group in graph.ReferencedAll(groupsNode).Where(g => g.Type == "AWS::EC2::SecurityGroup" && !glueGroups.Contains(g)))
            {
                var admitted = IngressOf(graph, group).Any(i =>
                    Covers(i, port.Value) &&
                    ((i.SourceGroup is not null && glueGroups.Contains(i.SourceGroup)) ||
                     (TemplateGraph.ParseCidr(i.SourceCidr) is { } cidr && glueCidrs.Any(g => TemplateGraph.Contains(cidr, g)))));
                if (!admitted)
                {
                    findings.Add(Diagnostic.Warning(group.Location, "NET-DB-SG", $"Security group {group.LogicalId} of database {database.LogicalId} does not admit Glue on port {port}", $"add an ingress on port {port} from the Glue connection's security group ({string.Join(", ", glueGroups.Select(g => g.LogicalId))}), or from the Glue subnet's CIDR when Glue runs in another region"));
                }
            }
        }
    }

    private static long? DefaultPort(string? engine) => engine switch
    {
        null => null,
        _ when engine.Contains("mysql", StringComparison.OrdinalIgnoreCase) || engine.Contains("mariadb", StringComparison.OrdinalIgnoreCase) => 3306,
        _ when engine.Contains("postgres", StringComparison.OrdinalIgnoreCase) => 5432,
        _ when engine.Contains("sqlserver", StringComparison.OrdinalIgnoreCase) => 1433,
        _ when engine.Contains("oracle", StringComparison.OrdinalIgnoreCase) => 1521,
        _ => null,
    };

    private static void Peering(TemplateGraph graph, List<Diagnostic> findings)
    {
        foreach (var peering in graph.OfType("AWS::EC2::VPCPeeringConnection"))
        {
            var a = graph.Referenced(TemplateGraph.Property(peering, "VpcId"));
            var b = graph.Referenced(TemplateGraph.Property(peering, "PeerVpcId"));
            var cidrA = a is null ? null : TemplateGraph.ParseCidr(graph.TryString(TemplateGraph.Property(a, "CidrBlock")));
            var cidrB = b is null ? null : TemplateGraph.ParseCidr(graph.TryString(TemplateGraph.Property(b, "CidrBlock")));
            if (cidrA is { } x && cidrB is { } y && TemplateGraph.Overlap(x, y))
            {
                findings.Add(Diagnostic.Warning(peering.Location, "NET-PEERING-OVERLAP", $"Peering {peering.LogicalId} joins {a!.LogicalId} and {b!.LogicalId}, whose CIDR blocks overlap", "give every peered VPC its own range (e.g. 172.30.0.0/16 for Glue, 172.31.0.0/16, 172.32.0.0/16 for the databases)"));
            }
        }
    }

    private static void Routes(TemplateGraph graph, CfnResource subnet, List<Diagnostic> findings)
    {
        var tables = graph.OfType("AWS::EC2::SubnetRouteTableAssociation")
            .Where(a => graph.Referenced(TemplateGraph.Property(a, "SubnetId")) == subnet)
            .Select(a => graph.Referenced(TemplateGraph.Property(a, "RouteTableId")))
            .OfType<CfnResource>()
            .ToArray();
        if (tables.Length == 0)
        {
            findings.Add(Diagnostic.Warning(subnet.Location, "NET-GLUE-ROUTE", $"Glue subnet {subnet.LogicalId} has no route table association here, so it uses the VPC's main route table, which cannot be checked", "associate a route table with an S3 gateway endpoint (AWS::EC2::SubnetRouteTableAssociation)"));
            return;
        }

        foreach (var table in tables)
        {
            var s3Endpoint = graph.OfType("AWS::EC2::VPCEndpoint").Any(e =>
                (graph.TryString(TemplateGraph.Property(e, "ServiceName")) ?? string.Empty).EndsWith(".s3", StringComparison.Ordinal) &&
                (graph.TryString(TemplateGraph.Property(e, "VpcEndpointType")) ?? "Gateway") == "Gateway" &&
                graph.ReferencedAll(TemplateGraph.Property(e, "RouteTableIds")).Contains(table));
            var natRoute = graph.OfType("AWS::EC2::Route").Any(r =>
                graph.Referenced(TemplateGraph.Property(r, "RouteTableId")) == table &&
                TemplateGraph.Property(r, "NatGatewayId") is not null &&
                graph.TryString(TemplateGraph.Property(r, "DestinationCidrBlock")) == "0.0.0.0/0");
            if (!s3Endpoint && !natRoute)
            {
                findings.Add(Diagnostic.Warning(table.Location, "NET-GLUE-ROUTE", $"Route table {table.LogicalId} of Glue subnet {subnet.LogicalId} has no S3 gateway endpoint and no NAT route, so Glue cannot reach its scripts and temporary data in S3", $"add an AWS::EC2::VPCEndpoint with ServiceName com.amazonaws.${{AWS::Region}}.s3 and RouteTableIds [!Ref {table.LogicalId}]"));
            }
        }
    }

    private static List<Ingress> IngressOf(TemplateGraph graph, CfnResource group)
    {
        var rules = new List<Ingress>();
        if (TemplateGraph.Property(group, "SecurityGroupIngress") is SequenceNode inline)
        {
            rules.AddRange(inline.Items.OfType<MappingNode>().Select(r => Read(graph, r)));
        }

        foreach (var standalone in graph.OfType("AWS::EC2::SecurityGroupIngress"))
        {
            if (graph.Referenced(TemplateGraph.Property(standalone, "GroupId")) == group && standalone.Properties is { } properties)
            {
                rules.Add(Read(graph, properties));
            }
        }

        return rules;
    }

    private static Ingress Read(TemplateGraph graph, MappingNode rule) => new(
        graph.TryString(rule["IpProtocol"]) ?? string.Empty,
        graph.TryInteger(rule["FromPort"]),
        graph.TryInteger(rule["ToPort"]),
        graph.Referenced(rule["SourceSecurityGroupId"]),
        graph.TryString(rule["CidrIp"]));

    private static bool IsAllTraffic(Ingress rule) => rule.Protocol is "-1" or "all";

    private static bool CoversAllTcp(Ingress rule) =>
        IsAllTraffic(rule) || (rule.Protocol is "tcp" or "6" && rule.From is 0 or -1 && rule.To is 65535 or -1);

    private static bool Covers(Ingress rule, long port) =>
        IsAllTraffic(rule) || (rule.Protocol is "tcp" or "6" && rule.From <= port && rule.To >= port);
}
