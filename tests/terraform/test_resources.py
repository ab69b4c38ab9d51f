"""Each resource type the issue lists becomes its facts, on configurations written as people do."""

from __future__ import annotations

from pathlib import Path

from why403.model import symbols
from why403.model.acl import AclGrant
from why403.model.facts import (
    AccessPointFact,
    AccessPointPolicyFact,
    AliasFact,
    AttachmentFact,
    BucketAclFact,
    BucketEncryptionFact,
    BucketFact,
    BucketLoggingFact,
    BucketPolicyFact,
    ComputeFact,
    EndpointFact,
    EndpointPolicyFact,
    EndpointRouteTableFact,
    GrantFact,
    GroupFact,
    GroupMembershipFact,
    InlinePolicyFact,
    InstanceProfileFact,
    KeyFact,
    KeyPolicyFact,
    ManagedPolicyFact,
    OrgAttachmentFact,
    OrgPolicyFact,
    OwnershipFact,
    PublicAccessBlockFact,
    RequesterPaysFact,
    RoleFact,
    UserFact,
)
from why403.model.policy import PolicyKind, PrincipalEntry

from .helpers import A, R, errors, facts, load, one

S3 = '''
resource "aws_s3_bucket" "legacy" {
  bucket = "legacy-site"
  acl    = "public-read"
  policy = <<EOF
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
 "Resource": "arn:aws:s3:::legacy-site/*"}]}
EOF
  grant {
    type        = "Group"
    uri         = "http://acs.amazonaws.com/groups/s3/LogDelivery"
    permissions = ["WRITE", "READ_ACP"]
  }
  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
  logging {
    target_bucket = aws_s3_bucket.logs.id
    target_prefix = "legacy/"
  }
  request_payer = "Requester"
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}

resource "aws_s3_bucket_acl" "logs" {
  bucket = aws_s3_bucket.logs.id
  access_control_policy {
    grant {
      grantee {
        type = "CanonicalUser"
        id   = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
      }
      permission = "FULL_CONTROL"
    }
    owner {
      id = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    }
  }
}

resource "aws_s3_bucket_ownership_controls" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    object_ownership = "BucketOwnerPreferred"
  }
}

resource "aws_s3_bucket_logging" "logs" {
  bucket        = aws_s3_bucket.logs.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "self/"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  rule {
    bucket_key_enabled = true
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_alias.logs.name
    }
  }
}

resource "aws_s3_bucket_request_payment_configuration" "logs" {
  bucket = aws_s3_bucket.logs.id
  payer  = "BucketOwner"
}

resource "aws_s3_account_public_access_block" "this" {
  block_public_acls   = true
  block_public_policy = true
}

resource "aws_s3_access_point" "reports" {
  bucket = aws_s3_bucket.logs.id
  name   = "reports"
  vpc_configuration {
    vpc_id = "vpc-0123456789abcdef0"
  }
  public_access_block_configuration {
    block_public_policy = false
  }
}

resource "aws_s3control_access_point_policy" "reports" {
  access_point_arn = aws_s3_access_point.reports.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.me.account_id}:role/reporter" }
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_access_point.reports.arn}/object/*"
    }]
  })
}

data "aws_caller_identity" "me" {}

resource "aws_kms_key" "logs" {
  description                        = "logs"
  is_enabled                         = false
  bypass_policy_lockout_safety_check = true
}

resource "aws_kms_alias" "logs" {
  name          = "alias/logs"
  target_key_id = aws_kms_key.logs.key_id
}

resource "aws_kms_key_policy" "logs" {
  key_id = aws_kms_key.logs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Sid = "Root", Effect = "Allow", Action = "kms:*", Resource = "*",
                   Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.me.account_id}:root" } }]
  })
}

resource "aws_kms_grant" "reporter" {
  name              = "reporter"
  key_id            = aws_kms_key.logs.key_id
  grantee_principal = "arn:aws:iam::${data.aws_caller_identity.me.account_id}:role/reporter"
  operations        = ["Decrypt"]
  constraints {
    encryption_context_equals = {
      Department = "Finance"
    }
  }
}
'''


