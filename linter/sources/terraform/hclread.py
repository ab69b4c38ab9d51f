"""Native syntax (``.tf``): text -> python-hcl2's Lark tree -> :mod:`.syntax` nodes.

python-hcl2 is imported here, lazily, on the first ``.tf`` file read: runs over CloudFormation
only never pay for it. Its grammar gives every tree node a line; the conversion keeps those and
drops the layout tokens. Heredoc bodies come as one raw token and are parsed as templates with
:mod:`.template`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from why403.sources.terraform import syntax
from why403.sources.terraform import template as tpl
from why403.sources.terraform.hclstrings import TemplateConversion, identifiers
from why403.sources.terraform.numbers import in_range
from why403.sources.terraform.syntax import Expr, SyntaxProblem, TPart


def lark_parse(text: str) -> Any:
    """The raw python-hcl2 parse (imported on first use)."""
    import hcl2

    return hcl2.parses_to_tree(text)


def parse_body(text: str) -> syntax.Body:
    """Parse a whole file's text (already normalised) into a :class:`~.syntax.Body`."""
    tree = lark_parse(text)
    conv = _Converter(0)
    return conv.body(tree.children[0])


def parse_expression(text: str, line: int) -> Expr:
    """Parse one expression written at ``line`` (a template interpolation, a ``--var`` value)."""
    try:
        tree = lark_parse("_ = (" + text + "\n)")
    except Exception as exc:  # python-hcl2 raises several Lark exception types
        raise SyntaxProblem(f"invalid expression {text.strip()[:60]!r}: {_first_line(exc)}", line) from None
    attr = tree.children[0].children[0]
    conv = _Converter(line - 1)
    expr: Expr = conv.expr(attr.children[-1])
    if isinstance(expr, syntax.Paren):
        inner: Expr = expr.expr
        return inner
    return expr


def parse_template(source: str | list[tpl.Flat], line: int, parse_expr: tpl.ParseExpr = parse_expression, *,
                   by_line: bool = True) -> tuple[TPart, ...]:
    """Template text (a heredoc body, a ``.tf.json`` string, a ``templatefile`` file), or the
    pieces python-hcl2 already split a quoted string into, as nested parts; a malformed template
    is a :class:`SyntaxProblem` at its line."""
    flat = tpl.scan(source, line, parse_expr) if isinstance(source, str) else source
    return tpl.assemble(flat, by_line=by_line)


