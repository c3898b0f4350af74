#include "core/evaluate.h"

#include <algorithm>
#include <cstdio>

#include "core/derived.h"
#include "core/request.h"
#include "parallel.h"

namespace rooflens::core {

namespace {

Status checkInput(const WorkloadBuilder& builder, const EvaluationInput& in) {
    if (in.devices.empty()) {
        return usageError("no device to evaluate on");
    }
    if (in.scenarios.empty()) {
        return usageError("no scenario to evaluate");
    }
    if (!in.systems.empty() && in.systems.size() != in.devices.size()) {
        return usageError("one system per device, or none");
    }
    if (!builder.hasDecode() && in.settings.phase != Phase::prefill) {
        return usageError(std::string(nameOf(builder.family())) +
                          " models have one forward pass: use phase prefill (the default), not '" +
                          std::string(nameOf(in.settings.phase)) + "'");
    }
    if (in.settings.batch < 1) {
        return usageError("batch must be at least 1, got " + std::to_string(in.settings.batch));
    }
    return Ok{};
}

// Notes how much of a token reduction's MAC cut turns into time on each device.
void addReductionNotes(const WorkloadBuilder& builder, const EvaluationInput& in,
                       const std::optional<Scenario>& scenario, std::size_t s, Evaluation& out) {
    const std::string label =
        builder.tokenReductionLabel(scenario ? scenario->tokenReduction : std::string_view());
    if (label.empty() || in.settings.phase != Phase::prefill) {
        return;
    }
    PassOptions options = passOptionsFor(scenario, false);
    options.tokenReduction = "none";
    auto baseline = builder.build(in.settings, options);
    if (!baseline) {
        return;
    }
    if (scenario && scenario->compresses()) {
        baseline = applyScenario(*scenario, baseline.value());
        if (!baseline) {
            return;
        }
    }
    for (std::size_t d = 0; d < in.devices.size(); ++d) {
        Series& series = out.series[d * in.scenarios.size() + s];
        if (!series.report) {
            continue;
        }
        const Report base = analyze(baseline.value(), in.devices[d], in.options);
        ReductionEffect effect;
        effect.reducedMacs = series.report->totals.macs;
        effect.reducedSeconds = series.report->totals.timeSeconds;
        effect.baselineMacs = base.totals.macs;
        effect.baselineSeconds = base.totals.timeSeconds;
        series.report->notes.push_back(summarizeTokenReduction(label, effect, in.devices[d].name));
    }
}

// The system device `d` runs in: the input's, or `devices` of that device.
System systemFor(const EvaluationInput& in, std::size_t d) {
    if (d < in.systems.size()) {
        return in.systems[d];
    }
    return systemOf(in.devices[d], in.deployment.devices());
}

// A sharded report speaks for the whole replica: its batch, its throughput per replica and per
// device, the plan, and what the communication costs.
void finishDeployed(Report& report, const EvaluationInput& in, const System& system) {
    const Deployment& d = in.deployment;
    report.settings = in.settings;
    report.deployment = d;
    Totals& t = report.totals;
    if (t.request) {
        t.request->tokensPerSecond = static_cast<double>(in.settings.batch) *
                                     static_cast<double>(in.settings.generateLength) /
                                     t.request->e2eSeconds;
        t.itemsPerSecond = t.request->tokensPerSecond;
    } else if (t.timeSeconds > 0) {
        t.itemsPerSecond = itemsPerPass(report.model.family, in.settings) / t.timeSeconds;
    }
    t.itemsPerSecondPerDevice = t.itemsPerSecond / d.devicesPerReplica();
    char text[320];
    std::snprintf(text, sizeof text,
                  "deployment TP %d x EP %d x PP %d x CP %d (x DP %d) on %s: %.1f%% of the time "
                  "in communication, %s",
                  d.tensorParallel, d.expertParallel, d.pipelineParallel, d.contextParallel,
                  d.dataParallel, system.name.c_str(),
                  t.timeSeconds > 0 ? 100 * t.networkSeconds / t.timeSeconds : 0.0,
                  d.overlapCommunication ? "overlapped with compute per stage"
                                         : "not overlapped with compute");
    report.notes.push_back(text);
}

}  // namespace

double pipelinedSeconds(const Report& micro, int m, double& bubble) {
    double sum = 0;
    double longest = 0;
    for (const StageResult& s : micro.stages) {
        sum += s.seconds;
        longest = std::max(longest, s.seconds);
    }
    const double total = sum + (m - 1) * longest;
    const auto stages = static_cast<double>(std::max<std::size_t>(1, micro.stages.size()));
    bubble = total > 0 ? 1 - m * sum / (stages * total) : 0;
    return total;
}

namespace {

// Shards the request's passes for one system (the rank of each pipeline stage).
Result<RequestPasses> shardPasses(const RequestPasses& passes, const EvaluationInput& in,
                                  const System& system) {
    RequestPasses out;
    out.settings = passes.settings;
    out.intervals = passes.intervals;
    ROOFLENS_TRY(out.prefill, shardWorkload(passes.prefill, in.settings, in.deployment, system));
    for (std::size_t i = 0; i < passes.first.size(); ++i) {
        ROOFLENS_TRY(Workload first,
                     shardWorkload(passes.first[i], in.settings, in.deployment, system));
        ROOFLENS_TRY(Workload last,
                     shardWorkload(passes.last[i], in.settings, in.deployment, system));
        out.first.push_back(std::move(first));
        out.last.push_back(std::move(last));
    }
    return out;
}

// Micro-batched prefill through the pipeline: TTFT from the stages of one micro-batch.
Status applyMicroBatches(const WorkloadBuilder& builder, const EvaluationInput& in,
                         const std::optional<Scenario>& scenario, const System& system,
                         Report& report) {
    const Deployment& d = in.deployment;
    if (d.pipelineParallel <= 1 || in.settings.phase == Phase::decode) {
        return Ok{};
    }
    RunSettings micro = rankSettings(in.settings, d);
    micro.phase = Phase::prefill;
    micro.batch = (micro.batch + d.microBatches - 1) / d.microBatches;
    ROOFLENS_TRY(const Workload built, buildPass(builder, micro, scenario));
    RunSettings microFull = in.settings;
    microFull.phase = Phase::prefill;
    microFull.batch = micro.batch * d.expertParallel;
    ROOFLENS_TRY(const Workload sharded, shardWorkload(built, microFull, d, system));
    const Report stages = analyze(sharded, system.device, in.options);
    double bubble = 0;
    const double prefill = pipelinedSeconds(stages, d.microBatches, bubble);
    report.totals.pipelineBubble = bubble;
    if (!report.totals.request) {
        report.totals.timeSeconds = prefill;
        return Ok{};
    }
    RequestMetrics& r = *report.totals.request;
    r.prefillSeconds = r.ttftSeconds = prefill;
    r.e2eSeconds = prefill + r.decodeSeconds;
    report.totals.timeSeconds = r.e2eSeconds;
    return Ok{};
}

// The report of one device's system: shard the built pass (or the request's passes), price it.
Result<Report> deployedReport(const std::optional<RequestPasses>& passes,
                              const std::optional<Workload>& workload, const EvaluationInput& in,
                              const System& system) {
    if (passes) {
        ROOFLENS_TRY(const RequestPasses sharded, shardPasses(*passes, in, system));
        return analyzeRequest(sharded, system.device, in.options);
    }
    ROOFLENS_TRY(Workload sharded, shardWorkload(*workload, in.settings, in.deployment, system));
    return analyze(std::move(sharded), system.device, in.options);
}

// One scenario over a multi-device deployment: built once at the rank's batch, sharded and
// priced for every device's system.
void evaluateDeployed(const WorkloadBuilder& builder, const EvaluationInput& in, std::size_t s,
                      Evaluation& out) {
    const std::optional<Scenario>& scenario = in.scenarios[s];
    const RunSettings rank = rankSettings(in.settings, in.deployment);
    std::optional<RequestPasses> passes;
    std::optional<Workload> workload;
    auto fail = [&](const Error& e) {
        for (std::size_t d = 0; d < in.devices.size(); ++d) {
            out.series[d * in.scenarios.size() + s].error = e;
        }
    };
    if (in.settings.phase == Phase::request) {
        auto pass = [&](Phase phase, std::int64_t context) {
            RunSettings one = rank;
            one.phase = phase;
            one.promptLength = context;
            one.contextLength = context;
            return buildPass(builder, one, scenario);
        };
        auto built = buildRequestPasses(rank, pass);
        if (!built) {
            return fail(built.error());
        }
        passes = std::move(built).value();
    } else {
        auto built = buildPass(builder, rank, scenario);
        if (!built) {
            return fail(built.error());
        }
        workload = std::move(built).value();
    }
    for (std::size_t d = 0; d < in.devices.size(); ++d) {
        Series& series = out.series[d * in.scenarios.size() + s];
        const System system = systemFor(in, d);
        auto report = deployedReport(passes, workload, in, system);
        if (report) {
            if (auto ok = applyMicroBatches(builder, in, scenario, system, *report); !ok) {
                report = ok.error();
            }
        }
        if (!report) {
            series.error = report.error();
            continue;
        }
        finishDeployed(*report, in, system);
        series.report = std::move(report).value();
    }
}

// Builds what one scenario needs (one pass, or a request's passes) and prices it on every
// device.
void evaluateScenario(const WorkloadBuilder& builder, const EvaluationInput& in, std::size_t s,
                      Evaluation& out) {
    if (!in.deployment.single()) {
        evaluateDeployed(builder, in, s, out);
        return;
    }
    const std::optional<Scenario>& scenario = in.scenarios[s];
    auto fail = [&](const Error& error) {
        for (std::size_t d = 0; d < in.devices.size(); ++d) {
            out.series[d * in.scenarios.size() + s].error = error;
        }
    };
    if (in.settings.phase == Phase::request) {
        auto pass = [&](Phase phase, std::int64_t context) {
            RunSettings one = in.settings;
            one.phase = phase;
            one.promptLength = context;
            one.contextLength = context;
            return buildPass(builder, one, scenario);
        };
        auto passes = buildRequestPasses(in.settings, pass);
        if (!passes) {
            fail(passes.error());
            return;
        }
        for (std::size_t d = 0; d < in.devices.size(); ++d) {
            out.series[d * in.scenarios.size() + s].report =
                analyzeRequest(passes.value(), in.devices[d], in.options);
        }
        return;
    }
    auto workload = buildPass(builder, in.settings, scenario);
    if (!workload) {
        fail(workload.error());
        return;
    }
    for (std::size_t d = 0; d < in.devices.size(); ++d) {
        const bool last = d + 1 == in.devices.size();  // the last device takes the layers
        out.series[d * in.scenarios.size() + s].report =
            last ? analyze(std::move(workload).value(), in.devices[d], in.options)
                 : analyze(workload.value(), in.devices[d], in.options);
    }
    addReductionNotes(builder, in, scenario, s, out);
}

}  // namespace

std::string scenarioName(const std::optional<Scenario>& scenario) {
    return scenario ? scenario->name : std::string(kUncompressed);
}

bool needsSeparateBlocks(const std::optional<Scenario>& scenario) {
    if (!scenario) {
        return false;
    }
    if (scenario->depth.exitDepth > 0) {
        return true;
    }
    for (const auto& o : scenario->overrides) {
        if (o.pattern.find("blocks.") != std::string::npos) {
            return true;
        }
    }
    return false;
}

PassOptions passOptionsFor(const std::optional<Scenario>& scenario, bool collapseBlocks) {
    PassOptions options;
    options.collapseBlocks = collapseBlocks;
    if (scenario) {
        options.tokenReduction = scenario->tokenReduction;
        options.floatType = passFloatType(*scenario);
    }
    return options;
}

Result<Workload> buildPass(const WorkloadBuilder& builder, const RunSettings& settings,
                           const std::optional<Scenario>& scenario, bool collapseBlocks) {
    const PassOptions options = passOptionsFor(scenario, collapseBlocks);
    ROOFLENS_TRY(Workload workload, builder.build(settings, options));
    if (!scenario) {
        return workload;
    }
    if (!scenario->compresses()) {
        workload.scenario = scenario->name;
        return workload;
    }
    return applyScenario(*scenario, workload);
}

std::optional<Error> Evaluation::firstError() const {
    for (const Series& s : series) {
        if (s.error) {
            return s.error;
        }
    }
    return std::nullopt;
}

Result<Evaluation> evaluate(const WorkloadBuilder& builder, const EvaluationInput& in) {
    ROOFLENS_CHECK(checkInput(builder, in));
    Evaluation out;
    out.devices = in.devices.size();
    out.scenarios = in.scenarios.size();
    out.series.resize(out.devices * out.scenarios);
    for (std::size_t d = 0; d < out.devices; ++d) {
        for (std::size_t s = 0; s < out.scenarios; ++s) {
            Series& series = out.series[d * out.scenarios + s];
            series.device = d;
            series.scenario = s;
            series.scenarioName = scenarioName(in.scenarios[s]);
        }
    }
    const std::optional<Scenario> checkpoint = builder.checkpointScenario();
    if (in.threads > 1 && out.scenarios > 1) {
        // Scenarios are independent and write only their own series; the builder is
        // immutable and thread-safe (evaluate.h).
        ROOFLENS_CHECK(forEachParallel(
            out.scenarios, static_cast<unsigned>(std::min(in.threads, 1024)),
            [&](std::size_t s) -> Result<std::size_t> {
                evaluateScenario(builder, in, s, out);
                return std::size_t{1};
            },
            {}, nullptr));
    } else {
        for (std::size_t s = 0; s < out.scenarios; ++s) {
            evaluateScenario(builder, in, s, out);
        }
    }
    for (std::size_t s = 0; s < out.scenarios; ++s) {
        if (!checkpoint || in.scenarios[s] != checkpoint) {
            continue;
        }
        for (std::size_t d = 0; d < out.devices; ++d) {
            if (auto& report = out.series[d * out.scenarios + s].report) {
                report->notes.push_back("compression '" + checkpoint->name +
                                        "' from the checkpoint's quantization_config (naming a "
                                        "scenario replaces it)");
            }
        }
    }
    return out;
}

std::string summarizeTokenReduction(const std::string& method, const ReductionEffect& e,
                                    const std::string& deviceName) {
    char text[512];
    const int n =
        std::snprintf(text, sizeof text, "token reduction (%s): MACs -%.1f%% (%.2f -> %.2f GMACs)",
                      method.c_str(), 100 * e.macsCut(), e.baselineMacs / 1e9, e.reducedMacs / 1e9);
    if (deviceName.empty() || e.baselineSeconds <= 0 || n < 0) {
        return text;
    }
    const double share = e.macsCut() > 0 ? e.timeCut() / e.macsCut() : 0;
    std::snprintf(text + n, sizeof text - static_cast<std::size_t>(n),
                  ", time -%.1f%% on %s (%.3f -> %.3f ms): %.0f%% of the MAC cut turns into time",
                  100 * e.timeCut(), deviceName.c_str(), e.baselineSeconds * 1e3,
                  e.reducedSeconds * 1e3, 100 * share);
    return text;
}

}  // namespace rooflens::core
