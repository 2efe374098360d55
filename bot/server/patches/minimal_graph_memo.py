"""`minimal_graph_memo`: the nodes a graph run needs, worked out once per set of targets.

Before every run of the model's graph (an NLU parse, a policy prediction) Rasa works out which
nodes the targets need, walking the dependencies without remembering any: 4 % of the server's
time. We remember the answer per targets.

Replaces `GraphSchema.minimal_graph_schema`.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from bot.server.patches._replace import replace


def apply() -> Callable[[], None]:
    from rasa.engine.graph import GraphSchema

    rasas = GraphSchema.minimal_graph_schema

    def minimal_graph_schema(self: Any, targets: Optional[list] = None) -> Any:
        """Rasa's GraphSchema.minimal_graph_schema, worked out once per set of targets.

        Each call returns a new GraphSchema over a new dict of the same nodes, as Rasa's does;
        the memo is keyed by the targets and by the identity and size of `nodes`, so a schema
        whose nodes are replaced or extended is worked out again.
        """
        memo = self.__dict__.setdefault("_minimal_schemas", {})
        key = (tuple(targets) if targets else None, id(self.nodes), len(self.nodes))
        found = memo.get(key)
        if found is None:
            found = memo[key] = rasas(self, targets)
        return GraphSchema(dict(found.nodes))

    return replace(GraphSchema, "minimal_graph_schema", minimal_graph_schema)
