"""`form_unique_entity_mappings`: a form's unique `from_entity` mappings worked out once per domain.

While a form runs, Rasa's ActionExtractSlots asks, for every `from_entity` mapping of every slot,
whether the mapping sets only one slot of the form (`_fails_unique_entity_mapping_check`). Each
question builds a new FormAction, whose first `entity_mapping_is_unique` works the answer out from
the whole domain: every mapping of every slot the form requires, each written as JSON. Rasa keeps
it on that FormAction only, which is thrown away, so the work is done again for every mapping of
every message (~20 times a message here; 4 % of the Rasa server's time at 1 user, py-spy).

The answer depends only on the form's name and the domain, which does not change while a model
is loaded: we remember it per form name and domain object (a new model's domain is a new object
and is worked out again). Each call gets its own set, as from Rasa's.

Tested against Rasa's own answers for every form and mapping of our domain
(tests/server/test_rasa_patches.py).

Replaces `FormAction._create_unique_entity_mappings`.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable, Dict, Set, Text, Tuple

from bot.server.patches._replace import replace


def apply() -> Callable[[], None]:
    from rasa.core.actions.forms import FormAction

    rasas = FormAction._create_unique_entity_mappings
    # id(domain) -> (a weak reference to that domain, {form name: its unique mappings})
    known: Dict[int, Tuple[Any, Dict[Text, frozenset]]] = {}

    def _create_unique_entity_mappings(self: Any, domain: Any) -> Set[Text]:
        """Rasa's answer for this form and domain, worked out once."""
        if type(self) is not FormAction:  # a subclass may work it out its own way
            return rasas(self, domain)
        key = id(domain)
        entry = known.get(key)
        if entry is None or entry[0]() is not domain:
            # Forgotten with its domain (whose id a new object may get): the weak reference says when.
            def forget(reference: Any) -> None:
                if key in known and known[key][0] is reference:
                    del known[key]

            entry = known[key] = (weakref.ref(domain, forget), {})
        mappings = entry[1].get(self.name())
        if mappings is None:
            mappings = entry[1][self.name()] = frozenset(rasas(self, domain))
        return set(mappings)

    undo = replace(FormAction, "_create_unique_entity_mappings", _create_unique_entity_mappings)

    def undo_and_forget() -> None:
        known.clear()
        undo()

    return undo_and_forget
