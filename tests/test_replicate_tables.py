"""Seeded replicate tables stay identical to the last digit across speed-ups.

The fingerprints in ``reference/replicate_tables.json`` were computed by the
simulator before its matcher was rewritten, its thread count controlled and
its pool cached (the code of commit 1b75747): every column of every
replicate, hashed. A faster path that changed a single draw, match or
rounding of any replicate would change a fingerprint. Regenerate only for a
change meant to alter what is simulated (and argued in docs/simulation.md):

    python tests/test_replicate_tables.py > tests/reference/replicate_tables.json

The file also records the machine they were taken on (CPU instruction sets, BLAS
library, numpy's and scipy's versions): on another one a mismatch is skipped with
the difference named, as its last bits may differ.
"""

from __future__ import annotations

import hashlib
import json
import pathlib

import pandas as pd
import pytest

from powerplan import (Frequency, Headline, Scenario, SimulationSettings, Simulator, TimeToFirst,
                       compare_measures)

REFERENCE = pathlib.Path(__file__).parent / "reference" / "replicate_tables.json"

CASES = {
    "default": Scenario(simulation=SimulationSettings(pool=20_000)),
    "issue-setting": Scenario(cohort=200, funnel=1.0, effect=-0.08,
                              simulation=SimulationSettings(pool=20_000, k=5)),
    "k1-narrow": Scenario(cohort=400, simulation=SimulationSettings(pool=5_000, k=1,
                                                                    caliper=0.05)),
    "k20-strong": Scenario(cohort=250, funnel=0.8, simulation=SimulationSettings(
        pool=8_000, k=20, selection=1.2, outcome_strength=2.0)),
    "no-covariates": Scenario(cohort=150, simulation=SimulationSettings(
        pool=3_000, outcome_strength=0.0, selection=0.0)),
    "without-replacement": Scenario(cohort=120, simulation=SimulationSettings(
        pool=2_000, k=3, replacement=False)),
    "small-pool": Scenario(cohort=60, funnel=1.0, simulation=SimulationSettings(pool=100, k=2)),
    "frequency": Scenario(outcome=Frequency(), cohort=300,
                          simulation=SimulationSettings(pool=6_000)),
    "time": Scenario(outcome=TimeToFirst(), cohort=400, simulation=SimulationSettings(pool=6_000)),
    # the three measures of the same studies (compare_measures)
    "headline": Scenario(cohort=300, simulation=SimulationSettings(pool=6_000)),
}
#: Columns added after the fingerprints were taken: each study's confidence interval,
#: computed from its estimate, standard error and degrees of freedom (checked against
#: statsmodels and the verdict in tests/test_replicate_intervals.py). They are left out
#: so that the fingerprints still compare the draws with the old code's.
ADDED_SINCE = {f"{prefix}ci_{end}" for prefix in ("", "frequency_", "time_")
               for end in ("low", "high")}
SEEDS = (1, 2, 3)
N_SIMS = 48


def fingerprint(scenario: Scenario, seed: int, **run) -> str:
    """A hash of every column of the seeded replicate table(s)."""
    simulator = Simulator(n_sims=N_SIMS, seed=seed, **run)
    if scenario is CASES["headline"]:
        results = compare_measures(scenario, Headline.of(scenario.outcome),
                                   engine=simulator).results.values()
    else:
        results = [simulator.power(scenario)]
    digest = hashlib.sha256()
    for table in (result.replicates for result in results):
        for name in (c for c in table.columns if c not in ADDED_SINCE):
            digest.update(name.encode())
            digest.update(pd.util.hash_pandas_object(table[name], index=False).to_numpy()
                          .tobytes())
    return digest.hexdigest()[:32]


def platform() -> dict:
    """What the last bits of a replicate can depend on besides the code: the CPU's
    instruction sets numpy dispatches on, the BLAS library, numpy's and scipy's versions."""
    import numpy
    import scipy
    import scipy.linalg  # noqa: F401 (loads scipy's own BLAS, whichever else is loaded)
    from numpy._core._multiarray_umath import __cpu_features__
    from threadpoolctl import threadpool_info

    blas = sorted(f"{d.get('internal_api')} {d.get('version')} {d.get('architecture')}"
                  for d in threadpool_info() if d.get("user_api") == "blas")
    return {"cpu": sorted(name for name, on in __cpu_features__.items() if on),
            "blas": blas, "numpy": numpy.__version__, "scipy": scipy.__version__}


def check(found: str, expected: str, reference: dict) -> None:
    """The fingerprint is the one taken; where it is not and this machine differs from the
    one the fingerprints were taken on, the test is skipped, saying how: another CPU or
    BLAS library can change the last bits of a fit and so, rarely, a match (the
    simulator stays reproducible there: test_unchanged_with_workers_and_chunks)."""
    if found == expected:
        return
    here, there = platform(), reference.get("_platform", {})
    differs = [key for key in here if here[key] != there.get(key)]
    if differs:
        pytest.skip(f"the fingerprints are the bits of the machine they were taken on, and "
                    f"this one differs in {', '.join(differs)}")
    assert found == expected


@pytest.fixture(scope="module")
def reference():
    return json.loads(REFERENCE.read_text())


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_replicate_table_is_unchanged(reference, case, seed):
    check(fingerprint(CASES[case], seed), reference[f"{case}/{seed}"], reference)


@pytest.mark.slow
def test_unchanged_with_workers_and_chunks(reference):
    # on any machine: the same table however the replicates are split and run
    split = fingerprint(CASES["default"], 2, workers=2, chunk_size=16)
    assert split == fingerprint(CASES["default"], 2)
    check(split, reference["default/2"], reference)


if __name__ == "__main__":
    print(json.dumps({f"{case}/{seed}": fingerprint(scenario, seed)
                      for case, scenario in CASES.items() for seed in SEEDS}
                     | {"_platform": platform()}, indent=1))


@pytest.mark.slow
def test_values_sharing_one_pool_have_the_replicates_of_each_run_alone():
    # A sweep's values share their seed and so their pool, drawn once (sharing_pools):
    # each value's replicates are those of simulating it on its own.
    from powerplan import simulate, sweep

    scenario = CASES["issue-setting"]
    curve = sweep(scenario, "cohort", [150, 200], engine="simulate", n_sims=32, seed=5)
    for value, result in zip([150, 200], curve.results):
        alone = simulate(scenario.replace(cohort=value), n_sims=32, seed=5)
        pd.testing.assert_frame_equal(result.replicates_frame(), alone.replicates_frame())


def test_a_changed_fingerprint_fails_here_and_is_skipped_on_another_machine(reference):
    with pytest.raises(AssertionError):
        check("changed", reference["default/1"], reference)
    elsewhere = dict(reference, _platform=dict(reference["_platform"], blas=["another"]))
    with pytest.raises(pytest.skip.Exception, match="differs in blas"):
        check("changed", reference["default/1"], elsewhere)
    check(reference["default/1"], reference["default/1"], elsewhere)  # the same bits pass
