"""Provider configurations -> the account and region each resource is created in.

A provider's account is its ``allowed_account_ids`` when that names one account, else the
account of its ``assume_role.role_arn``, else the account of the credentials Terraform runs with
(the home account). A provider that says something about its account which is not known yields a
token for that unknown, never the home account: treating another account as the home one would
turn cross-account accesses into same-account ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from why403.model import symbols
from why403.model.facts import AccountFact, DeployerFact, Fact, SourceOptions
from why403.model.location import Location
from why403.sources.terraform.bodies import BlockView, evaluate_guarded
from why403.sources.terraform.config import Decl
from why403.sources.terraform.evaluate import Scope
from why403.sources.terraform.syntax import Lit
from why403.sources.terraform.tfvalues import ABSENT, Unk

if TYPE_CHECKING:
    from why403.sources.terraform.modules import ModuleInstance


@dataclass(frozen=True)
class ProviderConfig:
    """Where a provider configuration creates resources."""

    key: str  # "aws" or "aws.partner", as the defining module names it
    ref: str  # "provider.aws.partner", prefixed inside modules
    alias: str
    account: str
    region: str
    role_arn: str | None
    location: Location
    implicit: bool = False
    # The ``default_tags`` every resource of this configuration gets (resource tags win on a
    # key); None when the sources do not determine them.
    default_tags: tuple[tuple[str, str], ...] | None = ()


class ProviderSlot:
    """A provider configuration, evaluated on first use (it may refer to variables and locals)."""

    def __init__(self, module: ModuleInstance, decl: Decl | None) -> None:
        self.module = module
        self.decl = decl
        self.used = False
        self._config: ProviderConfig | None = None

    @property
    def key(self) -> str:
        if self.decl is None:
            return "aws"
        alias = self.decl.block.body.attr("alias")
        name = self.decl.block.labels[0]
        if alias is not None and isinstance(alias.expr, Lit) and isinstance(alias.expr.value, str):
            return f"{name}.{alias.expr.value}"
        return name

    def get(self) -> ProviderConfig:
        self.used = True
        if self._config is None:
            self._config = resolve_provider(self)
        return self._config


def resolve_provider(slot: ProviderSlot) -> ProviderConfig:
    module = slot.module
    ctx = module.ctx
    options = ctx.options
    key = slot.key
    ref = f"{module.prefix}provider.{key}"
    if slot.decl is None:
        return ProviderConfig(key, ref, "", options.home_account, options.home_region, None,
                              Location(module.config.first_file, 0), implicit=True)
    decl = slot.decl
    body = decl.block.body
    scope = Scope(module, decl.file)
    ev = ctx.evaluator

    def text(value: Any) -> str | None:
        if value is ABSENT or value is None:
            return None
        if isinstance(value, Unk):
            return ev.token_for(value)
        return value if isinstance(value, str) else None

    region_attr = body.attr("region")
    region = options.home_region
    if region_attr is not None:
        region = text(evaluate_guarded(ctx, region_attr.expr, scope, f"{ref}.region", region_attr.line)) or region

    allowed: str | None = None
    allowed_attr = body.attr("allowed_account_ids")
    if allowed_attr is not None:
        value = evaluate_guarded(ctx, allowed_attr.expr, scope, f"{ref}.allowed_account_ids", allowed_attr.line)
        if isinstance(value, list) and len(value) == 1:
            allowed = text(value[0])

    role_arn: str | None = None
    assume = body.blocks("assume_role") or body.blocks("assume_role_with_web_identity")
    if assume:
        reader = BlockView(_Owner(ctx, ref, scope), assume[0], scope, f"{ref}.assume_role")
        role_arn = reader.text("role_arn")

    account = provider_account(ref, options, allowed=allowed, restricts_accounts=allowed_attr is not None,
                               role_arn=role_arn, assumes_role=bool(assume))
    alias = key.split(".", 1)[1] if "." in key else ""
    if options.account_id:
        account = symbols.substitute_home(account, options.account_id, None)
    return ProviderConfig(key, ref, alias, account, region, role_arn, decl.location,
                          default_tags=_default_tags(slot, scope))


def _default_tags(slot: ProviderSlot, scope: Scope) -> tuple[tuple[str, str], ...] | None:
    """``default_tags { tags = {...} }``: the tags of every resource the configuration creates."""
    assert slot.decl is not None
    blocks = slot.decl.block.body.blocks("default_tags")
    if not blocks:
        return ()
    ctx = slot.module.ctx
    ref = f"{slot.module.prefix}provider.{slot.key}.default_tags"
    reader = BlockView(_Owner(ctx, ref, scope), blocks[0], scope, ref)
    return tag_pairs(reader, reader.arg("tags"))


def tag_pairs(reader: Any, value: Any) -> tuple[tuple[str, str], ...] | None:
    """A ``tags`` map as (key, value) pairs, a value left open as a token; None when the map itself
    is not determined (a variable without a value, a function of one)."""
    if value is ABSENT or value is None:
        return ()
    if not isinstance(value, dict):
        return None
    out = []
    for k, v in value.items():
        text = reader.as_text(v)
        if text is None:
            return None
        out.append((str(k), text))
    return tuple(sorted(out))


def provider_account(ref: str, options: SourceOptions, *, allowed: str | None, restricts_accounts: bool,
                     role_arn: str | None, assumes_role: bool) -> str:
    """The account a provider configuration creates resources in, from what it says (HCL or a
    plan's configuration): ``allowed`` is the one account ``allowed_account_ids`` names (None:
    not exactly one), ``role_arn`` the role it assumes (None: none, or not readable). A provider
    that restricts its accounts or assumes a role without saying which account gets a token for
    that unknown account, never the home account."""
    role_account = None
    if role_arn is not None:
        parts = role_arn.split(":")
        if len(parts) >= 6 and parts[4]:
            role_account = parts[4]
        elif symbols.is_entirely_unknown(role_arn):
            role_account = symbols.unknown(f"{ref}.account")
    if allowed is not None:
        account = allowed
    elif role_account is not None:
        account = role_account
    elif not restricts_accounts and not assumes_role:
        account = options.home_account
    else:
        account = symbols.unknown(f"{ref}.account")
    if options.account_id:
        account = symbols.substitute_home(account, options.account_id, None)
    return account


class _Owner:
    """The minimum a :class:`BlockView` needs from its parent when reading a provider block."""

    def __init__(self, ctx: Any, ref: str, scope: Scope) -> None:
        self.ctx = ctx
        self.owner_ref = ref
        self.scope = scope


def provider_facts(config: ProviderConfig) -> list[Fact]:
    facts: list[Fact] = [AccountFact(config.ref, config.location, config.account, config.region,
                                     config.alias or config.key)]
    if config.role_arn is not None:
        facts.append(DeployerFact(config.ref, config.location, config.role_arn, config.account))
    return facts
