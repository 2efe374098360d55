"""`make bench-nlu`: how well the NLU understands messages it never saw in training.

Writes reports/nlu.json, reports/nlu.md and confusion-matrix PNGs. Examples are grouped
by their normalised text (lower case, æ/ø/å folded, punctuation dropped), so a message
and its near-duplicates ("hvad er en TRIO?" / "hvad er en trio") always land on the same
side of a split. Each group's fold is drawn from a hash of its normalised text and the seed, so
an example keeps its fold when other examples are added or removed: a change of the data can be
judged on the same folds (a stratified splitter redraws every fold when the data changes). Every
label has examples in every fold (tested); the held-out split is never seen in training.

Run `python -m tools.bench.nlu` (all of it) or `python -m tools.bench.nlu --check` (only the
split's honesty and the example counts, no training). `--partitions N` repeats the
cross-validation under N seeds and writes reports/nlu_partitions.md: how much one fold's
figure depends on which examples it drew.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
# What the figures depend on: `make bench` reuses reports/nlu.json while these are unchanged.
INPUTS = (
    "tools/bench/nlu.py",
    "data/nlu",
    "config.yml",
    "domain.yml",
    "bot/nlu/place_names.py",
    "bot/nlu/intent_classifier.py",
    "bot/nlu/sparse_network.py",
    "bot/nlu/regex_flags.py",
    "bot/nlu/count_vectors.py",
    "bot/nlu/scope_guard.py",
    "bot/nlu/bare_answers.py",
    "bot/nlu/own_workplace.py",
    "bot/domain/scope.py",
    "bot/domain/workplaces.py",
    "bot/domain/english.py",
    "bot/domain/answers.py",
    "bot/domain/themes.py",
    "bot/domain/text.py",
    "bot/data/english.yml",
    "bot/data/catalogue.yml",
    "actions",
    "tools/bench/data",
    "bot/data/workplaces.yml",
    "bot/data/institutions.yml",
    "bot/data/places.yml",
    "bot/data/person_names.yml",
    "bot/data/own_workplace_examples.yml",
    "build/spacy_da/.content-hash",
    "tools/bench/data/nlu_heldout_fresh.yml",
    "tests/data/ud_danish_ddt_dev_sentences.txt",
)


def inputs_fingerprint(paths: tuple[str, ...] = INPUTS) -> str:
    """A hash of the files (folders: every file in them but notes and compiled Python) the NLU figures depend on."""
    import hashlib

    digest = hashlib.sha256()
    for name in paths:
        path = ROOT / name
        files = (
            sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix not in (".md", ".pyc") and "__pycache__" not in p.parts
            )
            if path.is_dir()
            else [path]
        )
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes() if file.exists() else b"-")
    return digest.hexdigest()[:16]


DATA = ROOT / "data" / "nlu"
# A test set written apart from the training data, by someone who never read it, and never
# trained on: the fold split above has been looked at while tuning, this one has not.
FRESH = ROOT / "tools" / "bench" / "data" / "nlu_heldout_fresh.yml"
# Real Danish sentences (UD Danish-DDT): every other one is an out_of_scope training example
# (scripts/make_offtopic_nlu.py); the others, never trained on, are scored with the fresh set.
TREEBANK = ROOT / "tests" / "data" / "ud_danish_ddt_dev_sentences.txt"
SEED = 42
FOLDS = 5
MIN_EXAMPLES = 25
PLACE_ENTITIES = ("municipality", "region")
CONFIG = ROOT / "config.yml"
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONHASHSEED": "0"}


@dataclass(frozen=True)
class Example:
    """One training example with its full label ('faq/pris', 'inform', ...)."""

    index: int
    text: str
    label: str
    key: str  # normalised text: examples with the same key are one group
    entities: tuple[tuple[int, int, str, str], ...]  # (start, end, entity, surface text)


def normalise(text: str) -> str:
    """The text with case, æ/ø/å spellings, punctuation and spacing folded away."""
    from bot.domain.text import fold

    return " ".join(re.findall(r"[0-9a-z@]+", fold(text)))


def group_key(text: str) -> str:
    """The normalised text; a text with no letters or digits ("👍", "?!") is its own group.

    Normalising leaves nothing of those, and one empty key would put every emoji and
    punctuation-only example into the same fold: training would then never see one.
    """
    return normalise(text) or " ".join(text.split())


def load_examples(path: Path = DATA) -> tuple[list[Example], Any]:
    """The intent examples of `path` and Rasa's TrainingData they came from."""
    from rasa.shared.nlu.training_data.loading import load_data

    training = load_data(str(path))
    examples = []
    for i, message in enumerate(training.intent_examples):
        text = message.get("text")
        entities = tuple(
            (e["start"], e["end"], e["entity"], text[e["start"] : e["end"]])
            for e in message.get("entities") or []
            if e["entity"] in PLACE_ENTITIES
        )
        label = message.get("intent_response_key") or message.get("intent")
        examples.append(Example(i, text, label, group_key(text), entities))
    return examples, training