def _first_line(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()
    return msg[0] if msg else type(exc).__name__


_BINARY = {"==", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "%", "&&", "||"}


def _subtrees(node: Any, *skip: str) -> list[Any]:
    """The child trees of a node, without layout (newlines, comments) and the kinds in ``skip``."""
    return [c for c in node.children if hasattr(c, "data") and c.data != "new_line_or_comment" and c.data not in skip]


class _Converter(TemplateConversion):
    """Walks the Lark tree: structure and expressions here, strings and templates in
    :class:`~.hclstrings.TemplateConversion`."""

    def nested_parser(self) -> tpl.ParseExpr:
        return parse_expression_at(self.offset)

    # -- structure ------------------------------------------------------------------------------

    def body(self, node: Any) -> syntax.Body:
        attrs: list[syntax.Attribute] = []
        blocks: list[syntax.Block] = []
        for child in node.children:
            data = getattr(child, "data", None)
            if data == "attribute":
                name = self.name(child.children[0])
                expr = self.expr(child.children[-1])
                attrs.append(syntax.Attribute(name, expr, self.line(child), self.end_line(child)))
            elif data == "block":
                blocks.append(self.block(child))
        return syntax.Body(tuple(attrs), tuple(blocks))

    def block(self, node: Any) -> syntax.Block:
        children = [c for c in node.children if getattr(c, "data", None) != "new_line_or_comment"]
        type_ = self.name(children[0])
        labels: list[str] = []
        body = syntax.Body()
        for child in children[1:]:
            data = getattr(child, "data", None)
            if data == "body":
                body = self.body(child)
            elif data == "string":
                labels.append(self.plain_string(child))
            elif data in ("identifier", "keyword", "literal_value"):
                labels.append(self.name(child))
        return syntax.Block(type_, tuple(labels), body, self.line(node), self.end_line(node))

    def name(self, node: Any) -> str:
        if hasattr(node, "children"):
            return str(node.children[0])
        return str(node)

    def plain_string(self, node: Any) -> str:
        expr = self.string(node)
        if isinstance(expr, syntax.Lit) and isinstance(expr.value, str):
            return expr.value
        raise SyntaxProblem("a block label must be a literal string", self.line(node))

    # -- expressions ----------------------------------------------------------------------------

    def expr(self, node: Any) -> Expr:
        data = getattr(node, "data", None)
        handler = _HANDLERS.get(str(data))
        if handler is None:
            raise SyntaxProblem(f"unsupported syntax {data}", self.line(node))
        result: Expr = handler(self, node)
        return result

    def _expr_term(self, node: Any) -> Expr:
        kids = [c for c in node.children if getattr(c, "data", None) != "new_line_or_comment"]
        if len(kids) == 1:
            return self.expr(kids[0])
        # ( expression )
        inner = [c for c in kids if hasattr(c, "data")]
        return syntax.Paren(self.expr(inner[0]), self.line(node))

    def _int(self, node: Any) -> Expr:
        text = str(node.children[0])
        return syntax.Lit(int(text) if in_range(text) else syntax.BigNumber(text), self.line(node))

    def _float(self, node: Any) -> Expr:
        text = str(node.children[0])
        return syntax.Lit(Fraction(text) if in_range(text) else syntax.BigNumber(text), self.line(node))

    def _literal(self, node: Any) -> Expr:
        text = str(node.children[0])
        value: bool | None = {"true": True, "false": False, "null": None}[text]
        return syntax.Lit(value, self.line(node))

    def _identifier(self, node: Any) -> Expr:
        return syntax.ScopeRef(str(node.children[0]), self.line(node))

    def _tuple(self, node: Any) -> Expr:
        items = tuple(self.expr(c) for c in _subtrees(node))
        return syntax.TupleExpr(items, self.line(node), self.end_line(node))

    def _object(self, node: Any) -> Expr:
        items: list[tuple[Expr, Expr]] = []
        for elem in node.children:
            if getattr(elem, "data", None) != "object_elem":
                continue
            kids = [c for c in elem.children if hasattr(c, "data")]
            key_node, value_node = kids[0], kids[-1]
            items.append((self.object_key(key_node), self.expr(value_node)))
        return syntax.ObjectExpr(tuple(items), self.line(node), self.end_line(node))

    def object_key(self, node: Any) -> Expr:
        inner = node.children[0]
        if getattr(inner, "data", None) == "keyword":
            return syntax.Lit(str(inner.children[0]), self.line(node))
        expr = self.expr(inner)
        if isinstance(expr, syntax.ScopeRef):
            return syntax.Lit(expr.name, expr.line)  # a bare name is the key itself
        return expr

    def _function_call(self, node: Any) -> Expr:
        names = identifiers(node)
        name = "::".join(names) if len(names) > 1 else names[0]
        if len(names) == 3:
            name = f"provider::{names[1]}::{names[2]}"
        args: list[Expr] = []
        expand = False
        for c in node.children:
            if getattr(c, "data", None) == "arguments":
                for a in c.children:
                    if hasattr(a, "data"):
                        if a.data != "new_line_or_comment":
                            args.append(self.expr(a))
                    elif getattr(a, "type", "") == "ELLIPSIS":
                        expand = True
        return syntax.Call(name, tuple(args), expand, self.line(node))

    def _get_attr_term(self, node: Any) -> Expr:
        obj = self.expr(node.children[0])
        return self.get_attr(obj, node.children[1])

    def get_attr(self, obj: Expr, node: Any) -> Expr:
        ident = node.children[-1]
        name = str(ident.children[0]) if hasattr(ident, "children") else str(ident)
        return syntax.GetAttr(obj, name, self.line(node))

    def _index_term(self, node: Any) -> Expr:
        obj = self.expr(node.children[0])
        return self.index(obj, node.children[1])

    def index(self, obj: Expr, node: Any) -> Expr:
        if node.data == "short_index":
            tok = node.children[-1]
            return syntax.Index(obj, syntax.Lit(int(str(tok)), self.line(node)), self.line(node))
        inner = _subtrees(node)
        return syntax.Index(obj, self.expr(inner[0]), self.line(node))

    def _splat(self, node: Any) -> Expr:
        obj = self.expr(node.children[0])
        splat = node.children[1]
        steps: list[syntax.SplatStep] = []
        for step in splat.children:
            data = getattr(step, "data", None)
            if data == "get_attr":
                ident = step.children[-1]
                name = str(ident.children[0]) if hasattr(ident, "children") else str(ident)
                steps.append(syntax.SplatStep(name=name))
            elif data in ("braces_index", "short_index"):
                idx = self.index(obj, step)
                assert isinstance(idx, syntax.Index)
                steps.append(syntax.SplatStep(key=idx.key))
        return syntax.Splat(obj, tuple(steps), splat.data == "full_splat", self.line(node))

    def _for_tuple(self, node: Any) -> Expr:
        return self.for_expr(node, is_object=False)

    def _for_object(self, node: Any) -> Expr:
        return self.for_expr(node, is_object=True)

    def for_expr(self, node: Any, is_object: bool) -> Expr:
        intro = next(c for c in node.children if getattr(c, "data", None) == "for_intro")
        names = identifiers(intro)
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else ("", names[0])
        coll_node = _subtrees(intro, "identifier")
        collection = self.expr(coll_node[0])
        exprs = _subtrees(node, "for_intro", "for_cond")
        cond_node = next((c for c in node.children if getattr(c, "data", None) == "for_cond"), None)
        cond = None
        if cond_node is not None:
            cexprs = _subtrees(cond_node)
            cond = self.expr(cexprs[0])
        group = any(getattr(c, "type", "") == "ELLIPSIS" for c in node.children)
        if is_object:
            key_expr: Expr | None = self.expr(exprs[0])
            value_expr = self.expr(exprs[1])
        else:
            key_expr = None
            value_expr = self.expr(exprs[0])
        return syntax.ForExpr(key_var, value_var, collection, key_expr, value_expr, cond, group, self.line(node),
                       self.end_line(node))

    def _conditional(self, node: Any) -> Expr:
        exprs = _subtrees(node)
        return syntax.Conditional(self.expr(exprs[0]), self.expr(exprs[1]), self.expr(exprs[2]), self.line(node))

    def _binary_op(self, node: Any) -> Expr:
        kids = _subtrees(node)
        left = self.expr(kids[0])
        term = kids[1]
        tkids = _subtrees(term)
        op = str(tkids[0].children[0]).strip()
        if op not in _BINARY:
            raise SyntaxProblem(f"unknown operator {op!r}", self.line(node))
        right = self.expr(tkids[1])
        return syntax.BinOp(op, left, right, self.line(node))

    def _unary(self, node: Any) -> Expr:
        op = str(node.children[0]).strip()
        return syntax.Unary(op, self.expr(node.children[1]), self.line(node))


def parse_expression_at(offset: int) -> tpl.ParseExpr:
    """A template callback that parses interpolations with lines counted from the file start."""

    def parse(text: str, line: int) -> Expr:
        return parse_expression(text, line + offset)

    return parse


_HANDLERS: dict[str, Any] = {
    "expr_term": _Converter._expr_term,
    "int_lit": _Converter._int,
    "float_lit": _Converter._float,
    "literal_value": _Converter._literal,
    "identifier": _Converter._identifier,
    "string": _Converter._string,
    "template_string": _Converter._template_string,
    "heredoc_template": _Converter._heredoc,
    "heredoc_template_trim": _Converter._heredoc,
    "tuple": _Converter._tuple,
    "object": _Converter._object,
    "function_call": _Converter._function_call,
    "get_attr_expr_term": _Converter._get_attr_term,
    "index_expr_term": _Converter._index_term,
    "attr_splat_expr_term": _Converter._splat,
    "full_splat_expr_term": _Converter._splat,
    "for_tuple_expr": _Converter._for_tuple,
    "for_object_expr": _Converter._for_object,
    "conditional": _Converter._conditional,
    "binary_op": _Converter._binary_op,
    "unary_op": _Converter._unary,
}

__all__ = ["TPart", "parse_body", "parse_expression", "parse_template"]
