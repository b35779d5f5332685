"""``python -m bilateral.office serve|users|audit|db|permits`` (until wired into ``bilateral``)."""

import sys

from bilateral.office.cli import main

sys.exit(main())
