"""A file could not be read, so nothing in it was checked.

**What it finds.** A Terraform file that is not valid HCL, a CloudFormation template that is not
valid YAML or JSON, a policy document that is not JSON, a variable or parameter file that cannot
be read. The message names the file, the line where reading stopped and what the parser said.

**Why it matters.** why403 can only simulate the policies it can read. A file it cannot read
hides every bucket, key, endpoint and grant it defines, so a 403 (or an over-broad allow) in it
would go unreported. The rest of the sources is still checked, but the run fails (at the default
fail level) so that a broken file is never mistaken for a clean one.

**Example.**

```hcl
resource "aws_s3_bucket" "data" {
  bucket = "data"
  # the closing brace is missing
```

```
main.tf:3:1: W403-E001 error  main.tf cannot be read: unexpected end of input
```

**How to fix.** Fix the syntax at the line given (`terraform validate` and `cfn-lint` report the
same problem with their own wording). If the file is not infrastructure code at all, leave it
out of the run with `exclude` in the configuration or `--exclude`.

In the JSON report a file that cannot be read is listed under `errors`, not `findings`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from why403.model.finding import Finding
from why403.rules import Rule


def _check(world: Any) -> Iterable[Finding]:
    # Parse errors come from the frontends (RunResult.errors), not from the simulated world;
    # reports turn each one into a W403-E001 finding.
    return ()


RULE = Rule(id="W403-E001", kind="source", severity="error", check=_check,
            summary="A file could not be read, so nothing in it was checked")
