"""An intended access is denied by a service control policy (SCP) of the caller's account.

**What it finds.** An SCP attached (in the sources) to the principal's account, an OU or the root
that denies the request, or a level of the hierarchy with no SCP that allows it.

**Why it matters.** SCPs cap every principal of member accounts, administrators included; no IAM
or bucket policy can get past them. They do not restrict principals of other accounts, the
management account or service-linked roles.

**How to fix.** Narrow the SCP, or move the workload to an account where the action is permitted.
"""

from __future__ import annotations

from why403.rules._denials import denied_rule, s3_layer

RULE = denied_rule("W403-D105", "An intended access is denied by a service control policy", s3_layer("scp"))