def test_s3_and_kms_resources(tmp_path: Path) -> None:
    r = load(tmp_path, {"main.tf": S3})
    assert not errors(r)
    legacy = {type(f).__name__: f for f in r.facts if f.ref == "aws_s3_bucket.legacy"}
    assert isinstance(legacy["BucketPolicyFact"], BucketPolicyFact)
    assert legacy["BucketPolicyFact"].policy.statements[0].principals == (PrincipalEntry("*", "*"),)
    assert legacy["BucketPolicyFact"].policy.statements[0].location is not None
    assert legacy["BucketPolicyFact"].policy.statements[0].location.line == 5
    acl = legacy["BucketAclFact"]
    assert isinstance(acl, BucketAclFact) and acl.canned == "public-read"
    assert acl.grants == (AclGrant("LogDelivery", "WRITE"), AclGrant("LogDelivery", "READ_ACP"))
    enc = legacy["BucketEncryptionFact"]
    assert isinstance(enc, BucketEncryptionFact) and enc.algorithm == "AES256" and enc.key is None
    logging = legacy["BucketLoggingFact"]
    assert isinstance(logging, BucketLoggingFact)
    assert (logging.bucket, logging.target_bucket, logging.target_prefix) == ("legacy-site", "acme-logs", "legacy/")
    payer = legacy["RequesterPaysFact"]
    assert isinstance(payer, RequesterPaysFact) and payer.enabled is True

    assert one(r, BucketAclFact, "aws_s3_bucket_acl.logs").grants == (
        AclGrant("canonical", "FULL_CONTROL", "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"),)
    assert one(r, OwnershipFact).ownership == "BucketOwnerPreferred"
    assert one(r, BucketLoggingFact, "aws_s3_bucket_logging.logs").target_prefix == "self/"
    sse = one(r, BucketEncryptionFact, "aws_s3_bucket_server_side_encryption_configuration.logs")
    assert (sse.algorithm, sse.key, sse.bucket_key) == ("aws:kms", "alias/logs", True)
    assert one(r, RequesterPaysFact, "aws_s3_bucket_request_payment_configuration.logs").enabled is False
    account_bpa = one(r, PublicAccessBlockFact)
    assert account_bpa.bucket is None and account_bpa.account == A
    assert (account_bpa.block_public_acls, account_bpa.ignore_public_acls) == (True, False)

    ap = one(r, AccessPointFact)
    assert (ap.name, ap.bucket, ap.account, ap.vpc_id) == ("reports", "acme-logs", A, "vpc-0123456789abcdef0")
    assert ap.block_public_policy is False and ap.block_public_acls is True and ap.policy is None
    ap_policy = one(r, AccessPointPolicyFact)
    assert ap_policy.access_point == f"arn:aws:s3:{R}:{A}:accesspoint/reports"
    assert ap_policy.policy.kind is PolicyKind.ACCESS_POINT
    assert ap_policy.policy.statements[0].resources == (f"arn:aws:s3:{R}:{A}:accesspoint/reports/object/*",)

    key = one(r, KeyFact)
    assert key.policy is None and key.enabled is False and key.bypass_lockout_check is True
    assert key.key_id == symbols.opaque("aws_kms_key.logs.key_id")
    assert key.arn == f"arn:aws:kms:{R}:{A}:key/{key.key_id}"
    alias = one(r, AliasFact)
    assert (alias.name, alias.target_key) == ("alias/logs", key.key_id)
    key_policy = one(r, KeyPolicyFact)
    assert key_policy.key == key.key_id and key_policy.policy.statements[0].sid == "Root"
    grant = one(r, GrantFact)
    assert grant.key == key.key_id and grant.grantee == f"arn:aws:iam::{A}:role/reporter"
    assert grant.operations == ("Decrypt",) and grant.context_equals == (("Department", "Finance"),)


