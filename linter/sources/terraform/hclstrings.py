"""Strings, templates and heredocs of native syntax: python-hcl2 splits a quoted string into its
literal pieces, interpolations and directives, and gives a heredoc as one raw token; both become
:class:`~.syntax.Template` parts (through :mod:`.template`), with the lines Terraform reports.
"""

from __future__ import annotations

from typing import Any

from why403.sources.terraform import syntax
from why403.sources.terraform import template as tpl
from why403.sources.terraform.syntax import Expr, TPart


def identifiers(node: Any) -> list[str]:
    """The names of a node's identifier children (``for k, v in``, ``provider::aws::f``)."""
    return [str(c.children[0]) for c in node.children if getattr(c, "data", None) == "identifier"]


class TemplateConversion:
    """The part of the tree walk that reads strings and templates. ``offset`` is added to every line
    (expressions parsed out of a heredoc or a JSON string start at that string's line); the walk of
    expressions (:meth:`expr`) and of an interpolation's text (:meth:`nested_parser`) is the
    subclass's."""

    def __init__(self, offset: int) -> None:
        self.offset = offset

    def line(self, node: Any) -> int:
        meta = getattr(node, "meta", None)
        if meta is not None and not meta.empty:
            return int(meta.line) + self.offset
        ln = getattr(node, "line", None)
        return (int(ln) if ln else 1) + self.offset

    def end_line(self, node: Any) -> int:
        meta = getattr(node, "meta", None)
        if meta is not None and not meta.empty:
            return int(meta.end_line) + self.offset
        return self.line(node)

    def expr(self, node: Any) -> Expr:
        raise NotImplementedError

    def nested_parser(self) -> tpl.ParseExpr:
        """How to parse the expressions of a heredoc's interpolations, lines counted from the file start."""
        raise NotImplementedError

    def _string(self, node: Any) -> Expr:
        return self.string(node)

    def string(self, node: Any) -> Expr:
        flat: list[tpl.Flat] = []
        line = self.line(node)
        for part in node.children:
            if getattr(part, "data", None) != "string_part":
                continue
            inner = part.children[0]
            data = getattr(inner, "data", None)
            if data is None:
                tok = str(inner)
                ttype = getattr(inner, "type", "")
                if ttype == "ESCAPED_INTERPOLATION" or ttype == "ESCAPED_DIRECTIVE":
                    flat.append(tok[1:])
                else:
                    flat.append(tpl.unescape(tok))
            elif data == "interpolation":
                exprs = [c for c in inner.children if hasattr(c, "data")]
                flat.append(syntax.Interp(self.expr(exprs[0]), *self.strip_markers(inner)))
            else:
                flat.append(self.flat_directive(inner))
        return self.template(tpl.assemble(flat, by_line=False), line, line, heredoc=False)

    def strip_markers(self, node: Any) -> tuple[bool, bool]:
        toks = [str(c) for c in node.children if not hasattr(c, "data")]
        # Interpolations carry no ~ tokens in this grammar; the strip marker stays in the text.
        return ("~" in toks[:2], "~" in toks[-2:])

    def flat_directive(self, node: Any) -> tpl.Directive:
        data = node.data
        toks = [c for c in node.children if not hasattr(c, "data")]
        types = [getattr(t, "type", "") for t in toks]
        strip_left = len(types) > 1 and types[1] == "STRIP_MARKER"
        strip_right = len(types) > 1 and types[-2] == "STRIP_MARKER"
        line = self.line(node)
        exprs = [c for c in node.children if getattr(c, "data", None) not in (None, "identifier")]
        if data == "template_if_start":
            return tpl.Directive("if", strip_left, strip_right, line, cond=self.expr(exprs[0]))
        if data == "template_for_start":
            names = identifiers(node)
            key_var, value_var = (names[0], names[1]) if len(names) == 2 else ("", names[0])
            return tpl.Directive("for", strip_left, strip_right, line, cond=self.expr(exprs[0]),
                                 key_var=key_var, value_var=value_var)
        keyword = {"template_else": "else", "template_endif": "endif", "template_endfor": "endfor"}[data]
        return tpl.Directive(keyword, strip_left, strip_right, line)

    def template(self, parts: tuple[TPart, ...], line: int, text_line: int, heredoc: bool) -> Expr:
        if not parts:
            return syntax.Lit("", line)
        if len(parts) == 1 and isinstance(parts[0], str) and not heredoc:
            return syntax.Lit(parts[0], line)  # a heredoc stays a template: its value remembers where its text is
        return syntax.Template(tuple(parts), line, text_line)

    def _template_string(self, node: Any) -> Expr:
        # \"...\" inside a template directive of a quoted string
        raw = str(node.children[0])
        return syntax.Lit(tpl.unescape(raw[2:-2]), self.line(node))

    def _heredoc(self, node: Any) -> Expr:
        raw = str(node.children[0])
        line = self.line(node)
        trim = raw.startswith("<<-")
        first_nl = raw.index("\n")
        # The body runs from after the opening line to before the closing marker's line.
        rest = raw[first_nl + 1 :]
        stripped = rest.rstrip("\r\n")
        last_nl = stripped.rfind("\n")
        body = "" if last_nl < 0 else stripped[: last_nl + 1]
        if trim:
            body = tpl.dedent_heredoc(body)
        text_line = line + 1
        parts = tpl.assemble(tpl.scan(body, text_line, self.nested_parser()))
        return self.template(parts, line, text_line, heredoc=True)
