"""Shared fixtures: the CLI of the same build tree, run to compare its JSON with the module's."""
import json
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BUILD = pathlib.Path(os.environ.get("ROOFLENS_BUILD_DIR", ROOT / "build"))
CLI = BUILD / "app" / "cli" / "rooflens"


def run_cli(*args, check=True):
    """Runs `rooflens ARGS`; returns (exit code, stdout, stderr)."""
    done = subprocess.run([str(CLI), *args], capture_output=True, text=True, timeout=120)
    if check and done.returncode != 0:
        raise AssertionError(f"rooflens {' '.join(args)} failed: {done.stderr}")
    return done.returncode, done.stdout, done.stderr


@pytest.fixture
def cli_json():
    def run(*args):
        return json.loads(run_cli(*args, "--format", "json")[1])
    return run


@pytest.fixture
def cli_error():
    """The CLI's exit code and message for a failing command ("rooflens CMD: MESSAGE")."""
    def run(command, *args):
        code, _, err = run_cli(command, *args, check=False)
        prefix = f"rooflens {command}: "
        assert err.startswith(prefix), err
        return code, err[len(prefix):].rstrip("\n")
    return run
