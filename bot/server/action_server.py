"""Starts rasa-sdk's action server on loopback: `python -m bot.server.action_server --actions actions --port 5055`.

rasa-sdk 3.6's `rasa run actions` has no interface option: it binds the host named by
SANIC_HOST, else 0.0.0.0 (every interface), and answers CORS requests from any origin.
Only the Rasa server on the same machine needs to reach it, so this launcher binds
127.0.0.1 unless ACTION_SERVER_INTERFACE (or --interface) says otherwise, and allows no
cross-origin browser requests unless --cors names origins. Everything else (logging,
plugins, workers) is rasa-sdk's own start-up code.
"""

from __future__ import annotations

import argparse
import logging
import os
from typing import Optional, Sequence

DEFAULT_INTERFACE = "127.0.0.1"


def arguments(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    from rasa_sdk.endpoint import create_argument_parser

    parser = create_argument_parser()
    parser.add_argument(
        "--interface",
        default=os.environ.get("ACTION_SERVER_INTERFACE") or DEFAULT_INTERFACE,
        help="address to listen on (default: ACTION_SERVER_INTERFACE or 127.0.0.1)",
    )
    # rasa-sdk's defaults are CORS "*" and INFO whatever LOG_LEVEL says; the Rasa server honours LOG_LEVEL.
    parser.set_defaults(cors=None, loglevel=logging.getLevelName(os.environ.get("LOG_LEVEL") or "INFO"))
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    from bot.server import quiet

    quiet.silence_known_warnings()
    args = arguments(argv)
    # rasa_sdk.endpoint.run() takes its host from SANIC_HOST and nothing else.
    os.environ["SANIC_HOST"] = args.interface
    # The stack's SANIC_REQUEST_MAX_SIZE is for what comes from outside. Only the Rasa server
    # on this machine calls us, with the whole conversation in every call, which a long
    # conversation can make larger than that: Sanic's own limit (100 MB) applies here.
    os.environ.pop("SANIC_REQUEST_MAX_SIZE", None)
    from rasa_sdk.__main__ import main_from_args

    from bot.server import domain_digest

    domain_digest.install()  # the domain once per digest, not in every call (bot/server/domain_digest.py)
    main_from_args(args)


if __name__ == "__main__":
    main()
