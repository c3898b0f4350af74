"""Rooflens from Python: roofline analysis of compressed neural networks on the same engine as
the ``rooflens`` CLI and the GUI.

    import rooflens
    report = rooflens.evaluate("llama-2-7b", hw="a100-80gb-sxm", scenario="awq-w4a16-g128",
                               phase="decode", batch=8, context_len=4096)
    report["totals"]["time_s"]          # the documented JSON report schema
    points = rooflens.sweep("llama-2-7b", hw="h100-sxm", batch=[1, 8, 64], context_len="1024:8192:x2")
    # pandas.DataFrame(points)

Keyword arguments are the CLI's flags with underscores (``prompt_len`` is ``--prompt-len``,
``flash_attention=True`` is ``--flash-attention``, ``tp=8`` is ``--tp 8``); they are checked by
the CLI's own option code, so a bad value raises the CLI's message. Errors raise
:class:`rooflens.Error` subclasses by kind (:class:`UsageError`, :class:`BadInputError`,
:class:`RunFailedError`). Evaluations release the GIL.
"""

import warnings as _warnings
from collections.abc import Mapping

from . import _core
from .errors import BadInputError, Error, RunFailedError, UsageError

__all__ = [
    "Error", "UsageError", "BadInputError", "RunFailedError", "RooflensWarning",
    "Model", "Report", "model", "device", "devices", "import_device", "system", "systems",
    "scenario", "scenarios", "settings", "evaluate", "compare", "sweep", "plan", "serve",
    "chart", "palette",
]

REPORT_SCHEMA_VERSION = _core.report_schema_version


class RooflensWarning(UserWarning):
    """Something to check in a sweep (the warnings the CLI prints on stderr); reports and
    comparisons carry theirs in their "warnings" lists."""

# The options that belong to the model (its family's flags, from the CLI's list); everything
# else is a run setting.
_MODEL_OPTIONS = frozenset(_core.model_option_names())


def _flags(options):
    """Keyword arguments as the CLI's flags: True is a switch, a list is a comma-separated list
    (sweep ranges, --fanout), None and False are left out."""
    args = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        flag = "--" + key.replace("_", "-")
        if value is True:
            args.append(flag)
        elif isinstance(value, (list, tuple, range)):
            args += [flag, ",".join(str(v) for v in value)]
        else:
            args += [flag, str(value)]
    return args


class Model:
    """A model bound to its family's builder (a WorkloadSpec: preset id or file, and the family
    options). Bind once and reuse it: every evaluation of the model shares it."""

    __slots__ = ("_model",)

    def __init__(self, core_model):
        self._model = core_model

    id = property(lambda self: self._model.id)
    family = property(lambda self: self._model.family, doc="llm, vit or gnn")
    has_decode = property(lambda self: self._model.has_decode)
    spec = property(lambda self: self._model.spec,
                    doc="the WorkloadSpec: family, model, image size, token reduction, graph")

    def __repr__(self):
        return f"rooflens.Model({self.id!r}, family={self.family!r})"


def model(model, progress=None, **options):
    """Binds ``model`` (a preset id, a Hugging Face config.json, gcn|graphsage|gat|gin, or any
    model the CLI's --model takes) with its family's options (``image_size``, ``tome_r``,
    ``graph``, ``hidden``, ...). ``progress(fraction, label, seconds_left)`` follows a graph
    import."""
    if isinstance(model, Model):
        if options:
            raise UsageError("options of an already bound model: pass the id to rooflens.model()")
        return model
    unknown = sorted(set(options) - _MODEL_OPTIONS)
    if unknown:
        raise UsageError(f"unrecognised model option '{unknown[0]}' (model options: "
                         + ", ".join(sorted(_MODEL_OPTIONS)) + ")")
    return Model(_core.bind_model(["--model", str(model)] + _flags(options), progress))


# Devices: built-in ids, user profiles (imported or calibrated) and profile files.
device = _core.device
devices = _core.device_list
system = _core.system
systems = _core.system_list


def import_device(path, force=False):
    """`rooflens hw import`: validates a profile and writes it to the user profiles."""
    return _core.import_device(str(path), force)


def scenario(spec=None, *, wbits=16, abits=16, kvbits=16):
    """A scenario: a preset name, a scenario .json path, a dict of the scenario schema, or the
    --wbits/--abits/--kvbits shorthand. ``scenario(None)`` is the model uncompressed."""
    if isinstance(spec, _core.Scenario):
        return spec
    if (wbits, abits, kvbits) != (16, 16, 16):
        if spec is not None:
            raise UsageError("--scenario replaces --wbits/--abits/--kvbits: give one or the other")
        return _core.scenario_from_bits(wbits, abits, kvbits)
    if spec is None:
        return None
    if isinstance(spec, Mapping):
        return _core.scenario_from_dict(dict(spec), "scenario dict")
    return _core.scenario(str(spec))


