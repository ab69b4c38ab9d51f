"""Allow ``python -m why403``."""

from why403.cli.main import console

console()
