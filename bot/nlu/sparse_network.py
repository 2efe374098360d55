"""The intent model's network: one ReLU hidden layer and a softmax, trained as scikit-learn's
MLPClassifier trains it (same start, same shuffles, Adam, L2 penalty), at a fraction of its cost.

Why not MLPClassifier itself: its Adam step rewrites every weight of the first layer, a dense
(features x hidden units) matrix (30,000 x 128 on our data), although a batch of 200 messages
uses a sixth of the features. That was about 40 % of `rasa train`. Here the first layer's rows
that a batch does not use are brought up to date lazily, the next time a batch uses them (and
at the end): with no gradient, Adam's moments only decay, so the steps a row missed are one
sum, `m / sqrt(v)` times the learning rates scaled by (beta_1 / sqrt(beta_2)) ** steps ago.
Two approximations, both tiny: Adam's epsilon is left out of the missed steps, and so is the
L2 penalty's pull on rows a batch does not use (alpha / batch size, 5e-7 of a weight per step).
`lazy=False` updates every row at every step: the weights MLPClassifier gives, to rounding
(tests/nlu/test_sparse_network.py).
"""

from __future__ import annotations

from typing import Any, List, Sequence, Tuple

import numpy as np
import scipy.sparse

# scikit-learn's MLPClassifier defaults (Adam)
LEARNING_RATE = 1e-3
BETA_1 = 0.9
BETA_2 = 0.999
EPSILON = 1e-8
# Missed steps older than this add nothing: (beta_1 / sqrt(beta_2)) ** 400 < 1e-18.
CATCH_UP_WINDOW = 400


