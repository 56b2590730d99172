using System.Text.Json.Nodes;
using GluePipeline.Diagnostics;
using GluePipeline.Documents;
using GluePipeline.Templates;
using GluePipeline.Tests.Support;

namespace GluePipeline.Tests.Templates;

/// <summary>The evaluator resolves real-world templates to the values CloudFormation would compute.</summary>
public sealed class TemplateEvaluatorTests
{
    private static readonly string Corpus = Path.Combine(RepositoryRoot.Path, "tests", "Templates", "Corpus");

    private static CfnTemplate Load(string file) =>
        CfnTemplate.From(DocumentParser.Parse(file, File.ReadAllBytes(Path.Combine(Corpus, file)), DocumentDialect.CloudFormation))!;

    private static CfnTemplate LoadText(string text) =>
        CfnTemplate.From(DocumentParser.ParseText("t.yaml", text, DocumentDialect.CloudFormation))!;

    private static TemplateEvaluator Evaluator(CfnTemplate template, IReadOnlyDictionary<string, string>? parameters = null, string stack = "etl-dev-stack", string region = "us-east-1", IResourceResolver? resolver = null)
    {
        var given = (parameters ?? new Dictionary<string, string>()).ToDictionary(p => p.Key, p => (p.Value, (SourceLocation?)null));
        var (values, findings) = ParameterValues.Resolve(template, given, new SourceLocation("env.json", 1, 1));
        findings.Should().BeEmpty();
        return new TemplateEvaluator(template, values, new PseudoParameters(stack, region), resolver);
    }

    private static JsonNode? Json(CfnValue value) => value.ToJson();

    private static JsonNode? Property(TemplateEvaluator evaluator, CfnTemplate template, string resource, string path)
    {
        JsonNode? node = evaluator.EvaluateProperties(template.Resources[resource]).ToJson();
        foreach (var part in path.Split('.'))
        {
            node = int.TryParse(part, out var index) ? node![index] : node![part];
        }

        return node;
    }

    [Fact]
    public void A_custom_resource_template_resolves_joins_splits_conditions_and_NoValue()
    {
        var template = Load("real-custom-resource.yaml");
        var dev = Evaluator(template);

        Property(dev, template, "DataBucket", "BucketName")!.GetValue<string>().Should().Be("data-dev-123456789012-etl");
        Json(dev.EvaluateProperties(template.Resources["DataBucket"]))!["Tags"]!.ToJsonString().Should().Be("""[{"Key":"cost-center"}]""", "Ref AWS::NoValue removes the Value");
        Property(dev, template, "Logs", "LogGroupName")!.GetValue<string>().Should().Be("/etl/dev/etl-dev-stack-cleaner");
        Property(dev, template, "Logs", "RetentionInDays")!.GetValue<decimal>().Should().Be(14);
        Property(dev, template, "CleanerFunction", "Code.ZipFile")!.GetValue<string>().Should().Contain("BUCKET = \"<DataBucket>\"").And.Contain("\"${Literal}\")");
        Property(dev, template, "CleanerFunction", "Role")!.GetValue<string>().Should().Be("<CleanerRole.Arn>");
        dev.IsIncluded(template.Resources["EmptyOnDelete"]).Should().BeTrue();

        var outputs = dev.EvaluateOutputs();
        outputs.Keys.Should().BeEquivalentTo("BucketName", "Emptied", "FirstSubnet");
        outputs["Emptied"].AsString().Should().Be("<EmptyOnDelete.Emptied>");
        outputs["FirstSubnet"].AsString().Should().Be("subnet-1");
    }

    [Fact]
    public void The_same_template_in_prod_takes_the_other_branches()
    {
        var template = Load("real-custom-resource.yaml");
        var prod = Evaluator(template, new Dictionary<string, string> { ["Environment"] = "prod", ["RetentionDays"] = "30" });

        prod.IsIncluded(template.Resources["EmptyOnDelete"]).Should().BeFalse();
        Property(prod, template, "Logs", "RetentionInDays")!.GetValue<decimal>().Should().Be(3653);
        Json(prod.EvaluateProperties(template.Resources["DataBucket"]))!["Tags"]![0]!["Value"]!.GetValue<string>().Should().Be("prod-data");
        prod.EvaluateOutputs().Keys.Should().NotContain("Emptied");
    }

