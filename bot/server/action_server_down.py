"""When the Rasa server cannot reach the action server: the turn stops unsaved and the user is told to try again.

Rasa's processor catches every Exception a custom action raises, logs it and carries on
without the action's events: the user got an empty reply, the form went on with an answer
nobody had checked, and the turn was stored as if the action had run. `install()` wraps
Rasa's `RemoteAction.run`, the one place where Rasa calls the action server (custom actions
and the form's validation alike). When the connection to the action server fails (refused
while it restarts, or dropped mid-call) inside a turn that one of our channels is handling
(`handling_a_turn()`, entered by `bot.channels.guard.guard`), it raises
`ActionServerUnreachable`. That is a BaseException, which the processor does not catch, so the
turn ends at once and is never saved (the processor saves only after its last action); the
guard then sends `messages.ACTION_SERVER_DOWN`. The same message sent again, once the action
server is back, goes on from the stored conversation as if the failed attempt had not happened.

"glem mig" needs nothing from the action server except the reference of an application already
filed, which only the action server's database holds. So `action_forget_me` is answered here:
the wrapper returns the events the action itself returns (`actions/privacy.py`), with a text
that says the reference could not be looked up, and the tracker store deletes the conversation
as it always does when that action ran (`bot/server/tracker_store.py`). In the middle of the
form Rasa first runs the form, whose validation needs the action server: for a "glem mig"
message the wrapper rejects it instead, as the form itself does with a message that answers
none of its questions (no slot mapping takes the forget_me intent), and Rasa's rules go on to
`action_forget_me`.

Outside our channels (Rasa's HTTP API, a channel of Rasa's own) Rasa's behaviour is unchanged.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import logging
from typing import Any, Iterator

from bot.domain import messages
from bot.records import conversations as privacy

logger = logging.getLogger(__name__)

# The intent of "glem mig" / "slet mine oplysninger" (domain.yml, data/stories/rules.yml).
FORGET_INTENT = "forget_me"

# Set while one of our channels handles a message (bot/channels/guard.py). A context variable:
# Rasa runs the whole turn in the channel's own task, so the wrapper below sees it.
_in_guarded_turn: contextvars.ContextVar[bool] = contextvars.ContextVar("in_guarded_turn", default=False)


class ActionServerUnreachable(BaseException):
    """The action server could not be reached during a turn: the turn stops and is not stored.

    A BaseException on purpose: Rasa's processor catches every Exception from an action and goes on
    without its events (rasa/core/processor.py, MessageProcessor._run_action).
    """

    def __init__(self, action: str) -> None:
        super().__init__(f"the action server could not be reached while running '{action}'")
        self.action = action


@contextlib.contextmanager
def handling_a_turn() -> Iterator[None]:
    """While inside, an unreachable action server stops the turn with ActionServerUnreachable."""
    token = _in_guarded_turn.set(True)
    try:
        yield
    finally:
        _in_guarded_turn.reset(token)


def unreachable(error: BaseException) -> bool:
    """Whether Rasa's error from a custom action means the action server could not be reached.

    RemoteAction.run raises a RasaException while handling aiohttp's ClientConnectionError
    (connection refused, server disconnected), which is then its `__context__`.
    """
    import aiohttp

    return isinstance(error.__context__, aiohttp.ClientConnectionError) or isinstance(
        error.__cause__, aiohttp.ClientConnectionError
    )


def forget_without_action_server(tracker: Any) -> list[Any]:
    """The events `action_forget_me` returns (actions/privacy.py ForgetMe), made here: the answer, the
    web chat's signal to drop its copy, the form closed and every slot reset."""
    from rasa.shared.core.events import ActiveLoop, AllSlotsReset, BotUttered

    events: list[Any] = [BotUttered(messages.FORGOTTEN_REFERENCE_UNKNOWN)]
    if tracker.get_latest_input_channel() == privacy.WEBCHAT_CHANNEL:
        events.append(BotUttered(data={"custom": dict(privacy.FORGOTTEN_SIGNAL)}))
    return events + [ActiveLoop(None), AllSlotsReset()]


def install() -> None:
    """Wrap Rasa's RemoteAction.run (once per process; the channels call this when they are built)."""
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.exceptions import RasaException

    run = RemoteAction.run
    if getattr(run, "stops_turn_when_unreachable", False):
        return

    @functools.wraps(run)
    async def run_or_stop_the_turn(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        try:
            return await run(self, output_channel, nlg, tracker, domain)
        except RasaException as error:
            if not unreachable(error):
                raise
            if self.name() == privacy.FORGET_ACTION:
                logger.warning(
                    "the action server could not be reached: a conversation is forgotten "
                    "without looking up its filed application"
                )
                return forget_without_action_server(tracker)
            if (tracker.latest_message.intent or {}).get("name") == FORGET_INTENT:
                # The form's validation, before the rules reach action_forget_me: rejected, as the form
                # rejects any message that answers none of its questions.
                raise ActionExecutionRejection(self.name(), "the action server could not be reached") from error
            if _in_guarded_turn.get():
                raise ActionServerUnreachable(self.name()) from error
            raise

    run_or_stop_the_turn.stops_turn_when_unreachable = True  # type: ignore[attr-defined]
    RemoteAction.run = run_or_stop_the_turn
