"""The conversation store the Rasa server uses: Rasa's SQL tracker store that can forget a conversation.

Named by module path in the endpoints files (`type: bot.tracker_store.PrivacySQLTrackerStore`);
takes the same settings as Rasa's `type: SQL` (SQLite or PostgreSQL).

Why a store of our own: Rasa's SQLTrackerStore.save appends the events beyond those
already stored, so rows deleted by an action would simply be written back at the end
of the turn. Here, when the turn ran the forget action (`bot.privacy.FORGET_ACTION`,
"glem mig"), save deletes every row of the conversation instead and stores nothing: the
next message starts a new, empty conversation.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from bot import privacy

logger = logging.getLogger(__name__)


class PrivacySQLTrackerStore(SQLTrackerStore):
    """Rasa's SQLTrackerStore; a conversation whose new events include the forget action is deleted, not saved."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Rasa passes `host=<url>` from the endpoints file; ours may also name `url`.
        if kwargs.get("url") and not kwargs.get("host"):
            kwargs["host"] = kwargs.pop("url")
        super().__init__(*args, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
        if not any(isinstance(e, ActionExecuted) and e.action_name == privacy.FORGET_ACTION
                   for e in new_events):
            await super().save(tracker)
            return
        # No event broker either: nothing of the forgotten conversation leaves this store.
        with self.engine.begin() as conn:
            removed = privacy.delete_conversation(conn, tracker.sender_id)
        logger.info("a conversation was forgotten at the user's request (%d stored events deleted)", removed)
