"""The part of the SAM transform (``AWS::Serverless-2016-10-31``) that decides access.

For each ``AWS::Serverless::Function`` without a ``Role``, SAM creates ``<Function>Role`` with the
Lambda trust policy, the basic execution managed policy (plus the VPC access one with
``VpcConfig``, X-Ray with ``Tracing``), and one inline policy ``<Function>RolePolicy<i>`` per
policy document or policy template in ``Policies``; managed policy names become ARNs. This module
adds that role to the template as a raw ``AWS::IAM::Role`` (lines pointing at the function), so
everything downstream treats it like a hand-written one. Policy templates are expanded from the
definitions in SAM's policy_templates.json (``Ref`` to a template parameter is replaced by the
value the user gave, which is resolved later like any template value).
"""

from __future__ import annotations

import copy
from typing import Any

from why403.model import arn, symbols
from why403.sources.cloudformation.catalog import SAM_TRANSFORM
from why403.sources.cloudformation.nodes import is_if, is_intrinsic, is_novalue
from why403.sources.cloudformation.tree import Map, Seq, line_of, new_map, new_seq

_BUCKET_ARN = {"Fn::Sub": ["arn:${AWS::Partition}:s3:::${bucketName}", {"bucketName": {"Ref": "BucketName"}}]}
_OBJECTS_ARN = {"Fn::Sub": ["arn:${AWS::Partition}:s3:::${bucketName}/*", {"bucketName": {"Ref": "BucketName"}}]}
_KEY_ARN = {"Fn::Sub": ["arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${keyId}",
                        {"keyId": {"Ref": "KeyId"}}]}

