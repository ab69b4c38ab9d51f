"""A `Deny` with `NotPrincipal` that also denies the sessions of the role it means to exempt.

**What it finds.** A Deny statement whose `NotPrincipal` lists a role ARN without the account and
the role's session ARNs, or that applies to principals with a permissions boundary.

**Why it matters.** A role never makes requests: its sessions do
(`arn:aws:sts::111122223333:assumed-role/app/i-0abc`). AWS exempts a caller from a
`NotPrincipal` Deny only if every level of its identity is listed (account, role, session), so
listing the role ARN alone exempts nobody and the role is denied everything the statement covers.
A `NotPrincipal` Deny also always denies principals that have a permissions boundary.

**Example.**

```json
{"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/app"},
 "Action": "s3:*", "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]}
```

**How to fix.** Use `"Principal": "*"` with `"Condition": {"ArnNotEquals": {"aws:PrincipalArn":
[...role ARNs...]}}`: `aws:PrincipalArn` is the role ARN for every session of the role.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model import symbols
from why403.model.arn import account_root, assumed_role, role_parts, split_arn
from why403.model.finding import Finding
from why403.rules import Rule
from why403.world.analysis import Analysis


def check(analysis: Analysis) -> Iterable[Finding]:
    for policy, owner in analysis.world.policies:
        if not policy.kind.is_resource_policy:
            continue
        for stmt in policy.statements:
            if stmt.effect != "Deny" or stmt.not_principals is None:
                continue
            values = [e.value for e in stmt.not_principals if e.type == "AWS"]
            for value in values:
                parts = split_arn(value)
                if parts is None or not parts[5].startswith("role/"):
                    continue
                _, name = role_parts(value)
                session_prefix = assumed_role(parts[4], name, "", parts[1])
                has_session = any(v.startswith(session_prefix) for v in values)
                has_account = account_root(parts[4], parts[1]) in values
                if has_session and has_account:
                    continue
                missing = [what for what, ok in (("its account", has_account), ("its session ARNs", has_session))
                           if not ok]
                yield RULE.finding(
                    severity="error",
                    message=(f"{policy.origin or owner}: {stmt.name} exempts {symbols.render(value)} "
                             f"through NotPrincipal without {' and '.join(missing)}, so every session of the role "
                             "is denied; use Principal \"*\" with ArnNotEquals aws:PrincipalArn instead"),
                    location=stmt.location or policy.location, layer=policy.kind.layer, denial="explicit",
                    identity=(policy.origin or owner, stmt.label, value),
                )


RULE = Rule(id="W403-S402", kind="denied", severity="error", check=check,
            summary="A NotPrincipal Deny also denies the sessions of the role it lists")
