"""``python -m xcnn`` runs the ``xcnn`` command."""

from .cli import main

raise SystemExit(main())
