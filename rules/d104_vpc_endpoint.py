"""An intended access is denied by the policy of the VPC endpoint it travels through.

**What it finds.** A principal whose compute (an EC2 instance, a Lambda with `vpc_config`, an ECS
task in `awsvpc` mode) runs in subnets whose route table is served by an S3 gateway endpoint: all
its S3 requests meet the endpoint policy first. A Deny there, or the absence of an Allow for the
action, refuses the request whatever IAM and the bucket say.

**Why it matters.** Endpoint policies are written by network teams for data-exfiltration control
and are easy to forget when an application gains a new permission. In a gateway endpoint policy an
account principal (`"AWS": "111122223333"`) means that account's root user only.

**Example.** The endpoint allows `s3:GetObject` and `s3:ListBucket` and denies `s3:PutObject`; the
Lambda's role is allowed to write results: every write fails with 403.

**How to fix.** Allow the action for the principal in the endpoint policy (with `"Principal": "*"`
and an `aws:PrincipalArn` condition for gateway endpoints), or move the workload.
"""

from __future__ import annotations

from why403.rules._denials import denied_rule, s3_layer

RULE = denied_rule("W403-D104", "An intended access through a VPC endpoint is denied by the endpoint policy",
                   s3_layer("vpc-endpoint-policy"))
