#include "core/evaluate.h"

#include <cstdio>

#include "core/derived.h"
#include "core/request.h"

namespace rooflens::core {

namespace {

Status checkInput(const WorkloadBuilder& builder, const EvaluationInput& in) {
    if (in.devices.empty()) {
        return usageError("no device to evaluate on");
    }
    if (in.scenarios.empty()) {
        return usageError("no scenario to evaluate");
    }
    if (!in.deployment.single()) {
        return usageError(
            "deployments over several devices are not supported yet (tensor, "
            "pipeline, expert, data and context parallelism must be 1)");
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
    PassOptions options;
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

// Builds what one scenario needs (one pass, or a request's passes) and prices it on every
// device.
void evaluateScenario(const WorkloadBuilder& builder, const EvaluationInput& in, std::size_t s,
                      Evaluation& out) {
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

Result<Workload> buildPass(const WorkloadBuilder& builder, const RunSettings& settings,
                           const std::optional<Scenario>& scenario, bool collapseBlocks) {
    PassOptions options;
    options.collapseBlocks = collapseBlocks;
    if (scenario) {
        options.tokenReduction = scenario->tokenReduction;
    }
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
    for (std::size_t s = 0; s < out.scenarios; ++s) {
        evaluateScenario(builder, in, s, out);
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