def conflicts(examples: Iterable[Example]) -> dict[str, list[str]]:
    """Normalised texts that appear under more than one label (the data contradicts itself)."""
    labels: dict[str, set[str]] = defaultdict(set)
    for example in examples:
        labels[example.key].add(example.label)
    return {key: sorted(found) for key, found in labels.items() if len(found) > 1}


def counts(examples: Iterable[Example]) -> dict[str, int]:
    """Distinct (normalised) examples per label: duplicates and re-spellings count once."""
    keys: dict[str, set[str]] = defaultdict(set)
    for example in examples:
        keys[example.label].add(example.key)
    return {label: len(found) for label, found in sorted(keys.items())}


def folds(examples: Sequence[Example], n: int = FOLDS, seed: int = SEED) -> list[list[int]]:
    """n test folds of example indices, grouped by normalised text: a group's fold is fixed by a hash of its
    key and the seed, not by the other examples. Measured on data/nlu (5680 examples, 36 labels): every
    label has at least half its even share in every fold."""
    chosen: list[list[int]] = [[] for _ in range(n)]
    for example in examples:
        chosen[fold_of(example.key, n, seed)].append(example.index)
    return [sorted(indices) for indices in chosen]


def fold_of(key: str, n: int = FOLDS, seed: int = SEED) -> int:
    """The fold of one normalised text: the same whatever else the data holds."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{key}".encode()).digest()[:8], "big") % n


def leaks(examples: Sequence[Example], test: Iterable[int]) -> list[str]:
    """Test examples whose normalised text also occurs in training (must be empty)."""
    test_set = set(test)
    train_keys = {e.key for e in examples if e.index not in test_set}
    return [examples[i].text for i in sorted(test_set) if examples[i].key in train_keys]


def write_split(training: Any, indices: Iterable[int], path: Path) -> None:
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.training_data import TrainingData

    chosen = [training.intent_examples[i] for i in indices]
    # The lookup tables and regexes are no examples (nothing to split): a fold's model gets
    # them all, as the production model does, or its RegexFeaturizer would have no patterns.
    path.write_text(
        RasaYAMLWriter().dumps(
            TrainingData(
                training_examples=chosen,
                regex_features=training.regex_features,
                lookup_tables=training.lookup_tables,
                entity_synonyms=training.entity_synonyms,
            )
        ),
        encoding="utf-8",
    )


# -- one fold, in its own process (TensorFlow state stays out of the orchestrator) --------


def _predict(model: Path, texts: list[str]) -> list[dict[str, Any]]:
    from rasa.core.agent import Agent
    from rasa.nlu.classifiers import fallback_classifier

    agent = Agent.load(str(model))

    async def parse_all() -> list[dict[str, Any]]:
        return [await agent.parse_message(text) for text in texts]

    predictions = []
    for text, parsed in zip(texts, asyncio.run(parse_all())):
        fell_back = fallback_classifier.is_fallback_classifier_prediction(parsed)
        # Like `rasa test nlu`: score the classifier's own top intent, count fallbacks apart.
        raw = fallback_classifier.undo_fallback_prediction(parsed) if fell_back else parsed
        intent = raw["intent"]["name"]
        label = intent
        if intent == "faq":
            selector = parsed.get("response_selector", {})
            chosen = (selector.get("faq") or selector.get("default") or {}).get("response", {})
            label = chosen.get("intent_response_key") or "faq"
        predictions.append(
            {
                "text": text,
                "label": label,
                "intent": intent,
                "confidence": raw["intent"]["confidence"],
                "fallback": fell_back,
                "entities": [
                    (e["start"], e["end"], e["entity"], e["value"])
                    for e in parsed.get("entities", [])
                    if e["entity"] in PLACE_ENTITIES
                ],
            }
        )
    return predictions


def _run_fold(train: Path, test: Path, out: Path, config: Path) -> None:
    from rasa.model_training import train_nlu

    started = time.monotonic()
    model = train_nlu(
        config=str(config),
        nlu_data=str(train),
        output=str(out.parent),
        fixed_model_name=out.stem,
        domain=str(ROOT / "domain.yml"),
    )
    seconds = time.monotonic() - started
    texts = json.loads(test.read_text())  # in the orchestrator's order (YAML regroups by intent)
    predictions = _predict(Path(str(model)), texts)
    out.write_text(json.dumps({"train_seconds": seconds, "predictions": predictions}))


def run_fold(
    training: Any, train: list[int], test: list[int] | list[str], work: Path, name: str, config: Path = CONFIG
) -> dict[str, Any]:
    """Train on `train`, predict `test` (in that order), in a child process.

    `test` is indices into `training`, or the texts themselves (a test set of its own).
    """
    train_file, test_file, out = work / f"{name}-train.yml", work / f"{name}-test.json", work / f"{name}.json"
    write_split(training, train, train_file)
    texts = [t if isinstance(t, str) else training.intent_examples[t].get("text") for t in test]
    test_file.write_text(json.dumps(texts))
    subprocess.run(
        [sys.executable, "-m", "tools.bench.nlu", "--fold", str(train_file), str(test_file), str(out), str(config)],
        cwd=ROOT,
        env=ENV,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return json.loads(out.read_text())


def cross_validate(
    examples: Sequence[Example],
    training: Any,
    work: Path,
    config: Path = CONFIG,
    seed: int = SEED,
    only: int | None = None,
    progress: str = "",
) -> tuple[list, list, list]:
    """Train and score every fold of one seeded partition (or only fold `only`).

    Returns the folds' scores and, pooled in fold order, the gold and predicted full labels.
    """
    scores, gold, predicted = [], [], []
    for n, test in enumerate(folds(examples, seed=seed)):
        if only is not None and n != only:
            continue
        held_out = set(test)
        train = [i for i in range(len(examples)) if i not in held_out]
        print(f"{progress}fold {n + 1}/{FOLDS}: training on {len(train)}, testing on {len(test)}", flush=True)
        result = run_fold(training, train, test, work, f"seed{seed}-fold{n}", config)
        scores.append(score(examples, test, result))
        gold += [examples[i].label for i in test]
        predicted += [p["label"] for p in result["predictions"]]
    return scores, gold, predicted


def partition_summary(per_partition: dict[int, list[float]]) -> dict[str, Any]:
    """Intent macro-F1 over several seeded partitions: each partition's folds, mean and spread.

    `held_out_by_partition` is what the report's single held-out figure (fold 0) would have
    been under each seed. The folds of repeated partitions share most of their training data,
    so they are not independent: read the spread, not a standard error.
    """
    every = [f for values in per_partition.values() for f in values]
    return {
        "partitions": {str(seed): values for seed, values in per_partition.items()},
        "cv_mean_by_partition": {
            str(seed): round(statistics.mean(values), 4) for seed, values in per_partition.items()
        },
        "held_out_by_partition": {str(seed): values[0] for seed, values in per_partition.items()},
        "folds": len(every),
        "mean": round(statistics.mean(every), 4),
        "stdev": round(statistics.stdev(every), 4) if len(every) > 1 else 0.0,
        "min": min(every),
        "max": max(every),
    }


def partitions_markdown(summary: dict[str, Any]) -> str:
    lines = [
        "# NLU quality over several partitions (python -m tools.bench.nlu --partitions N)",
        "",
        f"Intent macro-F1 (faq as one intent) of the 5-fold cross-validation of `make bench-nlu`, "
        f"repeated with other seeds for the split (same data, same pipeline). Seed {SEED} is the "
        "partition of `reports/nlu.md`; its fold 1 is the held-out split there.",
        "",
        "| seed | fold 1 (held-out) | mean of the 5 folds | folds |",
        "|---|---|---|---|",
    ]
    for seed, values in summary["partitions"].items():
        lines.append(
            f"| {seed} | {values[0]} | {summary['cv_mean_by_partition'][seed]} | {', '.join(str(v) for v in values)} |"
        )
    lines += [
        "",
        f"All {summary['folds']} folds: mean **{summary['mean']}**, standard deviation "
        f"{summary['stdev']}, lowest {summary['min']}, highest {summary['max']}.",
        "",
        "The folds share most of their training data, so they are not independent samples: "
        "the spread says how much one fold's figure depends on which examples it drew.",
        "",
    ]
    return "\n".join(lines)


def run_partitions(
    examples: Sequence[Example], training: Any, config: Path, count: int, fingerprint: str | None
) -> dict[str, Any]:
    """Cross-validate under seeds SEED .. SEED + count - 1; seed SEED's folds come from
    reports/nlu.json when it was made from the same inputs (training is deterministic)."""
    per_partition: dict[int, list[float]] = {}
    existing = REPORTS / "nlu.json"
    if fingerprint and existing.exists():
        report = json.loads(existing.read_text())
        if report.get("inputs") == fingerprint:
            per_partition[SEED] = report["intent"]["crossval"]["intent_macro_f1_per_fold"]
    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as tmp:
        for seed in range(SEED, SEED + count):
            if seed not in per_partition:
                scores, _, _ = cross_validate(examples, training, Path(tmp), config, seed, progress=f"seed {seed}: ")
                per_partition[seed] = [s["intent"]["macro_f1"] for s in scores]
    return {"inputs": fingerprint, **partition_summary(per_partition)}


# -- scores ------------------------------------------------------------------------------------


def intent_scores(gold: list[str], predicted: list[str]) -> dict[str, Any]:
    from sklearn.metrics import f1_score, precision_recall_fscore_support

    labels = sorted(set(gold))
    _, _, f1, support = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    per_label = {label: round(float(score), 4) for label, score in zip(labels, f1)}
    return {
        "macro_f1": round(float(f1_score(gold, predicted, labels=labels, average="macro", zero_division=0)), 4),
        "accuracy": round(sum(g == p for g, p in zip(gold, predicted)) / len(gold), 4),
        "support": len(gold),
        "per_label": per_label,
        "worst": sorted(per_label.items(), key=lambda kv: kv[1])[:5],
    }


def _top(label: str) -> str:
    return label.split("/", 1)[0]


def entity_scores(gold: list[tuple], predicted: list[list]) -> dict[str, Any]:
    """Span-level micro F1: right type, right span, and the canonical name of what was written."""
    from bot.domain import geography

    geo = geography.load()
    canonical = {"municipality": geo.canonical_municipality, "region": geo.canonical_region}
    tp = fp = fn = 0
    errors: list[str] = []
    for gold_entities, predicted_entities in zip(gold, predicted):
        expected = {(s, e, kind, canonical[kind](surface)) for s, e, kind, surface in gold_entities}
        found = {tuple(p) for p in predicted_entities}
        tp += len(expected & found)
        fp += len(found - expected)
        fn += len(expected - found)
        if expected != found:
            errors.append(f"expected {sorted(expected)}, found {sorted(found)}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "f1": round(f1, 4),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "support": tp + fn,
        "errors": errors[:20],
    }


def score(examples: Sequence[Example], test: list[int], result: dict[str, Any]) -> dict[str, Any]:
    predictions = result["predictions"]
    assert [p["text"] for p in predictions] == [examples[i].text for i in test], "predictions out of order"
    gold = [examples[i].label for i in test]
    predicted = [p["label"] for p in predictions]
    faq = [(g, p) for g, p in zip(gold, predicted) if _top(g) == "faq" and _top(p) == "faq"]
    in_scope = [p for g, p in zip(gold, predictions) if g != "out_of_scope"]
    return {
        "intent": intent_scores([_top(g) for g in gold], [_top(p) for p in predicted]),
        "full_label": intent_scores(gold, predicted),
        "faq_subintent": intent_scores([g for g, _ in faq], [p for _, p in faq]) if faq else None,
        "entity": entity_scores([examples[i].entities for i in test], [p["entities"] for p in predictions]),
        "fallback_rate_in_scope": round(sum(p["fallback"] for p in in_scope) / max(len(in_scope), 1), 4),
        "errors": [f"{examples[i].text!r}: {g} -> {p}" for i, g, p in zip(test, gold, predicted) if g != p],
        "train_seconds": round(result["train_seconds"], 1),
    }


def confusion_png(gold: list[str], predicted: list[str], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    labels = sorted(set(gold) | set(predicted))
    figure, axes = plt.subplots(figsize=(14, 12))
    ConfusionMatrixDisplay.from_predictions(
        gold, predicted, labels=labels, ax=axes, colorbar=False, xticks_rotation="vertical"
    )
    axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path, dpi=80)
    plt.close(figure)


# -- the report ------------------------------------------------------------------------------


def ruler_mismatches(examples: Sequence[Example], config_path: Path = CONFIG) -> list[str]:
    """Annotated place names that the entity ruler (not trained, so no split needed) tags differently.

    Mirrors the Rasa pipeline: SpacyNLP lower-cases the text unless `case_sensitive` is set.
    """
    import spacy
    import yaml

    from bot.domain import geography

    config = yaml.safe_load(config_path.read_text())
    spacy_nlp = next(c for c in config["pipeline"] if c["name"] == "SpacyNLP")
    nlp = spacy.load(ROOT / spacy_nlp["model"])
    geo = geography.load()
    canonical = {"municipality": geo.canonical_municipality, "region": geo.canonical_region}
    problems = []
    for example in examples:
        text = example.text if spacy_nlp.get("case_sensitive") else example.text.lower()
        found = {
            (e.start_char, e.end_char, e.label_, canonical[e.label_](e.text))
            for e in nlp(text).ents
            if e.label_ in canonical
        }
        found = {f for f in found if f[3]}
        expected = {(s, e, kind, canonical[kind](surface)) for s, e, kind, surface in example.entities}
        if found != expected:
            problems.append(f"{example.text!r}: annotated {sorted(expected)}, ruler {sorted(found)}")
    return problems


def fresh_leaks(fresh: Sequence[Example], examples: Sequence[Example]) -> list[str]:
    """Fresh test texts that (normalised) are also training examples: scored apart, not counted."""
    train_keys = {e.key for e in examples}
    return [f.text for f in fresh if f.key in train_keys]


def run_fresh(
    training: Any, examples: Sequence[Example], work: Path, config: Path, path: Path = FRESH
) -> dict[str, Any] | None:
    """Train on all of the training data (as the shipped model is) and score the fresh set."""
    if not path.exists():
        return None
    fresh, _ = load_examples(path)
    leaked = set(fresh_leaks(fresh, examples))
    kept = [f for f in fresh if f.text not in leaked]
    kept = [Example(n, f.text, f.label, f.key, f.entities) for n, f in enumerate(kept)]
    sentences = unseen_sentences(examples)
    print(
        f"fresh set: training on all {len(examples)}, testing on {len(kept)} + {len(sentences)} treebank sentences",
        flush=True,
    )
    result = run_fold(training, list(range(len(examples))), [f.text for f in kept] + sentences, work, "fresh", config)
    treebank = result["predictions"][len(kept) :]
    result["predictions"] = result["predictions"][: len(kept)]
    return {
        **score(kept, list(range(len(kept))), result),
        "leaks": sorted(leaked),
        "examples": len(fresh),
        "treebank": off_topic_scores(treebank),
    }


def unseen_sentences(examples: Sequence[Example], path: Path = TREEBANK) -> list[str]:
    """The treebank's sentences that are not training examples (normalised)."""
    train_keys = {e.key for e in examples}
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    return [line for line in lines if line and group_key(line) not in train_keys]


