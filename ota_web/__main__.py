"""`python -m ota_web` is the `ota` command."""

import sys

from ota_web.cli import main

sys.exit(main())
