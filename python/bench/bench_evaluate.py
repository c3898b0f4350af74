"""The Python evaluate() call overhead above the C++ call (issue 15 item 6; target < 50 us).

    PYTHONPATH=build/python python3 python/bench/bench_evaluate.py [--quick]

CPU time of this thread (the 2-core machines are shared: wall time mostly measures the other
processes). For each case, the median of several runs of: seconds per rooflens.evaluate() call with a bound
model, device and settings (argument conversion, the GIL released and taken back, the report
wrapped; its dict is made only when read), minus seconds per core::evaluate() call for the same
inputs timed in C++ in the same process (rooflens._core.time_evaluate). Also shown: the
keyword form (settings parsed by the CLI's option code on every call) and to_dict() (the whole
report through the engine's JSON writer into Python objects).
"""
import statistics
import sys
import time

import rooflens
from rooflens import _core

CASES = [
    ("llama-2-7b decode", "llama-2-7b", dict(phase="decode", batch=8, context_len=4096)),
    ("llama-2-70b prefill", "llama-2-70b", dict(phase="prefill", batch=1, prompt_len=1024)),
    ("deit-small", "deit-small", dict(batch=64)),
]


def per_call(fn, repeats):
    start = time.thread_time()
    for _ in range(repeats):
        fn()
    return (time.thread_time() - start) / repeats


def measure(model_id, options, repeats, runs):
    model = rooflens.model(model_id)
    device = rooflens.device("h100-sxm")
    settings = rooflens.settings(**options)
    rows = {"python": [], "cxx": [], "kwargs": [], "to_dict": []}
    for _ in range(runs):
        rows["python"].append(per_call(
            lambda: rooflens.evaluate(model, hw=device, settings=settings), repeats))
        rows["cxx"].append(_core.time_evaluate(model._model, [device], [], settings, repeats))
        rows["kwargs"].append(per_call(
            lambda: rooflens.evaluate(model, hw=device, **options), repeats))
        report = rooflens.evaluate(model, hw=device, settings=settings)
        rows["to_dict"].append(per_call(lambda: report._report.to_dict(), max(repeats // 10, 1)))
    return {k: statistics.median(v) for k, v in rows.items()}, report._report.layer_count


def main():
    quick = "--quick" in sys.argv
    repeats, runs = (20, 3) if quick else (2000, 7)
    rooflens.configure_allocator()  # as the CLI and the C++ benchmarks run
    print(f"{'case':<22}{'layers':>7}{'C++ call':>12}{'Python call':>13}{'overhead':>11}"
          f"{'kwargs call':>13}{'to_dict':>11}")
    worst = 0.0
    for name, model_id, options in CASES:
        t, layers = measure(model_id, options, repeats, runs)
        overhead = t["python"] - t["cxx"]
        worst = max(worst, overhead)
        print(f"{name:<22}{layers:>7}{t['cxx'] * 1e6:>10.1f}us{t['python'] * 1e6:>11.1f}us"
              f"{overhead * 1e6:>9.1f}us{t['kwargs'] * 1e6:>11.1f}us{t['to_dict'] * 1e6:>9.0f}us")
    print(f"largest overhead: {worst * 1e6:.1f} us (target 50 us)")


if __name__ == "__main__":
    main()