    [Theory]
    [InlineData("us-east-1", "10.30.0.0/16")]
    [InlineData("eu-west-1", "10.40.0.0/16")]
    public void A_vpc_template_resolves_mappings_by_region_availability_zones_and_cidr(string region, string vpcCidr)
    {
        var template = Load("real-vpc.yaml");
        var evaluator = Evaluator(template, region: region, resolver: new FixedResolver(("Vpc", "CidrBlock", vpcCidr)));

        Property(evaluator, template, "Vpc", "CidrBlock")!.GetValue<string>().Should().Be(vpcCidr);
        Property(evaluator, template, "PrivateSubnetA", "AvailabilityZone")!.GetValue<string>().Should().Be(region + "a");
        Property(evaluator, template, "PrivateSubnetB", "AvailabilityZone")!.GetValue<string>().Should().Be(region + "b");
        var prefix = vpcCidr[..vpcCidr.LastIndexOf(".0.0/16", StringComparison.Ordinal)];
        Property(evaluator, template, "PrivateSubnetA", "CidrBlock")!.GetValue<string>().Should().Be($"{prefix}.0.0/24");
        Property(evaluator, template, "PrivateSubnetB", "CidrBlock")!.GetValue<string>().Should().Be($"{prefix}.1.0/24");
        Property(evaluator, template, "S3Endpoint", "ServiceName")!.GetValue<string>().Should().Be($"com.amazonaws.{region}.s3");
        evaluator.EvaluateOutputs()["SubnetCidrs"].AsString().Should().Be("10.0.0.0/27,10.0.0.32/27,10.0.0.64/27");
    }

    [Fact]
    public void A_region_missing_from_a_mapping_is_an_error_at_the_FindInMap()
    {
        var template = Load("real-vpc.yaml");
        var evaluator = Evaluator(template, region: "ap-south-1");

        var act = () => evaluator.EvaluateProperties(template.Resources["Vpc"]);

        var error = act.Should().Throw<TemplateEvaluationException>().Which.Diagnostic;
        error.Rule.Should().Be("CFN-FINDINMAP");
        error.Location!.Value.Line.Should().Be(15);
        error.Message.Should().Contain("no top-level key 'ap-south-1'");
        error.Fix.Should().Contain("us-east-1, eu-west-1");
    }

    [Fact]
    public void The_json_glue_template_resolves_nested_joins_and_numbers()
    {
        var template = Load("real-glue-cicd.json");
        var livetest = Evaluator(template);

        Property(livetest, template, "TaxiJob", "NumberOfWorkers")!.GetValue<decimal>().Should().Be(2);
        Property(livetest, template, "TaxiJob", "Command.ScriptLocation")!.GetValue<string>().Should().Be("s3://gluedemo-scripts/livetest/nytaxi.py");
        Property(livetest, template, "RawDatabase", "DatabaseInput.Name")!.GetValue<string>().Should().Be("nycitytaxi_livetest");
        Property(livetest, template, "RawDatabase", "CatalogId")!.GetValue<string>().Should().Be("123456789012");
        Property(livetest, template, "GlueRole", "ManagedPolicyArns.0")!.GetValue<string>().Should().Be("arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole");
        Property(livetest, template, "RawCrawler", "Targets.S3Targets.0.Path")!.GetValue<string>().Should().Be("s3://<RawBucket>/data/");

        var prod = Evaluator(template, new Dictionary<string, string> { ["Stage"] = "prod" });
        Property(prod, template, "TaxiJob", "NumberOfWorkers")!.GetValue<decimal>().Should().Be(10);
    }

    [Fact]
    public void And_Or_Not_conditions_decide_resources_and_properties()
    {
        var template = Load("real-conditions.yaml");

        var quiet = Evaluator(template);
        quiet.IsIncluded(template.Resources["AlertTopic"]).Should().BeFalse();
        Json(quiet.EvaluateProperties(template.Resources["Queue"]))!.AsObject().ContainsKey("RedrivePolicy").Should().BeFalse();
        quiet.EvaluateOutputs().Keys.Should().Equal("QueueUrl");

        var alerting = Evaluator(template, new Dictionary<string, string> { ["EnableAlerts"] = "true", ["AlertEmail"] = "ops@example.com" });
        alerting.IsConditionTrue("SendMail").Should().BeTrue();
        alerting.IsIncluded(template.Resources["AlertTopic"]).Should().BeTrue();
        Property(alerting, template, "AlertTopic", "Subscription.0.Endpoint")!.GetValue<string>().Should().Be("ops@example.com");

        var prod = Evaluator(template, new Dictionary<string, string> { ["Env"] = "prod" });
        Property(prod, template, "Queue", "RedrivePolicy.deadLetterTargetArn")!.GetValue<string>().Should().Be("<DeadLetters.Arn>");
        Property(prod, template, "Queue", "MessageRetentionPeriod")!.GetValue<decimal>().Should().Be(1209600);
    }

