"""`python -m examples.demo`."""

import sys

from . import main

sys.exit(main())
