"""The module gives the CLI's numbers: the same engine, the same JSON writer."""
import threading
import time
import warnings

import pytest

import rooflens

# (CLI flags, the same call from Python)
CASES = [
    (["--model", "llama-2-7b", "--hw", "a100-80gb-sxm", "--phase", "decode", "--batch", "8",
      "--context-len", "4096", "--scenario", "awq-w4a16-g128"],
     dict(model="llama-2-7b", hw="a100-80gb-sxm", scenario="awq-w4a16-g128", phase="decode",
          batch=8, context_len=4096)),
    (["--model", "llama-3-8b", "--hw", "h100-sxm", "--phase", "request", "--prompt-len", "512",
      "--gen-len", "64", "--flash-attention"],
     dict(model="llama-3-8b", hw="h100-sxm", phase="request", prompt_len=512, gen_len=64,
          flash_attention=True)),
    (["--model", "deit-small", "--hw", "h100-sxm", "--batch", "64", "--tome-r", "8"],
     dict(model="deit-small", hw="h100-sxm", batch=64, tome_r=8)),
    (["--model", "gcn", "--graph", "cora", "--hidden", "64", "--hw", "a100-80gb-sxm"],
     dict(model="gcn", graph="cora", hidden=64, hw="a100-80gb-sxm")),
    (["--model", "llama-3-70b", "--hw", "h100-sxm", "--tp", "8", "--phase", "decode",
      "--batch", "16", "--wbits", "4"],
     dict(model="llama-3-70b", hw="h100-sxm", tp=8, phase="decode", batch=16,
          scenario=rooflens.scenario(wbits=4))),
    (["--model", "mixtral-8x7b", "--hw", "mi300x", "--phase", "decode", "--batch", "8",
      "--scenario", "fp8-w8a8"],
     dict(model="mixtral-8x7b", hw="mi300x", phase="decode", batch=8, scenario="fp8-w8a8")),
    (["--model", "llama-2-7b", "--hw", "h100-sxm", "--phase", "decode", "--context-len", "1024",
      "--scenario", "energon-int4-25"],
     dict(model="llama-2-7b", hw="h100-sxm", phase="decode", context_len=1024,
          scenario="energon-int4-25")),
]


@pytest.mark.parametrize("flags,call", CASES, ids=[c[1]["model"] for c in CASES])
def test_report_equals_cli_json(cli_json, flags, call):
    expected = cli_json("analyze", *flags)
    report = rooflens.evaluate(**call)
    assert report.to_dict() == expected  # every field, every number, bit for bit
    assert report["schema_version"] == rooflens.REPORT_SCHEMA_VERSION == 2
    assert report.time_s == expected["totals"]["time_s"]


def test_hand_counted_decode_gemm():
    # llama-2-7b, decode, batch 1, FP16: q_proj is a 1 x 4096 by 4096 x 4096 GEMV.
    # OPs = 2 * 1 * 4096 * 4096 = 33,554,432; weights = 4096 * 4096 * 2 B = 33,554,432 B.
    report = rooflens.evaluate("llama-2-7b", hw="a100-80gb-sxm", scenario=None, phase="decode",
                               batch=1, context_len=1024)
    q = next(layer for layer in report["layers"] if layer["name"] == "blocks.0.q_proj")
    assert q["ops"] == 33_554_432
    assert q["bytes"]["weights"] == 33_554_432
    # Memory bound on the A100's 2.039 TB/s HBM2e: time >= bytes / bandwidth.
    assert q["bound"] == "memory"
    assert q["time_s"] >= q["bytes"]["total"] / 2.039e12 * 0.999