NETWORK_AND_COMPUTE = '''
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_subnet" "app" {
  vpc_id     = aws_vpc.main.id
  cidr_block = "10.0.1.0/24"
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id       = aws_vpc.main.id
  service_name = "com.amazonaws.eu-west-1.s3"
}

resource "aws_vpc_endpoint_route_table_association" "s3" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  route_table_id  = aws_vpc.main.main_route_table_id
}

resource "aws_vpc_endpoint_policy" "s3" {
  vpc_endpoint_id = aws_vpc_endpoint.s3.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:*", Resource = "*" }]
  })
}

resource "aws_vpc_endpoint" "kms" {
  vpc_id              = aws_vpc.main.id
  service_name        = "com.amazonaws.eu-west-1.kms"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = [aws_subnet.app.id]
  private_dns_enabled = true
}

resource "aws_iam_role" "web" {
  name = "web"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

resource "aws_iam_instance_profile" "web" {
  name = "web-profile"
  role = aws_iam_role.web.name
}

resource "aws_instance" "web" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "t3.micro"
  subnet_id            = aws_subnet.app.id
  iam_instance_profile = aws_iam_instance_profile.web.name
}

resource "aws_launch_template" "web" {
  name = "web"
  iam_instance_profile {
    arn = aws_iam_instance_profile.web.arn
  }
  network_interfaces {
    subnet_id = aws_subnet.app.id
  }
}

resource "aws_lambda_function" "outside" {
  function_name = "outside"
  role          = aws_iam_role.web.arn
  runtime       = "python3.12"
  handler       = "h.handler"
  filename      = "f.zip"
}
'''


def test_an_acl_grant_is_made_only_of_permissions_and_groups_s3_knows(tmp_path: Path) -> None:
    r = load(tmp_path, {"main.tf": '''
resource "aws_s3_bucket" "site" {
  bucket = "site"
  grant {
    type        = "Group"
    uri         = "http://acs.amazonaws.com/groups/global/AllUsers"
    permissions = ["READ", "WRITE_ACL"]
  }
  grant {
    type        = "Group"
    uri         = "http://acs.amazonaws.com/groups/global/Everyone"
    permissions = ["FULL_CONTROL"]
  }
}

resource "aws_s3_bucket_acl" "site" {
  bucket = aws_s3_bucket.site.id
  access_control_policy {
    grant {
      grantee {
        type = "Group"
        uri  = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
      }
      permission = "READ"
    }
    grant {
      grantee {
        type = "Group"
        uri  = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
      }
      permission = "read"
    }
    owner {
      id = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"
    }
  }
}
'''})
    assert one(r, BucketAclFact, "aws_s3_bucket.site").grants == (AclGrant("AllUsers", "READ"),)
    assert one(r, BucketAclFact, "aws_s3_bucket_acl.site").grants == (AclGrant("AuthenticatedUsers", "READ"),)


def test_network_and_compute_resources(tmp_path: Path) -> None:
    r = load(tmp_path, {"main.tf": NETWORK_AND_COMPUTE})
    assert not errors(r)
    endpoints = {f.ref: f for f in facts(r, EndpointFact)}
    s3 = endpoints["aws_vpc_endpoint.s3"]
    assert s3.endpoint_type == "Gateway" and s3.policy is None and s3.vpc_id == symbols.opaque("aws_vpc.main.id")
    kms = endpoints["aws_vpc_endpoint.kms"]
    assert kms.endpoint_type == "Interface" and kms.subnet_ids == (symbols.opaque("aws_subnet.app.id"),)
    assert one(r, EndpointPolicyFact).endpoint_id == s3.endpoint_id
    assoc = one(r, EndpointRouteTableFact)
    assert assoc.endpoint_id == s3.endpoint_id
    assert assoc.route_table_id == symbols.opaque("aws_vpc.main.main_route_table_id")
    profile = one(r, InstanceProfileFact)
    assert (profile.name, profile.roles) == ("web-profile", ("web",))
    assert profile.arn == f"arn:aws:iam::{A}:instance-profile/web-profile"
    compute = {f.ref: f for f in facts(r, ComputeFact)}
    web = compute["aws_instance.web"]
    assert (web.kind, web.instance_profile, web.in_vpc) == ("ec2", "web-profile", True)
    assert web.subnet_ids == (symbols.opaque("aws_subnet.app.id"),)
    assert compute["aws_launch_template.web"].instance_profile == profile.arn
    outside = compute["aws_lambda_function.outside"]
    assert outside.kind == "lambda" and outside.in_vpc is False and outside.subnet_ids == ()


