"""`make bench`: how well and how fast the bot understands and answers, next to a stock Rasa bot.

Writes reports/bench.json, reports/bench.md and reports/bench_latency.png. A benchmark,
not a test: it always exits 0 and reports what it measured, and what failed, in the report.

Settings (environment): BENCH_ROUNDS (3), BENCH_SECONDS per load level and bot (10), split
into BENCH_SLICES (3) alternating slices, BENCH_USERS ("1,16,64"), BENCH_NLU ("auto": reuse
reports/nlu.json when its inputs are unchanged; "run"; "skip"), BENCH_TRAIN (1: time the trainings;
0: skip), BENCH_TRAIN_BUDGET_MIN (8: training rounds, up to 3, only while they fit), BENCH_PROFILE (1: py-spy
sample of our Rasa server under load), BENCH_GROWTH (1: CPU per message at turn 40 against turn 5 of
one conversation, tools/bench/growth.py, over BENCH_GROWTH_PAIRS (12) senders each), RASA_PATCHES
(for our server, see bot/server/patches/__init__.py),
BENCH_BUDGET_MIN (27, counted from BENCH_STARTED, which `make bench` sets before setup and
training: training and load rounds after the first only while they fit; the report says so),
BENCH_SCALED (1: the scale-out section, tools/bench/scaled.py, with BENCH_SCALED_BUDGET_MIN (5) of
the whole budget kept for it; 0: skip it), BENCH_STOCK_DIR (development: reuse a trained `rasa init` folder).
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

from tools.bench import first_messages, growth, load, nlu, profile, stock, theme_accuracy, training
from tools.bench.stacks import Started, start_ours, start_stock

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
MODEL = ROOT / "models" / "current.tar.gz"
MAX_MESSAGES_PER_LEVEL = 5000
PROFILE_ESTIMATE_S = 60
GROWTH_ESTIMATE_S = 120
# What three load rounds (both bots, three levels, start-ups) and the profile take here.
LOAD_RESERVE_S = 13 * 60


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def setting(name: str, default: str) -> str:
    return os.environ.get(name, default).strip() or default


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, timeout=5).stdout.strip()
    except OSError:
        return "load " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def median(values: list[Optional[float]]) -> Optional[float]:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 2) if present else None


def ratio(ours: Optional[float], theirs: Optional[float]) -> Optional[float]:
    return round(ours / theirs, 3) if ours is not None and theirs else None


# -- one round: both bots side by side ------------------------------------------------------


@dataclass
class Bot:
    """What the round needs to know about one bot."""

    name: str
    start: Callable[[int], Started]
    conversations: tuple[load.Conversation, ...]
    after_warmup: Optional[Callable[[Started], None]] = None
    after_load: Optional[Callable[[Started], None]] = None  # while every stack of the round still runs


def level_key(users: int, instances: Optional[int] = None) -> str:
    """A load level's key in the results: "16" (every Rasa server of the stack), "16x2" (the first two)."""
    return str(users) if instances is None else f"{users}x{instances}"


