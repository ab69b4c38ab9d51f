"""The change weakens the gate: its configuration checks less than the one in force.

**What it finds.** With `--baseline REF` (or `--config-from REF`, which the GitHub action passes on
pull requests) why403 runs with the configuration as it is at `REF`, not as the change left it:
a pull request must not be able to switch off the check that judges it. The change's own
configuration is still read, and each way it checks less is reported on the line that does it:
a higher `fail-level`; rules no longer run (`select` narrowed, `ignore` widened); a new `exclude`
pattern; inline suppressions allowed, or a rule no longer in `suppressions.forbid`; a lowered
`severity` setting; a dropped `intents` entry; a moved `cache-dir`. A configuration that cannot
be read at all is reported too.

**Why it matters.** A `.why403.yaml` that says `ignore: ["*"]` or `fail-level: never` turns the
gate into a rubber stamp for every later change. Such a change may be right, but it should be
seen and approved as what it is, not slip through inside an unrelated pull request.

**Example.**

```yaml
# .why403.yaml in the pull request
fail-level: never
```

```
.why403.yaml:2:1: W403-E004 error  the change weakens the gate: fail-level never (was warning) lets more
findings pass; this run keeps the configuration of origin/main
```

**How to fix.** If the change to the gate is intended, merge it on its own, reviewed as such:
once it is in the base branch, later runs use it. Otherwise revert that part of the
configuration.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from why403.model.finding import Finding
from why403.rules import Rule


def _check(world: Any) -> Iterable[Finding]:
    # Produced by the command, which reads both configurations (why403.cli.gate), not by the world.
    return ()


RULE = Rule(id="W403-E004", kind="source", severity="error", check=_check,
            summary="The change weakens the gate: its configuration checks less than the one in force")
