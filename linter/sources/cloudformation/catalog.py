"""Which resource types the frontend reads in full.

The decoder's output is converted to plain data only where it matters (see decode.py): the
resources listed here keep every property; other resources keep just what naming needs, which
keeps the frontend's cost a small fraction of the decoder's on large templates.
"""

from __future__ import annotations

MODELLED_TYPES = frozenset(
    {
        "AWS::S3::Bucket",
        "AWS::S3::BucketPolicy",
        "AWS::S3::AccessPoint",
        "AWS::KMS::Key",
        "AWS::KMS::ReplicaKey",
        "AWS::KMS::Alias",
        "AWS::EC2::VPCEndpoint",
        "AWS::EC2::Subnet",
        "AWS::EC2::SubnetRouteTableAssociation",
        "AWS::EC2::Instance",
        "AWS::EC2::LaunchTemplate",
        "AWS::AutoScaling::AutoScalingGroup",
        "AWS::AutoScaling::LaunchConfiguration",
        "AWS::IAM::InstanceProfile",
        "AWS::Lambda::Function",
        "AWS::ECS::TaskDefinition",
        "AWS::ECS::Service",
        "AWS::IAM::Role",
        "AWS::IAM::User",
        "AWS::IAM::Group",
        "AWS::IAM::UserToGroupAddition",
        "AWS::IAM::Policy",
        "AWS::IAM::ManagedPolicy",
        "AWS::IAM::RolePolicy",
        "AWS::IAM::UserPolicy",
        "AWS::IAM::GroupPolicy",
        "AWS::Organizations::Policy",
        "AWS::Serverless::Function",
    }
)

SAM_TRANSFORM = "AWS::Serverless-2016-10-31"
