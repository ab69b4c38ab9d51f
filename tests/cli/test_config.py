"""The configuration file: every key, found by walking up, validated with file and key named."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from why403.cli.config import Config, ConfigError, find_config, load_config
from why403.model.settings import Intent, Organization

FULL_TOML = """
[project]
name = "infra"

[tool.why403]
fail-level = "error"
select = ["W403-D", "W403-B"]
ignore = ["W403-D105"]
exclude = ["vendor/**", "**/.terraform/**"]
jobs = 2
cache-dir = ".cache/why403"
account-id = "123456789012"
region = "eu-west-1"
accounts = {prod = "123456789012", partner = "210987654321"}
paths = {"aws_iam_role.scoring" = "aws_vpc_endpoint.s3", "arn:aws:iam::123456789012:role/ci" = "internet"}
admins = ["arn:aws:iam::123456789012:role/Admin"]
deployers = ["arn:aws:iam::123456789012:role/terraform"]

[tool.why403.organization]
id = "o-a1b2c3d4e5"
accounts = ["123456789012", "210987654321"]
management-account = "999988887777"

[[tool.why403.intents.must-allow]]
principal = "aws_iam_role.reader"
action = "s3:GetObject"
resource = "arn:aws:s3:::data/*"
via = "aws_vpc_endpoint.s3"

[[tool.why403.intents.must-deny]]
principal = "*"
action = "s3:GetObject"
resource = "arn:aws:s3:::data/*"

[tool.why403.severity]
default-endpoint-policy = "warning"

[tool.why403.terraform]
var-files = ["env/prod.tfvars"]
vars = {env = "prod", replicas = 3}

[tool.why403.cloudformation]
parameter-files = ["params/prod.json"]
parameters = {Stage = "prod"}

[tool.why403.suppressions]
inline = true
forbid = ["W403-B"]
"""


def test_every_key_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(FULL_TOML)
    config = load_config(tmp_path / "pyproject.toml")
    assert config.fail_level == "error"
    assert config.select == ("W403-D", "W403-B") and config.ignore == ("W403-D105",)
    assert config.exclude == ("vendor/**", "**/.terraform/**")
    assert config.jobs == 2 and config.cache_dir == str(tmp_path / ".cache/why403")
    s = config.settings
    assert (s.account_id, s.region) == ("123456789012", "eu-west-1")
    assert s.accounts == (("prod", "123456789012"), ("partner", "210987654321"))
    assert s.organization == Organization("o-a1b2c3d4e5", ("123456789012", "210987654321"), "999988887777")
    assert s.intents == (
        Intent("aws_iam_role.reader", "s3:GetObject", "arn:aws:s3:::data/*", True, "aws_vpc_endpoint.s3"),
        Intent("*", "s3:GetObject", "arn:aws:s3:::data/*", False, None),
    )
    assert dict(s.paths)["aws_iam_role.scoring"] == "aws_vpc_endpoint.s3"
    assert s.admins == ("arn:aws:iam::123456789012:role/Admin",)
    assert s.deployers == ("arn:aws:iam::123456789012:role/terraform",)
    assert s.default_endpoint_policy_severity == "warning"
    assert s.explicit_full_access_endpoint_severity == "warning"  # the default, untouched
    # paths are relative to the config file, values are strings
    assert config.tf_var_files == (str(tmp_path / "env/prod.tfvars"),)
    assert config.tf_vars == (("env", "prod"), ("replicas", "3"))
    assert config.cfn_parameter_files == (str(tmp_path / "params/prod.json"),)
    assert config.cfn_parameters == (("Stage", "prod"),)
    assert config.suppressions.inline is True and config.suppressions.forbid == ("W403-B",)
    assert config.suppressions.source == str(tmp_path / "pyproject.toml")


def test_yaml_file_with_the_same_keys(tmp_path: Path) -> None:
    (tmp_path / ".why403.yaml").write_text(
        """
fail-level: note
account-id: 123456789012   # unquoted: still 12 digits, accepted
organization: {id: o-a1b2c3d4e5, accounts: ["111122223333"]}
intents:
  must-allow:
    - {principal: ReaderRole, action: "s3:GetObject", resource: "arn:aws:s3:::data/*"}
suppressions: {inline: false}
"""
    )
    config = load_config(tmp_path / ".why403.yaml")
    assert config.fail_level == "note"
    assert config.settings.account_id == "123456789012"
    assert config.settings.organization == Organization("o-a1b2c3d4e5", ("111122223333",), None)
    assert config.settings.intents[0].principal == "ReaderRole"
    assert config.suppressions.inline is False


def test_account_names_stand_for_their_ids_in_the_other_settings(tmp_path: Path) -> None:
    (tmp_path / ".why403.yaml").write_text(
        """
