"""The parsed form of a Terraform file: a small, immutable, picklable syntax tree.

python-hcl2's own output turns every expression back into a ``"${...}"`` string, which would make
us parse expressions twice; its Lark tree is tied to the parser object and heavy to pickle. So a
file is converted once into these plain frozen dataclasses, which keep the line of every node and
nothing else. A later cache stores them keyed on the file's bytes; worker processes send them back
to the parent. Nothing here evaluates: that is :mod:`.evaluate`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from fractions import Fraction

# -- expressions -------------------------------------------------------------------------------

Number = int | Fraction
LiteralValue = str | Number | bool | None



class BigNumber(str):
    """The text of a number literal out of the range why403 evaluates (``1e999999999``): kept as
    text so that parsing stays cheap; evaluating it gives an unknown value and a note."""

    __slots__ = ()

@dataclass(frozen=True, slots=True)
class Lit:
    """A literal: string, number (int, or Fraction for decimals), bool or null."""

    value: LiteralValue
    line: int


@dataclass(frozen=True, slots=True)
class Interp:
    """``${expr}`` inside a template; ``strip_left``/``strip_right`` are the ``~`` markers."""

    expr: Expr
    strip_left: bool = False
    strip_right: bool = False


@dataclass(frozen=True, slots=True)
class TIf:
    """``%{if cond}...%{else}...%{endif}``."""

    cond: Expr
    then: tuple[TPart, ...]
    otherwise: tuple[TPart, ...]


@dataclass(frozen=True, slots=True)
class TFor:
    """``%{for k, v in coll}...%{endfor}`` (``key_var`` empty when only one name is given)."""

    key_var: str
    value_var: str
    collection: Expr
    body: tuple[TPart, ...]


TPart = str | Interp | TIf | TFor


@dataclass(frozen=True, slots=True)
class Template:
    """A quoted string or heredoc with interpolations or directives (literal text is a ``str``).

    ``text_line`` is the line where the text itself starts (the line after ``<<EOT`` for a
    heredoc), which is where a JSON policy written inside it begins.
    """

    parts: tuple[TPart, ...]
    line: int
    text_line: int


@dataclass(frozen=True, slots=True)
class ScopeRef:
    """A bare name: ``var``, ``local``, ``aws_s3_bucket``, ``count``, an iterator variable."""

    name: str
    line: int


@dataclass(frozen=True, slots=True)
class GetAttr:
    obj: Expr
    name: str
    line: int


@dataclass(frozen=True, slots=True)
class Index:
    obj: Expr
    key: Expr
    line: int


@dataclass(frozen=True, slots=True)
class SplatStep:
    """One step after a splat: ``.name`` (``name`` set) or ``[key]`` (``key`` set)."""

    name: str | None = None
    key: Expr | None = None


@dataclass(frozen=True, slots=True)
class Splat:
    """``obj[*].a.b`` (``full``) or the legacy ``obj.*.a``."""

    obj: Expr
    steps: tuple[SplatStep, ...]
    full: bool
    line: int


@dataclass(frozen=True, slots=True)
class Call:
    name: str  # "jsonencode", or "provider::aws::arn_parse"
    args: tuple[Expr, ...]
    expand_last: bool
    line: int


@dataclass(frozen=True, slots=True)
class TupleExpr:
    items: tuple[Expr, ...]
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class ObjectExpr:
    """``{ k = v }``; a bare identifier key is already a :class:`Lit`."""

    items: tuple[tuple[Expr, Expr], ...]
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class ForExpr:
    """``[for k, v in coll : val if cond]`` or ``{for k, v in coll : key => val... if cond}``."""

    key_var: str  # "" when only one iterator name is given
    value_var: str
    collection: Expr
    key_expr: Expr | None  # None for a tuple ``for``
    value_expr: Expr
    cond: Expr | None
    group: bool
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class Conditional:
    cond: Expr
    then: Expr
    otherwise: Expr
    line: int


@dataclass(frozen=True, slots=True)
class BinOp:
    op: str
    left: Expr
    right: Expr
    line: int


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" or "!"
    operand: Expr
    line: int


@dataclass(frozen=True, slots=True)
class Paren:
    """Parentheses, kept only because an object key in parentheses is evaluated, not literal."""

    expr: Expr
    line: int


Expr = (
    Lit | Template | ScopeRef | GetAttr | Index | Splat | Call | TupleExpr | ObjectExpr | ForExpr
    | Conditional | BinOp | Unary | Paren
)


def expr_end_line(expr: Expr) -> int:
    end = getattr(expr, "end_line", None)
    return end if isinstance(end, int) else expr.line


# -- structure ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attribute:
    name: str
    expr: Expr
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class Block:
    type: str
    labels: tuple[str, ...]
    body: Body
    line: int
    end_line: int


@dataclass(frozen=True, slots=True)
class Body:
    """Attributes and nested blocks, in source order.

    ``from_json`` marks bodies read from ``.tf.json``, where a nested block is written as an
    object (or a list of objects) under its name: without the provider schema the reader cannot
    tell it from a map attribute, so :meth:`blocks` falls back to such attributes.
    """

    attributes: tuple[Attribute, ...] = ()
    blocks_: tuple[Block, ...] = ()
    from_json: bool = False

    def attr(self, name: str) -> Attribute | None:
        for a in self.attributes:
            if a.name == name:
                return a
        return None

    def blocks(self, type_: str) -> tuple[Block, ...]:
        found = tuple(b for b in self.blocks_ if b.type == type_)
        if found or not self.from_json:
            return found
        attr = self.attr(type_)
        if attr is None:
            return ()
        if type_ == "dynamic" and isinstance(attr.expr, ObjectExpr):
            # "dynamic": {"statement": {"for_each": ..., "content": {...}}}
            out: list[Block] = []
            for key, value in attr.expr.items:
                if isinstance(key, Lit) and isinstance(key.value, str):
                    out.extend(Block("dynamic", (key.value,), b.body, b.line, b.end_line)
                               for b in json_blocks(type_, value))
            return tuple(out)
        return json_blocks(type_, attr.expr)


def traversal_text(expr: Expr | None) -> str | None:
    """The name a bare traversal or a string spells: ``aws.west`` or ``"aws.west"`` (JSON syntax)
    as ``"aws.west"``. Provider references and ``dynamic`` iterators are written either way."""
    if expr is None:
        return None
    if isinstance(expr, ScopeRef):
        return expr.name
    if isinstance(expr, GetAttr) and isinstance(expr.obj, ScopeRef):
        return f"{expr.obj.name}.{expr.name}"
    if isinstance(expr, Lit) and isinstance(expr.value, str):
        return expr.value
    return None


def json_blocks(type_: str, expr: Expr) -> tuple[Block, ...]:
    """Nested blocks written in JSON syntax: an object, or a list of objects."""
    items: tuple[Expr, ...]
    if isinstance(expr, ObjectExpr):
        items = (expr,)
    elif isinstance(expr, TupleExpr):
        items = expr.items
    else:
        return ()
    out = []
    for item in items:
        if isinstance(item, ObjectExpr):
            out.append(Block(type_, (), object_body(item), item.line, item.end_line))
    return tuple(out)


def object_body(obj: ObjectExpr) -> Body:
    """A JSON object read as a block body (its keys must be literal strings)."""
    attrs = []
    for key, value in obj.items:
        if isinstance(key, Lit) and isinstance(key.value, str):
            attrs.append(Attribute(key.value, value, value.line, expr_end_line(value)))
    return Body(tuple(attrs), (), True)


class SyntaxProblem(Exception):
    """Input a frontend cannot read as Terraform syntax, with the line it is on."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True, slots=True)
