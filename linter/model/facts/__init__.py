"""What a frontend reports about the sources: one fact per thing AWS would create or configure.

Frontends know syntax and nothing about AWS evaluation; the world builder knows how facts link
(by ARN, name and id) and nothing about syntax. Terraform spreads a bucket's configuration over
several resources while CloudFormation nests it, so both emit the same small facts (a bucket,
its policy, its encryption, its public access block ...) and one linker joins them.

Conventions every frontend follows:
- ``ref`` is the source address: ``aws_iam_role.reader``, ``module.app.aws_iam_role.r``,
  ``aws_s3_bucket.b["logs"]``, or a CloudFormation logical id (``ReaderRole``).
- Strings may hold tokens (:mod:`why403.model.symbols`): the home account and region, opaque ids
  AWS generates, values the sources leave open. The same source value always gives the same
  token, so ``aws_s3_bucket.x.arn`` written in two files compares equal.
- ``account`` and ``region`` are where the thing is created (the provider's account for
  Terraform, the home account for CloudFormation).
- Policies are already parsed (:func:`why403.policy.parse.parse_policy`) with statement locations.
- A boolean setting the sources leave open is ``None``.

The facts live by service in the modules of this package; import them from here.
"""

from __future__ import annotations

# Each module lists its facts in ``__all__``; together they are this package's names.
from why403.model.facts.accounts import *  # noqa: F403
from why403.model.facts.base import *  # noqa: F403
from why403.model.facts.iam import *  # noqa: F403
from why403.model.facts.network import *  # noqa: F403
from why403.model.facts.result import *  # noqa: F403
from why403.model.facts.storage import *  # noqa: F403
