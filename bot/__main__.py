"""``python -m bot`` is the same as the ``peercircle`` command."""

from bot.cli import main

raise SystemExit(main())
