"""Sweeps into pandas, charts into matplotlib, and the example script top to bottom."""
import os
import pathlib
import subprocess
import sys

import pytest

import rooflens

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.filterwarnings("ignore::rooflens.RooflensWarning")  # beyond 4096 tokens
def test_sweep_to_dataframe():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(rooflens.sweep("llama-2-7b", hw=["a100-80gb-sxm", "h100-sxm"],
                                        scenario=["fp16", "awq-w4a16-g128"], phase="decode",
                                        batch=[1, 16, 256], context_len=[2048, 32768]))
    assert len(frame) == 2 * 2 * 3 * 2
    # Decode at batch 1 reads every weight once: 4-bit weights are faster on both devices.
    small = frame[(frame.batch == 1) & (frame.context_len == 2048)]
    times = small.pivot(index="hardware", columns="scenario", values="time_s")
    assert (times["awq-w4a16-g128"] < times["fp16"]).all()
    # The FP16 KV cache of 256 sequences x 32768 tokens (0.5 MiB per token: 4 TiB) fits nowhere.
    assert frame[(frame.batch == 256) & (frame.context_len == 32768)].out_of_memory.all()


def test_roofline_png(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from rooflens import plot

    reports = rooflens.evaluate("llama-2-7b", hw="h100-sxm", scenario=["fp16", "awq-w4a16-g128"],
                                phase="decode", batch=8)
    ax = plot.roofline(reports)
    spec = rooflens.chart(reports)
    # One line per roof segment plus one marker per ridge point, as in the GUI.
    assert len(ax.lines) == len(spec["roofs"]) + len(spec["ridges"])
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    colours = {matplotlib.colors.to_hex(c.get_facecolor()[0]) for c in ax.collections}
    assert rooflens.palette()["kinds"]["gemm"] in colours
    out = pathlib.Path(os.environ.get("ROOFLENS_PLOT_DIR", tmp_path)) / "roofline-python.png"
    ax.figure.savefig(out, dpi=100)
    plt.close(ax.figure)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 20_000


def test_example_runs_top_to_bottom(tmp_path):
    pytest.importorskip("matplotlib")
    env = dict(os.environ, MPLBACKEND="Agg", ROOFLENS_EXAMPLE_OUT=str(tmp_path))
    done = subprocess.run([sys.executable, str(ROOT / "examples" / "python_quickstart.py")],
                          env=env, capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "tokens/s" in done.stdout
    assert (tmp_path / "quickstart-roofline.png").stat().st_size > 20_000
