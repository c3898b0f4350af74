"""rooflens.plan and rooflens.serve give the CLI's JSON documents: the same option code
(app/cli/plan_options.cpp, serve_options.cpp), the same engine, the same writers."""
import threading
import time

import pytest

import rooflens

PLAN_FLAGS = ["--model", "llama-3-70b", "--system", "hgx-h100-8x", "--batch", "1,8,64",
              "--gen-len", "32", "--tpot-ms", "40"]
PLAN_CALL = dict(system="hgx-h100-8x", batch=[1, 8, 64], gen_len=32, tpot_ms=40)


def test_plan_equals_cli_json(cli_json):
    expected = cli_json("plan", *PLAN_FLAGS)
    doc = rooflens.plan("llama-3-70b", **PLAN_CALL)
    assert doc == expected  # every candidate, every number, bit for bit
    # 8 H100s: TP in {1, 2, 4, 8} x PP with DP filling the system (the CLI test counts 10 plans
    # for a dense model on hgx-h100-8x), each at the 3 batches.
    assert doc["plans"] == 10
    assert doc["system"] == "hgx-h100-8x" and doc["devices"] == 8
    assert doc["tpot_target_s"] == 0.04  # 40 ms
    assert len(doc["candidates"]) == doc["plans"] * 3
    best = doc["candidates"][doc["winner"]]
    assert best["meets_targets"] and best["fits_in_memory"] and best["tpot_s"] <= 0.04
    # tokens/s per device is the whole system's tokens/s over its devices.
    for c in doc["candidates"]:
        assert c["tokens_per_s_per_device"] == pytest.approx(c["tokens_per_s"] / c["devices"])


def test_plan_serving_objective_equals_cli_json(cli_json):
    expected = cli_json("plan", *PLAN_FLAGS, "--serving")
    doc = rooflens.plan("llama-3-70b", serving=True, **PLAN_CALL)
    assert doc == expected
    assert doc["winner"] is not None


def test_plan_with_hw_and_devices_and_settings(cli_json):
    expected = cli_json("plan", "--model", "llama-3-70b", "--hw", "h100-sxm", "--devices", "8",
                        "--batch", "4", "--gen-len", "16", "--tp", "4,8")
    s = rooflens.settings("plan", batch=4, gen_len=16, tp=[4, 8], devices=8)
    doc = rooflens.plan(rooflens.model("llama-3-70b"), hw="h100-sxm", settings=s)
    assert doc == expected
    assert {c["tp"] for c in doc["candidates"]} <= {4, 8}


def test_plan_progress_and_cancel():
    calls = []
    doc = rooflens.plan("llama-3-70b", progress=lambda f, label, left: calls.append(f),
                        **PLAN_CALL)
    assert doc["candidates"] and calls
    with pytest.raises(rooflens.RunFailedError):
        rooflens.plan("llama-3-70b", progress=lambda f, label, left: False, **PLAN_CALL)


SERVE_FLAGS = ["--model", "llama-3-8b", "--hw", "h100-sxm", "--prompt-len", "512",
               "--gen-len", "64", "--concurrency", "16", "--tpot-ms", "20"]


def test_serve_point_equals_cli_json(cli_json):
    expected = cli_json("serve", *SERVE_FLAGS)
    point = rooflens.serve("llama-3-8b", hw="h100-sxm", prompt_len=512, gen_len=64,
                           concurrency=16, tpot_ms=20)
    assert point == expected
    assert point["load"]["concurrency"] == 16
    assert point["targets"] == {"tpot_s": 0.02}
    # Little's law on one replica: requests/s = requests in flight / E2E (closed loop).
    assert point["requests_per_s"] == pytest.approx(point["concurrency"] / point["e2e_s"],
                                                    rel=1e-6)
    # Output tokens/s = requests/s x 64 tokens per request.
    assert point["output_tokens_per_s"] == pytest.approx(64 * point["requests_per_s"], rel=1e-6)