accounts: {prod: "111122223333", partner: "444455556666"}
account-id: prod
organization: {id: o-a1b2c3d4e5, accounts: [prod, "777788889999"], management-account: partner}
admins: ["arn:aws:iam::prod:role/Admin"]
deployers: [prod]
paths: {"arn:aws:iam::partner:role/etl": internet, "aws_iam_role.app": "aws_vpc_endpoint.s3"}
intents:
  must-allow:
    - {principal: "arn:aws:iam::partner:role/etl", action: "kms:Decrypt",
       resource: "arn:aws:kms:eu-west-1:prod:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
  must-deny:
    - {principal: partner, action: "s3:GetObject", resource: "arn:aws:s3:::data/*"}
"""
    )
    settings = load_config(tmp_path / ".why403.yaml").settings
    assert settings.accounts == (("prod", "111122223333"), ("partner", "444455556666"))
    assert settings.account_id == "111122223333"
    assert settings.organization == Organization("o-a1b2c3d4e5", ("111122223333", "777788889999"), "444455556666")
    assert settings.admins == ("arn:aws:iam::111122223333:role/Admin",)
    assert settings.deployers == ("arn:aws:iam::111122223333:root",)
    assert settings.paths == (("arn:aws:iam::444455556666:role/etl", "internet"),
                              ("aws_iam_role.app", "aws_vpc_endpoint.s3"))
    allow, deny = settings.intents
    assert allow.principal == "arn:aws:iam::444455556666:role/etl"
    assert allow.resource == "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert deny.principal == "arn:aws:iam::444455556666:root"
    assert deny.resource == "arn:aws:s3:::data/*"  # no account field: untouched


def test_an_unnamed_account_is_still_an_error(tmp_path: Path) -> None:
    (tmp_path / ".why403.yaml").write_text('accounts: {prod: "111122223333"}\naccount-id: staging\n')
    with pytest.raises(ConfigError, match="account-id: expected a 12-digit AWS account id"):
        load_config(tmp_path / ".why403.yaml")


def test_empty_yaml_is_an_empty_config(tmp_path: Path) -> None:
    (tmp_path / ".why403.yaml").write_text("# nothing yet\n")
    config = load_config(tmp_path / ".why403.yaml")
    assert replace(config, suppressions=Config().suppressions) == Config(path=str(tmp_path / ".why403.yaml"))


def test_found_walking_up_nearest_first(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config(deep) is None
    (tmp_path / "pyproject.toml").write_text('[tool.why403]\nfail-level = "error"\n')
    assert find_config(deep) == tmp_path / "pyproject.toml"
    (tmp_path / "a" / "pyproject.toml").write_text('[project]\nname = "not-ours"\n')  # no table: skipped
    assert find_config(deep) == tmp_path / "pyproject.toml"
    (tmp_path / "a" / "b" / ".why403.yaml").write_text("fail-level: note\n")
    assert find_config(deep) == tmp_path / "a" / "b" / ".why403.yaml"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[tool.why403]\nfail-levle = "error"\n',
            "tool.why403.fail-levle: unknown key (did you mean 'fail-level'?)",
        ),
        (
            '[tool.why403]\nfail-level = "loud"\n',
            "tool.why403.fail-level: expected one of error, warning, note, never",
        ),
        (
            '[tool.why403]\nselect = "W403-D"\nignore = [1]\n',
            "tool.why403.ignore[0]: expected a non-empty string",
        ),
        (
            '[tool.why403]\naccount-id = "12345"\n',
            "tool.why403.account-id: expected a 12-digit AWS account id",
        ),
        (
            '[tool.why403]\njobs = "two"\n',
            "tool.why403.jobs: expected a positive whole number, got str 'two'",
        ),
        ('[tool.why403]\naccounts = ["a"]\n', "tool.why403.accounts: expected a table (mapping), got list"),
        ('[tool.why403]\naccounts = {"123456789012" = "210987654321"}\n',
         "tool.why403.accounts.123456789012: an account name is letters"),
        ('[tool.why403]\naccounts = {"a:b" = "210987654321"}\n', "tool.why403.accounts.a:b: an account name is"),
        ("[tool.why403.organization]\naccounts = []\n", "tool.why403.organization.id: missing"),
        (
            '[tool.why403.organization]\nid = "acme"\n',
            "tool.why403.organization.id: expected an organization id",
        ),
        (
            '[[tool.why403.intents.must-allow]]\nprincipal = "r"\naction = "s3:GetObject"\n',
            "tool.why403.intents.must-allow[0].resource: missing",
        ),
        (
            '[[tool.why403.intents.must-allow]]\nprincipal = "r"\naction = "a"\nresource = "x"\nvai = "e"\n',
            "tool.why403.intents.must-allow[0].vai: unknown key (did you mean 'via'?)",
        ),
        (
            "[tool.why403.terraform]\nvar_files = []\n",
            "tool.why403.terraform.var_files: unknown key (did you mean",
        ),
        (
            '[tool.why403.suppressions]\ninline = "no"\n',
            "tool.why403.suppressions.inline: expected true or false",
        ),
        (
            '[tool.why403.severity]\ndefault-endpoint-policy = "high"\n',
            "expected one of error, warning, note",
        ),
        ("[tool.why403\n", "not valid TOML"),
        ('[tool.why403]\nunits = {paths = ["a"]}\n', "tool.why403.units: expected a list of tables"),
        ('[[tool.why403.units]]\naccount = "111122223333"\n', "tool.why403.units[0].paths: missing"),
        ('[[tool.why403.units]]\npaths = []\n', "tool.why403.units[0].paths: expected at least one path"),
        ('[[tool.why403.units]]\npaths = ["envs/prod"]\naccount = "prod"\n',
         "tool.why403.units[0].account: "),
        ('[[tool.why403.units]]\npaths = ["envs/prod"]\naccount = "111122223333"\nparents = ["ou-x"]\n',
         "tool.why403.units[0].parents[0]: expected an OU id (ou-...) or a root id (r-...), got 'ou-x'"),
        ('[[tool.why403.units]]\npaths = ["envs/prod"]\nparents = ["r-ab12"]\n',
         "tool.why403.units[0].parents: parents place an account in the organization: give account too"),
        ('[[tool.why403.units]]\npaths = ["envs/prod"]\nacount = "111122223333"\n',
         "tool.why403.units[0].acount: unknown key (did you mean 'account'?)"),
    ],
)
def test_invalid_config_names_file_and_key(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "pyproject.toml").write_text(body)
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path / "pyproject.toml")
    text = str(error.value)
    assert text.startswith(str(tmp_path / "pyproject.toml") + ": ")
    assert message in text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("- a\n- b\n", "expected a mapping of why403 settings, got list"),
        ("fail-level: [error\n", "not valid YAML"),
        ("account-id: 0123456789\n", "account-id: expected a 12-digit AWS account id in quotes"),
    ],
)
def test_invalid_yaml_config(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / ".why403.yaml").write_text(body)
    with pytest.raises(ConfigError, match=r"why403\.yaml: ") as error:
        load_config(tmp_path / ".why403.yaml")
    assert message in str(error.value)


def test_pyproject_without_the_table_is_an_error_when_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    with pytest.raises(ConfigError, match=r"has no \[tool.why403\] table"):
        load_config(tmp_path / "pyproject.toml")


def test_the_examples_in_docs_config_md_load(tmp_path: Path) -> None:
    import re

    text = (Path(__file__).resolve().parents[2] / "docs" / "config.md").read_text()
    toml = re.search(r"```toml\n(.*?)```", text, re.S)
    yaml_text = re.search(r"```yaml\n(fail-level.*?)```", text, re.S)
    assert toml and yaml_text
    (tmp_path / "pyproject.toml").write_text(toml.group(1))
    (tmp_path / ".why403.yaml").write_text(yaml_text.group(1))
    assert load_config(tmp_path / "pyproject.toml").settings.organization is not None
    assert load_config(tmp_path / ".why403.yaml").fail_level == "error"


def test_a_config_naming_accounts_checks_as_one_giving_ids(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Through the real pipeline: the names resolve before anything is judged, so the organization
    perimeter of the template below decides the same way (here: a denial, the account is outside)."""
    import json

    from tests.rules.test_notes_and_intents import TEMPLATE
    from why403.cli.main import main

    (tmp_path / "stack.yaml").write_text(TEMPLATE)
    monkeypatch.chdir(tmp_path)
    outputs = []
    for config in ('accounts: {home: "111122223333", other: "444455556666"}\naccount-id: home\n'
                   "organization: {id: o-a1b2c3d4e5, accounts: [other]}\n",
                   'account-id: "111122223333"\norganization: {id: o-a1b2c3d4e5, accounts: ["444455556666"]}\n'):
        (tmp_path / ".why403.yaml").write_text(config)
        code = main(["check", ".", "--format", "json", "--no-cache"])
        report = json.loads(capsys.readouterr().out)
        outputs.append((code, [(f["rule"], f["message"]) for f in report["findings"]]))
    assert outputs[0] == outputs[1]
    assert any(rule == "W403-D101" and "OrgOnly" in message for rule, message in outputs[0][1]), outputs[0]


def test_units_section_paths_are_relative_to_the_file_and_names_resolve(tmp_path: Path) -> None:
    (tmp_path / ".why403.yaml").write_text(
        "accounts: {prod: '111122223333'}\n"
        "units:\n  - {paths: [envs/prod, 'stacks/prod-*.yaml'], account: prod, parents: [ou-ab12-prod0001, r-ab12],"
        " name: production}\n  - paths: [sandbox]\n")
    config = load_config(tmp_path / ".why403.yaml")
    prod, sandbox = config.settings.units
    assert prod.paths == (str(tmp_path / "envs/prod"), str(tmp_path / "stacks/prod-*.yaml"))
    assert (prod.account, prod.parents, prod.name) == ("111122223333", ("ou-ab12-prod0001", "r-ab12"), "production")
    assert sandbox.account is None and sandbox.paths == (str(tmp_path / "sandbox"),)