def run_round(
    round_number: int,
    bots: list[Bot],
    users_levels: list[int],
    seconds: float,
    slices: int,
    problems: list[str],
    instance_counts: Sequence[Optional[int]] = (None,),
) -> list[dict[str, Any]]:
    """Start both stacks one after the other (timed), then load them in alternating slices.

    Alternating short slices (A B B A ...) at every load level puts both bots under the same
    background load on a shared machine; each slice starts fresh conversations. With
    `instance_counts` (stacks of several Rasa servers), every users level is measured with the
    load on the first 1, 2 … servers of each stack (`level_key`).
    """
    order = bots if round_number % 2 == 0 else bots[::-1]
    running: dict[str, Started] = {}
    results: dict[str, dict[str, Any]] = {}
    try:
        for bot in order:
            log(f"round {round_number + 1}: starting {bot.name}")
            try:
                started = bot.start(round_number)
            except Exception as error:  # a benchmark reports; it does not stop
                last_line = ([line for line in str(error).splitlines() if line.strip()] or [""])[-1]
                problems.append(f"round {round_number + 1} {bot.name}: {type(error).__name__}: {last_line[:300]}")
                continue
            running[bot.name] = started
            time.sleep(2)
            results[bot.name] = {
                "bot": bot.name,
                "round": round_number + 1,
                "startup_s": round(started.startup_s, 2),
                "rss_idle_mb": started.rss_mb(),
            }
            log(f"  {bot.name}: ready in {started.startup_s:.1f} s, RSS {results[bot.name]['rss_idle_mb']}")
        active = [bot for bot in order if bot.name in running]
        for bot in active:
            warm = asyncio.run(
                load.play_once(running[bot.name].webhooks, bot.conversations, f"{bot.name}-warm{round_number}")
            )
            results[bot.name]["warmup"] = warm.summary()
            if bot.after_warmup:
                bot.after_warmup(running[bot.name])
            results[bot.name]["levels"] = {}
        for users, instances in [(u, i) for u in users_levels for i in instance_counts]:
            key = level_key(users, instances)
            merged = {bot.name: load.LoadResult(users=users) for bot in active}
            cpu = {bot.name: 0.0 for bot in active}
            for part in range(slices):
                for bot in active if part % 2 == 0 else active[::-1]:
                    stack = running[bot.name]
                    before = stack.cpu_s()
                    outcome = asyncio.run(
                        load.run_load(
                            stack.webhooks[:instances],
                            bot.conversations,
                            users,
                            seconds / slices,
                            MAX_MESSAGES_PER_LEVEL,
                            f"{bot.name}-r{round_number}-u{key}-s{part}",
                        )
                    )
                    cpu[bot.name] += stack.cpu_s() - before
                    merged[bot.name].merge(outcome)
            for bot in active:
                outcome = merged[bot.name]
                summary = outcome.summary()
                summary["cpu_ms_per_msg"] = (
                    round(1000 * cpu[bot.name] / outcome.messages, 2) if outcome.messages else None
                )
                results[bot.name]["levels"][key] = {
                    **summary,
                    "latencies_ms": [round(v, 2) for v in outcome.latencies_ms],
                }
                on = "" if instances is None else f" on {instances} instance(s)"
                log(
                    f"  {bot.name} {users:>3} users{on}: p50 {summary['p50_ms']} ms, "
                    f"{summary['throughput_msg_s']} msg/s, CPU {summary['cpu_ms_per_msg']} ms/msg, "
                    f"errors {outcome.errors}"
                )
        for bot in active:
            results[bot.name]["rss_after_load_mb"] = running[bot.name].rss_mb()
            if bot.after_load:
                bot.after_load(running[bot.name])
    finally:
        for started in running.values():
            started.stack.stop()
    return [results[bot.name] for bot in bots if bot.name in results and "levels" in results[bot.name]]


def summarise_rounds(runs: list[dict[str, Any]], level_keys: Sequence[object]) -> dict[str, Any]:
    """Medians over the rounds, per bot, for the load levels with these keys (users, or `level_key`s)."""
    summary: dict[str, Any] = {}
    for bot in ("ours", "stock"):
        mine = [r for r in runs if r["bot"] == bot and "levels" in r]
        if not mine:
            continue

        def total(r: dict[str, Any], key: str) -> Optional[float]:
            values = r.get(key) or {}
            if values.get("rasa") is None or values.get("actions") is None:
                return None
            return values["rasa"] + values["actions"]

        summary[bot] = {
            "rounds": len(mine),
            "startup_s": median([r["startup_s"] for r in mine]),
            "rss_idle_mb": {
                "rasa": median([r["rss_idle_mb"]["rasa"] for r in mine]),
                "actions": median([r["rss_idle_mb"]["actions"] for r in mine]),
                "total": median([total(r, "rss_idle_mb") for r in mine]),
            },
            "rss_after_load_mb": {
                "rasa": median([r["rss_after_load_mb"]["rasa"] for r in mine]),
                "actions": median([r["rss_after_load_mb"]["actions"] for r in mine]),
                "total": median([total(r, "rss_after_load_mb") for r in mine]),
            },
            "levels": {
                str(u): {
                    key: median([r["levels"][str(u)][key] for r in mine])
                    for key in ("p50_ms", "p95_ms", "p99_ms", "throughput_msg_s", "cpu_ms_per_msg")
                }
                | {
                    "errors": sum(r["levels"][str(u)]["errors"] for r in mine),
                    "messages": sum(r["levels"][str(u)]["messages"] for r in mine),
                }
                for u in level_keys
            },
            "warmup_errors": sum(r["warmup"]["errors"] for r in mine),
        }
    return summary


