"""`spacy_load_once`: the spaCy pipeline loaded once per process, not once per graph node.

A model with SpacyNLP has two SpacyNLP nodes in its prediction graph (`provide_SpacyNLP0`, which
hands the pipeline to the components that need it, and `run_SpacyNLP0`, which processes the
messages with the pipeline it is handed): each loads the pipeline from disk when the model is
loaded, and the second copy is never used. That is a second spaCy pipeline in memory (with
spaCy's own lemma table: ~170 MB; with `spacy_compact_lemmas`: ~23 MB) and a second load at
start-up.

So `SpacyNLP.create` remembers (weakly: while a node holds it) the pipeline it loaded, by model
name, and a SpacyNLP created later for that name gets the same loaded pipeline, as Rasa's create
would build it (the same log line, check and configuration); only the load is not repeated. The
pipeline is only read while messages are processed.

Wraps `SpacyNLP.create`.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any, Callable, Dict

from bot.server.patches._replace import replace

_lock = threading.Lock()


def apply() -> Callable[[], None]:
    from rasa.nlu.utils import spacy_utils
    from rasa.nlu.utils.spacy_utils import SpacyNLP

    rasas = SpacyNLP.__dict__["create"].__func__
    logger = logging.getLogger(spacy_utils.__name__)
    loaded: "weakref.WeakValueDictionary[str, Any]" = weakref.WeakValueDictionary()

    def create(cls: type, config: Dict[str, Any], model_storage: Any, resource: Any, execution_context: Any) -> Any:
        """Rasa's SpacyNLP.create; a pipeline already loaded under the same name is not loaded again."""
        name = config.get("model")
        with _lock:
            model = loaded.get(name) if cls is SpacyNLP else None
            if model is None:
                component = rasas(cls, config, model_storage, resource, execution_context)
                if cls is SpacyNLP:
                    loaded[name] = component._model
                return component
        logger.info(f"Trying to load SpaCy model with name '{name}'.")
        cls.ensure_proper_language_model(model.model)
        return cls(model, {**cls.get_default_config(), **config})

    return replace(SpacyNLP, "create", classmethod(create))
