"""Evaluate CloudFormation intrinsic functions and conditions into plain values with tokens.

A resolved value is plain JSON-like data: ``str`` (possibly holding tokens of
:mod:`why403.model.symbols`), numbers, booleans, ``None``, lists and dicts, plus the markers of
:mod:`why403.model.values`: :class:`Unknown` for a non-string value the template leaves open and
:class:`MaybePresent` for a list element guarded by a condition that cannot be decided.
``AWS::NoValue`` is the :data:`NOVALUE` sentinel and removes the property or element.

Conditions are three-valued. A condition over an unknown parameter is ``None`` unless every
value the parameter is allowed to take (its AllowedValues) gives the same answer; the guarded
value then becomes unknown, never silently one branch.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from why403.model import arn, symbols
from why403.model.tri import Tri, tri_all, tri_and, tri_not, tri_or
from why403.model.values import MaybePresent, Unknown
from why403.sources.cloudformation.functions import FUNCTIONS
from why403.sources.cloudformation.naming import Naming
from why403.sources.cloudformation.nodes import NOVALUE, is_if, is_novalue, same, text
from why403.sources.cloudformation.parameters import Param
from why403.sources.cloudformation.tree import Map

_MAX_ENUMERATION = 64

# ``{{resolve:ssm:name}}``, ``{{resolve:ssm-secure:...}}``, ``{{resolve:secretsmanager:...}}``: a
# dynamic reference, which CloudFormation replaces with the stored value when it deploys.
_DYNAMIC_REFERENCE = re.compile(r"\{\{resolve:[A-Za-z0-9-]+:[^{}]*\}\}")


def _dynamic_references(text: str) -> str:
    """``text`` with each dynamic reference replaced by an unknown value named after it. The value
    lives in Parameter Store or Secrets Manager, outside the sources: read as text, a bucket named
    ``{{resolve:ssm:/app/bucket}}`` would look like an object ARN and an account id would be no
    ARN at all."""
    if "{{resolve:" not in text:
        return text
    return _DYNAMIC_REFERENCE.sub(lambda m: symbols.unknown(m.group(0)), text)


class Resolver:
    """Resolves one template's values. Cheap to create; memoizes names and conditions."""

    def __init__(
        self,
        template: Map,
        params: Mapping[str, Param],
        *,
        account: str,
        region: str,
        stack_name: str | None = None,
        exports: Mapping[str, Any] | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> None:
        res = template.get("Resources")
        self.resources: Mapping[str, Any] = res if isinstance(res, dict) else {}
        cond = template.get("Conditions")
        self.conditions: Mapping[str, Any] = cond if isinstance(cond, dict) else {}
        maps = template.get("Mappings")
        self.mappings: Mapping[str, Any] = maps if isinstance(maps, dict) else {}
        self.template = template
        self.params = params
        self.account = account
        self.region = region
        self.partition = arn.partition_of(region)
        self.stack_name = stack_name or symbols.unknown("AWS::StackName")
        self.exports = exports
        self.overrides = overrides or {}
        self.touched: set[str] = set()
        self.placeholders_read: set[str] = set()
        self.imports_missing: set[str] = set()
        self.imports_found: set[str] = set()  # export names resolved (evidence of a link between stacks)
        self._cond_memo: dict[str, tuple[Tri, frozenset[str]]] = {}
        self._cond_active: set[str] = set()
        self.naming = Naming(self)

    # -- tracking of unknown parameters ---------------------------------------------------

    def tracking(self) -> AbstractContextManager[set[str]]:
        """Collect the unknown parameters that the values resolved inside the block depend on."""
        return _collecting(self, "touched")

    def reading_placeholders(self) -> AbstractContextManager[set[str]]:
        """Collect the parameters read at their empty Default inside the block (see Param.placeholder)."""
        return _collecting(self, "placeholders_read")

    # -- values ---------------------------------------------------------------------------

    def value(self, node: Any) -> Any:
        found = self._value(node)
        return _dynamic_references(found) if isinstance(found, str) else found

    def _value(self, node: Any) -> Any:
        if isinstance(node, dict):
            if len(node) == 1:
                key, arg = next(iter(node.items()))
                if key == "Ref":
                    return self.ref(arg)
                if key.startswith("Fn::"):
                    return self.fn(key, arg)
            out: dict[str, Any] = {}
            for k, v in node.items():
                r = self.value(v)
                if r is not NOVALUE:
                    out[k] = r
            return out
        if isinstance(node, list):
            return [v for v, _ in self.items(node)]
        return node

    def items(self, seq: list[Any]) -> list[tuple[Any, Any]]:
        """Resolved elements with the source node each came from; undecidable Fn::If elements
        become MaybePresent (one per branch that is not AWS::NoValue)."""
        out: list[tuple[Any, Any]] = []
        for item in seq:
            if is_if(item):
                args = item["Fn::If"]
                if isinstance(args, list) and len(args) == 3 and isinstance(args[0], str):
                    truth = self.condition(args[0])
                    if truth is None:
                        a, b = self.value(args[1]), self.value(args[2])
                        if same(a, b):
                            if a is not NOVALUE:
                                out.append((a, args[1]))
                            continue
                        reason = self.condition_reason(args[0])
                        for branch, src in ((a, args[1]), (b, args[2])):
                            if branch is not NOVALUE:
                                out.append((MaybePresent(branch, reason), src))
                        continue
                    chosen = args[1] if truth else args[2]
                    r = self.value(chosen)
                    if r is not NOVALUE:
                        out.append((r, chosen))
                    continue
            r = self.value(item)
            if r is not NOVALUE:
                out.append((r, item))
        return out

    def raw_items(self, seq: list[Any]) -> list[tuple[Any, str | None]]:
        """The raw elements of a list, with decidable Fn::If elements replaced by their branch and
        undecidable ones by both branches, each with the reason it may not exist."""
        out: list[tuple[Any, str | None]] = []
        for item in seq:
            while is_if(item):
                args = item["Fn::If"]
                if not (isinstance(args, list) and len(args) == 3 and isinstance(args[0], str)):
                    break
                truth = self.condition(args[0])
                if truth is None:
                    reason = self.condition_reason(args[0])
                    out.extend((b, reason) for b in args[1:] if not is_novalue(b))
                    item = NOVALUE
                    break
                item = args[1] if truth else args[2]
            if item is not NOVALUE and not is_novalue(item):
                out.append((item, None))
        return out

    def condition_reason(self, name: str) -> str:
        params = sorted(self._cond_memo.get(name, (None, frozenset()))[1])
        if params:
            return f"condition {name} depends on parameter {', '.join(params)}, which has no value"
        return f"condition {name} cannot be decided from the template"

    def ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            return symbols.unknown("Ref")
        if name.startswith("AWS::"):
            return self.pseudo(name)
        if name in self.params:
            return self.param(name)
        if name in self.resources:
            return self.naming.ref(name)
        return symbols.unknown(f"Ref {name}")

    def pseudo(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NOVALUE
        if name == "AWS::AccountId":
            return self.account
        if name == "AWS::Region":
            return self.region
        if name == "AWS::Partition":
            return self.partition
        if name == "AWS::URLSuffix":
            return arn.dns_suffix(self.partition)
        if name == "AWS::StackName":
            return self.stack_name
        if name == "AWS::NotificationARNs":
            return Unknown("AWS::NotificationARNs is set at deploy time")
        return symbols.unknown(name)

    def param(self, name: str) -> Any:
        p = self.params[name]
        if name in self.overrides:
            return self.overrides[name]
        if p.value is None:
            self.touched.add(name)
            if p.is_list:
                return Unknown(f"parameter {name} has no value")
            return symbols.unknown(f"Parameter {name}")
        if p.placeholder:
            self.placeholders_read.add(name)
        if isinstance(p.value, tuple):
            return list(p.value)
        return p.value

    def getatt(self, lid: Any, attr: Any) -> Any:
        if not isinstance(lid, str):
            return symbols.unknown("Fn::GetAtt")
        if not isinstance(attr, str):
            attr = text(self.value(attr), f"{lid}.attribute")
        if lid not in self.resources:
            return symbols.unknown(f"{lid}.{attr}")
        return self.naming.getatt(lid, attr)

    # -- functions ------------------------------------------------------------------------

    def fn(self, key: str, arg: Any) -> Any:
        handler = FUNCTIONS.get(key)
        if handler is None:
            return Unknown(f"{key} is not evaluated by why403")
        return handler(self, arg)

    # -- conditions -----------------------------------------------------------------------

    def condition(self, name: str) -> Tri:
        memo = self._cond_memo.get(name)
        if memo is not None:
            self.touched |= memo[1]
            return memo[0]
        if name in self._cond_active or name not in self.conditions:
            return None
        self._cond_active.add(name)
        try:
            with self.tracking() as seen:
                truth = self.cond_expr(self.conditions[name])
            if truth is None and seen:
                truth = self._enumerate(self.conditions[name], seen)
        finally:
            self._cond_active.discard(name)
        self._cond_memo[name] = (truth, frozenset(seen))
        return truth

    def _enumerate(self, expr: Any, params: set[str]) -> Tri:
        """Decide a condition over unknown parameters by trying each of their AllowedValues."""
        choices = []
        for name in sorted(params):
            p = self.params.get(name)
            if p is None or p.allowed is None or p.is_list:
                return None
            choices.append([(name, v) for v in p.allowed])
        combos = 1
        for c in choices:
            combos *= len(c)
        if combos == 0 or combos > _MAX_ENUMERATION:
            return None
        answers: set[Tri] = set()
        for combo in itertools.product(*choices):
            child = Resolver(self.template, self.params, account=self.account, region=self.region,
                             stack_name=self.stack_name, exports=self.exports,
                             overrides={**self.overrides, **dict(combo)})
            answers.add(child.cond_expr(expr))
            if len(answers) > 1 or None in answers:
                return None
        return answers.pop() if answers else None

    def cond_expr(self, node: Any) -> Tri:
        if isinstance(node, bool):
            return node
        if isinstance(node, str):
            low = node.lower()
            return True if low == "true" else False if low == "false" else None
        if not (isinstance(node, dict) and len(node) == 1):
            return None
        key, arg = next(iter(node.items()))
        if key == "Condition":
            return self.condition(arg) if isinstance(arg, str) else None
        if key == "Fn::Equals":
            if not (isinstance(arg, list) and len(arg) == 2):
                return None
            return self._equals(self.value(arg[0]), self.value(arg[1]))
        if key == "Fn::Not":
            if isinstance(arg, list) and len(arg) == 1:
                return tri_not(self.cond_expr(arg[0]))
            return None
        if key in ("Fn::And", "Fn::Or"):
            if not isinstance(arg, list):
                return None
            values = [self.cond_expr(a) for a in arg]
            return tri_and(*values) if key == "Fn::And" else tri_or(*values)
        if key == "Fn::If":  # allowed in a few places; evaluate as a value
            v = self.value(node)
            return v if isinstance(v, bool) else None
        return None

    def _equals(self, a: Any, b: Any) -> Tri:
        if isinstance(a, Unknown | MaybePresent) or isinstance(b, Unknown | MaybePresent):
            return None
        if a is NOVALUE or b is NOVALUE:
            return None
        if isinstance(a, list) and isinstance(b, list):
            if len(a) != len(b):
                return False
            return tri_all(self._equals(x, y) for x, y in zip(a, b, strict=True))
        if isinstance(a, list | dict) or isinstance(b, list | dict):
            return None
        sa, sb = text(a, "value"), text(b, "value")
        # The home account is only "some account" to a condition: a template that compares it
        # with a literal id is meant to be deployed in that account sometimes.
        home = symbols.unknown("AWS::AccountId")
        return symbols.tri_equals(sa.replace(symbols.HOME_ACCOUNT, home), sb.replace(symbols.HOME_ACCOUNT, home))


@contextmanager
def _collecting(resolver: Resolver, attribute: str) -> Iterator[set[str]]:
    """A fresh set in ``resolver.attribute`` for the block, added to the enclosing block's set
    after it: nested blocks each see what was read inside them, and the outer one sees it all."""
    saved: set[str] = getattr(resolver, attribute)
    fresh: set[str] = set()
    setattr(resolver, attribute, fresh)
    try:
        yield fresh
    finally:
        saved |= fresh
        setattr(resolver, attribute, saved)
