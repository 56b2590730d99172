namespace GluePipeline.Templates;

/// <summary>
/// What Lint knows about resource types: the attributes <c>Fn::GetAtt</c> accepts and the
/// properties that are required. One table, for the types we deploy and those common around them.
/// </summary>
/// <remarks>
/// Compiled from the CloudFormation resource provider schemas (their <c>readOnlyProperties</c> and
/// <c>required</c>) as cfn-lint ships them, plus attributes the CloudFormation documentation lists
/// that the schemas keep as ordinary properties (e.g. a security group's VpcId, a subnet's
/// AvailabilityZone, an SSM parameter's Value). A type that is not in the table is not checked:
/// Lint never guesses. Custom resources (<c>Custom::*</c>) return whatever their function returns;
/// a nested stack (<c>AWS::CloudFormation::Stack</c>) also has <c>Outputs.&lt;Name&gt;</c>.
/// </remarks>
public static class ResourceTypeCatalog
{
    private static readonly Dictionary<string, (string[] Attributes, string[] Required)> Types = new(StringComparer.Ordinal);

#pragma warning disable CA1810 // The table reads best as a list of calls.
    static ResourceTypeCatalog()
#pragma warning restore CA1810
    {
        Add("AWS::Athena::WorkGroup", attributes: ["CreationTime", "WorkGroupConfiguration.EngineVersion.EffectiveEngineVersion", "WorkGroupConfigurationUpdates.EngineVersion.EffectiveEngineVersion"], required: ["Name"]);
        Add("AWS::CloudFormation::Stack", attributes: ["StackId"], required: ["TemplateURL"]);
        Add("AWS::CloudFormation::WaitCondition", attributes: ["Data", "Id"], required: []);
        Add("AWS::CloudFormation::WaitConditionHandle", attributes: ["Id"], required: []);
        Add("AWS::CloudWatch::Alarm", attributes: ["Arn"], required: ["ComparisonOperator", "EvaluationPeriods"]);
        Add("AWS::CodeBuild::Project", attributes: ["Id", "Arn"], required: ["Artifacts", "ServiceRole", "Environment", "Source"]);
        Add("AWS::CodeBuild::ReportGroup", attributes: ["Id", "Arn"], required: ["Type", "ExportConfig"]);
        Add("AWS::CodeCommit::Repository", attributes: ["CloneUrlHttp", "Id", "Name", "CloneUrlSsh", "Arn"], required: ["RepositoryName"]);
        Add("AWS::CodePipeline::Pipeline", attributes: ["Version"], required: ["Stages", "RoleArn"]);
        Add("AWS::CodeStarConnections::Connection", attributes: ["ConnectionArn", "ConnectionStatus", "OwnerAccountId"], required: ["ConnectionName"]);
        Add("AWS::DynamoDB::Table", attributes: ["Arn", "StreamArn"], required: ["KeySchema"]);
        Add("AWS::EC2::EIP", attributes: ["PublicIp", "AllocationId"], required: []);
        Add("AWS::EC2::InternetGateway", attributes: ["InternetGatewayId"], required: []);
        Add("AWS::EC2::NatGateway", attributes: ["NatGatewayId"], required: ["SubnetId"]);
        Add("AWS::EC2::Route", attributes: ["CidrBlock"], required: ["RouteTableId"]);
        Add("AWS::EC2::RouteTable", attributes: ["RouteTableId"], required: ["VpcId"]);
        Add("AWS::EC2::SecurityGroup", attributes: ["Id", "GroupId", "VpcId"], required: ["GroupDescription"]);
        Add("AWS::EC2::SecurityGroupEgress", attributes: ["Id"], required: ["IpProtocol", "GroupId"]);
        Add("AWS::EC2::SecurityGroupIngress", attributes: ["Id"], required: ["IpProtocol"]);
        Add("AWS::EC2::Subnet", attributes: ["NetworkAclAssociationId", "SubnetId", "Ipv6CidrBlocks", "AvailabilityZone", "AvailabilityZoneId", "CidrBlock", "OutpostArn", "VpcId"], required: ["VpcId"]);
        Add("AWS::EC2::SubnetRouteTableAssociation", attributes: ["Id"], required: ["RouteTableId", "SubnetId"]);
        Add("AWS::EC2::VPC", attributes: ["CidrBlockAssociations", "DefaultNetworkAcl", "DefaultSecurityGroup", "Ipv6CidrBlocks", "VpcId", "CidrBlock"], required: []);
        Add("AWS::EC2::VPCEndpoint", attributes: ["NetworkInterfaceIds", "CreationTimestamp", "DnsEntries", "Id"], required: ["VpcId"]);
        Add("AWS::EC2::VPCGatewayAttachment", attributes: ["AttachmentType"], required: ["VpcId"]);
        Add("AWS::EC2::VPCPeeringConnection", attributes: ["Id"], required: ["VpcId", "PeerVpcId"]);
        Add("AWS::Events::Rule", attributes: ["Arn"], required: []);
        Add("AWS::Glue::Classifier", attributes: ["Id"], required: []);
        Add("AWS::Glue::Connection", attributes: ["Id"], required: ["ConnectionInput", "CatalogId"]);
        Add("AWS::Glue::Crawler", attributes: [], required: ["Role", "Targets"]);
        Add("AWS::Glue::DataQualityRuleset", attributes: ["Id"], required: []);
        Add("AWS::Glue::Database", attributes: [], required: ["DatabaseInput", "CatalogId"]);
        Add("AWS::Glue::Job", attributes: [], required: ["Role", "Command"]);
        Add("AWS::Glue::Partition", attributes: ["Id"], required: ["TableName", "DatabaseName", "CatalogId", "PartitionInput"]);
        Add("AWS::Glue::SecurityConfiguration", attributes: ["Id"], required: ["EncryptionConfiguration", "Name"]);
        Add("AWS::Glue::Table", attributes: ["Id"], required: ["TableInput", "DatabaseName", "CatalogId"]);
        Add("AWS::Glue::Trigger", attributes: [], required: ["Type", "Actions"]);
        Add("AWS::Glue::Workflow", attributes: ["Id"], required: []);
        Add("AWS::IAM::AccessKey", attributes: ["SecretAccessKey", "Id"], required: ["UserName"]);
        Add("AWS::IAM::Group", attributes: ["Arn"], required: []);
        Add("AWS::IAM::InstanceProfile", attributes: ["Arn"], required: ["Roles"]);
        Add("AWS::IAM::ManagedPolicy", attributes: ["PolicyArn", "AttachmentCount", "CreateDate", "DefaultVersionId", "IsAttachable", "PermissionsBoundaryUsageCount", "PolicyId", "UpdateDate"], required: ["PolicyDocument"]);
        Add("AWS::IAM::Policy", attributes: ["Id"], required: ["PolicyDocument", "PolicyName"]);
        Add("AWS::IAM::Role", attributes: ["Arn", "RoleId"], required: ["AssumeRolePolicyDocument"]);
        Add("AWS::IAM::User", attributes: ["Arn"], required: []);
        Add("AWS::KMS::Alias", attributes: [], required: ["AliasName", "TargetKeyId"]);
        Add("AWS::KMS::Key", attributes: ["Arn", "KeyId"], required: []);
        Add("AWS::LakeFormation::Permissions", attributes: ["Id"], required: ["DataLakePrincipal", "Resource"]);
        Add("AWS::Lambda::Function", attributes: ["SnapStartResponse", "SnapStartResponse.ApplyOn", "SnapStartResponse.OptimizationStatus", "Arn"], required: ["Code", "Role"]);
        Add("AWS::Lambda::Permission", attributes: ["Id"], required: ["FunctionName", "Action", "Principal"]);
        Add("AWS::Logs::LogGroup", attributes: ["Arn"], required: []);
        Add("AWS::RDS::DBInstance", attributes: ["Endpoint", "Endpoint.Address", "Endpoint.Port", "Endpoint.HostedZoneId", "DbiResourceId", "DBInstanceArn", "MasterUserSecret.SecretArn", "CertificateDetails", "CertificateDetails.CAIdentifier", "CertificateDetails.ValidTill"], required: []);
        Add("AWS::RDS::DBSubnetGroup", attributes: [], required: ["DBSubnetGroupDescription", "SubnetIds"]);
        Add("AWS::Redshift::Cluster", attributes: ["DeferMaintenanceIdentifier", "Endpoint.Port", "Endpoint.Address", "ClusterNamespaceArn", "MasterPasswordSecretArn"], required: ["NodeType", "MasterUsername", "DBName", "ClusterType"]);
        Add("AWS::Redshift::ClusterSubnetGroup", attributes: ["ClusterSubnetGroupName"], required: ["Description", "SubnetIds"]);
        Add("AWS::S3::Bucket", attributes: ["Arn", "DomainName", "DualStackDomainName", "RegionalDomainName", "WebsiteURL", "MetadataTableConfiguration.S3TablesDestination.TableArn", "MetadataTableConfiguration.S3TablesDestination.TableNamespace"], required: []);
        Add("AWS::S3::BucketPolicy", attributes: [], required: ["Bucket", "PolicyDocument"]);
        Add("AWS::SNS::Topic", attributes: ["TopicArn", "TopicName"], required: []);
        Add("AWS::SQS::Queue", attributes: ["QueueUrl", "Arn", "QueueName"], required: []);
        Add("AWS::SSM::Parameter", attributes: ["Type", "Value"], required: ["Value", "Type"]);
        Add("AWS::SecretsManager::Secret", attributes: ["Id"], required: []);
        Add("AWS::StepFunctions::StateMachine", attributes: ["Arn", "Name", "StateMachineRevisionId"], required: ["RoleArn"]);
    }

    /// <summary>The types in the table.</summary>
    public static IReadOnlyCollection<string> KnownTypes => Types.Keys;

    /// <summary>The Fn::GetAtt attributes of a known type; false for types not in the table and for custom resources.</summary>
    public static bool TryGetAttributes(string type, out IReadOnlyList<string> attributes)
    {
        if (Types.TryGetValue(type, out var entry))
        {
            attributes = entry.Attributes;
            return true;
        }

        attributes = [];
        return false;
    }

    /// <summary>Whether a known type has the attribute (nested stacks accept any <c>Outputs.X</c>).</summary>
    public static bool HasAttribute(string type, string attribute)
    {
        if (type == "AWS::CloudFormation::Stack" && attribute.StartsWith("Outputs.", StringComparison.Ordinal))
        {
            return true;
        }

        return !Types.TryGetValue(type, out var entry) || entry.Attributes.Contains(attribute, StringComparer.Ordinal);
    }

    /// <summary>The required properties of a known type (empty for types not in the table).</summary>
    public static IReadOnlyList<string> RequiredProperties(string type) =>
        Types.TryGetValue(type, out var entry) ? entry.Required : [];

    private static void Add(string type, string[] attributes, string[] required) => Types[type] = (attributes, required);
}
