"""Facts from every input -> one linked :class:`World`.

Linking is by the values AWS itself links by: a bucket policy belongs to the bucket whose name it
carries, an attachment to the role whose name or ARN it names, a subnet reaches an S3 gateway
endpoint through its route table. Because frontends turn the same source value into the same
string (tokens included), ``aws_s3_bucket.x.id`` in one file and ``aws_s3_bucket.x.bucket`` in
another meet here without the world knowing any syntax.
"""

from __future__ import annotations

from collections.abc import Sequence

from why403.model import symbols
from why403.model.arn import is_literal_account, literal_account_of, split_arn
from why403.model.facts import KeyFact, KeyPolicyFact, RoleFact, SourceResult, UserFact
from why403.model.policy import Policy
from why403.model.settings import Settings
from why403.simulate.state import Environment
from why403.world.link_iam import deployers, managed, principals, sessions
from why403.world.link_network import endpoints, paths
from why403.world.link_orgs import accounts, organizations
from why403.world.link_storage import access_points, buckets, keys, objects
from why403.world.linker import Linker
from why403.world.model import World


def collect_policies(b: Linker) -> None:
    seen: set[int] = set()
    for fact in b.facts_all():
        for value in fact.__dict__.values():
            for policy in value if isinstance(value, tuple) else (value,):
                if isinstance(policy, Policy) and id(policy) not in seen:
                    seen.add(id(policy))
                    b.world.policies.append((policy, fact.ref))


def home_evidence(b: Linker) -> None:
    """Literal accounts the sources treat as the home account (only while it is not configured)."""
    if b.settings.account_id:
        return
    found: set[str] = set()
    defined_names = {f.name for f in (*b.of(RoleFact), *b.of(UserFact))  # type: ignore[attr-defined]
                     if getattr(f, "account", None) == symbols.HOME_ACCOUNT}
    key_policies: list[tuple[str | None, Policy | None]] = [
        (f.account, f.policy) for f in b.of(KeyFact) if isinstance(f, KeyFact)]
    # A key policy written for a key the sources do not create is in the account that writes it.
    key_policies += [(f.account, f.policy) for f in b.of(KeyPolicyFact) if isinstance(f, KeyPolicyFact)]
    for account_of_key, policy in key_policies:
        if account_of_key != symbols.HOME_ACCOUNT or policy is None:
            continue
        for stmt in policy.statements:
            manages = stmt.actions is not None and any(
                a.lower() in ("kms:*", "*", "kms:putkeypolicy", "kms:put*") for a in stmt.actions)
            if stmt.effect != "Allow" or not manages:
                continue
            for entry in stmt.principals or ():
                account = literal_account_of(entry.value)
                if account:
                    found.add(account)
    for policy, _ in b.world.policies:
        for stmt in policy.statements:
            for value in (*(e.value for e in stmt.principals or ()), *(stmt.resources or ())):
                parts = split_arn(value)
                if parts is not None and parts[2] == "iam" and is_literal_account(parts[4]) \
                        and parts[5].split("/")[-1] in defined_names:
                    found.add(parts[4])
    b.world.home_literals = tuple(sorted(found))


def build_world(results: Sequence[SourceResult], settings: Settings | None = None) -> World:
    """Link the facts of every input into one world, each stage after those it reads from."""
    b = Linker(results, settings or Settings())
    collect_policies(b)
    home_evidence(b)
    accounts(b)
    b.world.env = Environment(orgs=organizations(b))
    keys(b)
    b.world.env = Environment(orgs=b.world.env.orgs, keys=dict(b.world.keys))
    buckets(b)
    objects(b)
    managed(b)
    principals(b)
    sessions(b)
    endpoints(b)
    paths(b)
    deployers(b)
    access_points(b)
    return b.world
