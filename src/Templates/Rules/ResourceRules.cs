using System.Globalization;
using GluePipeline.Diagnostics;
using GluePipeline.Documents;

namespace GluePipeline.Templates.Rules;

/// <summary>
/// Rules for the resource types we deploy: required properties (the type table, plus the "one of"
/// groups the schemas express separately) and Glue sanity (versions, worker types and counts,
/// crawler targets, trigger shapes, JDBC connections, data quality rulesets).
/// </summary>
public static class ResourceRules
{
    /// <summary>The rule ids this class reports, with what each is about.</summary>
    public static IReadOnlyDictionary<string, string> Rules { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["RES-REQUIRED"] = "a required property is missing",
        ["GLUE-JOB"] = "a Glue job's command, version, worker type or count is wrong (deprecated versions and a missing Timeout warn)",
        ["GLUE-CRAWLER"] = "a crawler without targets or database, or with a bad path or schedule",
        ["GLUE-TRIGGER"] = "a trigger whose type, schedule, predicate or actions do not fit",
        ["GLUE-CONNECTION"] = "a Glue connection with a wrong type, JDBC URL or credentials",
        ["GLUE-DQ"] = "a data quality ruleset without rules or a complete target table",
    };

    /// <summary>Groups of which at least one property is required (the schemas' requiredXor/requiredOr, and the documentation).</summary>
    private static readonly Dictionary<string, string[][]> OneOf = new(StringComparer.Ordinal)
    {
        ["AWS::EC2::VPC"] = [["CidrBlock", "Ipv4IpamPoolId"]],
        ["AWS::EC2::Subnet"] = [["CidrBlock", "Ipv4IpamPoolId", "Ipv6IpamPoolId", "Ipv6CidrBlock"]],
        ["AWS::EC2::SecurityGroupIngress"] = [["CidrIp", "CidrIpv6", "SourcePrefixListId", "SourceSecurityGroupId", "SourceSecurityGroupName"], ["GroupId", "GroupName"]],
        ["AWS::EC2::VPCEndpoint"] = [["ServiceName", "ServiceNetworkArn", "ResourceConfigurationArn"]],
        ["AWS::Events::Rule"] = [["EventPattern", "ScheduleExpression"]],
        ["AWS::CodePipeline::Pipeline"] = [["ArtifactStore", "ArtifactStores"]],
        ["AWS::CloudWatch::Alarm"] = [["Metrics", "MetricName"]],
        ["AWS::IAM::Policy"] = [["Roles", "Users", "Groups"]],
        ["AWS::Glue::DataQualityRuleset"] = [["Ruleset"]],
    };

    private static readonly string[] GlueVersions = ["0.9", "1.0", "2.0", "3.0", "4.0", "5.0"];
    private static readonly string[] DeprecatedGlueVersions = ["0.9", "1.0", "2.0"];
    private static readonly string[] WorkerTypes = ["Standard", "G.025X", "G.1X", "G.2X", "G.4X", "G.8X", "G.12X", "G.16X", "R.1X", "R.2X", "R.4X", "R.8X", "Z.2X"];
    private static readonly string[] Commands = ["glueetl", "gluestreaming", "pythonshell", "glueray"];
    private static readonly string[] TriggerTypes = ["ON_DEMAND", "SCHEDULED", "CONDITIONAL", "EVENT"];
    private static readonly string[] ConnectionTypes = ["JDBC", "SFTP", "MONGODB", "KAFKA", "NETWORK", "MARKETPLACE", "CUSTOM", "SALESFORCE", "VIEW_VALIDATION_REDSHIFT", "VIEW_VALIDATION_ATHENA"];
    private static readonly string[] CrawlerTargetKinds = ["S3Targets", "JdbcTargets", "CatalogTargets", "DynamoDBTargets", "MongoDBTargets", "DeltaTargets", "IcebergTargets", "HudiTargets"];