def ratios(
    summary: dict[str, Any], users_levels: list[int], trainings: dict[str, Any], sizes: dict[str, Any]
) -> dict[str, Any]:
    ours, theirs = summary.get("ours"), summary.get("stock")
    if not ours or not theirs:
        return {}
    out: dict[str, Any] = {
        "startup": ratio(ours["startup_s"], theirs["startup_s"]),
        "rss_idle_total": ratio(ours["rss_idle_mb"]["total"], theirs["rss_idle_mb"]["total"]),
        "rss_after_load_total": ratio(ours["rss_after_load_mb"]["total"], theirs["rss_after_load_mb"]["total"]),
        "rss_after_load_rasa": ratio(ours["rss_after_load_mb"]["rasa"], theirs["rss_after_load_mb"]["rasa"]),
        "rss_after_load_actions": ratio(ours["rss_after_load_mb"]["actions"], theirs["rss_after_load_mb"]["actions"]),
        "model_size": ratio(sizes.get("ours_mb"), sizes.get("stock_mb")),
    }
    for users in users_levels:
        mine, other = ours["levels"][str(users)], theirs["levels"][str(users)]
        for key in ("p50_ms", "p95_ms", "p99_ms", "throughput_msg_s", "cpu_ms_per_msg"):
            out[f"{key}@{users}"] = ratio(mine[key], other[key])
    for kind in ("full", "nlu"):
        out[f"training_{kind}"] = ratio(
            (trainings.get("ours") or {}).get(kind, {}).get("seconds"),
            (trainings.get("stock") or {}).get(kind, {}).get("seconds"),
        )
    return out


TARGETS = (  # (ratio key, comparison, limit, wording): the table of the performance issue (#26)
    ("rss_after_load_total", "<=", 0.40, "memory (Rasa + action server, after load)"),
    ("startup", "<=", 0.20, "start-up to ready"),
    ("p50_ms@1", "<=", 0.35, "p50 latency at 1 user"),
    ("cpu_ms_per_msg@1", "<=", 0.35, "CPU ms per message at 1 user"),
    ("throughput_msg_s@16", ">=", 3.5, "throughput at 16 users, one instance"),
    ("p95_ms@16", "<=", 0.4, "p95 latency at 16 users"),
    ("training_full", "<=", 1.5, "full training (`rasa train --force`, empty cache)"),
    ("cpu_growth_turn40_turn5", "<=", 1.3, "cost growth: CPU per message at turn 40 / turn 5 (ours alone)"),
)