# Policy template name -> (its parameters, its statements), as SAM's policy_templates.json defines them.
POLICY_TEMPLATES: dict[str, tuple[tuple[str, ...], list[dict[str, Any]]]] = {
    "S3ReadPolicy": (("BucketName",), [{
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion",
                   "s3:GetLifecycleConfiguration"],
        "Resource": [_BUCKET_ARN, _OBJECTS_ARN],
    }]),
    "S3WritePolicy": (("BucketName",), [{
        "Effect": "Allow",
        "Action": ["s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"],
        "Resource": [_BUCKET_ARN, _OBJECTS_ARN],
    }]),
    "S3CrudPolicy": (("BucketName",), [{
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion",
                   "s3:PutObject", "s3:PutObjectAcl", "s3:GetLifecycleConfiguration",
                   "s3:PutLifecycleConfiguration", "s3:DeleteObject"],
        "Resource": [_BUCKET_ARN, _OBJECTS_ARN],
    }]),
    "S3FullAccessPolicy": (("BucketName",), [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl",
                       "s3:DeleteObject", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging",
                       "s3:GetObjectTagging", "s3:GetObjectVersionTagging", "s3:PutObjectTagging",
                       "s3:PutObjectVersionTagging"],
            "Resource": [_OBJECTS_ARN],
        },
        {
            "Effect": "Allow",
            "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:GetLifecycleConfiguration",
                       "s3:PutLifecycleConfiguration"],
            "Resource": [_BUCKET_ARN],
        },
    ]),
    "KMSDecryptPolicy": (("KeyId",), [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": _KEY_ARN}]),
    "KMSEncryptPolicy": (("KeyId",), [{"Effect": "Allow", "Action": "kms:Encrypt", "Resource": _KEY_ARN}]),
}

# The service every other SAM policy template's actions belong to (each allows only that service).
_TEMPLATE_SERVICES = {
    **dict.fromkeys(("AcmGetCertificatePolicy",), "acm"),
    **dict.fromkeys(("AthenaQueryPolicy",), "athena"),
    **dict.fromkeys(("CostExplorerReadOnlyPolicy",), "ce"),
    **dict.fromkeys(("CloudFormationDescribeStacksPolicy",), "cloudformation"),
    **dict.fromkeys(("CloudWatchDashboardPolicy", "CloudWatchDescribeAlarmHistoryPolicy", "CloudWatchPutMetricPolicy"),
                    "cloudwatch"),
    **dict.fromkeys(("CodeCommitCrudPolicy", "CodeCommitReadPolicy"), "codecommit"),
    **dict.fromkeys(("CodePipelineLambdaExecutionPolicy", "CodePipelineReadOnlyPolicy"), "codepipeline"),
    **dict.fromkeys(("ComprehendBasicAccessPolicy",), "comprehend"),
    **dict.fromkeys(("DynamoDBBackupFullAccessPolicy", "DynamoDBCrudPolicy", "DynamoDBReadPolicy",
                     "DynamoDBReconfigurePolicy", "DynamoDBRestoreFromBackupPolicy", "DynamoDBStreamReadPolicy",
                     "DynamoDBWritePolicy"), "dynamodb"),
    **dict.fromkeys(("AMIDescribePolicy", "EC2CopyImagePolicy", "EC2DescribePolicy", "VPCAccessPolicy"), "ec2"),
    **dict.fromkeys(("EcsRunTaskPolicy",), "ecs"),
    **dict.fromkeys(("EKSDescribePolicy",), "eks"),
    **dict.fromkeys(("EFSWriteAccessPolicy",), "elasticfilesystem"),
    **dict.fromkeys(("ElasticMapReduceAddJobFlowStepsPolicy", "ElasticMapReduceCancelStepsPolicy",
                     "ElasticMapReduceModifyInstanceFleetPolicy", "ElasticMapReduceModifyInstanceGroupsPolicy",
                     "ElasticMapReduceSetTerminationProtectionPolicy", "ElasticMapReduceTerminateJobFlowsPolicy"),
                    "elasticmapreduce"),
    **dict.fromkeys(("ElasticsearchHttpPostPolicy",), "es"),
    **dict.fromkeys(("EventBridgePutEventsPolicy",), "events"),
    **dict.fromkeys(("FirehoseCrudPolicy", "FirehoseWritePolicy"), "firehose"),
    **dict.fromkeys(("KinesisCrudPolicy", "KinesisStreamReadPolicy"), "kinesis"),
    **dict.fromkeys(("KMSEncryptPolicy_v2",), "kms"),
    **dict.fromkeys(("LambdaInvokePolicy",), "lambda"),
    **dict.fromkeys(("FilterLogEventsPolicy",), "logs"),
    **dict.fromkeys(("MobileAnalyticsWriteOnlyAccessPolicy",), "mobileanalytics"),
    **dict.fromkeys(("PinpointEndpointAccessPolicy",), "mobiletargeting"),
    **dict.fromkeys(("OrganizationsListAccountsPolicy",), "organizations"),
    **dict.fromkeys(("PollyFullAccessPolicy",), "polly"),
    **dict.fromkeys(("RekognitionDetectOnlyPolicy", "RekognitionFacesManagementPolicy", "RekognitionFacesPolicy",
                     "RekognitionLabelsPolicy", "RekognitionNoDataAccessPolicy", "RekognitionReadPolicy",
                     "RekognitionWriteOnlyAccessPolicy"), "rekognition"),
    **dict.fromkeys(("Route53ChangeResourceRecordSetsPolicy",), "route53"),
    **dict.fromkeys(("SageMakerCreateEndpointConfigPolicy", "SageMakerCreateEndpointPolicy"), "sagemaker"),
    **dict.fromkeys(("AWSSecretsManagerGetSecretValuePolicy", "AWSSecretsManagerRotationPolicy"), "secretsmanager"),
    **dict.fromkeys(("ServerlessRepoReadWriteAccessPolicy",), "serverlessrepo"),
    **dict.fromkeys(("SESBulkTemplatedCrudPolicy", "SESBulkTemplatedCrudPolicy_v2", "SESCrudPolicy",
                     "SESEmailTemplateCrudPolicy", "SESSendBouncePolicy"), "ses"),
    **dict.fromkeys(("SNSCrudPolicy", "SNSPublishMessagePolicy"), "sns"),
    **dict.fromkeys(("SQSPollerPolicy", "SQSSendMessagePolicy"), "sqs"),
    **dict.fromkeys(("SSMParameterReadPolicy", "SSMParameterWithSlashPrefixReadPolicy"), "ssm"),
    **dict.fromkeys(("StepFunctionsCallbackPolicy", "StepFunctionsExecutionPolicy", "StepFunctionsExecutionPolicy_v2"),
                    "states"),
    **dict.fromkeys(("TextractDetectAnalyzePolicy", "TextractGetResultPolicy", "TextractPolicy"), "textract"),
}

# AWS managed policies SAM users name most, with their paths (SAM turns a name into an ARN with
# its bundled list; a name not listed here stays unknown rather than guessed).
_MANAGED_PATHS = {
    "AWSLambdaBasicExecutionRole": "service-role/", "AWSLambdaVPCAccessExecutionRole": "service-role/",
    "AWSLambdaRole": "service-role/", "AWSLambdaKinesisExecutionRole": "service-role/",
    "AWSLambdaDynamoDBExecutionRole": "service-role/", "AWSLambdaSQSQueueExecutionRole": "service-role/",
    "AWSLambdaMSKExecutionRole": "service-role/", "AWSLambdaENIManagementAccess": "service-role/",
    "AmazonS3ObjectLambdaExecutionRolePolicy": "service-role/", "AmazonECSTaskExecutionRolePolicy": "service-role/",
    "AWSGlueServiceRole": "service-role/", "AmazonAPIGatewayPushToCloudWatchLogs": "service-role/",
    "AWSBatchServiceRole": "service-role/",
    **dict.fromkeys((
        "AmazonS3ReadOnlyAccess", "AmazonS3FullAccess", "AWSLambdaExecute", "AWSXRayDaemonWriteAccess",
        "AWSXrayWriteOnlyAccess", "AmazonDynamoDBFullAccess", "AmazonDynamoDBReadOnlyAccess", "AmazonSQSFullAccess",
        "AmazonSNSFullAccess", "CloudWatchLogsFullAccess", "AWSLambda_FullAccess", "AWSLambda_ReadOnlyAccess",
        "AmazonSSMReadOnlyAccess", "SecretsManagerReadWrite", "AmazonEC2ContainerRegistryReadOnly",
        "AmazonSSMManagedInstanceCore", "AWSStepFunctionsFullAccess", "AmazonKinesisFullAccess",
        "AmazonKinesisReadOnlyAccess", "AmazonAthenaFullAccess", "AmazonRekognitionReadOnlyAccess",
        "ComprehendFullAccess", "AmazonTextractFullAccess", "AmazonSESFullAccess", "AmazonEventBridgeFullAccess",
        "AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "AWSCodeCommitReadOnly",
        "AmazonSNSReadOnlyAccess", "AmazonSQSReadOnlyAccess", "CloudWatchLambdaInsightsExecutionRolePolicy",
        "CloudWatchAgentServerPolicy", "AWSKeyManagementServicePowerUser", "AmazonBedrockFullAccess",
        "AmazonPollyFullAccess", "TranslateFullAccess", "AmazonSageMakerFullAccess", "AWSIoTDataAccess",
        "AmazonCognitoPowerUser", "AWSAppSyncInvokeFullAccess", "CloudWatchFullAccess", "AWSXrayFullAccess",
        "AWSLambdaInvocation-DynamoDB", "AmazonESFullAccess", "AmazonRDSDataFullAccess",
        "AWSCloudFormationReadOnlyAccess", "AmazonEC2ReadOnlyAccess", "AmazonVPCFullAccess",
    ), ""),
}

_LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com"]}},
    ],
}

