"""The Terraform frontend: HCL modules and plan JSON -> facts.

- :func:`load_module` reads a root module directory (its ``*.tf``, ``*.tf.json`` and tfvars, local
  child modules, and registry/git modules that ``terraform init`` placed in ``.terraform/modules``).
- :func:`load_plan` reads ``terraform show -json`` output.
- :func:`is_plan_json` tells a plan from other JSON cheaply.
- :func:`parse_file` is the per-file, picklable unit of work (a pure function of the bytes).

Nothing is executed and nothing is fetched; python-hcl2 is imported only when a ``.tf`` file is
read. These names are imported on first use (PEP 562): a parse worker that imports only
:mod:`.reader` does not pay for the evaluator, the resource handlers and the policy parser.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from why403.sources.terraform.load import load_module
    from why403.sources.terraform.plan import is_plan_json, load_plan
    from why403.sources.terraform.reader import parse_bytes, parse_file
    from why403.sources.terraform.syntax import ParsedFile

_HOMES = {
    "load_module": "load",
    "is_plan_json": "plan",
    "load_plan": "plan",
    "parse_bytes": "reader",
    "parse_file": "reader",
    "ParsedFile": "syntax",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


__all__ = ["ParsedFile", "is_plan_json", "load_module", "load_plan", "parse_bytes", "parse_file"]