def targets(ratio_values: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key, comparison, limit, wording in TARGETS:
        value = ratio_values.get(key)
        met = None if value is None else (value <= limit if comparison == "<=" else value >= limit)
        out.append({"target": wording, "key": key, "want": f"{comparison} {limit}", "ratio": value, "met": met})
    return out


# -- understanding --------------------------------------------------------------------------


def nlu_figures(mode: str) -> dict[str, Any]:
    """Intent and entity F1 from tools.bench.nlu: reused when its inputs have not changed.

    tools.bench.nlu writes the fingerprint of its inputs into reports/nlu.json, so a run of
    `make bench-nlu` on its own counts as well.
    """
    nlu_json = REPORTS / "nlu.json"
    fingerprint = nlu.inputs_fingerprint()
    try:
        fresh = json.loads(nlu_json.read_text()).get("inputs") == fingerprint
    except (OSError, ValueError):
        fresh = False
    source = "reused reports/nlu.json (inputs unchanged since it was made)"
    if mode == "skip":
        source = "skipped (BENCH_NLU=skip): figures from an existing reports/nlu.json, if any"
    elif mode == "run" or not fresh:
        log("NLU: held-out split and 5-fold cross-validation (python -m tools.bench.nlu)")
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "tools.bench.nlu"], cwd=ROOT, capture_output=True, text=True, timeout=3600
        )
        if done.returncode != 0:
            # TensorFlow's start-up chatter is not the error: keep the last lines that are.
            lines = [
                line
                for line in done.stderr.splitlines()
                if line.strip() and "tensorflow" not in line and "To enable the following" not in line
            ]
            error = " | ".join(lines[-3:])[-600:] or f"exit code {done.returncode}"
            if not nlu_json.exists():
                return {"error": f"tools.bench.nlu failed: {error}", "nlu_source": {"inputs": None}}
            figures = json.loads(nlu_json.read_text())
            made = time.strftime("%Y-%m-%d %H:%M", time.localtime(nlu_json.stat().st_mtime))
            return {
                "intent": figures.get("intent"),
                "entity": figures.get("entity"),
                "error": f"tools.bench.nlu failed in this run ({error})",
                "nlu_source": {
                    "how": f"tools.bench.nlu failed in this run; figures from the reports/nlu.json "
                    f"written {made}, possibly from other inputs",
                    "inputs": None,
                },
            }
        source = f"ran python -m tools.bench.nlu in this run ({time.monotonic() - started:.0f} s)"
    if not nlu_json.exists():
        return {"error": "reports/nlu.json is missing", "nlu_source": {"inputs": None}}
    figures = json.loads(nlu_json.read_text())
    return {
        "intent": figures.get("intent"),
        "entity": figures.get("entity"),
        "fresh": figures.get("fresh"),
        "nlu_source": {"how": source, "inputs": fingerprint},
    }


# -- the run ----------------------------------------------------------------------------------


def stock_bot(work: Path) -> tuple[Path, Path, float]:
    """The stock starter bot's folder, its model and the seconds `rasa init` took (0 when reused)."""
    reuse = os.environ.get("BENCH_STOCK_DIR")  # development only: an existing `rasa init` folder
    if reuse and sorted((Path(reuse) / "models").glob("*.tar.gz")):
        return Path(reuse), sorted((Path(reuse) / "models").glob("*.tar.gz"))[-1], 0.0
    log("creating and training the stock starter bot (rasa init --no-prompt)")
    stock_model, init_seconds = stock.create(work / "stock")
    return work / "stock", stock_model, init_seconds


