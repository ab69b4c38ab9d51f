"""``count`` and ``for_each``: the instances of a resource, data source or module call, once.

Resources and module calls expand alike and are seen alike by references: one instance is the
value itself, ``count`` a list, ``for_each`` an object by key. When the expansion is not known,
instance 0 still stands for the block (its values stay linked) and the rest is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from why403.sources.terraform.bodies import evaluate_guarded
from why403.sources.terraform.context import MAX_INSTANCES, LoadContext
from why403.sources.terraform.convert import EvalError, to_number, to_str
from why403.sources.terraform.evaluate import Scope
from why403.sources.terraform.syntax import Body
from why403.sources.terraform.tfvalues import Lazy, ObjVal, SetVal, Unk


def key_suffix(key: Any) -> str:
    if key is None:
        return ""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    if isinstance(key, Unk):
        return "[each.key]"
    return f'["{key}"]'


@dataclass
class Expansion:
    """The instances of a block: their keys and what each binds (``count.index``, ``each``)."""

    keys: list[tuple[Any, dict[str, Any]]]  # (instance key, bindings)
    kind: str  # single | count | for_each
    uncertain: str | None = None

    def value(self, label: str, items: list[Any], when_uncertain: Callable[[str], Any]) -> Any:
        """What a reference to the whole block sees, given one item per instance (and, when the
        expansion is not known, what ``when_uncertain`` makes of why)."""
        if self.kind == "single":
            return items[0] if items else Unk(label, f"{label} could not be read")
        if self.uncertain is not None:
            return when_uncertain(self.uncertain)
        if self.kind == "count":
            return list(items)
        return ObjVal({str(key): item for (key, _), item in zip(self.keys, items, strict=True)})


def expand(ctx: LoadContext, body: Body, scope: Scope, what: str) -> Expansion:
    """Instances of a resource, data source or module call from its ``count``/``for_each``."""
    count = body.attr("count")
    for_each = body.attr("for_each")
    if count is not None:
        value = evaluate_guarded(ctx, count.expr, scope, f"{what}.count", count.line)
        if isinstance(value, Unk):
            ctx.note_missing(value, what)
            reason = f"the count of {what} is not known ({value.reason})"
            return Expansion([(0, {"count": ObjVal({"index": 0})})], "count", reason)
        try:
            n = to_number(value) if not isinstance(value, bool) else value
        except EvalError as exc:  # a list or an object: Terraform refuses it (found by bench/sweep.py)
            ctx.diag("warning", f"{what}: count must be a whole number: {exc}", scope.file, count.line)
            return Expansion([], "count")
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            ctx.diag("warning", f"{what}: count must be a whole number, not {value!r}", scope.file, count.line)
            return Expansion([], "count")
        if n > MAX_INSTANCES:
            ctx.diag("note", f"{what} has count = {n}; why403 reads the first {MAX_INSTANCES} instances",
                     scope.file, count.line, code="limit")
            n = MAX_INSTANCES
        return Expansion([(i, {"count": ObjVal({"index": i})}) for i in range(n)], "count")
    if for_each is not None:
        value = evaluate_guarded(ctx, for_each.expr, scope, f"{what}.for_each", for_each.line)
        if isinstance(value, Lazy):
            value = value.materialize()
        if isinstance(value, Unk):
            ctx.note_missing(value, what)
            reason = f"the for_each of {what} is not known ({value.reason})"
            key = value.derived("each.key", reason, type="string")
            each = ObjVal({"key": key, "value": value.derived("each.value", reason)})
            return Expansion([(key, {"each": each})], "for_each", reason)
        pairs: list[tuple[Any, Any]] = []
        if isinstance(value, dict):
            pairs = list(value.items())
        elif isinstance(value, list):
            partial = any(isinstance(v, Unk) for v in value)
            if partial:
                ctx.diag("note", f"{what}: some for_each keys are not known; why403 reads the known ones",
                         scope.file, for_each.line, code="unknown-input")
            for v in value:
                if isinstance(v, Unk):
                    continue
                s = to_str(v) if not isinstance(v, list | dict) else None
                if not isinstance(s, str):
                    ctx.diag("warning", f"{what}: for_each over a set must hold strings", scope.file, for_each.line)
                    return Expansion([], "for_each")
                pairs.append((s, s))
            if not isinstance(value, SetVal):
                pairs = sorted(dict(pairs).items())
        elif value is None:
            ctx.diag("warning", f"{what}: for_each is null", scope.file, for_each.line)
            return Expansion([], "for_each")
        else:
            ctx.diag("warning", f"{what}: for_each needs a map or a set of strings", scope.file, for_each.line)
            return Expansion([], "for_each")
        if len(pairs) > MAX_INSTANCES:
            ctx.diag("note", f"{what} has {len(pairs)} for_each instances; why403 reads the first "
                     f"{MAX_INSTANCES}", scope.file, for_each.line, code="limit")
            pairs = pairs[:MAX_INSTANCES]
        return Expansion([(k, {"each": ObjVal({"key": k, "value": v})}) for k, v in pairs], "for_each")
    return Expansion([(None, {})], "single")


