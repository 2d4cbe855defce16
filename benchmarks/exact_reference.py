"""Record the exact sums' chances over a broad sample of cases, or compare two records.

A faster search for the sums' boundaries must find the same boundaries: run this
with ``PYTHONPATH`` at the code of before a change and at the code of after, and
compare (chances equal within 1e-12 absolute; summation order may change the
last bits).

    PYTHONPATH=/tmp/exact-base python benchmarks/exact_reference.py record before.npz
    python benchmarks/exact_reference.py record after.npz
    python benchmarks/exact_reference.py compare before.npz after.npz

The sample (seed 16): whole and fractional sizes from 2 to 3,000 treated with
comparison groups a tenth to 30 times as large (and tiny groups), comparison
rates from 0.1% to 99.9% (and 0 and 1), treated rates around them, all five
tests, alpha 0.01 / 0.05 / 0.2, the three alternatives; each case is one call of
:func:`powerplan.formulas.exact.exact_chances` with a few sizes and rates, as
the funnel averages make them, plus a solve-like run of consecutive sizes.
"""

from __future__ import annotations

import sys

import numpy as np

TESTS = ("welch", "wald", "pooled", "arcsine", "fleiss-cc")
ALTERNATIVES = ("two-sided", "less", "greater")


def cases(seed: int = 16):
    rng = np.random.default_rng(seed)
    out = []
    for i in range(400):
        test = TESTS[i % len(TESTS)]
        alternative = ALTERNATIVES[(i // len(TESTS)) % 3]
        alpha = float(rng.choice([0.01, 0.05, 0.05, 0.2]))
        p2 = float(rng.choice([rng.uniform(0.001, 0.02), rng.uniform(0.02, 0.98),
                               rng.uniform(0.98, 0.999), 0.0, 1.0, 0.5, 0.1],
                              p=[0.15, 0.5, 0.1, 0.05, 0.05, 0.05, 0.1]))
        low = 2.0 if test == "welch" else 1.0
        size = float(np.exp(rng.uniform(np.log(low), np.log(3000))))
        if rng.random() < 0.3:
            n1 = np.round(size) + np.arange(0, rng.integers(1, 40))
        else:
            n1 = np.maximum(low, size + rng.uniform(-3, 3, rng.integers(1, 6)))
            if rng.random() < 0.5:
                n1 = np.round(n1)
        ratio = float(rng.choice([0.1, 0.5, 1.0, 1.0, 3.7, 10.0, 10.0, 30.0]))
        n2 = np.maximum(low, n1 * ratio)
        if rng.random() < 0.3:
            n2 = np.round(n2)
        n1 = np.minimum(n1, 3000.0)
        rates = np.clip(p2 + rng.uniform(-0.1, 0.1, rng.integers(1, 4)), 0.0, 1.0)
        rates = np.concatenate([rates, [p2]])
        out.append((test, alternative, alpha, p2, n1, n2, rates))
    return out


def record(path: str) -> None:
    from powerplan.formulas import exact

    results = {}
    for i, (test, alternative, alpha, p2, n1, n2, rates) in enumerate(cases()):
        lower, higher = exact.exact_chances(rates[None, :], p2, n1[:, None], n2[:, None],
                                            test=test, alpha=alpha, alternative=alternative)
        results[f"lower{i}"], results[f"higher{i}"] = lower, higher
    np.savez(path, **results)
    print(f"code: {exact.__file__}")
    print(f"recorded {len(results) // 2} cases in {path}")


def compare(before: str, after: str) -> int:
    a, b = np.load(before), np.load(after)
    worst, where = 0.0, None
    for key in a.files:
        gap = float(np.max(np.abs(a[key] - b[key]))) if a[key].size else 0.0
        if gap > worst:
            worst, where = gap, key
    print(f"{len(a.files) // 2} cases; largest difference {worst:.3g} (at {where})")
    return 0 if worst <= 1e-12 else 1


if __name__ == "__main__":
    if sys.argv[1] == "record":
        record(sys.argv[2])
    else:
        sys.exit(compare(sys.argv[2], sys.argv[3]))
