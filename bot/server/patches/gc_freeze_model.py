"""`gc_freeze_model`: the loaded model is kept out of the garbage collector's full collections.

The Rasa server's heap is mostly the model (the spaCy pipeline, the featurizers' vocabularies,
the domain) and Rasa's modules: ~470,000 objects that live as long as the process. CPython's full
collection (generation 2) walks every one of them: ~0.2 s of the server's CPU each (gc callbacks
in the Rasa server: 9 in the first ~600 messages at 1 user, 1.2 s). Under load (16 users, the
bench's conversations, two runs each) full collections took 0.88 and 0.91 ms a message, all the
collector's work 1.23 and 1.38 ms, of ~11-14 ms of CPU a message in both servers.

So after Rasa loads a model we collect once (the loading's garbage) and `gc.freeze()` what is
left: the collector then leaves those objects alone. The same runs with it: full collections
0.17 and 0.20 ms a message, all the collector's work 0.58 and 0.68 ms. Nothing else changes: the
same objects, the same answers; only a cycle among the frozen objects that becomes garbage is not
collected while they are frozen. Before a model is loaded again (PUT /model) they are unfrozen,
so the old model's cycles are collected as Rasa's collector would (tested).

Replaces `Agent.load_model` (Rasa's, then the collection and the freeze).
"""

from __future__ import annotations

import functools
import gc
from typing import Any, Callable

from bot.server.patches._replace import replace


def apply() -> Callable[[], None]:
    from rasa.core.agent import Agent

    rasas = Agent.load_model

    @functools.wraps(rasas)
    def load_model(self: Any, *args: Any, **kwargs: Any) -> None:
        gc.unfreeze()  # a model loaded before: its objects may be garbage now
        rasas(self, *args, **kwargs)
        gc.collect()
        gc.freeze()

    undo = replace(Agent, "load_model", load_model)

    def undo_and_unfreeze() -> None:
        undo()
        gc.unfreeze()

    return undo_and_unfreeze
