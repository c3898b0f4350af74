// The GUI's serving job: every series of the analysis request (device x plan x scenario) under a
// continuous-batching load through core/serving.h, as a throughput-latency curve and the best
// operating point under the targets.
#include <cmath>

#include "core/serving.h"
#include "core/units.h"
#include "request_parts.h"
#include "ui/analysis_runner.h"

namespace rooflens::ui {

namespace {

using namespace detail;

// Concurrencies of the curve: doubling from 1 (the serving model caps them at the KV limit).
const std::vector<double> kConcurrencies{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

core::ServingInput servingInput(const ServingRequest& r, std::size_t device,
                                const core::Deployment& plan,
                                const std::optional<core::Scenario>& scenario) {
    const AnalysisRequest& base = r.base;
    core::ServingInput in;
    in.builder = base.workload->builder.get();
    core::RunSettings& s = in.evaluation.settings;
    s.phase = core::Phase::request;
    s.batch = 1;
    s.promptLength = r.promptLength;
    s.generateLength = r.generateLength;
    s.flashAttention = base.settings.flashAttention;
    in.evaluation.devices = std::span<const core::Hardware>(&base.devices[device], 1);
    if (device < base.systems.size()) {
        in.evaluation.systems = std::span<const core::System>(&base.systems[device], 1);
    }
    in.evaluation.scenarios = {scenario};
    in.evaluation.deployment = plan;
    in.options.load.prompt.a = static_cast<double>(r.promptLength);
    in.options.load.output.a = static_cast<double>(r.generateLength);
    in.options.ttftTarget = r.ttftTarget;
    in.options.tpotTarget = r.tpotTarget;
    return in;
}

// One series: its curve (points up to the KV limit) and its best point under the targets.
void serveSeries(const core::ServingInput& in, ServingRow& row, plot::SweepLine& line) {
    auto curve = core::sweepServing(in, false, kConcurrencies);
    if (!curve) {
        row.error = curve.error().message;
        return;
    }
    for (const core::ServingSweepPoint& p : *curve) {
        line.x.push_back(p.metrics.tpotSeconds * 1e3);
        line.y.push_back(p.metrics.outputTokensPerSecondPerDevice);
        if (p.metrics.kvLimited) {
            break;  // the rest repeat the KV limit's point
        }
    }
    auto best = core::bestUnderTargets(in);
    if (!best) {
        row.error = best.error().message;
        return;
    }
    row.meetsTargets = best->has_value();
    const core::ServingMetrics& m = best->has_value() ? **best : curve->front().metrics;
    row.concurrency = m.concurrency;
    row.outputTokensPerSecondPerDevice = m.outputTokensPerSecondPerDevice;
    row.ttftSeconds = m.ttftSeconds;
    row.tpotSeconds = m.tpotSeconds;
    row.dollarsPerMillionOutput = m.dollarsPerMillionOutput;
    row.dollarsPerMillionInput = m.dollarsPerMillionInput;
    row.joulesPerOutputToken = m.joulesPerOutputToken;
    row.binding = m.bindingTier;
}

}  // namespace

ServingOutcome runServingRequest(const ServingRequest& r, const core::ProgressCallback& progress,
                                 const core::CancelToken& cancel) {
    ServingOutcome out;
    const AnalysisRequest& base = r.base;
    if (!base.workload || !base.workload->builder || !base.workload->hasDecode) {
        out.error = "serving needs a model that generates tokens (an LLM)";
        return out;
    }
    if (base.devices.empty()) {
        out.error = "no device selected";
        return out;
    }
    // The title names the requests served; the TPOT target is the dashed line, the TTFT target
    // (not a line on these axes) is applied by the table's "Meets targets" and named in the
    // status line.
    out.data.title = "Serving prompt " + std::to_string(r.promptLength) + " + output " +
                     std::to_string(r.generateLength) + " tokens";
    out.data.xLabel = "TPOT [ms]";
    out.data.yLabel = "Output tokens/s per device";
    out.data.logX = false;
    out.data.logY = false;
    if (r.tpotTarget) {
        out.data.markers.push_back(
            {true, *r.tpotTarget * 1e3, "TPOT ≤ " + core::formatSeconds(*r.tpotTarget)});
    }
    const auto scenarios = scenariosOf(base);
    const core::ScenarioList list = scenarioList(scenarios);
    const std::vector<core::Deployment> plans = plansOf(base);
    const std::size_t total = base.devices.size() * plans.size() * scenarios.size();
    for (std::size_t d = 0; d < base.devices.size(); ++d) {
        for (std::size_t p = 0; p < plans.size(); ++p) {
            for (std::size_t s = 0; s < scenarios.size(); ++s) {
                if (cancel.cancelled()) {
                    out.cancelled = true;
                    return out;
                }
                const std::string name = plans.size() > 1
                                             ? core::planName(plans[p]) + " / " + scenarios[s].name
                                             : scenarios[s].name;
                ServingRow row;
                row.label = seriesLabel(name, base.devices[d].name, base.devices.size() > 1);
                plot::SweepLine line;
                line.label = row.label;
                serveSeries(servingInput(r, d, plans[p], list[s]), row, line);
                out.rows.push_back(std::move(row));
                out.data.lines.push_back(std::move(line));
                if (progress) {
                    progress(static_cast<double>(out.rows.size()) / total, "serving", 0);
                }
            }
        }
    }
    return out;
}

}  // namespace rooflens::ui
