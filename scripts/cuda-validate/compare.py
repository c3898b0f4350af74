#!/usr/bin/env python3
"""Joins measure_torch.py's GPU measurements with the engine's per-layer predictions.

For each measured configuration it runs `rooflens analyze --format json` on the same config.json
and settings (FlashAttention on) for every profile given (a `calibrate --device cuda` profile, the
datasheet device), matches layers by name (blocks.0.<op>, embed_tokens, final_norm, lm_head: the
blocks are identical), and prints Markdown tables: per configuration the median and p90 absolute
error of the expected time and of the roofline bound, layers measured faster than the roof, and
the whole-pass error; per layer for chosen configurations; the GEMM error by m. With --whole-json
it also writes a "rooflens-whole-validation" document the GUI draws with File > Load measured run.

Usage: compare.py MEASURED.json --rooflens build/app/cli/rooflens --hw PROFILE [--hw ID ...]
       [--detail prefill:2048,decode:32] [--whole-json OUT.json] [--markdown OUT.md]
"""
import argparse
import json
import statistics
import subprocess
import sys

HEAD = {"embed_tokens", "final_norm", "lm_head"}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("measured")
    p.add_argument("--rooflens", required=True)
    p.add_argument("--hw", action="append", required=True, help="profile file or device id")
    p.add_argument("--detail", default="prefill:2048,decode:32")
    p.add_argument("--whole-json", help="write a rooflens-whole-validation document of the "
                   "--detail configurations, priced with the first --hw")
    p.add_argument("--markdown", help="also write the tables to this file")
    return p.parse_args()


def analyze(rooflens, config, hw, run):
    cmd = [rooflens, "analyze", "--model", config, "--hw", hw, "--flash-attention",
           "--phase", run["phase"], "--batch", str(run["batch"]), "--format", "json"]
    if run["phase"] == "prefill":
        cmd += ["--prompt-len", str(run["prompt_len"])]
    else:
        cmd += ["--context-len", str(run["context_len"])]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"compare.py: {' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout)


def engine_layer(report, op):
    want = op if op in HEAD else f"blocks.0.{op}"
    for layer in report["layers"]:
        if layer["name"] == want:
            return layer
    return None


def label(run):
    if run["phase"] == "prefill":
        return f"prefill {run['prompt_len']} tokens"
    return f"decode batch {run['batch']} at {run['context_len']}"


def us(s):
    return f"{s * 1e6:,.1f}" if s is not None else "-"


def pct(x):
    return f"{x * 100:+.1f} %" if x is not None else "-"


def p90(values):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(0.9 * (len(v) - 1))))] if v else None


