"""Cross-origin headers on the Rasa server: none unless `rasa run --cors` names origins, and no
`Access-Control-Allow-Credentials` unless CORS_ALLOW_CREDENTIALS=true.

Rasa's `configure_cors` (rasa/server.py) turns sanic-cors's credentials support on for every
app and, without `--cors`, gives it the origin "" for every path; sanic-cors's `always_send`
then answers every request that has no Origin header with `Access-Control-Allow-Origin: ` (empty),
`Access-Control-Expose-Headers: filename` and `Access-Control-Allow-Credentials: true`. Nothing of
ours needs a browser to send cookies or credentials cross-origin (the web chat page is served by
the same server, with its own origin check on the socket, and the HTTP API takes its token in the
query string), so `restrict(app)` rewrites sanic-cors's rules, which it reads on every request:
a rule without a real origin is dropped, and the others keep their origins without credentials.
Our channels call it when they are registered, after Rasa configured CORS.
"""

from __future__ import annotations

import os
from typing import Any, Mapping

ALLOW_CREDENTIALS_VALUES = ("1", "true", "yes")


def allow_credentials(env: Mapping[str, str] = os.environ) -> bool:
    return (env.get("CORS_ALLOW_CREDENTIALS") or "").strip().lower() in ALLOW_CREDENTIALS_VALUES


def restrict(app: Any, env: Mapping[str, str] = os.environ) -> None:
    """Rewrite the CORS rules Rasa gave sanic-cors (app.ctx.sanic_cors.resources); idempotent."""
    context = getattr(app.ctx, "sanic_cors", None)
    if context is None:  # no sanic-cors on this app
        return
    credentials = allow_credentials(env)
    rules = []
    for pattern, options in context.resources:
        origins = [origin for origin in options.get("origins") or [] if origin]  # "" is no origin
        if origins:
            rules.append((pattern, {**options, "origins": origins, "supports_credentials": credentials}))
    context.resources = rules
