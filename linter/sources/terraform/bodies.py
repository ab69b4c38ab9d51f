"""Evaluated access to the arguments and nested blocks of a resource, provider or nested block.

Every evaluation goes through :func:`evaluate_guarded`, which turns what Terraform would reject,
a cycle or a defect of why403 into a diagnostic and an unknown value: one bad expression never
stops the run or hides the other resources.
"""

from __future__ import annotations

from typing import Any, Protocol

from why403.model.location import Location
from why403.sources.terraform.context import MAX_INSTANCES, CycleError, LoadContext
from why403.sources.terraform.convert import EvalError, to_str
from why403.sources.terraform.evaluate import BudgetExceeded, Scope
from why403.sources.terraform.syntax import Block, Body, Expr, traversal_text
from why403.sources.terraform.tfvalues import ABSENT, Lazy, ObjVal, Unk


class BodyReader:
    """Evaluated access to a block's arguments and nested blocks (``dynamic`` blocks expanded)."""

    ctx: LoadContext
    body: Body
    scope: Scope
    file: str
    owner_ref: str
    path: str  # where in the resource this body is, for cycle keys and messages

    def _init_reader(self, ctx: LoadContext, body: Body, scope: Scope, owner_ref: str, path: str) -> None:
        self.ctx = ctx
        self.body = body
        self.scope = scope
        self.file = scope.file
        self.owner_ref = owner_ref
        self.path = path
        self._args: dict[str, Any] = {}

    def rests_on(self, name: str) -> str | None:
        """The placeholder defaults of root variables that argument ``name`` reads (through locals,
        data sources and resources of its module, and the module blocks that pass values down to
        it), said as a reason; None when it reads none."""
        defaults = self.ctx.placeholder_defaults
        attr = self.body.attr(name)
        root_variables_read = getattr(self.scope.module, "root_variables_read", None)
        if not defaults or attr is None or root_variables_read is None:
            return None
        read = sorted(root_variables_read(attr.expr) & set(defaults))
        if not read:
            return None
        said = ", ".join(f"var.{v} = {defaults[v]}" for v in read[:3])
        return (f"it rests on {said}, an empty default that the variable file of each environment usually "
                "replaces (supply the value to check it)")

    def arg(self, name: str) -> Any:
        if name in self._args:
            return self._args[name]
        attr = self.body.attr(name)
        if attr is None:
            return ABSENT
        value = evaluate_guarded(self.ctx, attr.expr, self.scope, f"{self.path}.{name}", attr.line)
        self._args[name] = value
        return value

    def has(self, name: str) -> bool:
        return self.body.attr(name) is not None

    def attr_line(self, name: str) -> int:
        attr = self.body.attr(name)
        return attr.line if attr is not None else 0

    def text(self, name: str) -> str | None:
        """An argument as a string: unknown parts become tokens; unset or null is None."""
        value = self.arg(name)
        return self.as_text(value)

    def as_text(self, value: Any) -> str | None:
        if value is ABSENT or value is None:
            return None
        if isinstance(value, Unk):
            return self.ctx.evaluator.token_for(value)
        if isinstance(value, list | dict | Lazy):
            return None
        try:
            s = to_str(value)
        except EvalError:
            return None
        return self.ctx.evaluator.token_for(s) if isinstance(s, Unk) else s

    def blocks(self, name: str) -> list[Any]:
        """Nested blocks named ``name`` as readers, in source order; a ``dynamic`` block whose
        ``for_each`` is unknown contributes one ``Unk(many=True)``."""
        found: list[tuple[int, list[Any]]] = []
        for i, block in enumerate(self.body.blocks(name)):
            found.append((block.line, [BlockView(self, block, self.scope, f"{self.path}.{name}[{i}]")]))
        for block in self.body.blocks("dynamic"):
            if not block.labels or block.labels[0] != name:
                continue
            found.append((block.line, self._dynamic(name, block)))
        found.sort(key=lambda x: x[0])
        return [view for _, views in found for view in views]

    def _dynamic(self, name: str, block: Block) -> list[Any]:
        for_each = block.body.attr("for_each")
        contents = block.body.blocks("content")
        if for_each is None or not contents:
            return []
        iterator = name
        it_attr = block.body.attr("iterator")
        if it_attr is not None:
            iterator = traversal_text(it_attr.expr) or name
        coll = evaluate_guarded(self.ctx, for_each.expr, self.scope, f"{self.path}.dynamic.{name}", for_each.line)
        if isinstance(coll, Unk):
            return [coll.derived(f"dynamic {name}", f"the for_each of dynamic \"{name}\" is not known").as_many()]
        try:
            pairs = self.ctx.evaluator.iterate(coll, for_each.line)
        except EvalError as exc:
            self.ctx.diag("warning", f"{self.owner_ref}: dynamic \"{name}\": {exc}", self.file, for_each.line)
            return []
        views: list[Any] = []
        for i, (k, v) in enumerate(pairs[:MAX_INSTANCES]):
            if isinstance(v, Unk) and v.many:
                views.append(v)
                continue
            inner = self.scope.bind({iterator: ObjVal({"key": k, "value": v})})
            views.append(BlockView(self, contents[0], inner, f"{self.path}.{name}[d{block.line}.{i}]"))
        return views

    def materialize_blocks(self, name: str) -> list[Any]:
        """Nested blocks as values (``aws_lambda_function.f.vpc_config[0].subnet_ids``)."""
        out: list[Any] = []
        for view in self.blocks(name):
            out.append(view if isinstance(view, Unk) else view.as_object())
        return out

    def as_object(self) -> ObjVal:
        values: dict[str, Any] = {}
        for attr in self.body.attributes:
            values[attr.name] = self.arg(attr.name)
        for block in self.body.blocks_:
            if block.type != "dynamic" and block.type not in values:
                values[block.type] = self.materialize_blocks(block.type)
        return ObjVal(values)


