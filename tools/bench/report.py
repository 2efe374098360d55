"""Writes what `make bench` measured: reports/bench.json, reports/bench.md and the latency chart.

`python -m tools.bench.report` writes bench.md and the chart again from reports/bench.json
(after editing tools/bench/data/experiments.md, without measuring again).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

EXPERIMENTS = Path(__file__).with_name("data") / "experiments.md"
LATENCY_PNG = "bench_latency.png"
CONFUSION_PNG = "nlu_confusion.png"  # written by tools.bench.nlu


def _fmt(value: Any, suffix: str = "") -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}{suffix}"
    return f"{value}{suffix}"


def _ratio(value: Optional[float]) -> str:
    return "–" if value is None else f"{value:.2f}×"


def latency_chart(report: dict[str, Any], path: Path) -> Optional[str]:
    """Latency distribution (CDF, log scale) per concurrency, ours against stock, all rounds."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as error:
        return f"no chart: {error}"
    levels = report["settings"]["users"]
    figure, axes = plt.subplots(1, len(levels), figsize=(5 * len(levels), 4), squeeze=False)
    for axis, users in zip(axes[0], levels):
        for bot, colour in (("ours", "tab:blue"), ("stock", "tab:orange")):
            values = sorted(
                v
                for run in report.get("runs", [])
                if run["bot"] == bot and "levels" in run
                for v in run["levels"][str(users)]["latencies_ms"]
            )
            if values:
                fractions = [(i + 1) / len(values) for i in range(len(values))]
                axis.step(values, fractions, where="post", color=colour, label=f"{bot} ({len(values)} msgs)")
        axis.set_xscale("log")
        axis.set_title(f"{users} concurrent user{'s' if users > 1 else ''}")
        axis.set_xlabel("latency per message (ms, log scale)")
        axis.set_ylabel("fraction of messages")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(loc="lower right")
    figure.suptitle("Per-message latency, REST channel, whole conversations (all rounds)")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return None


