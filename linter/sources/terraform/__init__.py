"""The Terraform frontend: HCL modules and plan JSON -> facts.

- :func:`load_module` reads a root module directory (its ``*.tf``, ``*.tf.json`` and tfvars, local
  child modules, and registry/git modules that ``terraform init`` placed in ``.terraform/modules``).
- :func:`load_plan` reads ``terraform show -json`` output.
- :func:`is_plan_json` tells a plan from other JSON cheaply.
- :func:`parse_file` is the per-file, picklable unit of work (a pure function of the bytes).

Nothing is executed and nothing is fetched; python-hcl2 is imported only when a ``.tf`` file is
read.
"""

from why403.sources.terraform.load import load_module
from why403.sources.terraform.plan import is_plan_json, load_plan
from why403.sources.terraform.reader import parse_bytes, parse_file
from why403.sources.terraform.syntax import ParsedFile

__all__ = ["ParsedFile", "is_plan_json", "load_module", "load_plan", "parse_bytes", "parse_file"]