# Function properties that Globals.Function may supply and that decide the role.
_GLOBAL_KEYS = ("VpcConfig", "PermissionsBoundary", "AssumeRolePolicyDocument", "RolePath", "Tracing", "Tags")


def managed_policy_arn(name: str) -> str:
    if name.startswith("arn:"):
        return name
    path = _MANAGED_PATHS.get(name)
    if path is None:
        return symbols.unknown(f"AWS managed policy {name}")
    return arn.iam_entity("aws", "policy", name, "/" + path)


def is_sam(template: Map) -> bool:
    """The SAM transform is declared, or SAM resource types are used (which only the transform accepts)."""
    t = template.get("Transform")
    if t == SAM_TRANSFORM or (isinstance(t, list) and SAM_TRANSFORM in t):
        return True
    resources = template.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and r.get("Type") == "AWS::Serverless::Function" for r in resources.values())


def expand(template: Map) -> Map:
    """A copy of ``template`` with the roles SAM would create; the input is not changed (it may be cached)."""
    resources = template.get("Resources")
    if not isinstance(resources, Map):
        return template
    globals_fn = template.get("Globals", {}).get("Function") if isinstance(template.get("Globals"), dict) else None
    out = copy.copy(template)
    out.line, out.end_line, out.key_lines = template.line, template.end_line, template.key_lines
    new_res = copy.copy(resources)
    new_res.line, new_res.end_line, new_res.key_lines = resources.line, resources.end_line, dict(resources.key_lines)
    for lid, res in resources.items():
        if not (isinstance(res, Map) and res.get("Type") == "AWS::Serverless::Function"):
            continue
        props = res.get("Properties")
        props = _with_globals(props if isinstance(props, Map) else new_map(res.line, res.end_line), globals_fn)
        fn = _clone(res)
        fn["Properties"] = props
        new_res[lid] = fn
        if "Role" in props:
            continue
        role_lid = f"{lid}Role"
        if role_lid in resources:
            continue
        new_res[role_lid] = _role(lid, res, props)
        new_res.key_lines[role_lid] = resources.key_line(lid)
        props["Role"] = {"Fn::GetAtt": [role_lid, "Arn"]}
    out["Resources"] = new_res
    return out


