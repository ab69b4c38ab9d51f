"""Allow ``python -m why403``."""

import sys

from why403.cli.main import main

sys.exit(main())
