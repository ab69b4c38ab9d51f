"""Regenerate the plan JSON fixtures with terraform, offline: ``python -m tests.terraform.make_plan_fixtures``.

The fixtures are committed; the tests read them and do not need terraform. They are plans of the
workspace :func:`.policyoracle.build_workspace` makes from the Terraform examples and the feature
fixture: ``fresh.json`` against an empty state (what a first ``terraform plan`` shows: every ARN
known only after apply) and ``existing.json`` against a state where the resources exist (the
daily CI case, where policies are known).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from why403.model.facts import SourceOptions
from why403.sources.terraform.load import instantiate

from .helpers import EXAMPLES, FIXTURES
from .oracle import Terraform, provider_unavailable_reason
from .policyoracle import ACCOUNT, _instances, build_workspace, crafted_state

PLANS = FIXTURES / "plans"
EXAMPLE_PREFIXES = ("01", "02", "03", "04", "05", "12", "15", "16")


def workspace_sources() -> dict[str, Path]:
    sources = {f"ex{p}": sorted(EXAMPLES.glob(f"{p}-*"))[0] for p in EXAMPLE_PREFIXES}
    sources["features"] = FIXTURES / "policy_features"
    return sources


def main() -> int:
    reason = provider_unavailable_reason()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    PLANS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        build_workspace(workspace_sources(), workdir)
        tf = Terraform(workdir, Path(tempfile.gettempdir()) / "why403-terraform-cache")
        tf.init()
        fresh = tf.plan_json()
        _, root = instantiate(workdir, SourceOptions(account_id=ACCOUNT))
        existing = tf.plan_json(crafted_state(fresh, _instances(root)))
    for name, plan in (("fresh.json", fresh), ("existing.json", existing)):
        plan.pop("timestamp", None)
        (PLANS / name).write_text(json.dumps(plan, separators=(",", ":")) + "\n", encoding="utf-8")
        print(f"wrote {PLANS / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
