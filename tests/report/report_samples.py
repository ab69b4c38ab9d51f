"""A synthetic run with one of everything a report must show (used by tests/report and tests/cli)."""

from __future__ import annotations

from pathlib import Path

from why403.model.finding import Access, Finding, InputError, Stats, Step, Suppression
from why403.model.location import Location
from why403.report.base import Report


def sample_findings(root: Path, line_shift: int = 0) -> tuple[Finding, ...]:
    s3 = str(root / "infra" / "s3.tf")
    kms = str(root / "infra" / "kms.tf")
    return (
        Finding(
            rule="W403-D101",
            kind="denied",
            severity="error",
            message="aws_iam_role.exporter may s3:PutObject to arn:aws:s3:::exports/* but S3 asks KMS "
            "for kms:GenerateDataKey, which no policy grants",
            location=Location(s3, 12 + line_shift, 24 + line_shift, 5),
            layer="identity-policy",
            denial="implicit",
            access=Access(
                principal="arn:aws:iam::123456789012:role/exporter",
                principal_ref="aws_iam_role.exporter",
                action="s3:PutObject",
                resource="arn:aws:s3:::exports/*",
                via=None,
                kms_action="kms:GenerateDataKey",
                actions=("s3:PutObject", "s3:PutObjectAcl"),
            ),
            trace=(
                "identity-policy: allow (aws_iam_role_policy.exporter, statement WriteExports)",
                "kms-key-policy: delegates to IAM (statement EnableIAMPolicies)",
                "identity-policy: no allow for kms:GenerateDataKey",
            ),
            suggestion='Add to aws_iam_role_policy.exporter:\n  Action = "kms:GenerateDataKey"',
            related=(Location(kms, 3 + line_shift, 15 + line_shift),),
            chain=(
                Step("identity-policy", "allow", "WriteExports of aws_iam_role_policy.exporter",
                     Location(s3, 30 + line_shift, 38 + line_shift)),
                Step("kms-key-policy", "delegates to IAM", "EnableIAMPolicies of aws_kms_key.exports",
                     Location(kms, 3 + line_shift, 15 + line_shift)),
                Step("identity-policy", "no allow", "nothing allows kms:GenerateDataKey"),
            ),
            identity=("aws_iam_role.exporter", "s3:PutObject", "arn:aws:s3:::exports/*"),
        ),
        Finding(
            rule="W403-B201",
            kind="broad-allow",
            severity="warning",
            message='the endpoint policy of aws_vpc_endpoint.s3 allows "*" on "*"',
            location=Location(kms, 40 + line_shift),
            layer="vpc-endpoint-policy",
            identity=("aws_vpc_endpoint.s3",),
        ),
        Finding(
            rule="W403-N301",
            kind="denied",
            severity="note",
            message="a denial of reader depends on var.partner_account, which is unknown",
            location=Location(s3, 50 + line_shift),
            identity=("reader",),
        ),
        Finding(
            rule="W403-B202",
            kind="broad-allow",
            severity="error",
            message='bucket policy allows Principal "*" s3:GetObject',
            location=Location(s3, 70 + line_shift),
            identity=("aws_s3_bucket_policy.public",),
            suppressed=Suppression("public website assets", Location(s3, 69 + line_shift), "2099-01-01"),
        ),
    )


def make_report(root: Path, **overrides: object) -> Report:
    fields: dict[str, object] = {
        "findings": sample_findings(root),
        "errors": (InputError(str(root / "broken.tf"), 3, "unexpected token '}'"),),
        "stats": Stats(files=4, resources=9, accesses_simulated=17, seconds=0.25),
        "files": tuple(str(root / p) for p in ("infra/s3.tf", "infra/kms.tf", "broken.tf", "clean.tf")),
        "cwd": str(root),
    }
    fields.update(overrides)
    return Report(**fields)  # type: ignore[arg-type]