def off_topic_scores(predictions: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """How unseen off-topic sentences were read: out_of_scope, below the fallback threshold, or as what."""
    read_as = Counter(p["intent"] for p in predictions if p["intent"] != "out_of_scope")
    n = max(len(predictions), 1)
    return {
        "sentences": len(predictions),
        "out_of_scope": round(sum(p["intent"] == "out_of_scope" for p in predictions) / n, 4),
        # The bot's off-topic answer comes for either: out_of_scope, or a fallback to nlu_fallback.
        "off_topic_answer": round(sum(p["intent"] == "out_of_scope" or p["fallback"] for p in predictions) / n, 4),
        "other_intents": dict(read_as.most_common()),
    }


def check(examples: Sequence[Example], config: Path = CONFIG) -> dict[str, Any]:
    """The data's own health: distinct examples per label, contradictions, split leaks."""
    per_label = counts(examples)
    test_folds = folds(examples)
    return {
        "ruler_mismatches": ruler_mismatches(examples, config),
        "examples": len(examples),
        "distinct_examples": len({(e.label, e.key) for e in examples}),
        "distinct_per_label": per_label,
        "labels_below_minimum": {k: v for k, v in per_label.items() if v < MIN_EXAMPLES},
        "conflicting_texts": conflicts(examples),
        "leaks": [text for fold in test_folds for text in leaks(examples, fold)],
    }


def treebank_markdown(treebank: dict[str, Any] | None) -> list[str]:
    if not treebank or not treebank["sentences"]:
        return []
    return [
        f"Unseen real sentences ({treebank['sentences']} from the treebank in `{TREEBANK.relative_to(ROOT)}` "
        "that are not training examples; newspaper and fiction Danish, nothing about the offers), same "
        f"model: read as out_of_scope {treebank['out_of_scope']}, given the off-topic answer (out_of_scope "
        f"or below the fallback threshold) {treebank['off_topic_answer']}; read as other intents: "
        f"{treebank['other_intents'] or 'none'}.",
        "",
    ]


def fresh_markdown(fresh: dict[str, Any] | None) -> list[str]:
    if not fresh:
        return [f"Fresh test set: none (`{FRESH.relative_to(ROOT)}` is missing).", ""]
    return [
        "## Fresh test set",
        "",
        f"`{FRESH.relative_to(ROOT)}`: {fresh['examples']} messages written apart from the training "
        "data by someone who had not read it, and never tuned on: unlike the fold split above, its "
        "mistakes are never used to change the data or the model. Scored with a model trained on "
        f"all of `data/nlu`, as shipped. Texts that also occur in training (normalised), left out: "
        f"{len(fresh['leaks'])}.",
        "",
        "| measure | fresh set |",
        "|---|---|",
        f"| intent macro-F1 (faq as one intent) | {fresh['intent']['macro_f1']} |",
        f"| full-label macro-F1 | {fresh['full_label']['macro_f1']} |",
        f"| faq sub-intent macro-F1 | {(fresh['faq_subintent'] or {}).get('macro_f1')} |",
        f"| entity F1 | {fresh['entity']['f1']} (n={fresh['entity']['support']}) |",
        f"| in-scope messages below the fallback threshold | {fresh['fallback_rate_in_scope']} |",
        "",
        f"Weakest labels: {fresh['full_label']['worst']}",
        "",
        *treebank_markdown(fresh.get("treebank")),
        "Fresh-set mistakes:",
        "",
        *([f"- {error}" for error in fresh["errors"]] or ["- none"]),
        "",
    ]


def first_messages_markdown(results: dict[str, Any] | None) -> list[str]:
    from tools.bench import first_messages

    if results and results.get("error"):
        return ["## First messages through the running bot", "", f"Not measured: {results['error']}", ""]
    return first_messages.markdown(results or {})


def first_messages_through_the_bot() -> dict[str, Any]:
    """tools/bench/first_messages.py on both sets, through a stack of the shipped model (models/current.tar.gz,
    which `make bench-nlu` trains first): what the bot concludes from a first message, not only its intent."""
    from tools.bench import first_messages

    model = ROOT / "models" / "current.tar.gz"
    if not model.exists():
        return {"error": "no trained model (models/current.tar.gz): run `make train` first"}
    print("first messages: through a running stack of the shipped model", flush=True)
    try:
        return first_messages.measure_with_own_stack()
    except Exception as error:  # the report says what failed; the other figures stand
        return {"error": f"{type(error).__name__}: {error}"}


def markdown(report: dict[str, Any]) -> str:
    held, cv, data = report["heldout"], report["crossval"], report["data"]
    fold_list = ", ".join(str(f) for f in cv["intent_macro_f1_per_fold"])
    lines = [
        "# NLU quality (make bench-nlu)",
        "",
        f"Data: {data['examples']} examples in `data/nlu`, {data['distinct_examples']} distinct after "
        "normalising (lower case, æ/ø/å folded, punctuation dropped). Fewest distinct examples for one "
        f"label: {min(data['distinct_per_label'].values())} (minimum {MIN_EXAMPLES}). Texts under two "
        f"labels: {len(data['conflicting_texts'])}.",
        "",
        f"Held-out split: one of {FOLDS} folds, grouped by normalised text so no near-duplicate crosses the "
        f"split; a text's fold is fixed by a hash of it and the seed {SEED}, so it stays when data is added; "
        f"{held['intent']['support']} test examples, never seen in training. Leaks found: "
        f"{len(data['leaks'])}. Cross-validation: all {FOLDS} folds of the same partition.",
        "",
        "| measure | held-out | 5-fold cross-validation (mean) |",
        "|---|---|---|",
        f"| intent macro-F1 (faq as one intent) | {held['intent']['macro_f1']} | {cv['intent_macro_f1']} |",
        f"| full-label macro-F1 (each faq sub-intent its own class) | {held['full_label']['macro_f1']} "
        f"| {cv['full_label_macro_f1']} |",
        f"| faq sub-intent macro-F1 ({report.get('faq_selector', 'ResponseSelector')}) "
        f"| {held['faq_subintent']['macro_f1']} "
        f"| {cv['faq_subintent_macro_f1']} |",
        f"| entity F1 (municipality, region: span and canonical name) | {held['entity']['f1']} "
        f"(n={held['entity']['support']}) | {cv['entity_f1']} |",
        f"| in-scope messages below the fallback threshold | {held['fallback_rate_in_scope']} "
        f"| {cv['fallback_rate_in_scope']} |",
        "",
        f"Intent macro-F1 per fold: {fold_list}.",
        "",
        f"Weakest labels on the held-out split: {held['full_label']['worst']}",
        "",
        f"Pipeline (`config.yml`): {report['pipeline']}.",
        "",
        f"NLU training time for one fold (80 % of the data, this machine): {held['train_seconds']} s.",
        "",
        "How to read this: the examples are hand-written for this project, so the held-out fold "
        "measures how well the model generalises to new wordings of the same kind, not to live "
        "traffic. The test stories (`tests/stories/`) and the end-to-end tests use their own sentences.",
        "",
        "Held-out mistakes:",
        "",
        *([f"- {error}" for error in held["errors"]] or ["- none"]),
        "",
        *fresh_markdown(report.get("fresh")),
        *first_messages_markdown(report.get("first_messages")),
        "Confusion matrices: `reports/nlu_confusion.png` (held-out), `reports/nlu_confusion_cv.png` "
        "(all folds). Numbers: `reports/nlu.json`.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="check the data and the split only")
    parser.add_argument(
        "--heldout-only", action="store_true", help="train and score one split only, print it, write no report"
    )
    parser.add_argument("--fold-index", type=int, default=0, help="with --heldout-only: which fold")
    parser.add_argument(
        "--fresh-only",
        action="store_true",
        help="train on all the data, score the fresh test set only, print it, write no report",
    )
    parser.add_argument(
        "--partitions",
        type=int,
        metavar="N",
        help="repeat the cross-validation under N seeds (the first: the report's) and "
        "write reports/nlu_partitions.md/.json only",
    )
    parser.add_argument("--fold", nargs=4, metavar=("TRAIN", "TEST", "OUT", "CONFIG"), help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, default=DATA, help="NLU data (default data/nlu)")
    parser.add_argument("--config", type=Path, default=CONFIG, help="pipeline (default config.yml)")
    args = parser.parse_args(argv)
    if args.fold:
        _run_fold(*(Path(p) for p in args.fold))
        return 0
    own_inputs = args.data.resolve() == DATA.resolve() and args.config.resolve() == CONFIG.resolve()
    fingerprint = inputs_fingerprint() if own_inputs else None

    examples, training = load_examples(args.data)
    data = check(examples, args.config)
    if args.check:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0 if not data["leaks"] and not data["conflicting_texts"] else 1

    REPORTS.mkdir(exist_ok=True)
    if args.partitions:
        summary = run_partitions(examples, training, args.config, args.partitions, fingerprint)
        (REPORTS / "nlu_partitions.json").write_text(json.dumps(summary, indent=2) + "\n")
        (REPORTS / "nlu_partitions.md").write_text(partitions_markdown(summary), encoding="utf-8")
        print((REPORTS / "nlu_partitions.md").read_text())
        return 0
    test_folds = folds(examples)
    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as tmp:
        # One more training on all the data: only for the report, not for a single fold's check.
        fresh = None if args.heldout_only else run_fresh(training, examples, Path(tmp), args.config)
        if args.fresh_only:
            print(json.dumps(fresh, indent=1, ensure_ascii=False))
            return 0
        only = args.fold_index if args.heldout_only else None
        fold_scores, cv_gold, cv_predicted = cross_validate(examples, training, Path(tmp), args.config, only=only)
        if args.heldout_only:
            print(json.dumps(fold_scores[0], indent=1, ensure_ascii=False))
            return 0
    held = fold_scores[0]

    def mean(values: list[float]) -> float:
        return round(statistics.mean(values), 4)

    cv = {
        "folds": FOLDS,
        "macro_f1": mean([s["intent"]["macro_f1"] for s in fold_scores]),
        "intent_macro_f1": mean([s["intent"]["macro_f1"] for s in fold_scores]),
        "intent_macro_f1_per_fold": [s["intent"]["macro_f1"] for s in fold_scores],
        "full_label_macro_f1": mean([s["full_label"]["macro_f1"] for s in fold_scores]),
        "faq_subintent_macro_f1": mean([s["faq_subintent"]["macro_f1"] for s in fold_scores]),
        "entity_f1": mean([s["entity"]["f1"] for s in fold_scores]),
        "fallback_rate_in_scope": mean([s["fallback_rate_in_scope"] for s in fold_scores]),
        "pooled_full_label": intent_scores(cv_gold, cv_predicted),
    }
    confusion_png(
        [examples[i].label for i in test_folds[0]],
        [p for p in cv_predicted[: len(test_folds[0])]],
        REPORTS / "nlu_confusion.png",
        "Held-out split: gold (rows) vs predicted (columns)",
    )
    confusion_png(
        cv_gold, cv_predicted, REPORTS / "nlu_confusion_cv.png", f"{FOLDS}-fold cross-validation, all folds pooled"
    )
    import yaml

    components = [c["name"].rsplit(".", 1)[-1] for c in yaml.safe_load(args.config.read_text())["pipeline"]]
    report = {
        # Taken when the run began (None for other data or config than the project's own).
        "inputs": fingerprint,
        "seed": SEED,
        "pipeline": " → ".join(components),
        # Who picks the faq topic: Rasa's ResponseSelector, else the intent classifier that
        # fills response_selector itself (bot/nlu/intent_classifier.py).
        "faq_selector": "ResponseSelector"
        if "ResponseSelector" in components
        else next((c for c in components if c.endswith("Classifier") and c != "FallbackClassifier"), "?"),
        "intent": {
            "heldout": {
                **held["intent"],
                "faq_subintent_macro_f1": held["faq_subintent"]["macro_f1"],
                "full_label_macro_f1": held["full_label"]["macro_f1"],
            },
            "crossval": cv,
        },
        "entity": {"heldout": held["entity"], "crossval": {"f1": cv["entity_f1"]}},
        "heldout": held,
        "fresh": fresh,
        "crossval": cv,
        "data": data,
        "nlu_training_seconds": held["train_seconds"],
    }
    report["first_messages"] = first_messages_through_the_bot()
    (REPORTS / "nlu.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (REPORTS / "nlu.md").write_text(markdown(report), encoding="utf-8")
    print((REPORTS / "nlu.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
