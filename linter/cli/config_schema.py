"""The configuration's schema: every key a configuration file may hold, the type and form of its
value, and the :class:`~why403.cli.config.Config` they make. Each checker returns the value in
the form the model wants, or raises a :class:`~why403.cli.config.ConfigError` naming the file and
the key (with the closest known key for a misspelt one).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from why403.cli.config import Config, ConfigError
from why403.model.settings import Intent, Organization, Settings, UnitDeclaration
from why403.report.base import FAIL_LEVELS, SEVERITIES
from why403.report.suppress import SuppressionPolicy

_ACCOUNT = re.compile(r"^\d{12}$")
_ACCOUNT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class _Where:
    file: str
    prefix: str
    base: Path
    names: Mapping[str, str] = field(default_factory=dict)  # the config's account names -> ids

    def error(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.file}: {self.prefix}{key}: {problem}")

    def path(self, value: str) -> str:
        return str(self.base / value) if not os.path.isabs(value) else value


# -- value checkers: each returns the value in the form the model wants, or raises -----------------


def _str(where: _Where, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise where.error(key, f"expected a non-empty string, got {_show(value)}")
    return value


def _bool(where: _Where, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise where.error(key, f"expected true or false, got {_show(value)}")
    return value


def _int(where: _Where, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise where.error(key, f"expected a positive whole number, got {_show(value)}")
    return value


def _account(where: _Where, key: str, value: Any) -> str:
    if isinstance(value, str) and value in where.names:
        return where.names[value]
    if isinstance(value, int) and not isinstance(value, bool) and len(str(value)) == 12:
        value = str(value)
    if not isinstance(value, str) or not _ACCOUNT.match(value):
        raise where.error(key, f"expected a 12-digit AWS account id in quotes, got {_show(value)}")
    return value


def _principal(where: _Where, key: str, value: Any) -> str:
    """A principal or ARN in which an account may be given by its name in ``accounts``: a bare name
    is that account (its root ARN), and a name in an ARN's account field is replaced by the id."""
    text = _str(where, key, value)
    if text in where.names:
        return f"arn:aws:iam::{where.names[text]}:root"
    parts = text.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[4] in where.names:
        parts[4] = where.names[parts[4]]
        return ":".join(parts)
    return text


