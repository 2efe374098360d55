"""`make bench-nlu`: intent macro-F1 and entity F1 on a held-out split, plus k-fold cross-validation.

Writes reports/nlu.json, reports/nlu.md and reports/nlu_confusion.png. The split is
deterministic (seeded, stratified by Rasa's `data split`); training never sees the held-out part.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
RASA = str(Path(sys.executable).with_name("rasa"))
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
SEED = "42"


def rasa(*args: str) -> None:
    subprocess.run([RASA, *args], cwd=ROOT, env=ENV, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _entity_f1(results: Path) -> dict[str, Any]:
    """Micro F1 over the place-name entities (the ruler's output, canonicalised by our resolver)."""
    for name in ("SpacyEntityExtractor_report.json", "PlaceNameResolver_report.json"):
        report = results / name
        if report.exists():
            data = json.loads(report.read_text())
            labels = {k: v for k, v in data.items() if k in ("municipality", "region")}
            avg = data.get("micro avg") or data.get("weighted avg") or {}
            return {"f1": round(avg.get("f1-score", 0.0), 4), "support": avg.get("support"),
                    "per_label": {k: round(v["f1-score"], 4) for k, v in labels.items()}}
    return {"f1": None, "note": "no entity report written"}


def _intent_f1(results: Path) -> dict[str, Any]:
    report = json.loads((results / "intent_report.json").read_text())
    out: dict[str, Any] = {"macro_f1": round(report["macro avg"]["f1-score"], 4),
                           "accuracy": round(report.get("accuracy", 0.0), 4)}
    selector = results / "response_selection_report.json"
    if selector.exists():
        data = json.loads(selector.read_text())
        out["faq_subintent_macro_f1"] = round(data["macro avg"]["f1-score"], 4)
    out["worst"] = sorted(((k, round(v["f1-score"], 3)) for k, v in report.items()
                           if isinstance(v, dict) and "f1-score" in v and k not in
                           ("macro avg", "weighted avg", "micro avg")), key=lambda kv: kv[1])[:5]
    return out


def heldout(work: Path) -> dict[str, Any]:
    split = work / "split"
    rasa("data", "split", "nlu", "-u", "data/nlu", "--training-fraction", "0.8",
         "--random-seed", SEED, "--out", str(split))
    train = next(split.glob("training_data*"))
    test = next(split.glob("test_data*"))
    started = time.monotonic()
    rasa("train", "nlu", "-u", str(train), "--config", "config.yml", "--domain", "domain.yml",
         "--out", str(work / "models"), "--fixed-model-name", "heldout")
    train_seconds = time.monotonic() - started
    results = work / "heldout"
    rasa("test", "nlu", "-u", str(test), "--model", str(work / "models" / "heldout.tar.gz"),
         "--out", str(results))
    confusion = results / "intent_confusion_matrix.png"
    if confusion.exists():
        shutil.copy(confusion, REPORTS / "nlu_confusion.png")
    return {"intent": _intent_f1(results), "entity": _entity_f1(results),
            "nlu_training_seconds": round(train_seconds, 1)}


def crossval(work: Path, folds: int) -> dict[str, Any]:
    results = work / "cv"
    rasa("test", "nlu", "-u", "data/nlu", "--config", "config.yml", "--cross-validation",
         "--folds", str(folds), "--out", str(results))
    report = results / "intent_report.json"
    if not report.exists():
        candidates = list(results.rglob("intent_report.json"))
        report = candidates[0] if candidates else report
    data = json.loads(report.read_text())
    return {"folds": folds, "macro_f1": round(data["macro avg"]["f1-score"], 4)}


def main() -> int:
    REPORTS.mkdir(exist_ok=True)
    folds = int(os.environ.get("BENCH_FOLDS", "5"))
    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as tmp:
        work = Path(tmp)
        result = heldout(work)
        try:
            cv = crossval(work, folds)
        except (subprocess.CalledProcessError, OSError, KeyError, ValueError) as error:
            cv = {"folds": folds, "macro_f1": None, "error": str(error)}
    report = {"intent": {"heldout": result["intent"], "crossval": cv},
              "entity": {"heldout": result["entity"]},
              "nlu_training_seconds": result["nlu_training_seconds"], "seed": int(SEED)}
    (REPORTS / "nlu.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    (REPORTS / "nlu.md").write_text(
        "# NLU quality (make bench-nlu)\n\n"
        "Held-out split: 20 % of data/nlu, stratified, seed 42, never seen in training.\n\n"
        "| measure | value |\n|---|---|\n"
        f"| intent macro-F1, held-out | {result['intent']['macro_f1']} |\n"
        f"| faq sub-intent macro-F1, held-out | {result['intent'].get('faq_subintent_macro_f1')} |\n"
        f"| entity F1 (municipality, region), held-out | {result['entity']['f1']} |\n"
        f"| intent macro-F1, {cv['folds']}-fold cross-validation | {cv['macro_f1']} |\n\n"
        f"Weakest intents (held-out F1): {result['intent']['worst']}\n\n"
        "Confusion matrix: reports/nlu_confusion.png\n", encoding="utf-8")
    print((REPORTS / "nlu.md").read_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