IAM = '''
resource "aws_iam_policy" "boundary" {
  name = "boundary"
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:*", Resource = "*" }] })
}

resource "aws_iam_role" "app" {
  name                 = "app"
  permissions_boundary = aws_iam_policy.boundary.arn
  managed_policy_arns  = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
  assume_role_policy   = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "lambda.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
  inline_policy {
    name = "logs"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = ["logs:PutLogEvents"], Resource = "*" }]
    })
  }
  tags = { team = "data", cost = 42 }
}

variable "extra_policies" {
  type = list(string)
}

resource "aws_iam_role" "open" {
  name                = "open"
  managed_policy_arns = var.extra_policies
  assume_role_policy  = "{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": []}"
}

resource "aws_iam_user" "alice" {
  name                 = "alice"
  path                 = "/people/"
  permissions_boundary = aws_iam_policy.boundary.arn
}

resource "aws_iam_group" "devs" {
  name = "devs"
}

resource "aws_iam_user_policy" "alice" {
  user   = aws_iam_user.alice.name
  policy = jsonencode({ Version = "2012-10-17",
                        Statement = [{ Effect = "Deny", Action = "s3:DeleteBucket", Resource = "*" }] })
}

resource "aws_iam_group_policy" "devs" {
  group  = aws_iam_group.devs.name
  policy = jsonencode({ Version = "2012-10-17",
                        Statement = [{ Effect = "Allow", Action = "s3:List*", Resource = "*" }] })
}

resource "aws_iam_user_policy_attachment" "alice" {
  user       = aws_iam_user.alice.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
}

resource "aws_iam_group_policy_attachment" "devs" {
  group      = aws_iam_group.devs.name
  policy_arn = aws_iam_policy.boundary.arn
}

resource "aws_iam_policy_attachment" "shared" {
  name       = "shared"
  roles      = [aws_iam_role.app.name]
  users      = [aws_iam_user.alice.name]
  groups     = [aws_iam_group.devs.name]
  policy_arn = "arn:aws:iam::aws:policy/PowerUserAccess"
}

resource "aws_iam_group_membership" "devs" {
  name  = "devs"
  group = aws_iam_group.devs.name
  users = [aws_iam_user.alice.name]
}

resource "aws_iam_user_group_membership" "alice" {
  user   = aws_iam_user.alice.name
  groups = [aws_iam_group.devs.name, "auditors"]
}

resource "aws_organizations_policy" "scp" {
  name    = "deny-leaving"
  content = jsonencode({ Version = "2012-10-17", Statement = [
    { Effect = "Deny", Action = "organizations:LeaveOrganization", Resource = "*" }] })
}

resource "aws_organizations_policy" "tags" {
  name    = "tags"
  type    = "TAG_POLICY"
  content = jsonencode({ tags = {} })
}

resource "aws_organizations_organization" "org" {}

resource "aws_organizations_policy_attachment" "root" {
  policy_id = aws_organizations_policy.scp.id
  target_id = aws_organizations_organization.org.roots[0].id
}
'''


