"""How far a run has got: what the progress line on a terminal shows (:mod:`why403.cli.progress`).

The one mutable object of the model, on purpose: the run counts into it while the progress line's
thread reads it. Each count is a plain integer assignment, atomic under the interpreter lock; a
reader may see a count one step behind, which a progress line can afford. Nothing decides anything
on these counts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(eq=False)
class Tally:
    files: int = 0  # files parsed, here or in a worker, or taken from the parse cache
    units: int = 0  # deployment units simulated
    units_total: int = 0  # known once the inputs are read and grouped into units; 0 before

    def describe(self) -> str:
        """``1,204 files parsed, 12/37 units simulated`` (the units once they are known)."""
        text = f"{self.files:,} {'file' if self.files == 1 else 'files'} parsed"
        if self.units_total:
            text += f", {self.units}/{self.units_total} {'unit' if self.units_total == 1 else 'units'} simulated"
        return text