def train_network(
    features: scipy.sparse.csr_matrix,
    labels: Sequence[int],
    n_classes: int,
    hidden_units: int,
    epochs: int,
    batch_size: int = 200,
    alpha: float = 1e-4,
    seed: int = 42,
    lazy: bool = True,
    dtype: Any = np.float32,
) -> List[Tuple[np.ndarray, np.ndarray]]:
    """(weights, bias) of the hidden and the output layer, as MLPClassifier(hidden_layer_sizes=
    (hidden_units,), alpha, batch_size, max_iter=epochs, random_state=seed) learns them.

    `labels`: each example's class index (0 .. n_classes - 1, the order of sorted class names).
    No early stop: MLPClassifier's (no gain in 10 passes) never triggers in our few passes.
    """
    features = scipy.sparse.csr_matrix(features, dtype=dtype)
    n_samples, n_features = features.shape
    targets = np.zeros((n_samples, n_classes), dtype=dtype)
    targets[np.arange(n_samples), np.asarray(labels)] = 1.0
    random = np.random.RandomState(seed)
    w1, b1 = _glorot(random, n_features, hidden_units)
    # The first layer's weights and Adam moments side by side, one row per feature: a batch's
    # rows are gathered and put back in one step each (float32: half the memory to move).
    first = np.zeros((n_features, 3, hidden_units), dtype=dtype)
    first[:, 0] = w1
    del w1
    w2, b2 = _glorot(random, hidden_units, n_classes)
    b1, w2, b2 = (p.astype(dtype) for p in (b1, w2, b2))
    dense = [w2, b1, b2]  # the small parameters: plain Adam
    dense_m = [np.zeros_like(p) for p in dense]
    dense_v = [np.zeros_like(p) for p in dense]
    last = np.zeros(n_features, dtype=np.int64)  # the step each first-layer row is up to date with
    fresh = np.arange(n_features)  # the first-layer rows no batch has used yet
    batch_size = int(np.clip(batch_size, 1, n_samples))
    batches = -(-n_samples // batch_size)
    rates = _rates(epochs * batches)
    ratio = BETA_1 / np.sqrt(BETA_2)
    order = np.arange(n_samples)
    step = 0
    for _ in range(epochs):
        # sklearn.utils.shuffle's draw, so the batches are MLPClassifier's
        shuffled = np.arange(n_samples)
        random.shuffle(shuffled)
        order = order[shuffled]
        for start in range(0, n_samples, batch_size):
            step += 1
            rows = order[start : start + batch_size]
            batch = features[rows]
            if lazy:
                used, local = np.unique(batch.indices, return_inverse=True)
                batch = scipy.sparse.csr_matrix((batch.data, local, batch.indptr), shape=(len(rows), len(used)))
                block = first[used]
                _catch_up(block, step - 1 - last[used], last[used], rates, ratio)
            else:
                block = first
            w1_used, m_used, v_used = block[:, 0], block[:, 1], block[:, 2]
            hidden = np.maximum(batch @ w1_used + b1, 0.0)
            scores = hidden @ w2 + b2
            scores -= scores.max(axis=1, keepdims=True)
            probabilities = np.exp(scores)
            probabilities /= probabilities.sum(axis=1, keepdims=True)
            n = len(rows)
            delta2 = probabilities - targets[rows]
            delta1 = delta2 @ w2.T
            delta1[hidden == 0] = 0.0
            grad_w1 = np.asarray(batch.T @ delta1)
            grad_w1 += alpha * w1_used
            grad_w1 /= n
            grads = [(hidden.T @ delta2 + alpha * w2) / n, delta1.mean(axis=0), delta2.mean(axis=0)]
            rate = rates[step]
            for param, m, v, grad in zip(dense, dense_m, dense_v, grads):
                _adam(param, m, v, grad, rate)
            _adam(w1_used, m_used, v_used, grad_w1, rate)
            if lazy:
                first[used] = block
                last[used] = step
                # Rows no batch has used yet have the L2 penalty as their whole gradient, which
                # Adam scales up to a real step: taken as MLPClassifier takes it.
                fresh = fresh[~np.isin(fresh, used, assume_unique=True)]
                if len(fresh):
                    block = first[fresh]
                    _adam(block[:, 0], block[:, 1], block[:, 2], alpha * block[:, 0] / n, rate)
                    first[fresh] = block
                    last[fresh] = step
    if lazy:
        behind = np.flatnonzero(last < step)
        block = first[behind]
        _catch_up(block, step - last[behind], last[behind], rates, ratio)
        first[behind] = block
    return [(np.ascontiguousarray(first[:, 0]), b1), (w2, b2)]


def _glorot(random: np.random.RandomState, fan_in: int, fan_out: int) -> Tuple[np.ndarray, np.ndarray]:
    """MLPClassifier's start for a ReLU network's layer (Glorot's uniform, factor 6)."""
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return random.uniform(-bound, bound, (fan_in, fan_out)), random.uniform(-bound, bound, fan_out)


def _rates(steps: int) -> np.ndarray:
    """Adam's bias-corrected learning rate at each step (index 0 unused)."""
    t = np.arange(steps + 1, dtype=np.float64)
    t[0] = 1.0
    return LEARNING_RATE * np.sqrt(1 - BETA_2**t) / (1 - BETA_1**t)


def _adam(param: np.ndarray, m: np.ndarray, v: np.ndarray, grad: np.ndarray, rate: float) -> None:
    """One Adam step, in place (MLPClassifier's AdamOptimizer)."""
    m *= BETA_1
    m += (1 - BETA_1) * grad
    v *= BETA_2
    v += (1 - BETA_2) * grad**2
    param -= rate * m / (np.sqrt(v) + EPSILON)


def _catch_up(
    block: np.ndarray,
    missed: np.ndarray,
    last: np.ndarray,
    rates: np.ndarray,
    ratio: float,
) -> None:
    """Bring rows of the first layer (`block`: weights, Adam's m and v; in place) over the Adam
    steps each missed (`missed`, after step `last`), with zero gradient.

    Missed step last + j moves a row by rates[last + j] * ratio**j * m / sqrt(v) (its moments
    decayed j times, epsilon left out); the moments end decayed `missed` times.
    """
    behind = np.flatnonzero(missed > 0)
    if not len(behind):
        return
    missed, last = missed[behind], last[behind]
    starts, which = np.unique(last, return_inverse=True)
    j = np.arange(1, CATCH_UP_WINDOW + 1)
    steps = np.minimum(starts[:, None] + j, len(rates) - 1)
    weights = rates[steps] * ratio**j
    cumulative = np.cumsum(weights, axis=1)
    moved = cumulative[which, np.minimum(missed, CATCH_UP_WINDOW) - 1]
    rows = block[behind]
    m, v = rows[:, 1], rows[:, 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        direction = np.where(v > 0, m / np.sqrt(v), 0.0)
    rows[:, 0] -= moved[:, None].astype(block.dtype) * direction
    m *= (BETA_1**missed)[:, None].astype(block.dtype)
    v *= (BETA_2**missed)[:, None].astype(block.dtype)
    block[behind] = rows
