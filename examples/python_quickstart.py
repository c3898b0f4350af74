"""Rooflens from Python, top to bottom (run it, or paste the cells into a notebook).

    PYTHONPATH=build/python python3 examples/python_quickstart.py
"""
import os
import pathlib

import rooflens

OUT = pathlib.Path(os.environ.get("ROOFLENS_EXAMPLE_OUT", "."))

# %% One report: Llama-2-7B decoding 8 sequences at 4k context on an A100, AWQ 4-bit weights.
report = rooflens.evaluate("llama-2-7b", hw="a100-80gb-sxm", scenario="awq-w4a16-g128",
                           phase="decode", batch=8, context_len=4096)
totals = report["totals"]  # the documented JSON schema of `rooflens analyze --format json`
print(f"decode step: {totals['time_s'] * 1e3:.3f} ms, {totals['items_per_s']:.0f} tokens/s, "
      f"memory {totals['memory_bytes']['total'] / 1e9:.1f} GB")
slowest = max(report["layers"], key=lambda layer: layer["time_s"] * layer["repeat"])
print(f"slowest layer: {slowest['name']} ({slowest['bound']} bound, {slowest['math_type']})")

# %% Bind once, reuse: a model, a device and a scenario from a dict.
model = rooflens.model("llama-3-8b")
h100 = rooflens.device("h100-sxm")
w8 = rooflens.scenario({**rooflens.scenario("fp8-w8a8").to_dict(), "name": "my-fp8"})
for scenario in [None, w8]:
    r = rooflens.evaluate(model, hw=h100, scenario=scenario, phase="request", prompt_len=1024,
                          gen_len=256, flash_attention=True)
    t = r["totals"]
    print(f"{r.scenario:>12}: TTFT {t['ttft_s'] * 1e3:.1f} ms, TPOT {t['tpot_s'] * 1e3:.2f} ms, "
          f"{t['tokens_per_s']:.0f} tokens/s")

# %% Compare scenarios and devices (`rooflens compare --format json`).
comparison = rooflens.compare("llama-2-7b", hw=["a100-80gb-sxm", "h100-sxm"],
                              scenario=["fp16", "awq-w4a16-g128", "qserve-w4a8kv4"])
for row in comparison["rows"]:
    print(f"{row['hardware']:>14} {row['scenario']:>16}: e2e x{row['speedup_e2e']:.2f}, "
          f"memory saved {row['memory_saved']:.0%}")

# %% A sweep as a DataFrame (pandas optional).
points = rooflens.sweep("llama-2-7b", hw="h100-sxm", scenario=["fp16", "kivi-kv2"],
                        phase="decode", batch="1:256:x4", context_len=[1024, 4096])
try:
    import pandas as pd

    frame = pd.DataFrame(points)
    print(frame.pivot_table(index="batch", columns=["scenario", "context_len"],
                            values="tokens_per_s").round(0))
except ImportError:
    print(f"{len(points)} sweep points (install python3-pandas for a DataFrame)")

# %% A vision transformer and a GNN take their family's options.
vit = rooflens.evaluate("deit-small", hw="h100-sxm", batch=64, tome_r=8)
print(f"deit-small + ToMe r=8: {vit['totals']['macs'] / 64 / 1e9:.2f} GMACs per image")
gnn = rooflens.evaluate("gcn", graph="cora", hidden=64, hw="a100-80gb-sxm")
print(f"gcn on cora: {gnn['totals']['time_s'] * 1e6:.1f} us")

# %% Errors are rooflens.Error subclasses with the CLI's messages.
try:
    rooflens.evaluate("llama-2-7b", hw="h100-sxm", batch=0)
except rooflens.UsageError as error:
    print(f"UsageError: {error}")

# %% The roofline chart with the GUI's ceilings and colours.
try:
    import matplotlib.pyplot as plt
    from rooflens import plot

    reports = rooflens.evaluate("llama-2-7b", hw="h100-sxm", scenario=["fp16", "awq-w4a16-g128"],
                                phase="decode", batch=8)
    ax = plot.roofline(reports)
    ax.figure.savefig(OUT / "quickstart-roofline.png", dpi=100)
    plt.close(ax.figure)
    print(f"wrote {OUT / 'quickstart-roofline.png'}")
except ImportError:
    print("install python3-matplotlib to draw the chart")
