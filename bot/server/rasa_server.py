"""Rasa's own command line, with our tested speed patches applied first (bot/server/patches/).

`python -m bot.server.rasa_server run --model ...` takes exactly the arguments of `rasa run`.
bot/server/stack.py starts the Rasa server through it; RASA_PATCHES=none gives stock Rasa.
On a Rasa other than the one the patches were checked against it stops with that message.
"""

from __future__ import annotations

import sys
from typing import Optional, Sequence


def main(argv: Optional[Sequence[str]] = None) -> None:
    run_rasa(list(sys.argv[1:] if argv is None else argv), patched=True)


def run_rasa(arguments: list[str], patched: bool) -> None:
    """Rasa's own `rasa ARGUMENTS`, quiet about the known harmless warnings (bot/server/quiet.py),
    with our speed patches when `patched` (the server; training runs stock Rasa)."""
    from bot.server import quiet

    quiet.silence_known_warnings()
    if patched:
        from bot.server import patches as rasa_patches

        try:
            applied = rasa_patches.apply()
        except rasa_patches.RasaVersionError as error:
            raise SystemExit(f"Rasa patches: {error}") from None
        # Rasa configures logging later; say it on stderr so that the server's log shows it.
        print(f"Rasa patches: {', '.join(applied) or 'none'}", file=sys.stderr, flush=True)
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *arguments]
    rasa_main()


if __name__ == "__main__":
    main()