def test_several_devices_and_scenarios_are_device_major(cli_json):
    reports = rooflens.evaluate("llama-2-7b", hw=["a100-80gb-sxm", "h100-sxm"],
                                scenario=["fp16", "awq-w4a16-g128"], phase="decode", batch=4)
    assert [(r.device.id, r.scenario) for r in reports] == [
        ("a100-80gb-sxm", "fp16"), ("a100-80gb-sxm", "awq-w4a16-g128"),
        ("h100-sxm", "fp16"), ("h100-sxm", "awq-w4a16-g128")]
    expected = cli_json("analyze", "--model", "llama-2-7b", "--hw", "h100-sxm", "--scenario",
                        "awq-w4a16-g128", "--phase", "decode", "--batch", "4")
    assert reports[3].to_dict() == expected


def test_bound_model_settings_and_devices_are_reusable(cli_json):
    model = rooflens.model("llama-2-13b")
    h100 = rooflens.device("h100-sxm")
    s = rooflens.settings(phase="prefill", batch=2, prompt_len=2048)
    a = rooflens.evaluate(model, hw=h100, settings=s)
    b = rooflens.evaluate(model, hw=h100, settings=s)
    assert a.to_dict() == b.to_dict() == cli_json(
        "analyze", "--model", "llama-2-13b", "--hw", "h100-sxm", "--batch", "2",
        "--prompt-len", "2048")
    assert model.family == "llm" and model.has_decode
    vit = rooflens.model("deit-small", image_size="384x320", tome_r=8)
    assert vit.spec == {"family": "vit", "model": "deit-small", "image_height": 384,
                        "image_width": 320, "token_reduction": "tome 8", "graph": "",
                        "dtype": "auto"}
    # --dtype fp32 (issue 14, 7a): the same CLI flag; every weight byte doubles (DeiT-S:
    # 22,050,664 parameters at 4 bytes against 2).
    fp32 = rooflens.model("deit-small", dtype="fp32")
    assert fp32.spec["dtype"] == "fp32"
    wide = rooflens.evaluate(fp32, hw=h100).to_dict()
    assert wide == cli_json("analyze", "--model", "deit-small", "--hw", "h100-sxm", "--dtype",
                            "fp32")
    narrow = rooflens.evaluate("deit-small", hw=h100).to_dict()
    assert wide["totals"]["memory_bytes"]["weights"] == 4 * 22050664
    assert narrow["totals"]["memory_bytes"]["weights"] == 2 * 22050664


def test_scenario_dict_equals_scenario_file(tmp_path, cli_json):
    preset = rooflens.scenario("awq-w4a16-g128").to_dict()
    path = tmp_path / "mine.json"
    path.write_text(__import__("json").dumps(preset))
    expected = cli_json("analyze", "--model", "llama-2-7b", "--hw", "l4", "--scenario",
                        str(path), "--phase", "decode")
    got = rooflens.evaluate("llama-2-7b", hw="l4", scenario=preset, phase="decode")
    assert got.to_dict() == expected


def test_profile_file_device(cli_json):
    path = "tests/data/hwdb/good/test-gpu.json"
    expected = cli_json("analyze", "--model", "llama-2-7b", "--hw", path)
    assert rooflens.evaluate("llama-2-7b", hw=path).to_dict() == expected


def test_system_deployment(cli_json):
    expected = cli_json("analyze", "--model", "llama-3-70b", "--system", "hgx-h100-8x", "--tp", "8",
                        "--phase", "decode", "--batch", "8")
    got = rooflens.evaluate("llama-3-70b", system="hgx-h100-8x", tp=8, phase="decode", batch=8)
    assert got.to_dict() == expected
    assert got["deployment"]["tp"] == 8


def test_compare_equals_cli_json(cli_json):
    flags = ["--model", "llama-2-7b", "--hw", "a100-80gb-sxm", "--hw", "h100-sxm", "--scenario",
             "fp16", "--scenario", "awq-w4a16-g128", "--prompt-len", "512", "--gen-len", "64"]
    got = rooflens.compare("llama-2-7b", hw=["a100-80gb-sxm", "h100-sxm"],
                           scenario=["fp16", "awq-w4a16-g128"], prompt_len=512, gen_len=64)
    assert got == cli_json("compare", *flags)
    assert got["rows"][1]["speedup_decode"] > 1  # 4-bit weights: a faster decode step