def test_iam_and_organizations_resources(tmp_path: Path) -> None:
    r = load(tmp_path, {"main.tf": IAM})
    assert not errors(r)
    boundary = one(r, ManagedPolicyFact)
    assert boundary.arn == f"arn:aws:iam::{A}:policy/boundary" and boundary.policy.arn == boundary.arn
    roles = {f.name: f for f in facts(r, RoleFact)}
    app = roles["app"]
    assert app.boundary_arn == boundary.arn
    assert app.managed_policy_arns == ("arn:aws:iam::aws:policy/ReadOnlyAccess",)
    assert not app.managed_policies_unknown
    (inline,) = app.inline_policies
    assert inline.kind is PolicyKind.IDENTITY and inline.statements[0].actions == ("logs:PutLogEvents",)
    assert app.tags == (("cost", "42"), ("team", "data"))
    assert roles["open"].managed_policies_unknown and roles["open"].managed_policy_arns == ()
    assert roles["open"].trust_policy is not None and roles["open"].trust_policy.statements == ()
    alice = one(r, UserFact)
    assert alice.arn == f"arn:aws:iam::{A}:user/people/alice" and alice.boundary_arn == boundary.arn
    assert one(r, GroupFact).arn == f"arn:aws:iam::{A}:group/devs"
    inlines = {f.ref: f for f in facts(r, InlinePolicyFact)}
    assert inlines["aws_iam_user_policy.alice"].users == ("alice",)
    assert inlines["aws_iam_group_policy.devs"].groups == ("devs",)
    attachments = {f.ref: f for f in facts(r, AttachmentFact)}
    assert attachments["aws_iam_user_policy_attachment.alice"].users == ("alice",)
    assert attachments["aws_iam_group_policy_attachment.devs"].groups == ("devs",)
    shared = attachments["aws_iam_policy_attachment.shared"]
    assert (shared.roles, shared.users, shared.groups) == (("app",), ("alice",), ("devs",))
    memberships = sorted((f.group, f.users) for f in facts(r, GroupMembershipFact))
    assert memberships == [("auditors", ("alice",)), ("devs", ("alice",)), ("devs", ("alice",))]
    scp = one(r, OrgPolicyFact)
    assert scp.policy_type == "SERVICE_CONTROL_POLICY" and scp.policy.kind is PolicyKind.SCP
    attachment = one(r, OrgAttachmentFact)
    assert attachment.policy_id == scp.policy_id
    assert attachment.target == symbols.opaque("aws_organizations_organization.org.roots[0].id")


def test_an_empty_name_is_a_name_terraform_generates(tmp_path: Path) -> None:
    """``bucket = ""`` or ``name = ""`` is no name: the provider generates one (its name generator
    takes the configured name only when it is not empty). A module whose ``bucket_name_override``
    defaults to "" gets a generated bucket, and its policy's ``aws_s3_bucket.b.arn`` is that
    bucket's ARN, never ``arn:aws:s3:::``."""
    result = load(tmp_path, {"main.tf": '''
        variable "bucket_name_override" {
          type    = string
          default = ""
        }
        resource "aws_s3_bucket" "b" {
          bucket = var.bucket_name_override
        }
        resource "aws_iam_role" "r" {
          name               = ""
          assume_role_policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",
            Principal = {Service = "lambda.amazonaws.com"}, Action = "sts:AssumeRole"}]})
        }
        resource "aws_s3_bucket_policy" "b" {
          bucket = aws_s3_bucket.b.id
          policy = jsonencode({Version = "2012-10-17", Statement = [{Effect = "Allow",
            Principal = {AWS = aws_iam_role.r.arn}, Action = "s3:GetBucketLocation", Resource = aws_s3_bucket.b.arn}]})
        }
        '''})
    bucket = one(result, BucketFact)
    assert bucket.name == symbols.opaque("aws_s3_bucket.b.bucket")
    policy = one(result, BucketPolicyFact)
    assert policy.bucket == bucket.name and policy.policy.problems == ()
    (stmt,) = policy.policy.statements
    assert stmt.resources == (f"arn:aws:s3:::{bucket.name}",)
    role = one(result, RoleFact)
    assert [p.value for p in stmt.principals or ()] == [role.arn] and symbols.has_token(role.arn)
