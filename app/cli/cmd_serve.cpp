// rooflens serve: a deployment's steady state under a load (core/serving.h, docs/serving.md):
// TTFT, TPOT, E2E, requests/s and tokens/s per device, the targets, the per-step breakdown, the
// binding memory tier, energy and cost; or a rate/concurrency sweep as CSV or JSON.
#include <cmath>
#include <cstdio>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "core/serving.h"
#include "core/units.h"
#include "serve_options.h"
#include "workload_options.h"

namespace rooflens::cli {

namespace {

std::string target(const std::optional<bool>& met, const std::optional<double>& goal) {
    if (!met || !goal) {
        return "";
    }
    return "   [target " + core::formatSeconds(*goal) + ": " + (*met ? "met" : "MISSED") + "]";
}

std::string renderText(const core::ServingMetrics& m, const core::ServingOptions& o,
                       const std::string& title) {
    std::ostringstream out;
    char line[256];
    auto row = [&](const char* name, const std::string& value) {
        std::snprintf(line, sizeof line, "  %-26s %s\n", name, value.c_str());
        out << line;
    };
    auto num = [&](double v, const char* unit) {
        std::snprintf(line, sizeof line, *unit != 0 ? "%.4g %s" : "%.4g", v, unit);
        return std::string(line);
    };
    out << title << "\nload: prompt " << o.load.prompt.describe() << ", output "
        << o.load.output.describe() << ", "
        << (o.load.rate ? num(*o.load.rate, "requests/s offered")
                        : num(*o.load.concurrency, "in flight per replica"))
        << "\nsteady state (mean-field continuous batching, docs/serving.md):\n";
    row("decode batch", num(m.concurrency, "") + " (KV limit " +
                            (std::isfinite(m.maxConcurrency) ? num(m.maxConcurrency, "") + ")"
                                                             : std::string("none)")) +
                            (m.kvLimited ? "  KV-LIMITED" : "") +
                            (m.saturated ? "  SATURATED: the rate exceeds the capacity" : ""));
    row("TTFT", core::formatSeconds(m.ttftSeconds) + target(m.ttftMet, o.ttftTarget));
    row("TPOT", core::formatSeconds(m.tpotSeconds) + target(m.tpotMet, o.tpotTarget));
    row("E2E", core::formatSeconds(m.e2eSeconds));
    row("requests/s", num(m.requestsPerSecond, ""));
    row("output tokens/s", num(m.outputTokensPerSecond, "") + " (" +
                               num(m.outputTokensPerSecondPerDevice, "per device, ") +
                               std::to_string(m.devices) + " devices)");
    row("input tokens/s", num(m.inputTokensPerSecond, ""));
    row("tokens/s per user", num(m.tokensPerSecondPerUser, ""));
    out << "per-step breakdown:\n";
    row("prefill of one request", core::formatSeconds(m.prefillSeconds));
    row("decode step", core::formatSeconds(m.decodeStepSeconds));
    if (m.mixedStepSeconds > 0)
        row("mixed step (with a chunk)", core::formatSeconds(m.mixedStepSeconds));
    if (m.kvTransferSeconds > 0)
        row("KV transfer P -> D", core::formatSeconds(m.kvTransferSeconds));
    row("prefill share of time", num(100 * m.prefillTimeShare, "%"));
    row("HBM per device", core::formatSi(m.memoryBytesPerDevice, "B") + " (KV " +
                              core::formatSi(m.kvBytesPerDevice, "B") + ")");
    row("binding (decode step)",
        m.bindingTier + " (" + num(100 * m.bindingShare, "%") + " of the layer time)");
    out << "energy and cost:\n";
    row("power per device", num(m.wattsPerDevice, "W") + " (idle + (TDP - idle) x busy)");
    row("energy", num(m.joulesPerOutputToken, "J per output token"));
    row("cost", m.dollarsPerHour > 0 ? num(m.dollarsPerHour, "$/hour") : "no price (--price)");
    if (m.dollarsPerHour > 0) {
        row("$ per million input", num(m.dollarsPerMillionInput, "$"));
        row("$ per million output", num(m.dollarsPerMillionOutput, "$"));
    }
    row("the workload's requests", core::formatSeconds(m.workloadSeconds));
    return out.str();
}

std::string renderSweep(const std::vector<core::ServingSweepPoint>& points, bool rates,
                        core::ReportFormat format) {
    if (format == core::ReportFormat::json) {
        return serveSweepJson(points, rates).dump(2) + "\n";
    }
    std::ostringstream out;
    out << (rates ? "rate" : "concurrency")
        << ",decode_batch,kv_limited,saturated,ttft_s,tpot_s,e2e_s,requests_per_s,"
           "output_tokens_per_s,output_tokens_per_s_per_device,joules_per_output_token,"
           "dollars_per_million_output\n";
    for (const auto& p : points) {
        const auto& m = p.metrics;
        out << p.value << ',' << m.concurrency << ',' << m.kvLimited << ',' << m.saturated << ','
            << m.ttftSeconds << ',' << m.tpotSeconds << ',' << m.e2eSeconds << ','
            << m.requestsPerSecond << ',' << m.outputTokensPerSecond << ','
            << m.outputTokensPerSecondPerDevice << ',' << m.joulesPerOutputToken << ','
            << m.dollarsPerMillionOutput << '\n';
    }
    return out.str();
}

std::string titleOf(const core::WorkloadBuilder& model, const std::string& where,
                    const core::Deployment& d, const std::optional<core::Scenario>& scenario) {
    return "serving " + model.id() + " on " + where + " (TP " + std::to_string(d.tensorParallel) +
           " x PP " + std::to_string(d.pipelineParallel) + " x EP " +
           std::to_string(d.expertParallel) + ", DP " + std::to_string(d.dataParallel) +
           "), scenario " + core::scenarioName(scenario);
}

// The bound models, devices and systems a ServingInput points into.
struct Bound {
    BoundModel model;
    std::shared_ptr<const core::WorkloadBuilder> draft;
    core::ScenarioList scenarios;
    std::vector<core::Hardware> devices;
    std::vector<core::System> systems;
    core::ServingInput input;
};

void bindServing(const po::variables_map& vm, const core::ServingOptions& serving, Bound& b) {
    b.model = bindModel(vm);
    b.draft = bindDraft(serving);
    b.scenarios = scenarioList(vm, *b.model.builder);
    b.devices = deviceList(vm);
    b.input = servingInput(vm, serving, *b.model.builder, b.draft.get());
    core::ServingInput& in = b.input;
    in.evaluation.devices = b.devices;
    in.evaluation.scenarios = b.scenarios;
    in.evaluation.deployment = deploymentOption(vm);
    b.systems = systemList(vm, b.devices, in.evaluation.deployment);
    in.evaluation.systems = b.systems;
}

// One operating point (--rate, --concurrency, --goodput) as text or JSON.
void emitPoint(const po::variables_map& vm, core::ServingOptions serving, const Bound& b,
               core::ReportFormat format) {
    const auto point = servePoint(vm, b.input, serving);
    if (!point) {
        emit("no concurrency meets the targets (even one request in flight misses them)\n",
             outputOption(vm));
        return;
    }
    const core::ServingMetrics& m = *point;
    if (format == core::ReportFormat::json) {
        const core::Json j = servePointJson(m, serving, b.model.builder->id(), b.devices.front().id,
                                            core::scenarioName(b.scenarios.front()));
        emit(j.dump(2) + "\n", outputOption(vm));
        return;
    }
    const std::string where = b.systems.empty() ? b.devices.front().id : b.systems.front().id;
    emit(renderText(
             m, serving,
             titleOf(*b.model.builder, where, b.input.evaluation.deployment, b.scenarios.front())),
         outputOption(vm));
}

}  // namespace

int runServe(const std::vector<std::string>& args) {
    po::options_description options("serve options");
    addModelOptions(options, false, false);
    addServeOptions(options);
    addOutputOptions(options, "table|json|csv (csv: sweeps)");
    addFamilyOptions(options);
    addDeploymentOptions(options, false);
    auto parsed = parseOptions(
        args, options,
        "usage: rooflens serve --model ID --system S|--hw H [plan flags] --prompt-len DIST "
        "--gen-len DIST (--rate R | --concurrency C | --sweep-rate LIST | --sweep-concurrency "
        "LIST | --goodput) [--ttft-ms X --tpot-ms Y] [--chunk N] [--disaggregate P:D] "
        "[--speculative draft=ID,alpha=A,gamma=G] [--prefix-len N] [--offload ...]");
    if (!parsed) {
        return kOk;
    }
    const po::variables_map& vm = *parsed;
    const auto format = formatOption(
        vm, {core::ReportFormat::table, core::ReportFormat::json, core::ReportFormat::csv});
    checkServeModes(vm);
    const bool sweepRate = vm.count("sweep-rate") != 0U;
    const bool sweep = sweepRate || vm.count("sweep-concurrency") != 0U;
    if (!sweep && format == core::ReportFormat::csv) {
        throw CliError{kUsage, "--format csv is for sweeps (--sweep-rate, --sweep-concurrency)"};
    }
    const core::ServingOptions serving = servingOptions(vm);
    Bound bound;
    bindServing(vm, serving, bound);
    if (!sweep) {
        emitPoint(vm, serving, bound, format);
        return kOk;
    }
    const char* flag = sweepRate ? "sweep-rate" : "sweep-concurrency";
    const std::vector<double> values = sweepValues(vm[flag].as<std::string>(), flag);
    const auto points = unwrap(core::sweepServing(bound.input, sweepRate, values));
    emit(renderSweep(points, sweepRate,
                     format == core::ReportFormat::json ? format : core::ReportFormat::csv),
         outputOption(vm));
    return kOk;
}

}  // namespace rooflens::cli