class Comment:
    """A ``why403:ignore`` comment: where it is and whether code precedes it on its line."""

    line: int
    text: str
    trailing: bool


@dataclass(frozen=True, slots=True)
class ParseError:
    message: str
    line: int


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """One file's parse: its body, or the error that stopped it; and its suppression comments."""

    name: str
    body: Body | None
    error: ParseError | None = None
    comments: tuple[Comment, ...] = ()
    lines: int = 0


def _install_fast_pickling() -> None:
    """Give every node class a pickled state that is a plain tuple of its fields.

    A slotted frozen dataclass unpickles through ``dataclasses._dataclass_setstate``, which calls
    ``fields()`` for every node: 4.6 of the 5.2 s it took to load the parse cache of 1000 modules.
    The field names are looked up once here instead; a state of the wrong length (a damaged entry)
    raises ``TypeError``, which the cache treats as a miss."""
    for cls in list(globals().values()):
        if not isinstance(cls, type) or cls.__module__ != __name__ or not hasattr(cls, "__dataclass_fields__"):
            continue
        names = tuple(f.name for f in fields(cls))

        def getstate(self: object, names: tuple[str, ...] = names) -> tuple[object, ...]:
            return tuple(getattr(self, n) for n in names)

        def setstate(self: object, state: tuple[object, ...], names: tuple[str, ...] = names) -> None:
            if len(state) != len(names):
                raise TypeError(f"{type(self).__name__}: a pickled state of {len(state)} fields, not {len(names)}")
            for n, v in zip(names, state, strict=True):
                object.__setattr__(self, n, v)

        cls.__getstate__ = getstate  # type: ignore[assignment]
        cls.__setstate__ = setstate  # type: ignore[attr-defined]


_install_fast_pickling()