    /// <summary>Runs the resource rules.</summary>
    public static IEnumerable<Diagnostic> Check(TemplateGraph graph)
    {
        var findings = new List<Diagnostic>();
        foreach (var resource in graph.Template.Resources.Values)
        {
            Required(resource, findings);
            switch (resource.Type)
            {
                case "AWS::Glue::Job":
                    GlueJob(graph, resource, findings);
                    break;
                case "AWS::Glue::Crawler":
                    GlueCrawler(graph, resource, findings);
                    break;
                case "AWS::Glue::Trigger":
                    GlueTrigger(graph, resource, findings);
                    break;
                case "AWS::Glue::Connection":
                    GlueConnection(graph, resource, findings);
                    break;
                case "AWS::Glue::DataQualityRuleset":
                    DataQualityRuleset(graph, resource, findings);
                    break;
            }
        }

        return findings;
    }

    private static void Required(CfnResource resource, List<Diagnostic> findings)
    {
        if (resource.Type is not { } type || resource.Definition["Properties"] is { } p && p is not MappingNode)
        {
            return;
        }

        var properties = resource.Properties;
        var where = resource.Definition.Entry("Properties")?.KeyLocation ?? resource.Location;
        var missing = ResourceTypeCatalog.RequiredProperties(type).Where(r => properties?.Has(r) != true).ToArray();
        if (missing.Length > 0)
        {
            findings.Add(Diagnostic.Error(where, "RES-REQUIRED", $"{type} {resource.LogicalId} is missing required propert{(missing.Length == 1 ? "y" : "ies")} {string.Join(", ", missing)}", $"add {string.Join(", ", missing.Select(m => m + ":"))} under Properties"));
        }

        foreach (var group in OneOf.GetValueOrDefault(type) ?? [])
        {
            if (!group.Any(g => properties?.Has(g) == true))
            {
                findings.Add(Diagnostic.Error(where, "RES-REQUIRED", $"{type} {resource.LogicalId} needs {(group.Length == 1 ? group[0] : "one of " + string.Join(", ", group))}", $"add {group[0]}: under Properties"));
            }
        }
    }

