"""Which resource types the frontend reads in full.

The decoder's output is converted to plain data only where it matters (see decode.py): the
resources listed here keep every property; other resources keep just what naming needs, which
keeps the frontend's cost a small fraction of the decoder's on large templates.
"""

from __future__ import annotations

import functools
import json

# Resource type -> the properties its handler (and Ref/GetAtt naming) reads; None = all of them.
# Large properties nobody reads (Lambda code, container definitions, user data, lifecycle rules)
# are never converted.
PROPERTIES: dict[str, frozenset[str] | None] = {
    "AWS::S3::Bucket": frozenset({"BucketName", "BucketEncryption", "PublicAccessBlockConfiguration",
                                  "OwnershipControls", "AccessControl", "LoggingConfiguration"}),
    "AWS::S3::BucketPolicy": None,
    "AWS::S3::AccessPoint": None,
    "AWS::KMS::Key": frozenset({"KeyPolicy", "Enabled", "BypassPolicyLockoutSafetyCheck"}),
    "AWS::KMS::ReplicaKey": frozenset({"KeyPolicy", "Enabled", "BypassPolicyLockoutSafetyCheck"}),
    "AWS::KMS::Alias": None,
    "AWS::EC2::VPCEndpoint": None,
    "AWS::EC2::Subnet": frozenset({"VpcId"}),
    "AWS::EC2::SubnetRouteTableAssociation": None,
    "AWS::EC2::Instance": frozenset({"SubnetId", "NetworkInterfaces", "IamInstanceProfile"}),
    "AWS::EC2::LaunchTemplate": frozenset({"LaunchTemplateData", "LaunchTemplateName"}),
    "AWS::AutoScaling::AutoScalingGroup": frozenset({"VPCZoneIdentifier", "LaunchTemplate", "MixedInstancesPolicy",
                                                     "LaunchConfigurationName", "InstanceId"}),
    "AWS::AutoScaling::LaunchConfiguration": frozenset({"IamInstanceProfile"}),
    "AWS::IAM::InstanceProfile": None,
    "AWS::Lambda::Function": frozenset({"Role", "VpcConfig", "FunctionName"}),
    "AWS::ECS::TaskDefinition": frozenset({"TaskRoleArn", "NetworkMode"}),
    "AWS::ECS::Service": frozenset({"TaskDefinition", "NetworkConfiguration", "ServiceName"}),
    "AWS::IAM::Role": None,
    "AWS::IAM::User": frozenset({"UserName", "Path", "Groups", "Policies", "ManagedPolicyArns",
                                 "PermissionsBoundary", "Tags"}),
    "AWS::IAM::Group": None,
    "AWS::IAM::UserToGroupAddition": None,
    "AWS::IAM::Policy": None,
    "AWS::IAM::ManagedPolicy": None,
    "AWS::IAM::RolePolicy": None,
    "AWS::IAM::UserPolicy": None,
    "AWS::IAM::GroupPolicy": None,
    "AWS::Organizations::Policy": frozenset({"Type", "Content", "TargetIds", "Name"}),
    # A nested stack: the parameters it passes (read when its template is in the run, as CDK writes it).
    "AWS::CloudFormation::Stack": frozenset({"Parameters"}),
    "AWS::Serverless::Function": frozenset({"Role", "Policies", "VpcConfig", "PermissionsBoundary",
                                            "AssumeRolePolicyDocument", "RolePath", "Tracing", "FunctionName"}),
    # Resources that make an AWS service use a bucket (res_deliveries).
    "AWS::CloudTrail::Trail": frozenset({"TrailName", "S3BucketName", "S3KeyPrefix", "KMSKeyId"}),
    "AWS::EC2::FlowLog": frozenset({"LogDestinationType", "LogDestination"}),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": frozenset({"LoadBalancerAttributes"}),
    "AWS::Config::DeliveryChannel": frozenset({"Name", "S3BucketName", "S3KeyPrefix", "S3KmsKeyArn"}),
    "AWS::Config::ConfigurationRecorder": frozenset({"RoleARN"}),
    "AWS::CloudFront::Distribution": frozenset({"DistributionConfig"}),
    "AWS::KinesisFirehose::DeliveryStream": frozenset({"ExtendedS3DestinationConfiguration",
                                                       "S3DestinationConfiguration"}),
}


SAM_TRANSFORM = "AWS::Serverless-2016-10-31"


# cfn-lint's list of the resource types of a region (type -> its schema file), and of SAM's.
_PROVIDERS = ("us-east-1.json", "sam.json")


@functools.cache
def _specified_types() -> frozenset[str]:
    """Every resource type of CloudFormation's specification as cfn-lint ships it (us-east-1, the
    region with the most types, and SAM's), read from its data files without importing cfn-lint
    (whose import costs more than a hook run on one template)."""
    from why403.policy.catalogue import cfnlint_data_files

    types: set[str] = set()
    for name in _PROVIDERS:
        for path in cfnlint_data_files(f"schemas/providers/{name}"):
            try:
                listed = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(listed, dict):
                types.update(k for k in listed if isinstance(k, str))
    return frozenset(types)


def known_type(kind: str) -> bool:
    """Whether CloudFormation defines the resource type ``kind`` (case-sensitive, as it is)."""
    return kind in PROPERTIES or kind in _specified_types()
