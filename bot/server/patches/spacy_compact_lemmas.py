"""`spacy_compact_lemmas`: spaCy's lemma lookup table held in arrays, not in a dict of 553 000 entries.

Our spaCy pipeline (build/spacy_da, loaded by Rasa's SpacyNLP) lemmatizes by lookup: spaCy's
`Table` maps the hash of each of 553 000 Danish word forms to its lemma (81 000 distinct), one
Python dict entry, int and string each, with a Bloom filter beside: ~170 MB of the Rasa server's
~565 MB for what 11 MB hold on disk, and 2-3 s of start-up to build.

So while Rasa's SpacyNLP loads the pipeline, spaCy's `Lookups.from_bytes` makes each table named
in TABLES whose keys are hashes and values strings a `CompactTable` instead: the hashes sorted in
an array of 64-bit integers, the distinct strings end to end in one string, and an array saying
which string goes with which hash (~12 MB). It answers `get`, `[]`, `in` and `len` as spaCy's
Table does (the only calls spaCy's lookup lemmatizer makes); anything else about it fails loudly
rather than answer differently. Other tables, and every load outside SpacyNLP's, are spaCy's.
Tested against spaCy's own table: the same string for every hash in it, the same lemmas for the
words of our NLU data, the same parses from the trained model (tests/server/test_rasa_patches.py).

Wraps `SpacyNLP.load_model` (and, during that call only, `spacy.lookups.Lookups.from_bytes`). Rasa's
prediction graph loads the pipeline twice (two SpacyNLP nodes; see `spacy_load_once`), so the Rasa
server measured 565 MB -> 313 MB after load with this patch (3 interleaved stack starts each).
"""

from __future__ import annotations

import bisect
import ctypes
import ctypes.util
import gc
import itertools
import threading
from array import array
from typing import Any, Callable, Iterator, Optional, Union

from bot.server.patches._replace import replace

TABLES = ("lemma_lookup",)  # what spaCy's lookup lemmatizer reads

_loading = threading.Lock()


class CompactTable:
    """A spaCy lookup Table of strings (hash -> string), read-only, in arrays."""

    def __init__(self, name: str, data: dict[int, str]) -> None:
        import numpy as np

        strings: dict[str, int] = {}
        which = np.fromiter((strings.setdefault(value, len(strings)) for value in data.values()), np.uint32, len(data))
        keys = np.fromiter(data.keys(), np.uint64, len(data))
        order = np.argsort(keys, kind="stable")
        self.name = name
        self._keys = array("Q", keys[order].tobytes())
        self._which = array("I", which[order].tobytes())
        # The distinct strings end to end in one string: no string object of the table outlives it,
        # so the memory the decoded table took can go back to the system.
        self._text = "".join(strings)
        self._starts = array("I", itertools.accumulate((len(string) for string in strings), initial=0))

    @staticmethod
    def fits(data: Any) -> bool:
        """Whether spaCy's Table of `data` would map hashes to strings only (keys as spaCy stores them)."""
        return isinstance(data, dict) and all(
            type(key) is int and 0 <= key < 2**64 and type(value) is str for key, value in data.items()
        )

    def _position(self, key: Union[str, int]) -> Optional[int]:
        from spacy.strings import get_string_id

        key = get_string_id(key)
        position = bisect.bisect_left(self._keys, key)
        if position < len(self._keys) and self._keys[position] == key:
            return position
        return None

    def get(self, key: Union[str, int], default: Any = None) -> Any:
        position = self._position(key)
        return default if position is None else self._string(self._which[position])

    def __getitem__(self, key: Union[str, int]) -> str:
        position = self._position(key)
        if position is None:
            from spacy.strings import get_string_id

            raise KeyError(get_string_id(key))  # as spaCy's Table (an OrderedDict of hashes)
        return self._string(self._which[position])

    def _string(self, which: int) -> str:
        return self._text[self._starts[which] : self._starts[which + 1]]

    def __contains__(self, key: Union[str, int]) -> bool:
        return self._position(key) is not None

    def __len__(self) -> int:
        return len(self._keys)

    def items(self) -> Iterator[tuple[int, str]]:
        """The (hash, string) pairs, in hash order (spaCy's Table keeps the order they were added)."""
        return ((key, self._string(which)) for key, which in zip(self._keys, self._which))


def _give_back_freed_memory() -> None:
    """Collect, then ask glibc to return freed heap pages to the system (where there is glibc)."""
    gc.collect()
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name) if name else None
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)


def apply() -> Callable[[], None]:
    import srsly
    from rasa.nlu.utils.spacy_utils import SpacyNLP
    from spacy.lookups import Lookups, Table

    rasas = SpacyNLP.load_model

    def from_bytes(self: Any, bytes_data: bytes, **kwargs: Any) -> Any:
        """spaCy's Lookups.from_bytes, with a CompactTable for each table of TABLES that fits one."""
        self._tables = {}
        for key, value in srsly.msgpack_loads(bytes_data).items():
            compact = key in TABLES and CompactTable.fits(value)
            self._tables[key] = CompactTable(key, value) if compact else Table(key, value)
        return self

    def load_model(spacy_model_name: str) -> Any:
        """Rasa's SpacyNLP.load_model; the lemma lookup tables held in arrays."""
        with _loading:
            undo_from_bytes = replace(Lookups, "from_bytes", from_bytes)
            try:
                spacy_model = rasas(spacy_model_name)
            finally:
                undo_from_bytes()
        _give_back_freed_memory()
        return spacy_model

    return replace(SpacyNLP, "load_model", staticmethod(load_model))
