"""Every error kind raises its rooflens.Error subclass with the CLI's message and exit code."""
import json
import os
import subprocess
import sys

import pytest

import rooflens

# (CLI command and flags, the same call from Python, the expected class)
CASES = [
    (["analyze", "--model", "llama-2-7b", "--hw", "h100-sxm", "--batch", "0"],
     lambda: rooflens.evaluate("llama-2-7b", hw="h100-sxm", batch=0), rooflens.UsageError),
    (["analyze", "--model", "llama-2-7b", "--hw", "h100-sxm", "--phase", "train"],
     lambda: rooflens.evaluate("llama-2-7b", hw="h100-sxm", phase="train"), rooflens.UsageError),
    (["analyze", "--model", "llama-2-7b", "--hw", "h100-sxm", "--image-size", "384"],
     lambda: rooflens.evaluate("llama-2-7b", hw="h100-sxm", image_size=384), rooflens.UsageError),
    (["analyze", "--model", "llama-2-7b", "--hw", "h100-sxm", "--tp", "3"],
     lambda: rooflens.evaluate("llama-2-7b", hw="h100-sxm", tp=3), rooflens.UsageError),
    (["analyze", "--model", "llama-2-7b", "--hw", "h100-sxm", "--bogus", "1"],
     lambda: rooflens.evaluate("llama-2-7b", hw="h100-sxm", bogus=1), rooflens.UsageError),
    (["analyze", "--model", "llama-2-7b"],
     lambda: rooflens.evaluate("llama-2-7b"), rooflens.UsageError),
    (["analyze", "--model", "lama-2-7b", "--hw", "h100-sxm"],
     lambda: rooflens.evaluate("lama-2-7b", hw="h100-sxm"), rooflens.BadInputError),
    (["analyze", "--model", "llama-2-7b", "--hw", "h100-sxn"],
     lambda: rooflens.evaluate("llama-2-7b", hw="h100-sxn"), rooflens.BadInputError),
    (["analyze", "--model", "llama-2-7b", "--hw", "tests/data/hwdb/bad/negative-bandwidth.json"],
     lambda: rooflens.evaluate("llama-2-7b", hw="tests/data/hwdb/bad/negative-bandwidth.json"),
     rooflens.BadInputError),
    (["analyze", "--model", "tests/data/models/bad/bad_hidden_act.json", "--hw", "h100-sxm"],
     lambda: rooflens.evaluate("tests/data/models/bad/bad_hidden_act.json", hw="h100-sxm"),
     rooflens.BadInputError),
    (["analyze", "--model", "llama-2-7b", "--hw", "h100-sxm", "--scenario", "no-such-scenario"],
     lambda: rooflens.evaluate("llama-2-7b", hw="h100-sxm", scenario="no-such-scenario"),
     rooflens.BadInputError),
    (["analyze", "--model", "llama-2-7b", "--hw", "h100-sxm", "--wbits", "12"],
     lambda: rooflens.evaluate("llama-2-7b", hw="h100-sxm", scenario=rooflens.scenario(wbits=12)),
     rooflens.UsageError),
    (["analyze", "--model", "llama-2-7b", "--hw", "h100-sxm", "--format", "yaml"],
     lambda: rooflens.evaluate("llama-2-7b", hw="h100-sxm").text("yaml"), rooflens.UsageError),
    (["analyze", "--model", "deit-small", "--hw", "h100-sxm", "--phase", "decode"],
     lambda: rooflens.evaluate("deit-small", hw="h100-sxm", phase="decode"), rooflens.UsageError),
    (["analyze", "--model", "gcn", "--hw", "h100-sxm"],
     lambda: rooflens.evaluate("gcn", hw="h100-sxm"), rooflens.UsageError),
    (["analyze", "--model", "llama-2-7b", "--system", "no-such-system"],
     lambda: rooflens.evaluate("llama-2-7b", system="no-such-system"), rooflens.BadInputError),
    (["sweep", "--model", "llama-2-7b", "--hw", "h100-sxm", "--batch", "8:1:x2"],
     lambda: rooflens.sweep("llama-2-7b", hw="h100-sxm", batch="8:1:x2"), rooflens.UsageError),
]


@pytest.mark.parametrize("flags,call,kind", CASES, ids=[" ".join(c[0][3:]) for c in CASES])
def test_same_message_and_kind_as_cli(cli_error, flags, call, kind):
    code, message = cli_error(*flags)
    with pytest.raises(kind) as raised:
        call()
    assert str(raised.value) == message
    assert raised.value.exit_code == code
    assert isinstance(raised.value, rooflens.Error)


def test_scenario_dict_error_names_the_field():
    preset = rooflens.scenario("awq-w4a16-g128").to_dict()
    preset["weights"]["group_size"] = -3
    with pytest.raises(rooflens.BadInputError) as raised:
        rooflens.scenario(preset)
    assert str(raised.value).startswith("scenario dict: /weights")
    assert "-3" in str(raised.value)


def test_runtime_error_when_the_callback_cancels():
    with pytest.raises(rooflens.RunFailedError) as raised:
        # Progress comes every 4096 points: 16,384 points, cancelled at the first call.
        rooflens.sweep("llama-2-7b", hw="h100-sxm", batch="1:512:+1",
                       context_len="1024:32768:+1024", threads=1,
                       progress=lambda f, label, left: False)
    assert "cancelled" in str(raised.value) and raised.value.exit_code == 3


def test_exception_in_the_callback_propagates():
    def broken(fraction, label, left):
        raise KeyError("from the callback")

    with pytest.raises(KeyError, match="from the callback"):
        rooflens.sweep("llama-2-7b", hw="h100-sxm", batch="1:512:+1",
                       context_len="1024:32768:+1024", threads=1, progress=broken)


def test_import_device_and_its_errors(tmp_path, cli_error):
    # hw import writes to $XDG_DATA_HOME/rooflens/profiles: a child process with its own.
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    script = """
import json, sys, rooflens
d = rooflens.import_device("tests/data/hwdb/good/test-gpu.json")
print(json.dumps([d.id, sorted(x["id"] for x in rooflens.devices() if x["origin"] == "user")]))
try:
    rooflens.import_device("tests/data/hwdb/good/test-gpu.json")
except rooflens.BadInputError as e:
    print(json.dumps(["error", str(e)]))
"""
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                         text=True, check=True).stdout.splitlines()
    device_id, users = json.loads(out[0])
    assert users == [device_id] and (tmp_path / "rooflens" / "profiles").is_dir()
    kind, message = json.loads(out[1])
    code = subprocess.run([str(__import__("conftest").CLI), "hw", "import",
                           "tests/data/hwdb/good/test-gpu.json"], env=env, capture_output=True,
                          text=True)
    assert code.stderr.rstrip("\n") == "rooflens hw: " + message
