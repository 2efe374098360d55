"""`graph_run_in_order`: the model's graph run node after node, without dask's scheduler.

Every message runs the model's graph at least twice (the NLU parse, then a policy prediction
after each action), and Rasa hands each run to dask's synchronous scheduler (`dask.get`), which
orders the tasks, tracks ready and finished ones and frees results as it goes: about a tenth of
the server's CPU per message at the start of a conversation, for graphs of a dozen nodes that
run one after the other anyway.

We run the same graph that Rasa builds for dask (`_build_dask_graph`, with its inputs added),
with dask's own rules for what a task is and what its arguments mean: a tuple whose first item
is callable is called with its arguments, an argument that names a key gets that key's result,
anything else is taken as it is. Each node runs once, after the nodes it needs, in the order it
names them; then any other task of the graph, as dask runs them all (Rasa's graph holds only the
nodes the targets need). The order of nodes that do not need each other may differ from dask's;
Rasa's graph nodes pass data only through their inputs and outputs, so the results are the
same. Errors are
raised as dask raises them (the node's own exception; RuntimeError, and a cycle, become Rasa's
GraphRunError). Tested against dask: the same parses and predictions at every step of played
conversations (tests/server/test_rasa_patches.py).

Replaces `DaskGraphRunner.run`.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, Hashable, List, Mapping, Optional, Sequence, Text

from bot.server.patches._replace import replace


def _is_task(value: Any) -> bool:
    return type(value) is tuple and bool(value) and callable(value[0])  # dask.core.istask


def _names_a_key(value: Any, graph: Mapping) -> bool:
    try:
        return value in graph
    except TypeError:  # unhashable: a value, as for dask
        return False


def run_in_order(graph: Mapping[Hashable, Any], targets: Sequence[Hashable]) -> List[Any]:
    """The results of `targets` in a dask graph of tasks whose arguments are keys or values."""
    results: Dict[Hashable, Any] = {}
    running: set = set()

    def result(key: Hashable) -> Any:
        if key in results:
            return results[key]
        if key in running:
            raise RuntimeError(f"Cycle detected in the graph at {key!r}")
        running.add(key)
        task = graph[key]
        if _is_task(task):
            arguments = [result(argument) if _names_a_key(argument, graph) else argument for argument in task[1:]]
            value = task[0](*arguments)
        else:
            value = task  # a literal: dask gives it as it is
        running.discard(key)
        results[key] = value
        return value

    wanted = [result(target) for target in targets]
    for key in graph:  # dask runs every task of the graph (Rasa's graphs hold only needed ones)
        result(key)
    return wanted


def apply() -> Callable[[], None]:
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner import dask as rasa_dask
    from rasa.engine.runner.dask import DaskGraphRunner

    logger = logging.getLogger(rasa_dask.__name__)

    def run(
        self: Any, inputs: Optional[Dict[Text, Any]] = None, targets: Optional[List[Text]] = None
    ) -> Dict[Text, Any]:
        """Rasa's DaskGraphRunner.run, the graph run in order rather than by dask."""
        run_targets = targets if targets else self._graph_schema.target_names
        minimal_schema = self._graph_schema.minimal_graph_schema(run_targets)
        run_graph = self._build_dask_graph(minimal_schema)
        if inputs:
            self._add_inputs_to_graph(inputs, run_graph)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(f"Running graph with inputs: {inputs}, targets: {targets} and {self._execution_context}.")
        try:
            return dict(run_in_order(run_graph, run_targets))
        except RuntimeError as e:
            raise GraphRunError("Error running runner.") from e

    return replace(DaskGraphRunner, "run", run)