def scenarios(details=False):
    """The names of the built-in scenario presets; with ``details=True`` the document of
    ``rooflens scenarios list --format json``: each preset's mechanism, citation and papers
    (title and arXiv id) and its effective bits."""
    if details:
        return _core.scenario_catalog()
    return _core.scenario_presets()


def settings(command="analyze", **options):
    """Run settings and deployment parsed once, for reuse in many calls: ``command`` is analyze
    (evaluate), compare, sweep, plan or serve, whose flags differ (sweeps take ranges)."""
    return _core.settings(command, _flags(options))


class Report(Mapping):
    """One (device, scenario) report. A read-only mapping with the documented JSON schema
    (``rooflens analyze --format json``), made by the engine's writer on first access;
    :meth:`to_dict` gives it as a plain dict."""

    __slots__ = ("_report", "_dict")

    def __init__(self, core_report):
        self._report = core_report
        self._dict = None

    def to_dict(self):
        if self._dict is None:
            self._dict = self._report.to_dict()
        return self._dict

    def __getitem__(self, key):
        return self.to_dict()[key]

    def __iter__(self):
        return iter(self.to_dict())

    def __len__(self):
        return len(self.to_dict())

    def text(self, format="table"):
        """The CLI's rendering: table, json, csv or md."""
        return self._report.text(format)

    scenario = property(lambda self: self._report.scenario)
    device = property(lambda self: self._report.device)
    time_s = property(lambda self: self._report.time_s, doc="totals.time_s without the dict")

    def chart(self, **options):
        return chart(self, **options)

    def __repr__(self):
        return (f"<rooflens.Report {self.device.id} {self.scenario!r} "
                f"time_s={self.time_s:.6g}>")


_DEFAULT = object()  # no scenario given: the checkpoint's own compression, else uncompressed


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _inputs(model_, hw, scenario_, system_, options, progress=None):
    family = {k: options.pop(k) for k in list(options) if k in _MODEL_OPTIONS}
    bound = model(model_, progress, **family)
    devices_ = [d if isinstance(d, _core.Device) else device(str(d)) for d in _as_list(hw)]
    systems_ = [s if isinstance(s, _core.System) else system(str(s)) for s in _as_list(system_)]
    if scenario_ is _DEFAULT:
        scenarios_ = []
    elif isinstance(scenario_, (list, tuple)):
        scenarios_ = [scenario(s) for s in scenario_]
    else:
        scenarios_ = [scenario(scenario_)]
    return bound, devices_, systems_, scenarios_


def _settings(command, given, options):
    if given is not None:
        if options:
            raise UsageError("give settings= or keyword settings, not both")
        return given
    return settings(command, **options)


def evaluate(model, hw=None, scenario=_DEFAULT, *, system=None, settings=None, progress=None,
             **options):
    """`rooflens analyze`: the report of ``model`` on ``hw`` under ``scenario``.

    ``hw`` and ``scenario`` may be lists: then a list of reports, device-major
    (``reports[d * len(scenarios) + s]``). Keyword settings: phase, batch, prompt_len,
    context_len, gen_len, flash_attention, tp, pp, ep, dp, cp, micro_batches,
    expert_imbalance, overlap, in_network_reduction, devices, and the model's family options
    (``progress`` follows the model's graph import, as in rooflens.model).
    """
    bound, devices_, systems_, scenarios_ = _inputs(model, hw, scenario, system, options,
                                                    progress)
    parsed = _settings("analyze", settings, options)
    reports = [Report(r) for r in _core.evaluate(bound._model, devices_, systems_, scenarios_,
                                                  parsed)]
    several = isinstance(hw, (list, tuple)) or isinstance(system, (list, tuple)) or \
        isinstance(scenario, (list, tuple))
    return reports if several else reports[0]


def compare(model, hw=None, scenario=_DEFAULT, *, system=None, settings=None, **options):
    """`rooflens compare --format json` as a dict: prefill, a decode step and a whole request per
    (device, scenario), speed-ups against the first scenario."""
    bound, devices_, systems_, scenarios_ = _inputs(model, hw, scenario, system, options)
    parsed = _settings("compare", settings, options)
    return _core.compare(bound._model, devices_, systems_, scenarios_, parsed)


