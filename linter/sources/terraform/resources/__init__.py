"""Resource types -> facts. One small function per resource type, shared by HCL and plan JSON.

A handler reads its resource through the :class:`~.base.Reader` interface (evaluated arguments,
nested blocks, the attributes AWS computes) and knows the resource's AWS meaning: which argument
is the policy and of which kind, the defaults AWS applies when an argument is unset, how a nested
block maps to a fact. It knows nothing about HCL or plan JSON. One module per service; adding a
resource type is one handler and one line in its service's table.
"""

from __future__ import annotations

from why403.sources.terraform.resources.base import Emitter, FactList, Handler, Reader
from why403.sources.terraform.resources.compute import COMPUTE_HANDLERS
from why403.sources.terraform.resources.deliveries import DELIVERY_HANDLERS
from why403.sources.terraform.resources.iam import IAM_HANDLERS
from why403.sources.terraform.resources.kms import KMS_HANDLERS
from why403.sources.terraform.resources.network import NETWORK_HANDLERS
from why403.sources.terraform.resources.organizations import ORGANIZATIONS_HANDLERS
from why403.sources.terraform.resources.s3 import S3_HANDLERS

HANDLERS: dict[str, Handler] = {
    **S3_HANDLERS, **KMS_HANDLERS, **NETWORK_HANDLERS, **COMPUTE_HANDLERS, **IAM_HANDLERS, **ORGANIZATIONS_HANDLERS,
    **DELIVERY_HANDLERS,
}
"""The handler of each resource type why403 reads (a type without one is counted, not read)."""

__all__ = ["HANDLERS", "Emitter", "FactList", "Handler", "Reader"]