def main():
    args = parse_args()
    doc = json.load(open(args.measured))
    config = doc["config"]
    # A relative config path is relative to the repository root, where the scripts run.
    lines = []
    emit = lambda s="": lines.append(s)
    detail = set(args.detail.split(",")) if args.detail else set()
    whole_runs = []
    emit(f"Measured on {doc['gpu']} ({doc['multiprocessors']} SMs), torch {doc['torch']}, CUDA "
         f"{doc['cuda']}, {doc['dtype']}, {doc['trials']} trials x {doc['replays']} graph replays, "
         f"working set >= {doc['working_set_bytes'] / 1e6:.0f} MB per graph.")
    pk = doc.get("peaks", {})
    if "copy_bytes_per_s" in pk:
        emit(f"torch reference ceilings: device copy {pk['copy_bytes_per_s'] / 1e12:.2f} TB/s "
             f"(read + write), 8192^3 {doc['dtype']} GEMM {pk['gemm_8192_ops_per_s'] / 1e12:.0f} "
             "TFLOP/s.")
    emit()
    reports = {}
    for run in doc["runs"]:
        for hw in args.hw:
            reports[(label(run), hw)] = analyze(args.rooflens, config, hw, run)
    gemm_by_m = {}
    for hw in args.hw:
        emit(f"### {hw}")
        emit()
        emit("| configuration | layers | expected: median / p90 abs. error | roofline: median / "
             "p90 | faster than the roof | one block + head, expected / roofline |")
        emit("|---|---|---|---|---|---|")
        for run in doc["runs"]:
            rep = reports[(label(run), hw)]
            exp_err, roof_err, faster = [], [], []
            sum_meas = sum_exp = sum_roof = 0.0
            rows = []
            for m in run["layers"]:
                if "median_s" not in m:
                    continue
                e = engine_layer(rep, m["op"])
                if e is None:
                    continue
                meas = m["median_s"]
                roof = e["time_s"]
                exp = e.get("expected_s", roof)
                ee = (exp - meas) / meas
                re = (roof - meas) / meas
                exp_err.append(abs(ee))
                roof_err.append(abs(re))
                if meas < roof:
                    faster.append(m["op"])
                sum_meas += meas
                sum_exp += exp
                sum_roof += roof
                rows.append((m, e, meas, roof, exp, ee, re))
                if e["kind"] == "gemm" and m["op"] != "lm_head":
                    gemm_by_m.setdefault(hw, {}).setdefault(m["op"], {})[m["m"]] = ee
            emit(f"| {label(run)} | {len(rows)} | {statistics.median(exp_err) * 100:.1f} % / "
                 f"{p90(exp_err) * 100:.1f} % | {statistics.median(roof_err) * 100:.1f} % / "
                 f"{p90(roof_err) * 100:.1f} % | {', '.join(faster) if faster else 'none'} | "
                 f"{pct((sum_exp - sum_meas) / sum_meas)} / {pct((sum_roof - sum_meas) / sum_meas)} |")
            run["_rows_" + hw] = rows
            key = f"{run['phase']}:{run['prompt_len'] if run['phase'] == 'prefill' else run['batch']}"
            if hw == args.hw[0] and key in detail:
                whole_runs.append((run, rows, rep))
        emit()
        for w in doc.get("whole", []):
            if "median_s" not in w:
                emit(f"whole pass {w}: not measured ({w.get('error', '')})")
                continue
            rep = reports.get((label(w), hw))
            if rep is None:
                rep = analyze(args.rooflens, config, hw, w)
            t = rep["totals"]
            emit(f"* whole {label(w)}: measured {us(w['median_s'])} us "
                 f"({w.get('kernels')} kernels); engine expected {us(t.get('expected_s'))} us "
                 f"({pct((t.get('expected_s', t['time_s']) - w['median_s']) / w['median_s'])}), "
                 f"roofline {us(t['time_s'])} us ({pct((t['time_s'] - w['median_s']) / w['median_s'])})")
        emit()
    for run in doc["runs"]:
        key = f"{run['phase']}:{run['prompt_len'] if run['phase'] == 'prefill' else run['batch']}"
        if key not in detail:
            continue
        emit(f"#### {label(run)}, per layer")
        emit()
        head = "| layer | kind | bound | kernels | measured us (p10-p90) |"
        for hw in args.hw:
            head += f" {hw}: expected us (error) | roofline us (error) |"
        emit(head)
        emit("|---" * (5 + 2 * len(args.hw)) + "|")
        first = run["_rows_" + args.hw[0]]
        for i, (m, e, meas, roof, exp, ee, re) in enumerate(first):
            cells = (f"| {m['op']} | {e['kind']} | {e['bound']} | {m.get('kernels', '-')} | "
                     f"{us(meas)} ({us(m['p10_s'])}-{us(m['p90_s'])}) |")
            for hw in args.hw:
                _, _, _, r2, x2, ee2, re2 = run["_rows_" + hw][i]
                cells += f" {us(x2)} ({pct(ee2)}) | {us(r2)} ({pct(re2)}) |"
            emit(cells)
        emit()
    for hw, per_op in gemm_by_m.items():
        ms = sorted({m for v in per_op.values() for m in v})
        emit(f"#### GEMM expected-time error by m ({hw})")
        emit()
        emit("| layer | " + " | ".join(f"m = {m}" for m in ms) + " |")
        emit("|---" * (len(ms) + 1) + "|")
        for op, errs in per_op.items():
            emit(f"| {op} | " + " | ".join(pct(errs.get(m)) for m in ms) + " |")
        emit()
    text = "\n".join(lines)
    print(text)
    if args.markdown:
        open(args.markdown, "w").write(text + "\n")
    if args.whole_json:
        out = {"schema_version": 1, "kind": "rooflens-whole-validation",
               "model": "llama-3.1-8b", "family": "llm", "profile": args.hw[0],
               "prompt_len": 0, "repeats": doc["trials"], "cpu": doc["gpu"],
               "notes": ["measured with PyTorch on the GPU (scripts/cuda-validate)"], "runs": []}
        for run, rows, rep in whole_runs:
            layers = []
            for m, e, meas, roof, exp, ee, re in rows:
                layers.append({
                    "name": e["name"], "op": m["op"], "kind": e["kind"], "bound": e["bound"],
                    "repeat": 1, "ops": e["ops"], "bytes": e["bytes"]["total"],
                    "roofline_seconds": roof, "expected_seconds": exp, "measured": True,
                    "measured_median_seconds": meas, "measured_p10_seconds": m["p10_s"],
                    "measured_p90_seconds": m["p90_s"], "expected_abs_error": abs(ee),
                    "roofline_abs_error": abs(re), "faster_than_roof": meas < roof})
            out["runs"].append({"threads": 1, "phase": label(run), "layers": layers,
                                "summary": {}, "unmatched": []})
        open(args.whole_json, "w").write(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
