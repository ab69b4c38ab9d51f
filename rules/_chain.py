"""A finding's decision chain: the engine's trace as the steps reports show beneath a message.

The engine records every layer it consulted (:class:`~why403.simulate.decision.TraceStep`); a
finding keeps the ones that took part, each with the statement that answered and where it is, so
that the text report can print them as indented lines, JSON can list them as ``related`` and SARIF
as related locations and a code flow. Layers that did not apply to the request are left out; the
rendered trace (``Finding.trace``) keeps everything.
"""

from __future__ import annotations

from collections.abc import Iterable

from why403.model import symbols
from why403.model.finding import Step
from why403.model.policy import Policy, Statement
from why403.simulate.decision import TraceStep


def statement_text(statement: Statement | None, policy: Policy | None) -> str:
    """How a chain step names what answered: ``DenyReaders of aws_s3_bucket_policy.data``."""
    origin = policy.origin if policy is not None else ""
    if statement is not None:
        return f"{statement.label} of {origin}" if origin else statement.label
    return origin


def chain_of(trace: Iterable[TraceStep]) -> tuple[Step, ...]:
    """The steps of an evaluation that took part in its decision, in the engine's order, each once."""
    steps: list[Step] = []
    for t in trace:
        if t.outcome == "not applicable":
            continue
        what = statement_text(t.statement, t.policy)
        if t.detail:
            what = f"{what}: {t.detail}" if what else t.detail
        step = Step(t.layer, t.outcome, symbols.render(what), t.location)
        if step not in steps:
            steps.append(step)
    return tuple(steps)



def trace_of(trace: Iterable[TraceStep]) -> tuple[str, ...]:
    """The whole trace as lines (``Finding.trace``), values the sources leave open shown as people
    read them."""
    return tuple(symbols.render(t.render()) for t in trace)
