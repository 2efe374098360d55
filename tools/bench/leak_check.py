"""Which training examples (normalised) are also texts of a test set that is never tuned on.

`python -m tools.bench.leak_check [FILE ...]` (default: every file of data/nlu) prints the training
texts whose normalised form (tools.bench.nlu.normalise) equals a text of tools/bench/data/*fresh*.yml,
never the test texts themselves, and exits 1 if there are any. Written so that new training examples
can be checked without reading the fresh sets.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Iterator

import yaml

from tools.bench.nlu import DATA, ROOT, group_key, load_examples

FRESH_SETS = sorted((ROOT / "tools" / "bench" / "data").glob("*fresh*.yml"))


def _strings(node: Any) -> Iterator[str]:
    """Every string in a YAML document; an NLU `examples: |` block gives one string per line."""
    if isinstance(node, str):
        lines = node.splitlines()
        if len(lines) > 1:
            for line in lines:
                yield line.strip().removeprefix("- ").strip()
        else:
            yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def test_keys(paths: list[Path] = FRESH_SETS) -> set[str]:
    """The normalised texts of the test sets (entity annotations `[x](y)` read as written)."""
    keys = set()
    for path in paths:
        for text in _strings(yaml.safe_load(path.read_text(encoding="utf-8"))):
            keys.add(group_key(text))
            if "](" in text:
                from rasa.shared.nlu.training_data.entities_parser import replace_entities

                keys.add(group_key(replace_entities(text)))
    return {k for k in keys if k}


def leaked(training: list[Path]) -> list[str]:
    keys = test_keys()
    found = []
    for path in training:
        examples, _ = load_examples(path)
        found += [f"{path.name}: {e.text}" for e in examples if e.key in keys]
    return found


def main(argv: list[str]) -> int:
    training = [Path(a) for a in argv] or [DATA]
    found = leaked(training)
    print("\n".join(found) or "no training text is a text of a fresh test set")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
