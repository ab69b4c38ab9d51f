"""Terraform's built-in functions, as far as policies are built from them.

Each function follows Terraform's documented behaviour (checked against ``terraform`` by the
differential tests). Strings may hold tokens for values known only after apply; a function keeps
them where the result is still exact (``join``, ``format("%s")``, ``split`` on ``:`` of an ARN
whose account is the home account) and otherwise answers unknown, never a guess. A function
why403 does not implement answers unknown with its name, not an error.

One module per family (``strings``, ``format``, ``collections``, ``maps``, ``numeric``,
``conversion``, ``encoding``, ``crypto``, ``filesystem``, ``aws``), each registering its
functions in a :class:`~.base.Family`; :mod:`.registry` gathers them and :mod:`.table`
dispatches a call.
"""

from __future__ import annotations

from why403.sources.terraform.functions.encoding import dumps, has_markers, jsonencode, to_json_like
from why403.sources.terraform.functions.filesystem import FileAccess
from why403.sources.terraform.functions.table import FunctionTable

__all__ = ["FileAccess", "FunctionTable", "dumps", "has_markers", "jsonencode", "to_json_like"]
