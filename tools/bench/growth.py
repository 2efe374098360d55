"""How the cost of one message grows with the length of the conversation.

One long conversation in one session: the first four answers of the full application in
conversations.yml, after which the form asks whether the theme fits; then the user asks
questions there, turn after turn (the two mid-form questions of conversations.yml, in turn),
and the form asks again each time. The same question comes at turn 5 and at turn 40, in the
same dialogue state: both answers do the same work, only the history before them differs
(~40 events against ~330). (Starting a new application would not do: "ny ansøgning" restarts
the conversation, and Rasa reads only the latest session.) Senders are brought to turn 4 and to
turn 39, then the question is asked, alternating an early and a late sender, one message at a
time; the CPU the Rasa server and the action server spend on each is read from the kernel's
per-thread run times (nanoseconds, /proc/<pid>/task/*/schedstat). Turn 40 against turn 5 is a
ratio of medians of the same message.

    python -m tools.bench.growth            # our stack, models/current.tar.gz; prints the figures
    python -m tools.bench.growth now: without:RASA_PATCHES=-rule_policy_recent_states   # side by side
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Optional, Sequence

import aiohttp

from tools.bench import load
from tools.bench.stacks import Started, process_tree, start_ours

EARLY, LATE = 5, 40  # 1-based turns of the probe
ANSWERS_BEFORE = 4  # "Hej" and three answers of the full application: the form then asks whether the theme fits


def growth_conversation(conversations: Sequence[load.Conversation]) -> load.Conversation:
    """The long conversation: the probe at turns EARLY and LATE, questions mid-form in between."""
    application = next(c for c in conversations if c.name == "full_municipal_application").messages
    questions = next(c for c in conversations if c.name == "question_mid_form")
    (probe, probe_answer), (other, other_answer) = [
        (questions.messages[i], answer) for i, answer in sorted(questions.expect.items())[:2]
    ]
    if ANSWERS_BEFORE != EARLY - 1:
        raise ValueError("the probe must follow the application's first answers")
    messages = [*application[:ANSWERS_BEFORE], probe]
    expect = {EARLY - 1: probe_answer}
    while len(messages) < LATE - 1:
        expect[len(messages)] = probe_answer if len(messages) % 2 == EARLY % 2 else other_answer
        messages.append(probe if len(messages) % 2 == EARLY % 2 else other)
    expect[LATE - 1] = probe_answer
    messages.append(probe)
    return load.Conversation(name="growth", messages=tuple(messages), expect=expect)


def tree_cpu_ns(pid: int) -> int:
    """CPU time of a process tree so far, in nanoseconds (every thread's schedstat)."""
    total = 0
    for current in process_tree(pid):
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                total += int((task / "schedstat").read_text().split()[0])
            except (OSError, ValueError, IndexError):
                continue
    return total


def _stack_cpu_ns(started: Started) -> tuple[int, int]:
    """CPU so far of the Rasa server and of the action server."""
    actions, rasa = started.stack.processes[:2]
    return tree_cpu_ns(rasa.pid), tree_cpu_ns(actions.pid)


async def _measure_pairs(
    stacks: dict[str, Started], conversation: load.Conversation, pairs: int, prefix: str
) -> dict[str, dict[str, Any]]:
    """`pairs` senders brought to turn EARLY and as many to turn LATE on each stack; then the probe.

    Each probe's CPU is read on its own (messages go one at a time), and early and late probes
    of every stack alternate, so all meet the same background load on a shared machine.
    """
    for started in stacks.values():
        load.check_loopback(started.webhook)
    measured = {
        name: {"cpu_ms": {"early": [], "late": []}, "actions_ms": {"early": [], "late": []}, "errors": []}
        for name in stacks
    }
    timeout = aiohttp.ClientTimeout(total=load.REQUEST_TIMEOUT_S)

    async def send(session: aiohttp.ClientSession, name: str, sender: str, turn: int) -> None:
        """One message; a probe's CPU ms in both servers, and in the action server alone."""
        started, mine = stacks[name], measured[name]
        message = conversation.messages[turn - 1]
        rasa_before, actions_before = _stack_cpu_ns(started)
        try:
            _, body = await load._send(session, started.webhook, sender, message)
        except Exception as error:  # a benchmark reports
            mine["errors"].append(f"turn {turn}: {type(error).__name__}: {error}"[:300])
            return
        rasa_after, actions_after = _stack_cpu_ns(started)
        wanted = conversation.expect.get(turn - 1)
        if wanted and wanted.lower() not in load._reply_text(body).lower():
            mine["errors"].append(f"turn {turn}: reply lacks {wanted!r}")
        if turn in (EARLY, LATE):
            kind = "early" if turn == EARLY else "late"
            mine["cpu_ms"][kind].append((rasa_after - rasa_before + actions_after - actions_before) / 1e6)
            mine["actions_ms"][kind].append((actions_after - actions_before) / 1e6)

    names = list(stacks)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        for pair in range(pairs):  # the history before the probes, not measured
            for turn in range(1, LATE):
                for name in names:
                    if turn < EARLY:
                        await send(session, name, f"{prefix}-early-{pair}", turn)
                    await send(session, name, f"{prefix}-late-{pair}", turn)
        for pair in range(pairs):
            kinds = [("early", EARLY), ("late", LATE)]
            order = [(name, kind) for kind in kinds for name in names]
            for name, (kind, turn) in order if pair % 2 == 0 else order[::-1]:
                await send(session, name, f"{prefix}-{kind}-{pair}", turn)
    return measured


def _summary(conversation: load.Conversation, pairs: int, played: dict[str, Any]) -> dict[str, Any]:
    early, late = played["cpu_ms"]["early"], played["cpu_ms"]["late"]
    early_ms = statistics.median(early) if early else None
    late_ms = statistics.median(late) if late else None
    return {
        "pairs": pairs,
        "probe": conversation.messages[EARLY - 1],
        "early_turn": EARLY,
        "late_turn": LATE,
        "early_cpu_ms": None if early_ms is None else round(early_ms, 2),
        "late_cpu_ms": None if late_ms is None else round(late_ms, 2),
        "ratio": round(late_ms / early_ms, 3) if early_ms and late_ms else None,
        "early_quartiles_ms": _quartiles(early),
        "late_quartiles_ms": _quartiles(late),
        "action_server_cpu_ms": {
            kind: round(statistics.median(values), 2) if values else None
            for kind, values in played["actions_ms"].items()
        },
        "errors": played["errors"][:10],
    }


def measure_many(stacks: dict[str, Started], pairs: int = 24) -> dict[str, dict[str, Any]]:
    """For each stack, the probe's CPU at turn LATE against EARLY (medians over `pairs` senders each)."""
    conversation = growth_conversation(load.load_conversations())
    played = asyncio.run(_measure_pairs(stacks, conversation, pairs, f"growth{time.monotonic_ns()}"))
    return {name: _summary(conversation, pairs, played[name]) for name in stacks}


def measure(started: Started, pairs: int = 24) -> dict[str, Any]:
    """The probe's CPU at turn LATE against EARLY for one stack."""
    return measure_many({"ours": started}, pairs)["ours"]


def _quartiles(values: list[float]) -> Optional[list[float]]:
    return [round(v, 2) for v in statistics.quantiles(values, n=4)] if len(values) >= 2 else None


def main(argv: list[str]) -> int:
    """`python -m tools.bench.growth [name:KEY=VALUE,... ...]`: variants of our stack side by side
    (environment settings as in tools.bench.compare; none: our stack as configured)."""
    from tools.bench.compare import parse_variant
    from tools.bench.run import MODEL

    variants = [parse_variant(v) for v in argv] or [("ours", {})]
    pairs = int(os.environ.get("BENCH_GROWTH_PAIRS") or 24)
    with tempfile.TemporaryDirectory(prefix="growth-") as tmp:
        stacks: dict[str, Started] = {}
        try:
            for name, settings in variants:
                env = {k: v for k, v in settings.items() if k != "MODEL"}
                stacks[name] = start_ours(Path(tmp) / name, Path(settings.get("MODEL", str(MODEL))), env=env)
                asyncio.run(load.play_once(stacks[name].webhook, load.load_conversations(), f"growth-warm-{name}"))
            results = measure_many(stacks, pairs)
        finally:
            for started in stacks.values():
                started.stack.stop()
    for name, result in results.items():
        print(
            f"{name}: CPU per message, turn {EARLY}: {result['early_cpu_ms']} ms (quartiles "
            f"{result['early_quartiles_ms']}); turn {LATE}: {result['late_cpu_ms']} ms "
            f"({result['late_quartiles_ms']}); ratio {result['ratio']}; action server "
            f"{result['action_server_cpu_ms']}; errors: {result['errors'] or 'none'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
