"""Which input variables of a module an expression reads, following its locals, data sources and
resources (syntax only).

Evaluation knows a value, not where its parts came from. A finding about a policy document must
sometimes know whether the document rests on a value the sources state only as a placeholder (a
root module's ``default = ""`` that every environment's variable file replaces): the references an
attribute makes, followed through the module's own declarations, say which variables it reads.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

from why403.sources.terraform.config import ModuleConfig
from why403.sources.terraform.syntax import Block, Body, GetAttr, Index, ScopeRef, Splat

MAX_NODES = 20_000


def variables_read(config: ModuleConfig, start: Any) -> set[str]:
    """The names of the variables of the module that ``start`` (an expression, a body or a block)
    reads directly or through the module's locals, data sources and resources; bounded."""
    walker = _Walker(config)
    walker.visit(start)
    return walker.variables


class _Walker:
    def __init__(self, config: ModuleConfig) -> None:
        self.config = config
        self.variables: set[str] = set()
        self.followed: set[tuple[str, ...]] = set()
        self.nodes = 0

    def visit(self, node: Any) -> None:
        stack = [node]
        while stack:
            self.nodes += 1
            if self.nodes > MAX_NODES:
                return
            item = stack.pop()
            if isinstance(item, tuple | list):
                stack.extend(item)
                continue
            if isinstance(item, Body):
                stack.extend(a.expr for a in item.attributes)
                stack.extend(item.blocks_)
                continue
            if isinstance(item, Block):
                stack.append(item.body)
                continue
            if isinstance(item, GetAttr | Index | Splat | ScopeRef):
                stack.extend(self._follow(item))
            if is_dataclass(item) and not isinstance(item, type):
                stack.extend(getattr(item, f.name) for f in fields(item) if f.name != "line")

    def _follow(self, expr: Any) -> list[Any]:
        """What a traversal leads to: a variable (recorded), or the declaration it reads."""
        names = _traversal(expr)
        if not names:
            return []
        key = tuple(names[:3])
        if key in self.followed:
            return []
        self.followed.add(key)
        root = names[0]
        if root == "var" and len(names) > 1:
            self.variables.add(names[1])
            return []
        if root == "local" and len(names) > 1:
            local = self.config.locals.get(names[1])
            return [local.attr.expr] if local is not None else []
        if root == "data" and len(names) > 2:
            decl = self.config.data.get((names[1], names[2]))
            return [decl.block.body] if decl is not None else []
        if len(names) > 1:
            decl = self.config.resources.get((names[0], names[1]))
            return [decl.block.body] if decl is not None else []
        return []


def _traversal(expr: Any) -> list[str]:
    """The names of a traversal from its root (``data.aws_iam_policy_document.x.json`` ->
    ``["data", "aws_iam_policy_document", "x", "json"]``), skipping index steps."""
    names: list[str] = []
    node = expr
    while True:
        if isinstance(node, GetAttr):
            names.append(node.name)
            node = node.obj
        elif isinstance(node, Index | Splat):
            node = node.obj
        elif isinstance(node, ScopeRef):
            names.append(node.name)
            return names[::-1]
        else:
            return []