def test_compare_rotation_and_cluster_presets_equal_cli_json(cli_json):
    presets = ["fp16", "rptq-w4a3", "ostquant-w4a4kv4", "qserve-w4a8kv4"]
    flags = ["--model", "llama-3-8b", "--hw", "h100-sxm"]
    for name in presets:
        flags += ["--scenario", name]
    got = rooflens.compare("llama-3-8b", hw="h100-sxm", scenario=presets)
    assert got == cli_json("compare", *flags)
    assert [row["scenario"] for row in got["rows"]] == presets
    # Llama-3-8B's 32 blocks hold 218,103,808 linear weights each (6,979,321,856 in all): INT4
    # saves 1.5 B each (10,468,982,784 B) and the fp16 scale per output channel costs back
    # 43,008 x 2 B per block (2,752,512 B); lm_head stays fp16.
    saved = got["rows"][0]["weight_bytes"] - got["rows"][1]["weight_bytes"]
    assert saved == pytest.approx(10468982784 - 2752512, abs=1)


def test_sweep_equals_cli_json(cli_json):
    flags = ["--model", "llama-2-7b", "--hw", "a100-80gb-sxm", "--scenario", "fp16",
             "--scenario", "kivi-kv2", "--phase", "decode", "--batch", "1:64:x4",
             "--context-len", "1024,4096"]
    got = rooflens.sweep("llama-2-7b", hw="a100-80gb-sxm", scenario=["fp16", "kivi-kv2"],
                         phase="decode", batch="1:64:x4", context_len=[1024, 4096])
    assert got == cli_json("sweep", *flags)["points"]
    assert len(got) == 2 * 4 * 2
    assert {"hardware", "scenario", "batch", "context_len", "time_s", "tokens_per_s", "bound",
            "out_of_memory"} <= set(got[0])


@pytest.mark.filterwarnings("ignore::rooflens.RooflensWarning")  # beyond 4096 tokens
def test_sweep_progress_reaches_one():
    seen = []
    rooflens.sweep("llama-2-7b", hw="a100-80gb-sxm", batch="1:512:+1",
                   context_len="1024:32768:+1024", threads=1,
                   progress=lambda f, label, left: seen.append(f))
    assert len(seen) >= 4 and seen[-1] == pytest.approx(1.0)  # every 4096 of 16,384 points
    assert all(a <= b for a, b in zip(seen, seen[1:]))


def test_sweep_releases_the_gil():
    # While a sweep runs in a thread, this thread keeps running Python code: it ticks between
    # the sweep's progress calls (every 4096 of 13,824 points), which a GIL held through the
    # engine would not let it do.
    ticks = []
    calls = []
    done = threading.Event()

    def work():
        try:  # about 7,000 builds of llama-2-70b, 50-100 us each
            rooflens.sweep("llama-2-70b", hw=["a100-80gb-sxm", "h100-sxm"],
                           scenario=[None, "awq-w4a16-g128", "fp8-w8a8"], phase="prefill",
                           batch="1:256:x2", prompt_len="16:4096:+16", threads=1,
                           progress=lambda f, label, left: calls.append(time.perf_counter()))
        finally:
            done.set()

    thread = threading.Thread(target=work)
    thread.start()
    while not done.is_set():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    thread.join()
    assert len(calls) == 4
    assert sum(calls[0] < t < calls[-1] for t in ticks) >= 3


def test_chart_data_and_palette():
    report = rooflens.evaluate("llama-2-7b", hw="h100-sxm", phase="decode")
    spec = report.chart()
    assert spec["points"] and spec["roofs"]
    assert {r["kind"] for r in spec["roofs"]} == {"compute", "memory"}
    # The main memory diagonal is y = bandwidth * x (3.35 TB/s HBM3 on the H100 SXM).
    hbm = next(r for r in spec["roofs"] if r["kind"] == "memory" and r["label"].startswith("HBM"))
    (x0, y0), (x1, y1) = hbm["from"], hbm["to"]
    assert y0 / x0 == pytest.approx(3.35e12, rel=1e-5)
    light = rooflens.palette()
    assert light["kinds"]["gemm"] == "#0072b2" and light["series"][0] == "#303030"
    assert len(light["kinds"]) == 18 and rooflens.palette(dark=True)["dark"]