def test_serve_rate_sweep_is_records_equal_to_cli_json(cli_json):
    expected = cli_json("serve", "--model", "llama-3-70b", "--system", "hgx-h100-8x", "--tp", "8",
                        "--prompt-len", "uniform:256:2048", "--gen-len", "256",
                        "--sweep-rate", "1:8:4")
    records = rooflens.serve("llama-3-70b", system="hgx-h100-8x", tp=8,
                             prompt_len="uniform:256:2048", gen_len=256, sweep_rate="1:8:4")
    assert records == expected
    # 1:8:4 is 4 evenly spaced rates: 1, 3.333, 5.667, 8.
    assert [r["rate"] for r in records] == pytest.approx([1, 10 / 3, 17 / 3, 8])
    listed = rooflens.serve("llama-3-70b", system="hgx-h100-8x", tp=8,
                            prompt_len="uniform:256:2048", gen_len=256,
                            sweep_rate=[r["rate"] for r in records])
    assert [r["ttft_s"] for r in listed] == pytest.approx([r["ttft_s"] for r in records])


def test_serve_concurrency_sweep_and_goodput(cli_json):
    flags = ["--model", "llama-3-8b", "--hw", "h100-sxm", "--prompt-len", "512", "--gen-len",
             "64"]
    expected = cli_json("serve", *flags, "--sweep-concurrency", "1,4,16")
    records = rooflens.serve("llama-3-8b", hw="h100-sxm", prompt_len=512, gen_len=64,
                             sweep_concurrency=[1, 4, 16])
    assert records == expected
    assert [r["offered_concurrency"] for r in records] == [1, 4, 16]
    best = rooflens.serve("llama-3-8b", hw="h100-sxm", prompt_len=512, gen_len=64, goodput=True,
                          tpot_ms=20)
    assert best == cli_json("serve", *flags, "--goodput", "--tpot-ms", "20")
    assert best["tpot_met"] and best["tpot_s"] <= 0.02
    # The CLI prints a line, not JSON, when no concurrency meets the targets: Python gives None.
    assert rooflens.serve("llama-3-8b", hw="h100-sxm", prompt_len=512, gen_len=64, goodput=True,
                          ttft_ms=1e-6) is None


BAD = [
    (["plan", "--model", "llama-3-70b", "--hw", "h100-sxm"],
     lambda: rooflens.plan("llama-3-70b", hw="h100-sxm")),
    (["plan", "--model", "llama-3-70b", "--system", "hgx-h100-8x", "--tpot-ms", "-5"],
     lambda: rooflens.plan("llama-3-70b", system="hgx-h100-8x", tpot_ms=-5)),
    (["plan", "--model", "llama-3-70b", "--system", "hgx-h100-8x", "--batch", "0"],
     lambda: rooflens.plan("llama-3-70b", system="hgx-h100-8x", batch=0)),
    (["plan", "--model", "llama-3-70b", "--system", "hgx-h100-8x", "--tp", "0:4"],
     lambda: rooflens.plan("llama-3-70b", system="hgx-h100-8x", tp="0:4")),
    (["plan", "--model", "llama-3-70b", "--system", "hgx-h100-8x", "--rate", "3"],
     lambda: rooflens.plan("llama-3-70b", system="hgx-h100-8x", rate=3)),
    (["serve", "--model", "llama-3-8b", "--hw", "h100-sxm"],
     lambda: rooflens.serve("llama-3-8b", hw="h100-sxm")),
    (["serve", "--model", "llama-3-8b", "--hw", "h100-sxm", "--rate", "2", "--concurrency", "4"],
     lambda: rooflens.serve("llama-3-8b", hw="h100-sxm", rate=2, concurrency=4)),
    (["serve", "--model", "llama-3-8b", "--hw", "h100-sxm", "--goodput"],
     lambda: rooflens.serve("llama-3-8b", hw="h100-sxm", goodput=True)),
    (["serve", "--model", "llama-3-8b", "--hw", "h100-sxm", "--concurrency", "4",
      "--prompt-len", "-1"],
     lambda: rooflens.serve("llama-3-8b", hw="h100-sxm", concurrency=4, prompt_len=-1)),
    (["serve", "--model", "llama-3-8b", "--hw", "h100-sxm", "--concurrency", "4",
      "--gen-len", "uniform:9:3"],
     lambda: rooflens.serve("llama-3-8b", hw="h100-sxm", concurrency=4, gen_len="uniform:9:3")),
    (["serve", "--model", "llama-3-8b", "--hw", "h100-sxm", "--concurrency", "-4"],
     lambda: rooflens.serve("llama-3-8b", hw="h100-sxm", concurrency=-4)),
    (["serve", "--model", "llama-3-8b", "--hw", "h100-sxm", "--sweep-rate", "8:1:3"],
     lambda: rooflens.serve("llama-3-8b", hw="h100-sxm", sweep_rate="8:1:3")),
    (["serve", "--model", "llama-3-8b", "--hw", "h100-sxm", "--concurrency", "4",
      "--disaggregate", "2"],
     lambda: rooflens.serve("llama-3-8b", hw="h100-sxm", concurrency=4, disaggregate=2)),
    (["serve", "--model", "llama-3-8b", "--hw", "h100-sxm", "--concurrency", "4",
      "--offload", "kv=tape"],
     lambda: rooflens.serve("llama-3-8b", hw="h100-sxm", concurrency=4, offload="kv=tape")),
]