    private static void GlueJob(TemplateGraph graph, CfnResource job, List<Diagnostic> findings)
    {
        var command = graph.TryString(TemplateGraph.Property(job, "Command.Name"));
        var commandNode = TemplateGraph.Property(job, "Command.Name");
        if (command is not null && !Commands.Contains(command))
        {
            findings.Add(Diagnostic.Error(commandNode!.Location, "GLUE-JOB", $"Job {job.LogicalId} has Command.Name '{command}'", "use glueetl (Spark), gluestreaming, pythonshell or glueray"));
        }

        command ??= "glueetl";
        var versionNode = TemplateGraph.Property(job, "GlueVersion");
        var version = graph.TryString(versionNode);
        if (version is not null && !GlueVersions.Contains(version))
        {
            findings.Add(Diagnostic.Error(versionNode!.Location, "GLUE-JOB", $"Job {job.LogicalId} has GlueVersion '{version}', which Glue does not have", "use 4.0 or 5.0 (\"4.0\" in quotes, so YAML keeps it a string)"));
        }
        else if (version is not null && DeprecatedGlueVersions.Contains(version))
        {
            findings.Add(Diagnostic.Warning(versionNode!.Location, "GLUE-JOB", $"Job {job.LogicalId} uses GlueVersion {version}, which has reached end of support", "move to GlueVersion 4.0 or 5.0"));
        }
        else if (version is null && versionNode is null && command is "glueetl" or "gluestreaming")
        {
            findings.Add(Diagnostic.Warning(job.Location, "GLUE-JOB", $"Job {job.LogicalId} has no GlueVersion, so Glue picks an old default", "set GlueVersion: \"4.0\" or \"5.0\""));
        }

        var workerNode = TemplateGraph.Property(job, "WorkerType");
        var countNode = TemplateGraph.Property(job, "NumberOfWorkers");
        var worker = graph.TryString(workerNode);
        var count = graph.TryInteger(countNode);
        var hasCapacity = job.Properties?.Has("MaxCapacity") == true || job.Properties?.Has("AllocatedCapacity") == true;
        if (worker is not null && !WorkerTypes.Contains(worker))
        {
            findings.Add(Diagnostic.Error(workerNode!.Location, "GLUE-JOB", $"Job {job.LogicalId} has WorkerType '{worker}'", "use G.1X, G.2X, G.4X, G.8X (or G.025X for streaming, Z.2X for Ray)"));
        }

        if ((workerNode is null) != (countNode is null))
        {
            findings.Add(Diagnostic.Error((workerNode ?? countNode)!.Location, "GLUE-JOB", $"Job {job.LogicalId} sets {(workerNode is null ? "NumberOfWorkers without WorkerType" : "WorkerType without NumberOfWorkers")}", "set WorkerType and NumberOfWorkers together"));
        }

        if (workerNode is not null && hasCapacity)
        {
            var capacity = TemplateGraph.Property(job, "MaxCapacity") ?? TemplateGraph.Property(job, "AllocatedCapacity");
            findings.Add(Diagnostic.Error(capacity!.Location, "GLUE-JOB", $"Job {job.LogicalId} sets both WorkerType and MaxCapacity/AllocatedCapacity", "use WorkerType with NumberOfWorkers, and remove MaxCapacity"));
        }

        if (command is "glueetl" or "gluestreaming" && count is < 2)
        {
            findings.Add(Diagnostic.Error(countNode!.Location, "GLUE-JOB", $"Job {job.LogicalId} has NumberOfWorkers {count}; a Spark job needs at least 2 (one driver, one executor)", "set NumberOfWorkers to 2 or more"));
        }

        if (command == "pythonshell")
        {
            if (workerNode is not null)
            {
                findings.Add(Diagnostic.Error(workerNode.Location, "GLUE-JOB", $"Python shell job {job.LogicalId} cannot have a WorkerType", "use MaxCapacity: 0.0625 or 1"));
            }

            var capacityNode = TemplateGraph.Property(job, "MaxCapacity");
            if (graph.TryString(capacityNode) is { } capacity && capacity is not ("0.0625" or "1" or "1.0"))
            {
                findings.Add(Diagnostic.Error(capacityNode!.Location, "GLUE-JOB", $"Python shell job {job.LogicalId} has MaxCapacity {capacity}", "use MaxCapacity: 0.0625 or 1"));
            }
        }

        if (worker is not null && version is not null && decimal.TryParse(version, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            var needs = worker switch
            {
                "G.025X" => 3.0m,
                "G.4X" or "G.8X" => 3.0m,
                "G.12X" or "G.16X" or "R.1X" or "R.2X" or "R.4X" or "R.8X" => 4.0m,
                _ => 0m,
            };
            if (v < needs)
            {
                findings.Add(Diagnostic.Error(workerNode!.Location, "GLUE-JOB", $"WorkerType {worker} needs GlueVersion {needs:0.0} or later, job {job.LogicalId} has {version}", $"use GlueVersion \"{needs:0.0}\" or later, or another WorkerType"));
            }
        }

        if (worker == "G.025X" && command != "gluestreaming")
        {
            findings.Add(Diagnostic.Error(workerNode!.Location, "GLUE-JOB", $"WorkerType G.025X is for streaming jobs only (job {job.LogicalId} is {command})", "use G.1X"));
        }

        if (worker is not null && worker != "Z.2X" && command == "glueray")
        {
            findings.Add(Diagnostic.Error(workerNode!.Location, "GLUE-JOB", $"Ray job {job.LogicalId} needs WorkerType Z.2X", "set WorkerType: Z.2X"));
        }

        if (command is "glueetl" or "pythonshell" && job.Properties?.Has("Timeout") != true)
        {
            findings.Add(Diagnostic.Warning(job.Location, "GLUE-JOB", $"Job {job.LogicalId} has no Timeout: a stuck run is billed for 2880 minutes (48 hours) before Glue stops it", "set Timeout (minutes) a little above the job's normal duration"));
        }
    }

    private static void GlueCrawler(TemplateGraph graph, CfnResource crawler, List<Diagnostic> findings)
    {
        if (crawler.Properties is not { } properties)
        {
            return;
        }

        if (properties["Targets"] is MappingNode targets && !Intrinsics.TryGet(targets, out _, out _))
        {
            var kinds = targets.Entries.Where(e => CrawlerTargetKinds.Contains(e.Key) && e.Value is not SequenceNode { Items.Count: 0 }).ToArray();
            if (kinds.Length == 0)
            {
                findings.Add(Diagnostic.Error(properties.Entry("Targets")!.KeyLocation, "GLUE-CRAWLER", $"Crawler {crawler.LogicalId} has no targets", "add S3Targets: [{Path: s3://bucket/prefix/}] (or JdbcTargets, CatalogTargets, ...)"));
            }

            if (targets["S3Targets"] is SequenceNode s3)
            {
                foreach (var path in s3.Items.OfType<MappingNode>().Select(t => t["Path"]))
                {
                    if (graph.TryString(path) is { } text && !text.StartsWith("s3://", StringComparison.Ordinal))
                    {
                        findings.Add(Diagnostic.Error(path!.Location, "GLUE-CRAWLER", $"Crawler {crawler.LogicalId} has an S3 target path '{text}'", "write the path as s3://bucket/prefix/"));
                    }
                }
            }

            if (targets["JdbcTargets"] is SequenceNode jdbc && jdbc.Items.OfType<MappingNode>().FirstOrDefault(t => !t.Has("ConnectionName")) is { } noConnection)
            {
                findings.Add(Diagnostic.Error(noConnection.Location, "GLUE-CRAWLER", $"A JDBC target of crawler {crawler.LogicalId} has no ConnectionName", "name the Glue connection to crawl through"));
            }

            var catalogOnly = kinds.Length > 0 && kinds.All(k => k.Key == "CatalogTargets");
            if (!properties.Has("DatabaseName") && !catalogOnly)
            {
                findings.Add(Diagnostic.Error(crawler.Definition.Entry("Properties")!.KeyLocation, "GLUE-CRAWLER", $"Crawler {crawler.LogicalId} has no DatabaseName to write its tables to", "add DatabaseName: !Ref YourDatabase"));
            }
        }

        var schedule = TemplateGraph.Property(crawler, "Schedule.ScheduleExpression");
        if (graph.TryString(schedule) is { } expression && !IsCron(expression))
        {
            findings.Add(Diagnostic.Error(schedule!.Location, "GLUE-CRAWLER", $"Crawler {crawler.LogicalId} has schedule '{expression}'", "Glue schedules are cron(...) expressions with six fields, e.g. cron(0 2 * * ? *)"));
        }
    }

    private static void GlueTrigger(TemplateGraph graph, CfnResource trigger, List<Diagnostic> findings)
    {
        var typeNode = TemplateGraph.Property(trigger, "Type");
        var type = graph.TryString(typeNode);
        if (type is not null && !TriggerTypes.Contains(type))
        {
            findings.Add(Diagnostic.Error(typeNode!.Location, "GLUE-TRIGGER", $"Trigger {trigger.LogicalId} has Type '{type}'", "use ON_DEMAND, SCHEDULED, CONDITIONAL or EVENT"));
        }

        var properties = trigger.Properties;
        var where = trigger.Definition.Entry("Properties")?.KeyLocation ?? trigger.Location;
        var schedule = properties?["Schedule"];
        if (type == "SCHEDULED" && schedule is null)
        {
            findings.Add(Diagnostic.Error(where, "GLUE-TRIGGER", $"Scheduled trigger {trigger.LogicalId} has no Schedule", "add Schedule: cron(0 2 * * ? *)"));
        }
        else if (graph.TryString(schedule) is { } expression && !IsCron(expression))
        {
            findings.Add(Diagnostic.Error(schedule!.Location, "GLUE-TRIGGER", $"Trigger {trigger.LogicalId} has schedule '{expression}'", "Glue schedules are cron(...) expressions with six fields, e.g. cron(0 2 * * ? *)"));
        }

        if (type == "CONDITIONAL" && TemplateGraph.Property(trigger, "Predicate.Conditions") is not SequenceNode { Items.Count: > 0 })
        {
            findings.Add(Diagnostic.Error(where, "GLUE-TRIGGER", $"Conditional trigger {trigger.LogicalId} has no Predicate.Conditions", "add Predicate: {Conditions: [{JobName: ..., State: SUCCEEDED, LogicalOperator: EQUALS}]}"));
        }

        if (type == "ON_DEMAND" && graph.TryString(properties?["StartOnCreation"]) == "true")
        {
            findings.Add(Diagnostic.Error(properties!["StartOnCreation"]!.Location, "GLUE-TRIGGER", $"On-demand trigger {trigger.LogicalId} cannot start on creation", "remove StartOnCreation, or use a SCHEDULED or CONDITIONAL trigger"));
        }

        if (properties?["Actions"] is SequenceNode actions)
        {
            foreach (var action in actions.Items.OfType<MappingNode>().Where(a => !a.Has("JobName") && !a.Has("CrawlerName")))
            {
                findings.Add(Diagnostic.Error(action.Location, "GLUE-TRIGGER", $"An action of trigger {trigger.LogicalId} names neither a job nor a crawler", "add JobName: !Ref YourJob (or CrawlerName)"));
            }
        }
    }

    private static void GlueConnection(TemplateGraph graph, CfnResource connection, List<Diagnostic> findings)
    {
        var typeNode = TemplateGraph.Property(connection, "ConnectionInput.ConnectionType");
        var type = graph.TryString(typeNode);
        if (type is not null && !ConnectionTypes.Contains(type))
        {
            findings.Add(Diagnostic.Error(typeNode!.Location, "GLUE-CONNECTION", $"Connection {connection.LogicalId} has ConnectionType '{type}'", "use JDBC for databases (or NETWORK, KAFKA, MONGODB, ...)"));
        }

        if (type != "JDBC")
        {
            return;
        }

        var properties = TemplateGraph.Property(connection, "ConnectionInput.ConnectionProperties") as MappingNode;
        var where = (TemplateGraph.Property(connection, "ConnectionInput") as MappingNode)?.Entry("ConnectionProperties")?.KeyLocation ?? typeNode!.Location;
        var url = properties?["JDBC_CONNECTION_URL"];
        if (url is null)
        {
            findings.Add(Diagnostic.Error(where, "GLUE-CONNECTION", $"JDBC connection {connection.LogicalId} has no JDBC_CONNECTION_URL", "add ConnectionProperties: {JDBC_CONNECTION_URL: jdbc:postgresql://host:5432/db, ...}"));
        }
        else if (graph.TryString(url) is { } text && !text.StartsWith("jdbc:", StringComparison.Ordinal))
        {
            findings.Add(Diagnostic.Error(url.Location, "GLUE-CONNECTION", $"JDBC_CONNECTION_URL of {connection.LogicalId} does not start with jdbc:", "write jdbc:<engine>://host:port/database"));
        }

        var hasSecret = properties?.Has("SECRET_ID") == true;
        var hasPassword = properties?.Has("USERNAME") == true && properties.Has("PASSWORD");
        if (properties is not null && !hasSecret && !hasPassword)
        {
            findings.Add(Diagnostic.Error(where, "GLUE-CONNECTION", $"JDBC connection {connection.LogicalId} has no credentials", "add SECRET_ID (a Secrets Manager secret), or USERNAME and PASSWORD: '{{resolve:secretsmanager:...}}'"));
        }
    }

    private static void DataQualityRuleset(TemplateGraph graph, CfnResource ruleset, List<Diagnostic> findings)
    {
        var rules = TemplateGraph.Property(ruleset, "Ruleset");
        if (graph.TryString(rules) is { } text)
        {
            // The same parser Validate uses: a ruleset that would not parse in Glue fails Lint, not the deploy.
            var (_, problems) = Validation.Dqdl.DqdlParser.TryParse($"{ruleset.LogicalId}.Ruleset", text);
            foreach (var problem in problems.Take(5))
            {
                var where = problem.Location is { } l ? $" (line {l.Line}, column {l.Column} of the ruleset)" : string.Empty;
                findings.Add(Diagnostic.Error(rules!.Location, "GLUE-DQ", $"Ruleset of {ruleset.LogicalId} is not valid DQDL{where}: {problem.Message}", problem.Fix));
            }
        }

        if (TemplateGraph.Property(ruleset, "TargetTable") is MappingNode target && (!target.Has("TableName") || !target.Has("DatabaseName")))
        {
            findings.Add(Diagnostic.Error(ruleset.Properties!.Entry("TargetTable")!.KeyLocation, "GLUE-DQ", $"TargetTable of {ruleset.LogicalId} needs both DatabaseName and TableName", "name the database and the table the rules apply to"));
        }
    }

    private static bool IsCron(string expression) =>
        expression.StartsWith("cron(", StringComparison.Ordinal) && expression.EndsWith(')') &&
        expression[5..^1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6;
}