def sweep(model, hw=None, scenario=_DEFAULT, *, system=None, progress=None, settings=None,
          document=False, **options):
    """`rooflens sweep`: one record per point (hardware, scenario, batch, prompt_len or
    context_len, time_s, tokens_per_s, bound, memory, out_of_memory), ready for
    ``pandas.DataFrame(records)``. Ranges as lists ([1, 2, 4]) or the CLI's text ("1:256:x2").
    Plans sweep too: ``tp=[1, 2, 4, 8]`` with ``system=`` (records gain plan,
    tokens_per_s_per_device and network_s when a plan spans devices).
    ``progress(fraction, label, seconds_left)`` is called as points finish; returning False
    cancels (RunFailedError). ``document=True`` returns the whole `--format json` document."""
    bound, devices_, systems_, scenarios_ = _inputs(model, hw, scenario, system, options)
    parsed = _settings("sweep", settings, options)
    doc = _core.sweep(bound._model, devices_, systems_, scenarios_, parsed, progress)
    for message in doc["warnings"]:  # the CLI prints them on stderr
        _warnings.warn(message, RooflensWarning, stacklevel=2)
    return doc if document else doc["points"]


def chart(reports, *, ceilings="used", sparse=False, on_chip=True, label_all=False, title="",
          expected=False):
    """The roofline chart of one or more reports as data (core/chart.h): roofs, ridge points,
    one point per layer, axis ranges; what the GUI and `rooflens plot` draw. expected=True adds
    each point's expected_ops_per_second (the rate its expected time attains, under the roof)."""
    items = reports if isinstance(reports, (list, tuple)) else [reports]
    return _core.chart([r._report for r in items], ceilings, sparse, on_chip, label_all, title,
                       expected)


def palette(dark=False):
    """The chart colours the GUI uses (core/chart_theme.h): per layer kind and per device."""
    return _core.palette(dark)


def configure_allocator():
    """Keeps freed heap pages in this process, as the CLI and the GUI do at start-up
    (core::configureProcessAllocator): re-analysing a large model then skips the page faults
    of glibc's defaults (about 4x faster for llama-2-70b). Not done on import: it changes the
    allocator of the whole Python process."""
    _core.configure_allocator()


def plan(model, hw=None, scenario=_DEFAULT, *, system=None, progress=None, settings=None,
         **options):
    """`rooflens plan --format json` as a dict: every TP x EP x PP x DP plan of ``model`` on
    ``system`` (or ``hw=`` with ``devices=N``) at every batch, with "candidates" (one record per
    plan and batch: plan, tp, ep, pp, dp, batch, ttft_s, tpot_s, tokens_per_s_per_device,
    memory, binding, fits_in_memory, meets_targets, pareto; ready for
    ``pandas.DataFrame(doc["candidates"])``) and "winner", the index of the best candidate under
    the targets (None when none fits). Keyword settings: batch, prompt_len, gen_len,
    flash_attention, ttft_ms, tpot_ms, tp, ep, pp (lists restrict the search), tp_across_nodes,
    any_size, serving (each plan at its best concurrency under continuous batching), threads,
    and the deployment options. ``progress(fraction, label, seconds_left)`` is called as plans
    finish; returning False cancels (RunFailedError)."""
    bound, devices_, systems_, scenarios_ = _inputs(model, hw, scenario, system, options)
    parsed = _settings("plan", settings, options)
    return _core.plan(bound._model, devices_, systems_, scenarios_, parsed, progress)


def serve(model, hw=None, scenario=_DEFAULT, *, system=None, settings=None, **options):
    """`rooflens serve --format json`: the steady state of continuous batching (docs/serving.md).

    One of ``rate=`` (requests/s), ``concurrency=`` (in flight per replica), ``goodput=True``
    (with ``ttft_ms``/``tpot_ms``) gives one operating point as a dict (TTFT, TPOT, E2E,
    requests/s, tokens/s per device, steps, memory, energy, cost, load, targets), None when
    ``goodput`` finds no concurrency under the targets. ``sweep_rate=`` or
    ``sweep_concurrency=`` (a list, or "LO:HI:N") gives a list of records, one per value (with
    "rate" or "offered_concurrency"), ready for ``pandas.json_normalize(records)``. Other
    keyword settings: prompt_len, gen_len (N, "uniform:MIN:MAX", "normal:MEAN:SD",
    "file:PATH"), chunk, disaggregate ("P:D"), speculative, prefix_len, offload, price,
    requests, flash_attention and the deployment (tp, pp, ep, dp, devices, ...)."""
    bound, devices_, systems_, scenarios_ = _inputs(model, hw, scenario, system, options)
    parsed = _settings("serve", settings, options)
    return _core.serve(bound._model, devices_, systems_, scenarios_, parsed)