def _clone(m: Map) -> Map:
    c = new_map(m.line, m.end_line)
    c.update(m)
    c.key_lines = dict(m.key_lines)
    return c


def _with_globals(props: Map, globals_fn: Any) -> Map:
    merged = _clone(props)
    if isinstance(globals_fn, dict):
        for key in _GLOBAL_KEYS:
            if key in globals_fn and key not in merged:
                merged[key] = globals_fn[key]
    return merged


def _role(lid: str, res: Map, props: Map) -> Map:
    line, end = res.line, res.end_line
    role = new_map(line, end)
    role["Type"] = "AWS::IAM::Role"
    if "Condition" in res:  # the role exists exactly when the function does
        role["Condition"] = res["Condition"]
    rp = new_map(line, end)
    rp.key_lines = {k: props.key_line(k) for k in ("Policies", "AssumeRolePolicyDocument", "VpcConfig")}
    rp["AssumeRolePolicyDocument"] = props.get("AssumeRolePolicyDocument", _LAMBDA_TRUST)
    managed = [managed_policy_arn("AWSLambdaBasicExecutionRole")]
    tracing = props.get("Tracing")
    if tracing is not None and tracing != "Disabled":
        managed.append(managed_policy_arn("AWSXrayWriteOnlyAccess"))
    if "VpcConfig" in props:
        managed.append(managed_policy_arn("AWSLambdaVPCAccessExecutionRole"))
    managed_seq: Seq = new_seq(line, end)
    managed_seq.extend(managed)
    inline: Seq = new_seq(props.key_line("Policies"), end)
    policies = props.get("Policies")
    entries = policies if isinstance(policies, list) else [] if policies is None else [policies]
    for index, entry in enumerate(entries):
        name = f"{lid}RolePolicy{index}"
        kind, value = _classify(entry, name)
        if kind == "managed":
            if value not in managed_seq:
                managed_seq.append(value)
        elif kind == "inline":
            inline.append(value)
    rp["ManagedPolicyArns"] = managed_seq
    if inline:
        rp["Policies"] = inline
    for src, dst in (("PermissionsBoundary", "PermissionsBoundary"), ("RolePath", "Path")):
        if src in props:
            rp[dst] = props[src]
    role["Properties"] = rp
    return role


