// evaluate, compare, sweep, plan and serve through the evaluation pipeline (core/evaluate.h,
// compare.h, sweep.h) with the GIL released; reports, comparisons and sweeps come back through the
// engine's own JSON writers (core/report_io.h), charts through core/chart.h.
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>

#include <pybind11/stl.h>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "core/chart.h"
#include "core/chart_theme.h"
#include "core/compare.h"
#include "core/evaluate.h"
#include "core/report_io.h"
#include "core/sweep.h"
#include "plan_options.h"
#include "py_common.h"
#include "serve_options.h"

namespace rooflens::python {

namespace {

using ScenarioArgs = std::vector<std::optional<Scenario>>;

// The devices, systems, scenarios and deployment of one call, resolved as the CLI resolves
// --hw, --system, --devices and --scenario.
struct Inputs {
    std::vector<std::shared_ptr<const core::Hardware>> shared;
    std::vector<core::Hardware> devices;
    std::vector<core::System> systems;
    core::ScenarioList scenarios;
    core::Deployment deployment;
};

void addSystems(Inputs& in, const std::vector<System>& systems, const po::variables_map& vm) {
    const int count = vm["devices"].as<int>();
    for (const System& s : systems) {
        in.systems.push_back(*s.system);
        in.shared.push_back(std::make_shared<const core::Hardware>(s.system->device));
        in.devices.push_back(s.system->device);
    }
    if (count < 0 || (count > 0 && !systems.empty())) {
        raise(core::usageError("--devices N goes with --hw (a --system has its own)"));
    }
    if (count > core::kMaxPlanDevices) {
        raise(core::usageError("--devices: expected at most 268435456 (2^28) devices, got " +
                               std::to_string(count)));
    }
    if (systems.empty() && (count > 0 || !in.deployment.single())) {
        for (const auto& hw : in.devices) {
            in.systems.push_back(core::systemOf(hw, count > 0 ? count : in.deployment.devices()));
        }
    }
}

Inputs inputsOf(const Model& model, const std::vector<Device>& devices,
                const std::vector<System>& systems, const ScenarioArgs& scenarios,
                const Settings& settings, bool deployment) {
    Inputs in;
    if (!systems.empty() && !devices.empty()) {
        raise(core::usageError("--system names its device: give --system or --hw, not both"));
    }
    for (const Device& d : devices) {
        in.shared.push_back(d.hardware);
        in.devices.push_back(*d.hardware);
    }
    if (deployment) {
        in.deployment = cli::deploymentOption(*settings.values);
    }
    addSystems(in, systems, *settings.values);
    if (in.devices.empty()) {
        raise(core::usageError("a device is required: --hw ID (or --system ID)"));
    }
    for (const auto& s : scenarios) {
        in.scenarios.push_back(s ? std::optional<core::Scenario>(*s->scenario) : std::nullopt);
    }
    if (in.scenarios.empty()) {
        in.scenarios.push_back(model.bound->builder->checkpointScenario());
    }
    return in;
}

// The pipeline's input of an analyze call; it points into `in`, which must outlive it.
core::EvaluationInput evaluationInput(const Inputs& in, const Settings& settings,
                                      const core::WorkloadBuilder& builder) {
    core::EvaluationInput input;
    input.settings = cli::runSettings(*settings.values, builder);
    input.devices = in.devices;
    input.scenarios = in.scenarios;
    input.deployment = in.deployment;
    input.systems = in.systems;
    return input;
}

void checkCommand(const Settings& settings, const char* command) {
    if (settings.command != command) {
        raise(core::usageError("these settings were made for " + settings.command + ", not " +
                               command));
    }
}

std::vector<Report> evaluate(const Model& model, const std::vector<Device>& devices,
                             const std::vector<System>& systems, const ScenarioArgs& scenarios,
                             const Settings& settings) {
    checkCommand(settings, "analyze");
    const core::WorkloadBuilder& builder = *model.bound->builder;
    const Inputs in = inputsOf(model, devices, systems, scenarios, settings, true);
    const core::EvaluationInput input = evaluationInput(in, settings, builder);
    auto result = [&] {
        py::gil_scoped_release release;
        return core::evaluate(builder, input);
    }();
    core::Evaluation evaluation = unwrap(std::move(result));
    std::vector<Report> reports;
    reports.reserve(evaluation.series.size());
    for (core::Series& series : evaluation.series) {
        if (series.error) {
            raise(*series.error);
        }
        reports.push_back(Report{std::make_shared<const core::Report>(std::move(*series.report)),
                                 in.shared[series.device], series.scenarioName});
    }
    return reports;
}

py::object compare(const Model& model, const std::vector<Device>& devices,
                   const std::vector<System>& systems, const ScenarioArgs& scenarios,
                   const Settings& settings) {
    checkCommand(settings, "compare");
    const core::WorkloadBuilder& builder = *model.bound->builder;
    const Inputs in = inputsOf(model, devices, systems, scenarios, settings, true);
    core::CompareInput input;
    input.settings = cli::runSettings(*settings.values, builder);
    if (input.settings.contextLength == 0) {
        input.settings.contextLength = input.settings.promptLength + input.settings.generateLength;
    }
    input.devices = in.devices;
    input.scenarios = in.scenarios;
    input.deployment = in.deployment;
    input.systems = in.systems;
    auto result = [&] {
        py::gil_scoped_release release;
        return core::compareScenarios(builder, input);
    }();
    return toPython(core::comparisonJson(unwrap(std::move(result)), builder.id()));
}

std::vector<std::int64_t> range(const po::variables_map& vm, const char* name) {
    auto values = core::parseRange(vm[name].as<std::string>());
    if (!values) {
        raise(core::usageError(std::string("--") + name + ": " + values.error().message));
    }
    return std::move(values).value();
}

core::SweepSpec sweepSpec(const Model& model, const Inputs& in, const po::variables_map& vm) {
    core::SweepSpec spec;
    spec.batches = range(vm, "batch");
    spec.promptLengths = range(vm, "prompt-len");
    spec.contextLengths = range(vm, "context-len");
    spec.generateLength = cli::requirePositive(vm, "gen-len");
    spec.flashAttention = vm["flash-attention"].as<bool>();
    spec.scenarios = in.scenarios;
    spec.phase = cli::phaseOption(vm, *model.bound->builder);
    spec.devices = in.devices;
    spec.deployments = cli::deploymentList(vm);
    spec.systems = in.systems;
    const std::size_t size = core::sweepSize(spec);
    if (size > 50'000'000) {
        raise(core::usageError("the sweep has " + std::to_string(size) +
                               " points; at most 50,000,000 are allowed"));
    }
    return spec;
}

// The plan names of the points when a plan spans devices (as `rooflens sweep` shows them).
std::vector<std::string> planNames(const std::vector<core::Deployment>& plans) {
    std::vector<std::string> names;
    const bool multi = std::any_of(plans.begin(), plans.end(),
                                   [](const core::Deployment& d) { return !d.single(); });
    if (multi) {
        for (const auto& plan : plans) {
            names.push_back(core::planName(plan));
        }
    }
    return names;
}

py::object sweepDocument(const core::SweepResult& swept, const core::SweepSpec& spec,
                         const std::string& model) {
    std::vector<std::string> deviceIds;
    std::vector<std::string> scenarioNames;
    for (const auto& hw : spec.devices) {
        deviceIds.push_back(hw.id);
    }
    for (const auto& s : spec.scenarios) {
        scenarioNames.push_back(core::scenarioName(s));
    }
    core::Json doc = core::sweepJson(swept, deviceIds, scenarioNames, planNames(spec.deployments),
                                     spec.phase, model);
    doc["warnings"] = swept.warnings;
    return toPython(doc);
}

py::object sweep(const Model& model, const std::vector<Device>& devices,
                 const std::vector<System>& systems, const ScenarioArgs& scenarios,
                 const Settings& settings, py::object callback) {
    checkCommand(settings, "sweep");
    const po::variables_map& vm = *settings.values;
    const Inputs in = inputsOf(model, devices, systems, scenarios, settings, false);
    const core::SweepSpec spec = sweepSpec(model, in, vm);
    Progress progress(std::move(callback));
    auto result = [&] {
        py::gil_scoped_release release;
        return core::runSweep(*model.bound->builder, spec, vm["threads"].as<unsigned>(),
                              progress.callback(), progress.token());
    }();
    progress.finish();
    const core::SweepResult swept = unwrap(std::move(result));
    if (swept.cancelled) {
        raise(core::runtimeError("cancelled by the progress callback; nothing returned"));
    }
    return sweepDocument(swept, spec, model.bound->builder->id());
}

py::object plan(const Model& model, const std::vector<Device>& devices,
                const std::vector<System>& systems, const ScenarioArgs& scenarios,
                const Settings& settings, py::object callback) {
    checkCommand(settings, "plan");
    const po::variables_map& vm = *settings.values;
    const core::WorkloadBuilder& builder = *model.bound->builder;
    const core::PlanSearchSpec spec = cli::planSearchSpec(vm, [&](core::PlanSearchSpec& s) {
        // As `rooflens plan`: --hw with --devices N is a system of N such devices.
        const Inputs in = inputsOf(model, devices, systems, scenarios, settings, false);
        if (in.systems.empty()) {
            raise(
                core::usageError("plan needs a system: --system ID|FILE, or --hw ID --devices N"));
        }
        s.scenario = in.scenarios.front();
        s.system = in.systems.front();
    });
    Progress progress(std::move(callback));
    auto result = [&] {
        py::gil_scoped_release release;
        return core::searchPlans(builder, spec, vm["threads"].as<unsigned>(), progress.callback(),
                                 progress.token());
    }();
    progress.finish();
    const core::PlanSearchResult searched = unwrap(std::move(result));
    if (searched.cancelled) {
        raise(core::runtimeError("cancelled by the progress callback; nothing returned"));
    }
    return toPython(cli::planJson(searched, spec, builder.id()));
}

// `rooflens serve --format json`: one operating point (None when --goodput finds no concurrency
// under the targets), or the records of a rate or concurrency sweep.
py::object serve(const Model& model, const std::vector<Device>& devices,
                 const std::vector<System>& systems, const ScenarioArgs& scenarios,
                 const Settings& settings) {
    checkCommand(settings, "serve");
    const po::variables_map& vm = *settings.values;
    cli::checkServeModes(vm);
    core::ServingOptions serving = cli::servingOptions(vm);
    const auto draft = cli::bindDraft(serving);
    const core::WorkloadBuilder& builder = *model.bound->builder;
    const Inputs in = inputsOf(model, devices, systems, scenarios, settings, true);
    core::ServingInput input = cli::servingInput(vm, serving, builder, draft.get());
    input.evaluation.devices = in.devices;
    input.evaluation.scenarios = in.scenarios;
    input.evaluation.deployment = in.deployment;
    input.evaluation.systems = in.systems;
    if (const char* flag = cli::serveSweepFlag(vm)) {
        const std::vector<double> values = cli::sweepValues(vm[flag].as<std::string>(), flag);
        const bool rates = std::string(flag) == "sweep-rate";
        auto points = [&] {
            py::gil_scoped_release release;
            return core::sweepServing(input, rates, values);
        }();
        return toPython(cli::serveSweepJson(unwrap(std::move(points)), rates));
    }
    const auto point = [&] {
        py::gil_scoped_release release;
        return cli::servePoint(vm, input, serving);
    }();
    if (!point) {
        return py::none();
    }
    return toPython(cli::servePointJson(*point, serving, builder.id(), in.devices.front().id,
                                        core::scenarioName(in.scenarios.front())));
}

double threadSeconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// The C++ side of the overhead measurement (python/bench/bench_evaluate.py): the CPU seconds of
// this thread per core::evaluate call for the same inputs as evaluate(), in the same process
// (CPU time, as the Python side: the 2-core machines are shared, so wall time is noise).
double timeEvaluate(const Model& model, const std::vector<Device>& devices,
                    const ScenarioArgs& scenarios, const Settings& settings, int repeats) {
    checkCommand(settings, "analyze");
    const core::WorkloadBuilder& builder = *model.bound->builder;
    const Inputs in = inputsOf(model, devices, {}, scenarios, settings, true);
    const core::EvaluationInput input = evaluationInput(in, settings, builder);
    py::gil_scoped_release release;
    const double start = threadSeconds();
    for (int i = 0; i < repeats; ++i) {
        auto result = core::evaluate(builder, input);
        if (!result) {
            return -1;
        }
    }
    return (threadSeconds() - start) / std::max(repeats, 1);
}

}  // namespace

void registerEvaluate(py::module_& m) {
    m.def("evaluate", &evaluate, py::arg("model"), py::arg("devices"), py::arg("systems"),
          py::arg("scenarios"), py::arg("settings"));
    m.def("compare", &compare, py::arg("model"), py::arg("devices"), py::arg("systems"),
          py::arg("scenarios"), py::arg("settings"));
    m.def("sweep", &sweep, py::arg("model"), py::arg("devices"), py::arg("systems"),
          py::arg("scenarios"), py::arg("settings"), py::arg("progress") = py::none());
    m.def("plan", &plan, py::arg("model"), py::arg("devices"), py::arg("systems"),
          py::arg("scenarios"), py::arg("settings"), py::arg("progress") = py::none());
    m.def("serve", &serve, py::arg("model"), py::arg("devices"), py::arg("systems"),
          py::arg("scenarios"), py::arg("settings"));
    m.def("time_evaluate", &timeEvaluate, py::arg("model"), py::arg("devices"),
          py::arg("scenarios"), py::arg("settings"), py::arg("repeats"));
}

}  // namespace rooflens::python
