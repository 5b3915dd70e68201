"""``python -m bot``: the operator's command line (see ``bot/cli.py``)."""

from bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