    [Fact]
    public void Our_own_etl_template_evaluates_with_each_environment()
    {
        var template = CfnTemplate.From(DocumentParser.Parse("templates/etl.yaml", File.ReadAllBytes(Path.Combine(RepositoryRoot.Path, "templates", "etl.yaml")), DocumentDialect.CloudFormation))!;
        var evaluator = Evaluator(template, new Dictionary<string, string> { ["Environment"] = "livetest", ["NameSuffix"] = "livetest_main_1a2b3c", ["ArtifactBucket"] = "artifacts", ["ArtifactPrefix"] = "glue-etl/1.0.0/abc" });

        Property(evaluator, template, "RawDatabase", "DatabaseInput.Name")!.GetValue<string>().Should().Be("nycitytaxi_livetest_main_1a2b3c");
        Property(evaluator, template, "RawBucket", "VersioningConfiguration.Status")!.GetValue<string>().Should().Be("Suspended");
    }

    [Fact]
    public void An_import_nobody_exports_is_an_error_naming_the_line()
    {
        var template = LoadText("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !ImportValue shared-queue-name\n");
        var evaluator = Evaluator(template, resolver: new FixedResolver());

        var act = () => evaluator.EvaluateProperties(template.Resources["Q"]);

        var error = act.Should().Throw<TemplateEvaluationException>().Which.Diagnostic;
        error.ToString().Should().StartWith("t.yaml:5:18: error CFN-EVAL: Fn::ImportValue 'shared-queue-name' cannot be resolved");
    }

    [Theory]
    [InlineData("!Select [3, [a, b]]", "out of range")]
    [InlineData("!Sub '${Names}'", "must be a string, not a list")]
    [InlineData("!Join [',', !Ref Env]", "must be a list")]
    [InlineData("!Cidr [10.0.0.0/30, 8, 8]", "cannot hold 8 subnets")]
    [InlineData("!Ref NoDefault", "Parameter NoDefault has no value")]
    public void What_cannot_be_resolved_is_a_clear_error(string expression, string expected)
    {
        var template = LoadText($"Parameters:\n  Env:\n    Type: String\n    Default: dev\n  Names:\n    Type: CommaDelimitedList\n    Default: a,b\n  NoDefault:\n    Type: String\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: {expression}\n");
        var (values, _) = ParameterValues.Resolve(template, new Dictionary<string, (string, SourceLocation?)>(), new SourceLocation("env.json", 1, 1));
        var evaluator = new TemplateEvaluator(template, values, new PseudoParameters("s"));

        var act = () => evaluator.EvaluateProperties(template.Resources["Q"]);

        var error = act.Should().Throw<TemplateEvaluationException>().Which.Diagnostic;
        error.Message.Should().Contain(expected);
        error.Location!.Value.Line.Should().Be(14);
    }

    [Fact]
    public void Parameter_values_are_checked_against_constraints_with_their_location()
    {
        var template = LoadText("Parameters:\n  Env:\n    Type: String\n    AllowedValues: [dev, prod]\n  Workers:\n    Type: Number\n    MaxValue: 10\n    Default: 2\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n");
        var given = new Dictionary<string, (string, SourceLocation?)>
        {
            ["Env"] = ("test", new SourceLocation("templates/environments/x.json", 3, 5)),
            ["Workers"] = ("11", new SourceLocation("templates/environments/x.json", 4, 5)),
            ["Wrokers"] = ("1", new SourceLocation("templates/environments/x.json", 5, 5)),
        };

        var (_, findings) = ParameterValues.Resolve(template, given, new SourceLocation("templates/environments/x.json", 1, 1));

        findings.Select(f => f.ToString()).Should().BeEquivalentTo(
            "templates/environments/x.json:5:5: error CFN-ENV: 'Wrokers' is not a parameter of t.yaml. Fix: did you mean 'Workers'?",
            "templates/environments/x.json:3:5: error CFN-PARAM-VALUE: The value of Env breaks its constraints: 'test' is not one of the AllowedValues [dev, prod]. Fix: use a value the parameter allows.",
            "templates/environments/x.json:4:5: error CFN-PARAM-VALUE: The value of Workers breaks its constraints: 11 is above MaxValue 10. Fix: use a value the parameter allows.");
    }

    private sealed class FixedResolver(params (string Resource, string Attribute, string Value)[] attributes) : IResourceResolver
    {
        public CfnValue? Ref(CfnResource resource) => CfnValue.String($"<{resource.LogicalId}>");

        public CfnValue? GetAtt(CfnResource resource, string attribute) =>
            attributes.FirstOrDefault(a => a.Resource == resource.LogicalId && a.Attribute == attribute) is { Value: not null } hit
                ? CfnValue.String(hit.Value)
                : CfnValue.String($"<{resource.LogicalId}.{attribute}>");

        public CfnValue? ImportValue(string exportName) => null;
    }
}