def main() -> int:
    # `make bench` notes when it started (before setting up and training), so that the budget
    # covers the whole command on a fresh clone, not only this script.
    began = time.monotonic() - max(0.0, time.time() - float(os.environ.get("BENCH_STARTED") or time.time()))
    REPORTS.mkdir(exist_ok=True)
    rounds = int(setting("BENCH_ROUNDS", "3"))
    seconds = float(setting("BENCH_SECONDS", "10"))
    slices = int(setting("BENCH_SLICES", "3"))
    budget_s = 60 * float(setting("BENCH_BUDGET_MIN", "27"))
    users_levels = [int(u) for u in setting("BENCH_USERS", "1,16,64").split(",")]
    from tools.bench import scaled  # (it builds on this module)

    # The scale-out section's own minutes are kept free within the whole budget.
    scaled_s = 60 * scaled.settings()["budget_min"] if setting("BENCH_SCALED", "1") == "1" else 0.0
    report: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "load_before": uptime(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "settings": {
            "rounds": rounds,
            "seconds_per_level": seconds,
            "slices": slices,
            "users": users_levels,
            "rasa_patches": os.environ.get("RASA_PATCHES", "all"),
        },
        "problems": [],
    }
    ours_conversations = load.load_conversations()
    token = "bench-" + secrets.token_hex(8)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        stock_project, stock_model, init_seconds = stock_bot(work)
        stock_conversations = stock.conversations(stock_project)
        # Our model as it is now, for every round (a retraining meanwhile must not change it).
        model = work / "ours.tar.gz"
        shutil.copy(MODEL, model)
        report["stock"] = {"rasa_init_s": round(init_seconds, 1)}
        report["model_size"] = {
            "ours_mb": round(model.stat().st_size / 2**20, 2),
            "stock_mb": round(stock_model.stat().st_size / 2**20, 2),
        }

        # Once-only phases first, so that the rounds can fill what is left of the budget.
        try:
            report["understanding"] = nlu_figures(setting("BENCH_NLU", "auto"))
        except Exception as error:
            report["understanding"] = {"error": f"{type(error).__name__}: {error}"}
        trainings: dict[str, Any] = {}
        if setting("BENCH_TRAIN", "1") == "1":
            log("training times: ours and stock, full and NLU only, interleaved rounds")
            try:
                # Leave the load rounds and the profile their share of what is left of the budget.
                left = budget_s - (time.monotonic() - began) - LOAD_RESERVE_S - scaled_s
                trainings = training.measure(
                    ROOT,
                    stock_project,
                    work / "train",
                    init_seconds,
                    budget_s=min(60 * float(setting("BENCH_TRAIN_BUDGET_MIN", "8")), max(0.0, left)),
                )
            except Exception as error:
                report["problems"].append(f"training: {type(error).__name__}: {error}")
        report["training"] = trainings

        themes_result: dict[str, Any] = {}
        first_result: dict[str, Any] = {}

        def theme_pass(started: Started) -> None:
            if not themes_result:
                log("theme accuracy on the held-out descriptions (through the running bot)")
                themes_result.update(asyncio.run(theme_accuracy.measure_sets(started.stack.rasa_url, token)))
            if not first_result:
                log("first messages: sector and place, off-topic, opening questions (through the running bot)")
                try:
                    first_result.update(asyncio.run(first_messages.measure_sets(started.stack.rasa_url, token)))
                except Exception as error:  # a benchmark reports; it does not stop
                    first_result["error"] = f"{type(error).__name__}: {error}"

        bots = [
            Bot(
                "ours", lambda n: start_ours(work / f"ours-{n}", model, api_token=token), ours_conversations, theme_pass
            ),
            Bot("stock", lambda n: start_stock(work / f"stock-{n}", stock_project, stock_model), stock_conversations),
        ]
        runs: list[dict[str, Any]] = []
        round_seconds: list[float] = []
        for round_number in range(rounds):
            elapsed = time.monotonic() - began
            after = PROFILE_ESTIMATE_S + GROWTH_ESTIMATE_S + scaled_s
            if round_seconds and elapsed + max(round_seconds) + after > budget_s:
                report["problems"].append(
                    f"only {round_number} of {rounds} rounds fitted the {budget_s / 60:.0f}-minute budget "
                    "(BENCH_BUDGET_MIN); the medians are over those"
                )
                break
            round_began = time.monotonic()
            runs += run_round(round_number, bots, users_levels, seconds, slices, report["problems"])
            round_seconds.append(time.monotonic() - round_began)
        report["settings"]["rounds_run"] = len(round_seconds)
        report["runs"] = [{k: v for k, v in r.items()} for r in runs]
        report["speed"] = summarise_rounds(runs, users_levels)
        report["themes"] = themes_result or {"error": "not measured (our stack did not run)"}
        report["first_messages"] = first_result or {"error": "not measured (our stack did not run)"}

        if setting("BENCH_PROFILE", "1") == "1":
            if time.monotonic() - began + PROFILE_ESTIMATE_S <= budget_s:
                report["profile"] = profile_ours(work, model, token, ours_conversations, min(16, max(users_levels)))
            else:
                report["profile"] = {"error": "skipped: the time budget was used up"}
        if setting("BENCH_GROWTH", "1") == "1":
            if time.monotonic() - began + GROWTH_ESTIMATE_S <= budget_s:
                report["growth"] = growth_ours(work, model, token, int(setting("BENCH_GROWTH_PAIRS", "12")))
            else:
                report["growth"] = {"error": "skipped: the time budget was used up"}
        left = budget_s - (time.monotonic() - began)
        if not scaled_s:
            report["scaled"] = {"skipped": "BENCH_SCALED=0"}
        elif left < scaled.planned_seconds(scaled.settings()):
            report["scaled"] = {"skipped": f"the time budget was used up ({left:.0f} s left of BENCH_BUDGET_MIN)"}
        else:
            report["scaled"] = scaled.measure(work, model, stock_project, stock_model, min(scaled_s, left))

    report["ratios"] = ratios(report.get("speed", {}), users_levels, trainings, report["model_size"])
    report["ratios"]["cpu_growth_turn40_turn5"] = (report.get("growth") or {}).get("ratio")
    report["targets"] = targets(report["ratios"])
    report["load_after"] = uptime()
    report["duration_min"] = round((time.monotonic() - began) / 60, 1)

    from tools.bench import report as writer

    writer.write(report, REPORTS)
    log(f"done in {report['duration_min']} min: reports/bench.md")
    return 0


