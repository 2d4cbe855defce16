"""What the other headline measures cost: analytic power per measure, and simulating all
three measures of a study against simulating the rate alone.

    python benchmarks/bench_measures.py [--sims N] [--repeats R]

Analytic: microseconds per call of ``powerplan.analytic`` for each measure at three
cohorts (the default scenario otherwise; the best of R timings of a loop, so that
other work on the machine inflates it least). Simulated: seconds for ``n_sims``
studies of the default scenario (cohort 300, pool 50,000), the rate alone
(``Simulator.power``) and the three measures together (``compare_measures``),
interleaved R times, and the ratios of the best and of the median times, of
CPU time (which other work on a shared machine disturbs least) and of wall
time. docs/performance.md gives the
figures; the target is at most 1.3x.
"""

import argparse
import statistics
import time
import timeit

from powerplan import Frequency, Rate, Scenario, Simulator, TimeToFirst, analytic, \
    compare_measures


def analytic_microseconds(repeats: int) -> None:
    print("analytic power, microseconds per scenario (best of", repeats, "loops)")
    print(f"{'measure':<10} {'cohort 300':>11} {'cohort 2,000':>13} {'cohort 20,000':>14}")
    for outcome in (Rate(), Frequency(), TimeToFirst()):
        cells = []
        for cohort in (300, 2000, 20_000):
            scenario = Scenario(outcome=outcome, cohort=cohort)
            analytic(scenario)
            timer = timeit.Timer(lambda: analytic(scenario))
            number, _ = timer.autorange()
            best = min(timer.repeat(repeat=repeats, number=number)) / number
            cells.append(f"{1e6 * best:,.0f}")
        print(f"{outcome.name:<10} {cells[0]:>11} {cells[1]:>13} {cells[2]:>14}")


def simulated_ratio(n_sims: int, repeats: int) -> None:
    scenario = Scenario()
    runs = {"rate alone": [], "all three": []}
    for repeat in range(repeats):
        for name, run in (("rate alone", lambda: Simulator(n_sims=n_sims, seed=repeat)
                           .power(scenario)),
                          ("all three", lambda: compare_measures(
                              scenario, engine=Simulator(n_sims=n_sims, seed=repeat)))):
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            runs[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    print(f"\nsimulating {n_sims:,} studies of the default scenario, {repeats} runs each, "
          f"interleaved; seconds of CPU time (and wall time), one process")
    for name, times in runs.items():
        print(f"{name + ':':<12}", ", ".join(f"{cpu:.2f} ({wall:.2f})" for wall, cpu in times))
    for kind, index in (("CPU", 1), ("wall", 0)):
        for summary, pick in (("best", min), ("median", statistics.median)):
            ratio = (pick(t[index] for t in runs["all three"])
                     / pick(t[index] for t in runs["rate alone"]))
            print(f"ratio of {summary} {kind} times: {ratio:.3f}x (target at most 1.3x)")


def block_ratio(blocks: int, repeats: int) -> None:
    """The replicates' own cost, without the preparation both share: each block of 16
    studies run for the rate alone and for all three, best of ``repeats`` CPU timings."""
    import dataclasses

    from powerplan import Headline
    from powerplan.simulator import headline as joint, replicate

    scenario = Scenario()
    study = replicate.prepare(scenario, 1)
    model = joint.calibrate(scenario, Headline.of(scenario.outcome), study.population,
                            study.pool, None, study.outcome_model)
    together = dataclasses.replace(study, outcome_model=model, outcome_module=joint)
    best = {"rate alone": 0.0, "all three": 0.0}
    for first in range(0, 16 * blocks, 16):
        for name, prepared in (("rate alone", study), ("all three", together)):
            timings = []
            for _ in range(repeats):
                cpu = time.process_time()
                replicate.run_block(prepared, first, 16)
                timings.append(time.process_time() - cpu)
            best[name] += min(timings)
    start = time.process_time()
    replicate.prepare(scenario, 2)
    shared = time.process_time() - start
    print(f"\n{blocks} blocks of 16 studies, best of {repeats} CPU timings each: rate alone "
          f"{best['rate alone']:.3f} s, all three {best['all three']:.3f} s, ratio "
          f"{best['all three'] / best['rate alone']:.3f}x; preparing the simulation (shared) "
          f"{shared:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    analytic_microseconds(args.repeats)
    block_ratio(args.sims // 16, args.repeats)
    simulated_ratio(args.sims, args.repeats)


if __name__ == "__main__":
    main()
