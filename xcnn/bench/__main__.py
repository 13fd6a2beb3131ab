"""``python -m xcnn.bench``: see :mod:`xcnn.bench`."""

from . import main

raise SystemExit(main())