class ReaderParent(Protocol):
    ctx: LoadContext
    owner_ref: str


class BlockView(BodyReader):
    def __init__(self, parent: ReaderParent, block: Block, scope: Scope, path: str) -> None:
        self._init_reader(parent.ctx, block.body, scope, parent.owner_ref, path)
        self.block = block
        self.parent = parent
        self.ref = parent.owner_ref
        self.maybe: str | None = getattr(parent, "maybe", None)

    @property
    def location(self) -> Location:
        return Location(self.file, self.block.line, self.block.end_line)


def evaluate_guarded(ctx: LoadContext, expr: Expr, scope: Scope, key: str, line: int) -> Any:
    """Evaluate, turning what Terraform would reject into an unknown plus a diagnostic."""
    if key in ctx.active:
        raise CycleError(key)
    ctx.active.add(key)
    try:
        return ctx.evaluator.eval(expr, scope)
    except EvalError as exc:
        ctx.diag("warning", f"{key}: {exc}", scope.file, exc.line or line, code="evaluate")
        return Unk(key, str(exc))
    except CycleError as exc:
        if exc.path[0] == key:
            cycle = " -> ".join([key, *reversed(exc.path[1:]), key])
            ctx.diag("error", f"cycle: {cycle}; Terraform refuses this configuration", scope.file, line,
                     code="cycle")
            return Unk(key, "it depends on itself")
        exc.path.append(key)
        raise
    except RecursionError:
        ctx.diag("error", f"{key}: the expression is nested too deeply to evaluate", scope.file, line,
                 code="evaluate")
        return Unk(key, "nested too deeply")
    except BudgetExceeded:
        raise
    except Exception as exc:  # a defect in why403 must not stop the run: report it, go on
        ctx.diag("warning", f"{key}: why403 could not evaluate this ({type(exc).__name__}: {exc}); "
                 "please report it", scope.file, line, code="internal")
        return Unk(key, "why403 could not evaluate it")
    finally:
        ctx.active.discard(key)


class Constants:
    """The scope of variable defaults and tfvars: no references allowed."""

    def resolve(self, name: str, scope: Scope, line: int) -> Any:
        raise EvalError(f"{name} cannot be used here: variable values must be constant", line)

