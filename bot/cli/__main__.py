"""`python -m bot.cli`: the same as `hubbot`."""

import sys

from bot.cli import main

sys.exit(main())