@pytest.mark.parametrize("flags,call", BAD, ids=[" ".join(b[0][:1] + b[0][5:]) for b in BAD])
def test_bad_inputs_raise_the_cli_message(cli_error, flags, call):
    code, message = cli_error(*flags)
    assert code == 1  # usage
    with pytest.raises(rooflens.UsageError) as raised:
        call()
    assert str(raised.value) == message


def test_bad_system_and_draft_are_bad_input(cli_error):
    code, message = cli_error("plan", "--model", "llama-3-70b", "--system", "nvl1000")
    with pytest.raises(rooflens.BadInputError) as raised:
        rooflens.plan("llama-3-70b", system="nvl1000")
    assert (str(raised.value), raised.value.exit_code) == (message, code) and code == 2
    flags = ["--concurrency", "4", "--speculative", "draft=nope,alpha=0.5,gamma=3"]
    code, message = cli_error("serve", "--model", "llama-3-8b", "--hw", "h100-sxm", *flags)
    with pytest.raises(rooflens.BadInputError) as raised:
        rooflens.serve("llama-3-8b", hw="h100-sxm", concurrency=4,
                       speculative="draft=nope,alpha=0.5,gamma=3")
    assert (str(raised.value), raised.value.exit_code) == (message, code) and code == 2


def test_settings_of_another_command_are_refused():
    s = rooflens.settings("sweep", batch=[1, 2])
    with pytest.raises(rooflens.UsageError, match="made for sweep, not plan"):
        rooflens.plan("llama-3-70b", system="hgx-h100-8x", settings=s)


def test_plan_releases_the_gil():
    # While a search runs in a thread, this thread keeps running Python code between the
    # search's progress calls: 14 plans of llama-3-70b on two HGX nodes x 256 batches (3,584
    # candidates, about 0.5 s on one thread), which a GIL held through the engine would block.
    ticks = []
    calls = []
    done = threading.Event()

    def work():
        try:
            doc = rooflens.plan("llama-3-70b", system="hgx-h100-2node-ib", batch="1:256:+1",
                                threads=1,
                                progress=lambda f, label, left: calls.append(time.perf_counter()))
            assert len(doc["candidates"]) == doc["plans"] * 256
        finally:
            done.set()

    thread = threading.Thread(target=work)
    thread.start()
    while not done.is_set():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    thread.join()
    assert len(calls) >= 10
    assert sum(calls[0] < t < calls[-1] for t in ticks) >= 3


@pytest.mark.parametrize("flags,options", [
    (["--tp", "4", "--dp", "2", "--speculative", "draft=llama-3.1-8b,alpha=0.7,gamma=4"],
     dict(tp=4, dp=2, speculative="draft=llama-3.1-8b,alpha=0.7,gamma=4")),
    (["--tp", "4", "--disaggregate", "1:1", "--prefix-len", "256", "--price", "2.5"],
     dict(tp=4, disaggregate="1:1", prefix_len=256, price=2.5)),
])
def test_serve_draft_disaggregation_and_price_equal_cli_json(cli_json, flags, options):
    expected = cli_json("serve", "--model", "llama-3-70b", "--system", "hgx-h100-8x",
                        "--concurrency", "8", *flags)
    point = rooflens.serve("llama-3-70b", system="hgx-h100-8x", concurrency=8, **options)
    assert point == expected
    if "price" in options:
        # 8 devices x $2.5 per device-hour.
        assert point["cost"]["dollars_per_hour"] == pytest.approx(8 * 2.5)