def _str_list(where: _Where, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise where.error(key, f"expected a list of strings, got {_show(value)}")
    return tuple(_str(where, f"{key}[{i}]", item) for i, item in enumerate(value))


def _table(where: _Where, key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error(key, f"expected a table (mapping), got {_show(value)}")
    return value


def _str_map(where: _Where, key: str, value: Any) -> tuple[tuple[str, str], ...]:
    table = _table(where, key, value)
    out = []
    for name, item in table.items():
        if isinstance(item, int | float) and not isinstance(item, bool):
            item = str(item)
        out.append((str(name), _str(where, f"{key}.{name}", item)))
    return tuple(out)


def _choice(where: _Where, key: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise where.error(key, f"expected one of {', '.join(choices)}, got {_show(value)}")
    return str(value)


def _known_keys(where: _Where, table: dict[str, Any], keys: tuple[str, ...], inside: str = "") -> None:
    for key in table:
        if key not in keys:
            hint = _close(str(key), keys)
            raise where.error(
                f"{inside}{key}",
                f"unknown key{hint}; the keys here are: {', '.join(keys)}",
            )


def _close(key: str, keys: tuple[str, ...]) -> str:
    import difflib

    near = difflib.get_close_matches(key.replace("_", "-"), keys, n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _show(value: Any) -> str:
    kind = type(value).__name__
    text = repr(value)
    return f"{kind} {text[:60]}"


# -- the schema -----------------------------------------------------------------------------------

_TOP = (
    "fail-level",
    "select",
    "ignore",
    "exclude",
    "jobs",
    "cache-dir",
    "account-id",
    "region",
    "accounts",
    "organization",
    "units",
    "intents",
    "paths",
    "admins",
    "deployers",
    "severity",
    "terraform",
    "cloudformation",
    "suppressions",
    "baseline-file",
)


def parse_table(table: Any, shown: str, prefix: str, base: Path) -> Config:
    """The configuration a file's why403 table (``table``, read from the file ``shown``, under
    ``prefix`` in it) says; paths in it are relative to ``base``, its directory."""
    return _parse(table, _Where(shown, prefix, base))


def _parse(table: Any, where: _Where) -> Config:
    if not isinstance(table, dict):
        raise ConfigError(f"{where.file}: expected a mapping of why403 settings, got {_show(table)}")
    _known_keys(where, table, _TOP)
    get = table.get

    fail_level = None
    if "fail-level" in table:
        fail_level = _choice(where, "fail-level", get("fail-level"), FAIL_LEVELS)

    settings_kwargs: dict[str, Any] = {}
    if "accounts" in table:  # first: the other keys may name accounts
        accounts = _table(where, "accounts", get("accounts"))
        for name in accounts:
            if not _ACCOUNT_NAME.match(str(name)) or _ACCOUNT.match(str(name)):
                raise where.error(f"accounts.{name}", "an account name is letters, digits, '.', '_' or '-', "
                                  "and not 12 digits (it stands for an id in the other settings)")
        settings_kwargs["accounts"] = tuple(
            (str(name), _account(where, f"accounts.{name}", acct)) for name, acct in accounts.items()
        )
        where = replace(where, names=dict(settings_kwargs["accounts"]))
    if "account-id" in table:
        settings_kwargs["account_id"] = _account(where, "account-id", get("account-id"))
    if "region" in table:
        settings_kwargs["region"] = _str(where, "region", get("region"))
    if "organization" in table:
        settings_kwargs["organization"] = _organization(where, get("organization"))
    if "units" in table:
        settings_kwargs["units"] = _units(where, get("units"))
    if "intents" in table:
        settings_kwargs["intents"] = _intents(where, get("intents"))
    if "paths" in table:
        settings_kwargs["paths"] = tuple((_principal(where, f"paths.{k}", k), v)
                                         for k, v in _str_map(where, "paths", get("paths")))
    if "admins" in table:
        settings_kwargs["admins"] = tuple(_principal(where, f"admins[{i}]", a)
                                          for i, a in enumerate(_str_list(where, "admins", get("admins"))))
    if "deployers" in table:
        settings_kwargs["deployers"] = tuple(
            _principal(where, f"deployers[{i}]", a)
            for i, a in enumerate(_str_list(where, "deployers", get("deployers"))))
    if "severity" in table:
        severity = _table(where, "severity", get("severity"))
        names = ("default-endpoint-policy", "full-access-endpoint-policy")
        _known_keys(where, severity, names, "severity.")
        if names[0] in severity:
            settings_kwargs["default_endpoint_policy_severity"] = _choice(
                where, f"severity.{names[0]}", severity[names[0]], SEVERITIES
            )
        if names[1] in severity:
            settings_kwargs["explicit_full_access_endpoint_severity"] = _choice(
                where, f"severity.{names[1]}", severity[names[1]], SEVERITIES
            )

    tf_vars: tuple[tuple[str, str], ...] = ()
    tf_var_files: tuple[str, ...] = ()
    if "terraform" in table:
        tf = _table(where, "terraform", get("terraform"))
        _known_keys(where, tf, ("var-files", "vars"), "terraform.")
        var_files = _str_list(where, "terraform.var-files", tf.get("var-files", []))
        tf_var_files = tuple(where.path(p) for p in var_files)
        tf_vars = _str_map(where, "terraform.vars", tf.get("vars", {}))
    cfn_parameters: tuple[tuple[str, str], ...] = ()
    cfn_files: tuple[str, ...] = ()
    if "cloudformation" in table:
        cfn = _table(where, "cloudformation", get("cloudformation"))
        _known_keys(where, cfn, ("parameter-files", "parameters"), "cloudformation.")
        cfn_files = tuple(
            where.path(p)
            for p in _str_list(where, "cloudformation.parameter-files", cfn.get("parameter-files", []))
        )
        cfn_parameters = _str_map(where, "cloudformation.parameters", cfn.get("parameters", {}))

    policy = SuppressionPolicy(source=where.file)
    if "suppressions" in table:
        sup = _table(where, "suppressions", get("suppressions"))
        _known_keys(where, sup, ("inline", "forbid"), "suppressions.")
        policy = SuppressionPolicy(
            inline=_bool(where, "suppressions.inline", sup.get("inline", True)),
            forbid=_rules(where, "suppressions.forbid", sup.get("forbid", [])),
            source=where.file,
        )

    return Config(
        path=where.file,
        fail_level=fail_level,  # type: ignore[arg-type]  # checked by _choice
        select=_rules(where, "select", get("select", [])),
        ignore=_rules(where, "ignore", get("ignore", [])),
        exclude=_str_list(where, "exclude", get("exclude", [])),
        jobs=_int(where, "jobs", get("jobs")) if "jobs" in table else None,
        cache_dir=where.path(_str(where, "cache-dir", get("cache-dir"))) if "cache-dir" in table else None,
        settings=Settings(**settings_kwargs),
        tf_vars=tf_vars,
        tf_var_files=tf_var_files,
        cfn_parameters=cfn_parameters,
        cfn_parameter_files=cfn_files,
        suppressions=policy,
        baseline_file=where.path(_str(where, "baseline-file", get("baseline-file")))
        if "baseline-file" in table else None,
    )


def _rules(where: _Where, key: str, value: Any) -> tuple[str, ...]:
    """A list of rule ids or prefixes, each naming at least one rule: a typo would otherwise select
    nothing, or ignore nothing, without a word."""
    patterns = _str_list(where, key, value)
    for i, pattern in enumerate(patterns):
        problem = unknown_rule(pattern)
        if problem:
            raise where.error(f"{key}[{i}]", problem)
    return patterns


def unknown_rule(pattern: str) -> str | None:
    """What is wrong with a rule pattern of ``--select``/``--ignore``/the configuration, or None."""
    from why403.rules import closest_rule, names_a_rule

    if names_a_rule(pattern):
        return None
    near = closest_rule(pattern)
    hint = f"did you mean {near!r}? " if near else ""
    return f"{pattern!r} is no rule id or prefix of one ({hint}'why403 rules' lists them)"


def _organization(where: _Where, value: Any) -> Organization:
    org = _table(where, "organization", value)
    _known_keys(where, org, ("id", "accounts", "management-account"), "organization.")
    if "id" not in org:
        raise where.error("organization.id", "missing: the organization id (o-...) is required")
    org_id = _str(where, "organization.id", org["id"])
    if not re.match(r"^o-[a-z0-9]{10,32}$", org_id):
        raise where.error("organization.id", f"expected an organization id like o-a1b2c3d4e5, got {org_id!r}")
    accounts = org.get("accounts", [])
    if not isinstance(accounts, list):
        raise where.error("organization.accounts", f"expected a list of account ids, got {_show(accounts)}")
    management = org.get("management-account")
    return Organization(
        id=org_id,
        accounts=tuple(_account(where, f"organization.accounts[{i}]", a) for i, a in enumerate(accounts)),
        management_account=None
        if management is None
        else _account(where, "organization.management-account", management),
    )


_PARENT = re.compile(r"^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$")


def _units(where: _Where, value: Any) -> tuple[UnitDeclaration, ...]:
    """``units``: which deployment units deploy where (docs/units.md). Each entry names units by
    path (globs, relative to this file) and gives their account, the OUs and root above it, and a
    name for people."""
    if not isinstance(value, list):
        raise where.error("units", f"expected a list of tables (paths, account, parents, name), got {_show(value)}")
    out = []
    for i, raw in enumerate(value):
        key = f"units[{i}]"
        entry = _table(where, key, raw)
        _known_keys(where, entry, ("paths", "account", "parents", "name"), f"{key}.")
        if "paths" not in entry:
            raise where.error(f"{key}.paths", "missing: the units this entry is about (folders, templates, globs)")
        paths = _str_list(where, f"{key}.paths", entry["paths"])
        if not paths:
            raise where.error(f"{key}.paths", "expected at least one path")
        parents = _str_list(where, f"{key}.parents", entry.get("parents", []))
        for j, parent in enumerate(parents):
            if not _PARENT.match(parent):
                raise where.error(f"{key}.parents[{j}]", f"expected an OU id (ou-...) or a root id (r-...), got "
                                  f"{parent!r}")
        if parents and "account" not in entry:
            raise where.error(f"{key}.parents", "parents place an account in the organization: give account too")
        out.append(UnitDeclaration(
            paths=tuple(os.path.normpath(where.path(p)) for p in paths),
            account=_account(where, f"{key}.account", entry["account"]) if "account" in entry else None,
            parents=parents,
            name=_str(where, f"{key}.name", entry["name"]) if "name" in entry else None,
        ))
    return tuple(out)


def _intents(where: _Where, value: Any) -> tuple[Intent, ...]:
    table = _table(where, "intents", value)
    _known_keys(where, table, ("must-allow", "must-deny"), "intents.")
    out: list[Intent] = []
    for kind in ("must-allow", "must-deny"):
        items = table.get(kind, [])
        if not isinstance(items, list):
            raise where.error(f"intents.{kind}", f"expected a list of tables, got {_show(items)}")
        for i, item in enumerate(items):
            key = f"intents.{kind}[{i}]"
            entry = _table(where, key, item)
            _known_keys(where, entry, ("principal", "action", "resource", "via"), f"{key}.")
            for required in ("principal", "action", "resource"):
                if required not in entry:
                    raise where.error(
                        f"{key}.{required}", "missing: principal, action and resource are required"
                    )
            out.append(
                Intent(
                    principal=_principal(where, f"{key}.principal", entry["principal"]),
                    action=_str(where, f"{key}.action", entry["action"]),
                    resource=_principal(where, f"{key}.resource", entry["resource"]),
                    expect_allowed=kind == "must-allow",
                    via=_str(where, f"{key}.via", entry["via"]) if "via" in entry else None,
                )
            )
    return tuple(out)
