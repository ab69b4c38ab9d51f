"""The simulator's decision cache: a variant of a bucket under the same name is a new question."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from why403.model.policy import PolicyKind
from why403.pipeline import CheckRequest, analyze
from why403.policy.parse import parse_policy

MAIN_TF = """
resource "aws_s3_bucket" "data" {
  bucket = "cache-test-data"
}

resource "aws_iam_role" "reader" {
  name               = "reader"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{
    Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }] })
}

resource "aws_iam_role_policy" "read" {
  role   = aws_iam_role.reader.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{
    Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::cache-test-data/*" }] })
}
"""

DENY_ALL = {"Version": "2012-10-17", "Statement": [{"Sid": "DenyAll", "Effect": "Deny", "Principal": "*",
                                                   "Action": "s3:*", "Resource": "arn:aws:s3:::cache-test-data/*"}]}


def test_a_drafted_bucket_state_is_simulated_not_answered_from_the_cache(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN_TF)
    analysis = analyze(CheckRequest(paths=(str(tmp_path),), use_cache=False)).analysis
    reader = next(i for i in analysis.world.principals.values() if i.ref == "aws_iam_role.reader")
    state = analysis.world.buckets["cache-test-data"].state
    path = reader.paths[0]
    _, before = analysis.sim.decide(reader.actor, "s3:GetObject", state, "k", path)
    assert before.allowed
    denied = replace(state, policy=parse_policy(DENY_ALL, PolicyKind.BUCKET, origin="draft"), policy_known=True)
    _, after = analysis.sim.decide(reader.actor, "s3:GetObject", denied, "k", path)
    assert not after.allowed and after.explicit
    _, again = analysis.sim.decide(reader.actor, "s3:GetObject", state, "k", path)
    assert again is before  # the original state's answer is still the cached one