def test_text_renderings_are_the_clis():
    from conftest import run_cli
    _, table, _ = run_cli("analyze", "--model", "llama-2-7b", "--hw", "a100-80gb-sxm")
    assert rooflens.evaluate("llama-2-7b", hw="a100-80gb-sxm").text() == table


def test_sweep_warnings_become_python_warnings():
    # llama-2-7b's max_position_embeddings is 4096: the CLI warns on stderr, Python warns.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rooflens.sweep("llama-2-7b", hw="h100-sxm", phase="prefill", prompt_len=[8192])
    assert [str(w.message) for w in caught] == [
        "context of 8192 tokens exceeds the model's max_position_embeddings (4096)"]
    assert issubclass(caught[0].category, rooflens.RooflensWarning)


def test_imported_graph_with_progress(cli_json):
    seen = []
    report = rooflens.evaluate("gat", graph="tests/data/graphs/small.txt", features=16,
                               classes=4, heads=2, hw="mi300x",
                               progress=lambda f, label, left: seen.append((f, label)))
    assert seen[-1] == (1.0, "import small.txt")
    assert report.to_dict() == cli_json("analyze", "--model", "gat", "--graph",
                                        "tests/data/graphs/small.txt", "--features", "16",
                                        "--classes", "4", "--heads", "2", "--hw", "mi300x")
    assert report["model"]["family"] == "gnn"


def test_plan_sweep_equals_cli_json(cli_json):
    expected = cli_json("sweep", "--model", "llama-3-70b", "--system", "hgx-h100-8x", "--tp",
                        "2,4,8", "--phase", "decode", "--batch", "1:16:x4")
    got = rooflens.sweep("llama-3-70b", system="hgx-h100-8x", tp=[2, 4, 8], phase="decode",
                         batch="1:16:x4")
    assert got == expected["points"]
    assert {p["plan"] for p in got} == {"TP2 EP1 PP1 DP1", "TP4 EP1 PP1 DP1", "TP8 EP1 PP1 DP1"}
    # Tokens per second per device: the plan's rate over its TP devices.
    for p in got:
        tp = int(p["plan"].split()[0][2:])
        assert p["tokens_per_s_per_device"] == pytest.approx(p["tokens_per_s"] / tp)


def test_vision_mamba_and_token_reduction_keyword(cli_json):
    # Vim-S through the ViT pipeline; R-MeeTo r=11 every 2 blocks (tests/models/test_vim.cpp:
    # 3,381,408,384 GEMM MACs per image with the matching).
    expected = cli_json("analyze", "--model", "vim-s", "--hw", "h100-sxm", "--token-reduction",
                        "rmeeto r=11 every=2")
    got = rooflens.evaluate("vim-s", hw="h100-sxm", token_reduction="rmeeto r=11 every=2")
    assert got.to_dict() == expected
    assert got.to_dict()["totals"]["macs"] == 3381408384.0
    zero = rooflens.model("deit-small", token_reduction="zerotprune keep=0.7 at 3,6,9 iters=5")
    assert zero.spec["token_reduction"] == "zerotprune keep=0.7 at 3,6,9 iters=5"


def test_scenario_catalog_equals_cli_json(cli_json):
    expected = cli_json("scenarios", "list")
    assert rooflens.scenarios(details=True) == expected
    names = [s["name"] for s in expected["scenarios"]]
    assert names == rooflens.scenarios()
    eora = next(s for s in expected["scenarios"] if s["name"] == "eora-w4-r64")
    assert eora["papers"][0]["arxiv_id"] == "2410.21271"
    assert "compensation" in eora["mechanism"]
