"""An intended access is denied by the bucket policy.

**What it finds.** A principal that the sources grant an S3 action (in its identity policy, or by
name in the bucket policy) but that the bucket policy would refuse: a `Deny` statement matches the
request (explicit), or the request comes from another account, a service or an anonymous caller
and no statement of the bucket policy grants it (implicit).

**Why it matters.** Explicit denies beat every allow, in any account. A same-account identity
policy is enough on its own, but a caller from another account, or an AWS service such as S3
server access logging, needs the bucket policy to name it. The result is a `403 Forbidden` that
the caller's own policies cannot explain. An AWS service is simulated as it really calls S3: with
the headers (`x-amz-acl: bucket-owner-full-control`, SSE-KMS headers) and the `aws:SourceArn` /
`aws:SourceAccount` of the resource that makes it act, which its documented bucket policy
conditions on (the service table, `data/services.json`, names the AWS page for each service).

**Example.**

```json
{"Sid": "OrgPrincipalsOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
 "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
 "Condition": {"StringNotEquals": {"aws:PrincipalOrgID": "o-abc123"}}}
```

denies `logging.s3.amazonaws.com` its log deliveries: service principals carry no
`aws:PrincipalOrgID`, and a negated operator on a missing key is true.

**How to fix.** Narrow the Deny so that it no longer matches the intended caller (for AWS services,
add `"BoolIfExists": {"aws:PrincipalIsAWSService": "false"}`), or add an Allow naming the
cross-account principal or service. The finding carries a draft when one is proven to fix it.
"""

from __future__ import annotations

from why403.rules._denials import denied_rule, s3_layer

RULE = denied_rule(
    "W403-D101",
    "An intended access is denied by the bucket policy (or, for objects of another account, by their ACL)",
    s3_layer("bucket-policy", "bucket-acl"),
)