def growth_ours(work: Path, model: Path, token: str, pairs: int) -> dict[str, Any]:
    """How our CPU per message grows along one conversation (tools/bench/growth.py), on a stack of its own."""
    log(f"cost growth: the same question at turn {growth.EARLY} and at turn {growth.LATE}, {pairs} senders each")
    try:
        started = start_ours(work / "ours-growth", model, api_token=token)
    except Exception as error:
        return {"error": f"our stack did not start: {type(error).__name__}: {error}"}
    try:
        asyncio.run(load.play_once(started.webhook, load.load_conversations(), "growth-warm"))
        return growth.measure(started, pairs)
    except Exception as error:  # a benchmark reports
        return {"error": f"{type(error).__name__}: {error}"[:400]}
    finally:
        started.stack.stop()


def profile_ours(
    work: Path, model: Path, token: str, conversations: tuple[load.Conversation, ...], users: int
) -> dict[str, Any]:
    """A py-spy sample of our Rasa server under `users` users (a separate, uncounted run)."""
    if profile.py_spy() is None:
        return {"error": "py-spy is not installed"}
    log(f"profile: py-spy on our Rasa server, {users} users")
    started = start_ours(work / "ours-profile", model, api_token=token)
    try:
        asyncio.run(load.play_once(started.webhook, conversations, "profile-warm"))
        raw = work / "profile.txt"
        sampler = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys, pathlib; from tools.bench import profile; "
                "profile.record(int(sys.argv[1]), int(sys.argv[2]), pathlib.Path(sys.argv[3]))",
                str(started.stack.processes[1].pid),
                "12",
                str(raw),
            ],
            cwd=ROOT,
        )
        asyncio.run(load.run_load(started.webhook, conversations, users, 14, MAX_MESSAGES_PER_LEVEL, "profile"))
        sampler.wait(timeout=120)
        if not raw.exists():
            return {"error": "py-spy could not sample (ptrace not permitted?)"}
        return {"users": users, **profile.summarise(raw)}
    finally:
        started.stack.stop()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # never fail the build: say what went wrong
        traceback.print_exc()
        print("make bench: the benchmark stopped early; see the error above.", file=sys.stderr)
        sys.exit(0)