def markdown(report: dict[str, Any], chart_note: Optional[str], confusion_exists: bool) -> str:
    speed = report.get("speed", {})
    ours, stock = speed.get("ours", {}), speed.get("stock", {})
    r = report.get("ratios", {})
    levels = report["settings"]["users"]
    lines = [
        "# Benchmarks (make bench)",
        "",
        f"Run {report['started']}, {report.get('duration_min')} min, {report['machine']['cpus']} CPUs. "
        f"Machine load before: `{report['load_before']}`; after: `{report.get('load_after')}`. "
        "The machine is shared and noisy: compare the ratios (ours / stock, same run, medians of "
        f"{report['settings'].get('rounds_run', report['settings']['rounds'])} interleaved rounds), "
        "not the absolute times.",
        "",
        "Ours: action server + Rasa server (through `bot/server/rasa_server.py`, patches: "
        f"`{report['settings']['rasa_patches']}`), SQLite tracker store, REST channel, one Sanic "
        "worker. Stock: `rasa init --no-prompt` in a temporary folder, trained there, its own "
        "(empty) action server, the same SQLite tracker store and REST channel, plain Rasa 3.6.",
        "",
        "## Targets",
        "",
        "| target | wanted (ours / stock) | measured | met |",
        "|---|---|---|---|",
    ]
    for target in report.get("targets", []):
        met = {True: "yes", False: "**no**", None: "–"}[target["met"]]
        lines.append(f"| {target['target']} | {target['want']} | {_ratio(target['ratio'])} | {met} |")
    if report.get("problems"):
        lines += ["", "**Problems in this run:** " + "; ".join(report["problems"])]
    lines += [
        "",
        "## Speed (medians of the rounds)",
        "",
        f"Each user plays whole conversations with no pause ({report['settings']['seconds_per_level']:g} s "
        f"per level and bot, in {report['settings'].get('slices', 1)} slices alternating between the two "
        "running bots, so both meet the same background load). CPU ms/msg is the CPU time "
        "of the Rasa server and the action server together per answered message: it depends "
        "little on the machine's other load. Ours: a full municipal application, a question mid-form, "
        "a regional route "
        "(`tools/bench/data/conversations.yml`); stock: its own three stories, in its own training "
        "examples. A reply without its expected words counts as an error.",
        "",
        "| users | | p50 ms | p95 ms | p99 ms | msg/s | CPU ms/msg | errors | messages |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for users in levels:
        for name, data in (("ours", ours), ("stock", stock)):
            level = (data.get("levels") or {}).get(str(users), {})
            lines.append(
                f"| {users} | {name} | {_fmt(level.get('p50_ms'))} | {_fmt(level.get('p95_ms'))} | "
                f"{_fmt(level.get('p99_ms'))} | {_fmt(level.get('throughput_msg_s'))} | "
                f"{_fmt(level.get('cpu_ms_per_msg'))} | "
                f"{_fmt(level.get('errors'))} | {_fmt(level.get('messages'))} |"
            )
        lines.append(
            f"| {users} | **ratio** | {_ratio(r.get(f'p50_ms@{users}'))} | "
            f"{_ratio(r.get(f'p95_ms@{users}'))} | "
            f"{_ratio(r.get(f'p99_ms@{users}'))} | {_ratio(r.get(f'throughput_msg_s@{users}'))} | "
            f"{_ratio(r.get(f'cpu_ms_per_msg@{users}'))} | | |"
        )
    lines += [
        "",
        f"Warm-up errors (each conversation once, before the load): ours "
        f"{_fmt(ours.get('warmup_errors'))}, stock {_fmt(stock.get('warmup_errors'))}.",
        "",
    ]
    lines += [f"![latency per concurrency]({LATENCY_PNG})" if chart_note is None else f"(Chart: {chart_note})", ""]

    def rss(data: dict[str, Any], key: str, part: str) -> str:
        return _fmt((data.get(key) or {}).get(part), " MB")

    lines += [
        "## Start-up, memory, model, training",
        "",
        "| measure | ours | stock | ours / stock |",
        "|---|---|---|---|",
        f"| start-up to ready (both servers answering) | {_fmt(ours.get('startup_s'), ' s')} | "
        f"{_fmt(stock.get('startup_s'), ' s')} | {_ratio(r.get('startup'))} |",
    ]
    for key, label in (("rss_idle_mb", "idle"), ("rss_after_load_mb", "after load")):
        for part, who in (("rasa", "Rasa server"), ("actions", "action server"), ("total", "both")):
            mine, other = (ours.get(key) or {}).get(part), (stock.get(key) or {}).get(part)
            value = round(mine / other, 3) if mine is not None and other else None
            lines.append(f"| RSS {who}, {label} | {rss(ours, key, part)} | {rss(stock, key, part)} | {_ratio(value)} |")
    sizes = report.get("model_size", {})
    lines.append(
        f"| model size (tar.gz) | {_fmt(sizes.get('ours_mb'), ' MB')} | {_fmt(sizes.get('stock_mb'), ' MB')} "
        f"| {_ratio(r.get('model_size'))} |"
    )
    trainings = report.get("training") or {}
    for kind, label in (
        ("full", "full training (`rasa train --force`, empty cache)"),
        ("nlu", "NLU-only training (`rasa train nlu`, empty cache)"),
    ):
        mine = (trainings.get("ours") or {}).get(kind, {})
        other = (trainings.get("stock") or {}).get(kind, {})
        lines.append(
            f"| {label} | {_fmt(mine.get('seconds'), ' s')} | {_fmt(other.get('seconds'), ' s')} | "
            f"{_ratio(r.get(f'training_{kind}'))} |"
        )
    lines += [
        "",
        f"Trainings: medians of {trainings.get('rounds', 1)} interleaved round(s) (ours full, stock "
        "full, ours NLU, stock NLU; further rounds only while they fit `BENCH_TRAIN_BUDGET_MIN`); "
        "the stock bot's first full training is its `rasa init` (which trains from an empty "
        "cache). RSS counts each server's process tree (`/proc/*/status` VmRSS).",
        "",
    ]

    understanding = report.get("understanding", {})
    intent = understanding.get("intent") or {}
    heldout, crossval = intent.get("heldout") or {}, intent.get("crossval") or {}
    entity = (understanding.get("entity") or {}).get("heldout") or {}
    fresh = (understanding.get("fresh") or {}).get("intent") or {}
    treebank = (understanding.get("fresh") or {}).get("treebank") or {}
    theme_sets = report.get("themes", {})
    if "accuracy" in theme_sets:  # a report from before there were two sets
        theme_sets = {"heldout": {**theme_sets, "file": "tools/bench/data/theme_heldout.yml"}}
    themes = theme_sets.get("heldout") or {}
    lines += [
        "## Understanding",
        "",
        f"From `tools.bench.nlu` "
        f"({(understanding.get('nlu_source') or {}).get('how', understanding.get('error', '–'))}).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| intent macro-F1, held-out 20 % (seed 42) | {_fmt(heldout.get('macro_f1'))} |",
        f"| intent macro-F1, {crossval.get('folds', 5)}-fold cross-validation | {_fmt(crossval.get('macro_f1'))} |",
        f"| FAQ sub-intent macro-F1, held-out | {_fmt(heldout.get('faq_subintent_macro_f1'))} |",
        f"| entity F1 (municipality, region), held-out | {_fmt(entity.get('f1'))} |",
        f"| intent macro-F1, fresh test set never tuned on ({_fmt(fresh.get('support'))} unseen texts) "
        f"| {_fmt(fresh.get('macro_f1'))} |",
        f"| unseen real off-topic sentences ({_fmt(treebank.get('sentences'))}) given the off-topic answer "
        f"| {_fmt(treebank.get('off_topic_answer'))} |",
        f"| theme accuracy, held-out descriptions ({_fmt(themes.get('cases'))}) | {_fmt(themes.get('accuracy'))} |",
    ]
    for sector, value in (themes.get("per_sector") or {}).items():
        lines.append(f"| theme accuracy, held-out, {sector} | {_fmt(value)} |")
    development = theme_sets.get("development") or {}
    if development.get("accuracy") is not None:
        lines.append(
            f"| theme accuracy, development descriptions ({_fmt(development.get('cases'))}; "
            f"read while tuning) | {_fmt(development.get('accuracy'))} |"
        )
    lines += [
        "",
        f"Confusion matrix (held-out intents): ![confusion]({CONFUSION_PNG})"
        if confusion_exists
        else "Confusion matrix: not written in this run (tools.bench.nlu did not run or failed).",
        "",
    ]
    for name, scored in theme_sets.items():
        if not scored.get("per_theme"):
            continue
        lines += [
            f"Theme accuracy per expected theme, {name} (`{scored.get('file')}`"
            f"{': ' + scored['about'] if scored.get('about') else ''}; through the running bot: NLU, "
            "the form's slot mapping and validation, `bot.domain.themes`):",
            "",
            "| sector:theme | accuracy | cases |",
            "|---|---|---|",
        ]
        lines += [f"| {k} | {_fmt(v['accuracy'])} | {v['cases']} |" for k, v in scored["per_theme"].items()]
        misses = scored.get("misses") or []
        if misses:
            lines += ["", f"Misses ({len(misses)}; expected → suggested):", ""]
            lines += [
                f"- {m['sector']}: {m['expected'] or 'none'} → {m['suggested'] or 'none'}"
                f"{' (' + m['path_error'] + ')' if m.get('path_error') else ''}: »{m['text']}«"
                for m in misses
            ]
        lines.append("")
    from tools.bench import first_messages

    first = report.get("first_messages") or {}
    if first.get("error"):
        lines += ["## First messages through the running bot", "", f"Not measured: {first['error']}", ""]
    else:
        lines += first_messages.markdown(first)
    prof = report.get("profile") or {}
    if prof.get("percent"):
        lines += [
            f"## Where our Rasa server's time goes ({prof['users']} users, py-spy, this run)",
            "",
            "| part | share of busy samples |",
            "|---|---|",
        ]
        lines += [f"| {k} | {v} % |" for k, v in sorted(prof["percent"].items(), key=lambda kv: -kv[1])]
        lines.append("")
    elif prof.get("error"):
        lines += ["## Profile", "", f"Not sampled: {prof['error']}", ""]
    lines += growth_lines(report.get("growth") or {})
    lines += scaled_lines(report.get("scaled") or {})
    if EXPERIMENTS.exists():
        lines += [EXPERIMENTS.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(lines)


def growth_lines(grown: dict[str, Any]) -> list[str]:
    """The section on how the cost of one message grows with the conversation (tools/bench/growth.py)."""
    if not grown:
        return []
    if grown.get("error"):
        return ["## Cost growth along one conversation", "", f"Not measured: {grown['error']}", ""]
    actions = grown.get("action_server_cpu_ms") or {}
    return [
        "## Cost growth along one conversation (ours)",
        "",
        f"The same question (»{grown.get('probe')}«, mid-form) at turn {grown.get('early_turn')} and at turn "
        f"{grown.get('late_turn')} of one conversation, {grown.get('pairs')} senders each, one message at a "
        "time; CPU of the Rasa server and the action server per message (kernel per-thread run times), "
        "medians (`tools/bench/growth.py`).",
        "",
        "| | turn {0} | turn {1} | turn {1} / turn {0} |".format(grown.get("early_turn"), grown.get("late_turn")),
        "|---|---|---|---|",
        f"| CPU ms per message, both servers | {_fmt(grown.get('early_cpu_ms'))} | "
        f"{_fmt(grown.get('late_cpu_ms'))} | {_ratio(grown.get('ratio'))} |",
        f"| of which the action server | {_fmt(actions.get('early'))} | {_fmt(actions.get('late'))} | |",
        "",
        f"Errors: {'; '.join(grown.get('errors') or []) or 'none'}.",
        "",
    ]


def _over(mine: Optional[float], other: Optional[float]) -> Optional[float]:
    return round(mine / other, 3) if mine is not None and other else None


def _pair(first: Any, second: Any) -> str:
    return f"{_fmt(first)} / {_fmt(second)}"


SCALED_TITLE = "## Scale-out profile: PostgreSQL, Redis, one and two Rasa instances"


def scaled_lines(scaled: dict[str, Any]) -> list[str]:
    """The scale-out section (tools/bench/scaled.py): throughput and latency on one and two instances, memory."""
    if not scaled:
        return []
    if scaled.get("skipped"):
        return [SCALED_TITLE, "", f"Not measured: {scaled['skipped']}.", ""]
    chosen = scaled["settings"]
    speed = scaled.get("speed") or {}
    ours, stock = speed.get("ours") or {}, speed.get("stock") or {}
    most = max(chosen["instances"])
    lines = [
        SCALED_TITLE,
        "",
        f"Each bot as `make run-scaled` runs ours: one action server and {most} Rasa servers (one Sanic worker "
        "each), conversations in PostgreSQL, conversation locks in Redis (`scripts/services.sh`). Ours on "
        "`endpoints.production.yml`; stock on the same file with Rasa's own `SQL` tracker store and `redis` "
        "lock store; each bot in its own database on the same PostgreSQL server and its own Redis database. "
        "There is no load balancer in the profile: the load generator sends each conversation's messages to "
        "the instances in turn, as a round-robin balancer without sticky sessions would "
        "(`tools/bench/load.py` `instance_url`). *1 instance*: all load on the first (the second idles); "
        f"*{most} instances*: spread. One round, {chosen['seconds_per_level']:g} s per level, bot and instance "
        f"count, in {chosen['slices']} slices alternating between the bots; {scaled.get('duration_s', '–')} s "
        "in all. The machine's cores are shared by every process here (both bots, PostgreSQL, Redis, the "
        "load generator): the ratios matter, not the absolute figures.",
        "",
        "| users | Rasa instances | msg/s ours | msg/s stock | msg/s ours / stock | p50 ms ours / stock | "
        "p95 ms ours / stock | CPU ms/msg ours / stock | errors ours / stock |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for users in chosen["users"]:
        rows = {}
        for instances in chosen["instances"]:
            key = f"{users}x{instances}"
            mine, other = (ours.get("levels") or {}).get(key, {}), (stock.get("levels") or {}).get(key, {})
            rows[instances] = (mine, other)
            both = [_pair(mine.get(k), other.get(k)) for k in ("p50_ms", "p95_ms", "cpu_ms_per_msg", "errors")]
            lines.append(
                f"| {users} | {instances} | {_fmt(mine.get('throughput_msg_s'))} | "
                f"{_fmt(other.get('throughput_msg_s'))} | "
                f"{_ratio(_over(mine.get('throughput_msg_s'), other.get('throughput_msg_s')))} | "
                + " | ".join(both)
                + " |"
            )
        (mine_1, other_1), (mine_n, other_n) = rows[min(rows)], rows[max(rows)]

        def gain(after: dict[str, Any], before: dict[str, Any], key: str) -> str:
            return _ratio(_over(after.get(key), before.get(key)))

        lines.append(
            f"| {users} | **{most} / 1** | {gain(mine_n, mine_1, 'throughput_msg_s')} | "
            f"{gain(other_n, other_1, 'throughput_msg_s')} | | "
            f"{gain(mine_n, mine_1, 'p50_ms')} / {gain(other_n, other_1, 'p50_ms')} | "
            f"{gain(mine_n, mine_1, 'p95_ms')} / {gain(other_n, other_1, 'p95_ms')} | | |"
        )
    lines += [
        "",
        f"The **{most} / 1** rows are what the second instance buys on this machine: throughput with the load "
        "spread over both instances against the first alone (above 1× is more), latency likewise (below 1× is "
        "faster).",
        "",
    ]
    runs = {run["bot"]: run for run in scaled.get("runs", [])}

    def instance_rss(bot: str, number: int) -> Optional[float]:
        instances = ((runs.get(bot) or {}).get("rss_after_load_mb") or {}).get("rasa_instances") or []
        return instances[number] if number < len(instances) else None

    lines += [
        "| memory (RSS) | ours | stock | ours / stock |",
        "|---|---|---|---|",
        f"| start-up to ready (action server and {most} Rasa servers) | {_fmt(ours.get('startup_s'), ' s')} | "
        f"{_fmt(stock.get('startup_s'), ' s')} | {_ratio(_over(ours.get('startup_s'), stock.get('startup_s')))} |",
    ]
    for number in range(most):
        mine, other = instance_rss("ours", number), instance_rss("stock", number)
        lines.append(
            f"| Rasa instance {number + 1}, after load | {_fmt(mine, ' MB')} | {_fmt(other, ' MB')} | "
            f"{_ratio(_over(mine, other))} |"
        )
    for key, part, label in (
        ("rss_after_load_mb", "actions", "action server, after load"),
        ("rss_idle_mb", "total", f"all: {most} Rasa servers and the action server, idle"),
        ("rss_after_load_mb", "total", f"all: {most} Rasa servers and the action server, after load"),
    ):
        mine, other = (ours.get(key) or {}).get(part), (stock.get(key) or {}).get(part)
        lines.append(f"| {label} | {_fmt(mine, ' MB')} | {_fmt(other, ' MB')} | {_ratio(_over(mine, other))} |")
    infrastructure = scaled.get("infrastructure_mb") or {}
    postgres, redis = infrastructure.get("postgres") or {}, infrastructure.get("redis") or {}
    lines += [
        "",
        "Shared by both bots (measured after the load, both bots connected): PostgreSQL "
        f"{_fmt(postgres.get('rss_mb'), ' MB')} RSS summed over the postmaster and its backends (which counts "
        f"its shared buffers once per process), {_fmt(postgres.get('pss_mb'), ' MB')} PSS (shared memory "
        f"counted once); Redis {_fmt(redis.get('rss_mb'), ' MB')} RSS.",
        "",
    ]
    if scaled.get("problems"):
        lines += ["**Problems in this section:** " + "; ".join(scaled["problems"]), ""]
    return lines


def write(report: dict[str, Any], reports: Path) -> None:
    chart_note = latency_chart(report, reports / LATENCY_PNG) if report.get("runs") else "no runs"
    (reports / "bench.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    (reports / "bench.md").write_text(
        markdown(report, chart_note, (reports / CONFUSION_PNG).exists()) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    reports_dir = Path(__file__).resolve().parents[2] / "reports"
    write(json.loads((reports_dir / "bench.json").read_text(encoding="utf-8")), reports_dir)
    print(f"wrote {reports_dir / 'bench.md'}")
