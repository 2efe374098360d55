"""`tensorflow_on_demand`: TensorFlow (and jax, which it brings) imported only for a model that uses it.

Rasa's server imports TensorFlow whatever the model holds, three ways: `rasa.core.agent` reaches
`rasa.utils.train_utils`, which imports Rasa's Keras callbacks and data generator (used only to
train TensorFlow models); reading a model's metadata imports every class of its *training*
graph, among them `DefaultV1RecipeValidator`, which imports DIET, ResponseSelector and TED to
check configurations; and spaCy's thinc imports it to offer TensorFlow layers. For a model
without a TensorFlow component that is ~0.5 GB of memory and seconds of start-up.

So, in this process:
- `rasa.utils.train_utils` runs its code on first use of one of its names, not on import (on the
  serving path it is only imported); it is Rasa's own module, run whole and unchanged.
- a loaded model's training graph (`ModelMetadata.train_schema`, which serving never runs) is
  read on first use, by Rasa's own `GraphSchema.from_dict`: the same schema. (A training-only
  component that cannot be imported here therefore fails when that schema is used, not at load.)
- thinc's optional probe (`thinc.compat`: `try: import tensorflow`) is answered "not installed"
  while TensorFlow is not loaded, as on a machine without it; thinc then offers no TensorFlow
  layers, which neither Rasa nor our spaCy pipeline use.

A model with a TensorFlow component loads and answers as with Rasa: reading its prediction
graph imports the component's module, which imports TensorFlow. Never silently: that import is
logged as a warning naming the module, since the server then holds TensorFlow after all.

Adds a finder at the front of `sys.meta_path` and replaces `ModelMetadata.from_dict`.
"""

from __future__ import annotations

import copy
import functools
import importlib.abc
import importlib.machinery
import logging
import sys
import threading
import types
from typing import Any, Callable, Dict, Optional, Sequence

from bot.server.patches._replace import replace

logger = logging.getLogger(__name__)

# Imported by the serving path only as a module; its own imports bring TensorFlow.
DEFERRED = ("rasa.utils.train_utils",)
# Optional probes answered "not installed" while TensorFlow is not loaded.
PROBES = ("thinc.compat",)
TENSORFLOW = "tensorflow"

_run_lock = threading.RLock()


# -- a module that runs its code on first use ------------------------------------------------


class _DeferredModule(types.ModuleType):
    """A module whose code runs when one of its names is first asked for."""

    def __getattr__(self, name: str) -> Any:  # only for names the module does not hold yet
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # probes such as __warningregistry__ or __path__ run nothing
        run_deferred(self)
        return getattr(self, name)


def run_deferred(module: types.ModuleType) -> None:
    """Run a deferred module's own code now (once), as its import would have."""
    with _run_lock:
        if type(module) is not _DeferredModule:
            return
        loader = module.__spec__.loader
        real = loader.real if isinstance(loader, _DeferredLoader) else loader
        module.__class__ = types.ModuleType
        module.__spec__.loader = module.__loader__ = real
        real.exec_module(module)


class _DeferredLoader(importlib.abc.Loader):
    """Creates the module as its own loader would and leaves its code for first use."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[types.ModuleType]:
        return self.real.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__class__ = _DeferredModule

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename ...: the real loader's
        return getattr(self.real, name)


class TensorFlowOnDemand(importlib.abc.MetaPathFinder):
    """Defers DEFERRED, answers PROBES' TensorFlow import, logs any other first TensorFlow import."""

    def find_spec(self, name: str, path: Optional[Sequence[str]], target: Any = None) -> Any:
        if name in DEFERRED:
            spec = self._others_spec(name, path, target)
            if spec is not None and spec.loader is not None:
                spec.loader = _DeferredLoader(spec.loader)
            return spec
        if name == TENSORFLOW and TENSORFLOW not in sys.modules:
            importer = _importer()
            if importer in PROBES:
                raise ModuleNotFoundError(
                    f"No module named {name!r} (kept out of this server by the Rasa patch tensorflow_on_demand)",
                    name=name,
                )
            logger.warning(
                "Rasa patch tensorflow_on_demand: %s imports TensorFlow, so this server holds it after "
                "all (~0.5 GB, seconds of start-up): the model has a TensorFlow component, or something "
                "read its training graph",
                importer or "a module",
            )
        return None

    def _others_spec(self, name: str, path: Optional[Sequence[str]], target: Any) -> Any:
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                return spec
        return None


def _importer() -> Optional[str]:
    """The module whose code is importing (the first frame outside the import machinery)."""
    frame = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if not (name.startswith(("importlib", "_frozen_importlib")) or name == __name__):
            return name
        frame = frame.f_back
    return None


# -- the training graph, read on first use ---------------------------------------------------


@functools.lru_cache(maxsize=None)
def _deferred_schema_class() -> type:
    from rasa.engine.graph import GraphSchema

    class DeferredGraphSchema(GraphSchema):
        """A GraphSchema read from its serialized form by Rasa's from_dict when first used."""

        # super().__init__ is not called: from_dict builds the schema when it is first used.
        def __init__(self, serialized: Dict[str, Any]) -> None:
            self.__dict__["_serialized"] = copy.deepcopy(serialized)  # from_dict changes what it reads

        def __getattr__(self, name: str) -> Any:  # only `nodes` is missing until read
            if name != "nodes":
                raise AttributeError(name)
            return resolve_schema(self).nodes

        def __eq__(self, other: object) -> bool:
            return resolve_schema(self) == other

        __hash__ = None  # type: ignore[assignment]  # as GraphSchema's (an eq dataclass)

    return DeferredGraphSchema


def resolve_schema(schema: Any) -> Any:
    """Turn a deferred schema into Rasa's GraphSchema, read by Rasa's own from_dict (once)."""
    from rasa.engine.graph import GraphSchema

    with _run_lock:
        if type(schema) is _deferred_schema_class():
            read = GraphSchema.from_dict(schema.__dict__["_serialized"])
            del schema.__dict__["_serialized"]
            schema.__class__ = GraphSchema
            schema.nodes = read.nodes
    return schema


# -- apply / undo ----------------------------------------------------------------------------


def apply() -> Callable[[], None]:
    finder = TensorFlowOnDemand()
    sys.meta_path.insert(0, finder)
    from rasa.engine.storage.storage import ModelMetadata

    rasas = ModelMetadata.__dict__["from_dict"].__func__

    def from_dict(cls: type, serialized: Dict[str, Any]) -> Any:
        """Rasa's ModelMetadata.from_dict; the training graph is read when first used."""
        train_schema = serialized["train_schema"]
        metadata = rasas(cls, {**serialized, "train_schema": {"nodes": {}}})
        metadata.train_schema = _deferred_schema_class()(train_schema)
        return metadata

    undo_metadata = replace(ModelMetadata, "from_dict", classmethod(from_dict))

    def undo() -> None:
        undo_metadata()
        if finder in sys.meta_path:
            sys.meta_path.remove(finder)
        for name in DEFERRED:  # Rasa's modules as Rasa has them: nothing left waiting to run
            if name in sys.modules:
                run_deferred(sys.modules[name])

    return undo
