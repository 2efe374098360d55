"""`action_server_keepalive`: one kept-alive HTTP session per endpoint and event loop.

Rasa opens a new HTTP session, so a new TCP connection to the action server, for every
custom-action call (`EndpointConfig.request` closes the session it made). We keep one session
per endpoint and event loop, built exactly like Rasa's (same headers, auth, timeout), so calls
reuse a kept-alive connection. Idle connections are closed after 2 s, before the action server
(Sanic: 5 s) would close them under us.

Replaces `EndpointConfig.session`.
"""

from __future__ import annotations

from typing import Any, Callable

from bot.server.patches._replace import replace

# Shorter than the action server's keep-alive (Sanic's KEEP_ALIVE_TIMEOUT, 5 s): the client
# closes an idle connection first, so a call never goes out on one the server is closing.
KEEPALIVE_S = 2.0


class _KeptSession:
    """`async with` gives the endpoint's long-lived session and leaves it open."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc_info: Any) -> None:
        return None


def kept_session(self: Any) -> Any:
    """Rasa's EndpointConfig.session (same headers, auth and timeout), kept open per event loop."""
    import asyncio
    import weakref

    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    sessions = self.__dict__.setdefault("_kept_sessions", weakref.WeakKeyDictionary())
    session = sessions.get(loop)
    if session is None or session.closed:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        session = sessions[loop] = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
        )
    return _KeptSession(session)


def apply() -> Callable[[], None]:
    from rasa.utils.endpoints import EndpointConfig

    return replace(EndpointConfig, "session", kept_session)
