"""Stand-ins for services on the internet (Slack's Web API, an intake webhook) and a local SMTP server."""

from __future__ import annotations

from typing import Any


class LoopbackServer:
    """A fake server with start()/stop(), usable as `with FakeX() as server:` in fixtures."""

    def start(self) -> Any:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