def _classify(entry: Any, name: str) -> tuple[str, Any]:
    """("managed", arn-or-node) or ("inline", {PolicyName, PolicyDocument}) for one Policies entry."""
    line = line_of(entry)
    if isinstance(entry, str):
        return "managed", managed_policy_arn(entry)
    if is_if(entry):
        args = entry["Fn::If"]
        if isinstance(args, list) and len(args) == 3:
            branches = [b for b in args[1:] if not is_novalue(b)]
            if branches and all(isinstance(b, dict) and not is_intrinsic(b) for b in branches):
                new_args = [args[0]] + [
                    b if is_novalue(b) else _inline(name, _document(b), line_of(b, line)) for b in args[1:]]
                return "inline", _node({"Fn::If": new_args}, line)
            return "managed", _node({"Fn::If": [args[0]] + [
                managed_policy_arn(b) if isinstance(b, str) else b for b in args[1:]]}, line)
    if isinstance(entry, dict) and not is_intrinsic(entry):
        return "inline", _inline(name, _document(entry), line)
    return "managed", entry


def _document(entry: dict[str, Any]) -> Any:
    """A policy document, or the statements a policy template stands for."""
    if len(entry) == 1:
        tname, args = next(iter(entry.items()))
        template = POLICY_TEMPLATES.get(tname)
        if template is not None:
            _, statements = template
            values = args if isinstance(args, dict) else {}
            stmts = [_bind(copy.deepcopy(s), values) for s in statements]
            doc = _node({"Version": "2012-10-17", "Statement": _seq(stmts, line_of(entry))}, line_of(entry))
            for s in stmts:
                _set_line(s, line_of(entry))
            return doc
        if tname not in ("Statement", "Version") and not tname.startswith("Fn::"):
            return {"Version": "2012-10-17", "Statement": _unknown_statement(tname)}
    return entry


def _unknown_statement(name: str) -> dict[str, Any]:
    """A policy template why403 does not expand. Every SAM template only allows, and only actions of
    the service it is named for, so its actions are that service's prefix with an unknown rest: it
    can never decide an S3 or KMS request, and never denies. An unlisted name may allow anything."""
    prefix = _TEMPLATE_SERVICES.get(name)
    unknown = symbols.unknown(f"SAM policy template {name}")
    action = f"{prefix}:{unknown}" if prefix else unknown
    return {"Effect": "Allow", "Action": action, "Resource": unknown}


def _bind(node: Any, values: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if len(node) == 1 and isinstance(node.get("Ref"), str) and node["Ref"] in values:
            return values[node["Ref"]]
        return {k: _bind(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_bind(v, values) for v in node]
    return node


def _node(d: dict[str, Any], line: int) -> Map:
    m = new_map(line, line)
    m.update(d)
    m.key_lines = dict.fromkeys(d, line)
    return m


def _seq(items: list[Any], line: int) -> Seq:
    s = new_seq(line, line)
    s.extend(_node(i, line) if isinstance(i, dict) and not isinstance(i, Map) else i for i in items)
    return s


def _set_line(node: Any, line: int) -> None:
    if isinstance(node, Map) and not node.line:
        node.line = line


def _inline(name: str, document: Any, line: int) -> Map:
    return _node({"PolicyName": name, "PolicyDocument": document}, line)
