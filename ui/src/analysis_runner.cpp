#include "ui/analysis_runner.h"

#include <QThread>

#include "request_parts.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <utility>

#include "core/evaluate.h"
#include "core/sweep.h"
#include "core/units.h"

namespace rooflens::ui {

namespace detail {

std::vector<ScenarioInput> scenariosOf(const AnalysisRequest& request) {
    if (!request.scenarios.empty()) {
        return request.scenarios;
    }
    return {ScenarioInput{std::string(core::kUncompressed), std::nullopt, {}}};
}

// The GUI's scenarios as the pipeline's: a token schedule travels in the scenario (a ViT token
// reduction), under the scenario's name in the panel.
core::ScenarioList scenarioList(const std::vector<ScenarioInput>& inputs) {
    core::ScenarioList list;
    for (const auto& input : inputs) {
        if (!input.scenario && input.options.tokenSchedule.empty()) {
            list.emplace_back(std::nullopt);
            continue;
        }
        core::Scenario scenario = input.scenario.value_or(core::Scenario{});
        scenario.name = input.name;
        scenario.tokenReduction = input.options.tokenSchedule;
        list.emplace_back(std::move(scenario));
    }
    return list;
}

std::vector<core::Deployment> plansOf(const AnalysisRequest& request) {
    if (request.comparePlans.empty()) {
        return {request.deployment};
    }
    return request.comparePlans;
}

// GNNs run one graph: the batch is not theirs to set.
core::RunSettings settingsFor(const PreparedWorkload& workload, core::RunSettings settings) {
    if (workload.builder->family() == core::ModelFamily::gnn) {
        settings.batch = 1;
    }
    return settings;
}

}  // namespace detail

using namespace detail;

std::string seriesLabel(const std::string& name, const std::string& deviceName,
                        bool severalDevices) {
    return severalDevices ? name + " @ " + deviceName : name;
}

AnalysisResult runAnalysis(const AnalysisRequest& request, const core::CancelToken& cancel) {
    const auto started = std::chrono::steady_clock::now();
    AnalysisResult out;
    out.devices = request.devices;
    if (!request.workload || !request.workload->builder) {
        out.errors.emplace_back("no model selected");
        return out;
    }
    if (request.devices.empty()) {
        out.errors.emplace_back("no device selected");
        return out;
    }
    const auto scenarios = scenariosOf(request);
    const bool several = request.devices.size() > 1;
    const std::vector<core::Deployment> plans = plansOf(request);
    core::EvaluationInput input;
    input.settings = settingsFor(*request.workload, request.settings);
    input.devices = out.devices;
    input.scenarios = scenarioList(scenarios);
    input.systems = request.systems;
    // The GUI thread waits for this result: use every core for the scenarios (8 series of
    // llama-3-70b took 5 ms on one).
    input.threads = std::max(1, QThread::idealThreadCount());
    std::vector<core::Evaluation> evaluations;
    for (const core::Deployment& plan : plans) {
        input.deployment = plan;
        auto evaluation = core::evaluate(*request.workload->builder, input);
        if (cancel.cancelled()) {
            return out;
        }
        if (!evaluation) {
            out.errors.push_back((plans.size() > 1 ? core::planName(plan) + ": " : std::string()) +
                                 evaluation.error().message);
            return out;
        }
        evaluations.push_back(std::move(evaluation).value());
    }
    for (std::size_t d = 0; d < out.devices.size(); ++d) {
        for (std::size_t p = 0; p < plans.size(); ++p) {
            for (std::size_t i = 0; i < scenarios.size(); ++i) {
                core::Series& s = evaluations[p].series[d * scenarios.size() + i];
                SeriesResult series;
                series.scenario = plans.size() > 1
                                      ? core::planName(plans[p]) + " / " + scenarios[i].name
                                      : scenarios[i].name;
                series.device = d;
                series.plan = p;
                series.label = seriesLabel(series.scenario, out.devices[d].name, several);
                if (s.report) {
                    series.report = std::make_shared<const core::Report>(std::move(*s.report));
                } else if (s.error) {
                    series.error = s.error->message;
                    out.errors.push_back(series.label + ": " + series.error);
                }
                out.series.push_back(std::move(series));
            }
        }
    }
    std::vector<core::ChartInput> inputs;
    for (const auto& series : out.series) {
        if (series.report) {
            inputs.push_back({series.report.get(), &out.devices[series.device], series.scenario});
        }
    }
    out.chart =
        core::buildRooflineChart(inputs, request.chart, static_cast<unsigned>(input.threads));
    out.elapsedSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return out;
}

core::Result<core::Comparison> runComparison(const AnalysisRequest& request) {
    if (!request.workload || !request.workload->hasDecode) {
        return core::usageError("comparisons need a model with a decode phase");
    }
    core::CompareInput input;
    input.settings = request.settings;
    input.devices = request.devices;
    input.scenarios = scenarioList(scenariosOf(request));
    input.deployment = request.deployment;
    input.plans = request.comparePlans;
    input.systems = request.systems;
    return core::compareScenarios(*request.workload->builder, input);
}

namespace {

void setSweepLabels(const SweepRequest& request, plot::SweepData& data) {
    const AnalysisRequest& base = request.base;
    switch (request.axis) {
        case SweepAxis::batch:
            data.xLabel = "Batch size";
            break;
        case SweepAxis::promptLength:
            data.xLabel = "Prompt length [tokens]";
            break;
        case SweepAxis::contextLength:
            data.xLabel = "Context length [tokens]";
            break;
    }
    switch (request.metric) {
        case SweepMetric::time:
            data.yLabel = base.settings.phase == core::Phase::request ? "End-to-end time [s]"
                                                                      : "Predicted time [s]";
            break;
        case SweepMetric::throughput:
            data.yLabel =
                base.workload->hasDecode ? "Throughput [tokens/s]" : "Throughput [samples/s]";
            break;
        case SweepMetric::ttft:
            data.yLabel = "TTFT [s]";
            break;
        case SweepMetric::tpot:
            data.yLabel = "TPOT [s]";
            break;
        case SweepMetric::memory:
            data.yLabel = "Memory: weights + KV cache + activations [B]";
            data.logY = false;
            break;
    }
    data.title = base.workload->id + " " + std::string(core::nameOf(base.settings.phase)) + ": " +
                 data.yLabel.substr(0, data.yLabel.find(" [")) + " vs " +
                 data.xLabel.substr(0, data.xLabel.find(" ["));
}

double axisValue(const core::SweepPoint& p, SweepAxis axis) {
    switch (axis) {
        case SweepAxis::batch:
            return static_cast<double>(p.batch);
        case SweepAxis::promptLength:
            return static_cast<double>(p.promptLength);
        case SweepAxis::contextLength:
            return static_cast<double>(p.contextLength);
    }
    return 0;
}

double metricValue(const core::SweepPoint& p, SweepMetric metric) {
    switch (metric) {
        case SweepMetric::time:
            return p.timeSeconds;
        case SweepMetric::throughput:
            return p.tokensPerSecond;
        case SweepMetric::ttft:
            return p.ttftSeconds;
        case SweepMetric::tpot:
            return p.tpotSeconds;
        case SweepMetric::memory:
            return p.totalMemoryBytes;
    }
    return 0;
}

// The sweep spec of one scenario over the values [first, first + count) of the request's axis.
core::SweepSpec chunkSpec(const SweepRequest& request, const core::RunSettings& s,
                          const std::optional<core::Scenario>& scenario, std::size_t first,
                          std::size_t count) {
    const std::vector<std::int64_t> values(
        request.values.begin() + static_cast<std::ptrdiff_t>(first),
        request.values.begin() + static_cast<std::ptrdiff_t>(first + count));
    core::SweepSpec spec;
    spec.phase = s.phase;
    spec.batches = {s.batch};
    spec.promptLengths = {s.promptLength};
    spec.contextLengths = {s.contextLength};
    spec.generateLength = s.generateLength;
    spec.flashAttention = s.flashAttention;
    spec.devices = request.base.devices;
    spec.scenarios = {scenario};
    spec.deployments = {request.base.deployment};
    spec.systems = request.base.systems;
    switch (request.axis) {
        case SweepAxis::batch:
            spec.batches = values;
            break;
        case SweepAxis::promptLength:
            spec.promptLengths = values;
            break;
        case SweepAxis::contextLength:
            spec.contextLengths = values;
            break;
    }
    return spec;
}

}  // namespace

std::string decimalGigabytes(double bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f GB", bytes / core::kGiga);
    return text;
}

std::string outOfMemoryNote(const core::SweepPoint& p, const core::Hardware& device,
                            bool severalDevices) {
    return "does not fit in memory: needs " + decimalGigabytes(p.totalMemoryBytes) +
           (severalDevices ? " on its busiest device" : "") + " (weights " +
           decimalGigabytes(p.weightBytes) + ", KV cache " + decimalGigabytes(p.kvCacheBytes) +
           "), " + device.name + " has " + decimalGigabytes(device.memoryCapacityBytes());
}

namespace {

// One line per device of a scenario's points, sorted by x; points that do not fit the device's
// memory are marked and their tooltip says by how much.
void addLines(const SweepRequest& request, const std::string& scenario,
              const std::vector<core::SweepPoint>& points, plot::SweepData& data) {
    const auto& devices = request.base.devices;
    const bool plan = !request.base.deployment.single();
    for (std::size_t d = 0; d < devices.size(); ++d) {
        plot::SweepLine line;
        line.label = seriesLabel(scenario, devices[d].name, devices.size() > 1);
        line.scenario = scenario;
        line.device = devices[d].name;
        std::vector<const core::SweepPoint*> ofDevice;
        for (const auto& p : points) {
            if (p.device == d) {
                ofDevice.push_back(&p);
            }
        }
        std::stable_sort(ofDevice.begin(), ofDevice.end(), [&](const auto* a, const auto* b) {
            return axisValue(*a, request.axis) < axisValue(*b, request.axis);
        });
        for (const core::SweepPoint* p : ofDevice) {
            line.x.push_back(axisValue(*p, request.axis));
            line.y.push_back(metricValue(*p, request.metric));
            line.outOfMemory.push_back(!p->fitsInMemory);
            line.notes.push_back(p->fitsInMemory ? std::string()
                                                 : outOfMemoryNote(*p, devices[d], plan));
        }
        data.lines.push_back(std::move(line));
    }
}

}  // namespace

SweepOutcome runSweepRequest(const SweepRequest& request, const core::ProgressCallback& progress,
                             const core::CancelToken& cancel) {
    SweepOutcome out;
    const AnalysisRequest& base = request.base;
    if (!base.workload || base.devices.empty() || request.values.empty()) {
        out.error = "nothing to sweep: pick a model, a device and at least one value";
        return out;
    }
    setSweepLabels(request, out.data);
    const auto scenarios = scenariosOf(base);
    const core::ScenarioList list = scenarioList(scenarios);
    const core::RunSettings settings = settingsFor(*base.workload, base.settings);
    // core::runSweep reports progress every 4096 points; chunks of the value list give the
    // progress bar and Cancel a finer grain.
    const std::size_t chunk = std::max<std::size_t>(1, request.values.size() / 50);
    const double total = static_cast<double>(scenarios.size() * request.values.size());
    double done = 0;
    for (std::size_t si = 0; si < scenarios.size(); ++si) {
        std::vector<core::SweepPoint> points;
        for (std::size_t first = 0; first < request.values.size(); first += chunk) {
            const std::size_t count = std::min(chunk, request.values.size() - first);
            auto result = core::runSweep(*base.workload->builder,
                                         chunkSpec(request, settings, list[si], first, count), 0,
                                         {}, &cancel);
            if (cancel.cancelled() || (result.ok() && result->cancelled)) {
                out.cancelled = true;
                return out;
            }
            if (!result.ok()) {
                out.error = result.error().message;
                return out;
            }
            points.insert(points.end(), result->points.begin(), result->points.end());
            done += static_cast<double>(count);
            if (progress) {
                progress(done / total,
                         scenarios[si].name + ": " + std::to_string(static_cast<long long>(done)) +
                             " of " + std::to_string(static_cast<long long>(total)) + " points",
                         -1);
            }
        }
        addLines(request, scenarios[si].name, points, out.data);
    }
    return out;
}

AnalysisRunner::AnalysisRunner(QObject* parent) : QObject(parent) {
    m_compareDelay.setSingleShot(true);
    m_compareDelay.setInterval(30);
    connect(&m_compareDelay, &QTimer::timeout, this, [this] {
        if (auto start = std::exchange(m_pendingComparison, nullptr)) {
            start();
        }
    });
}

AnalysisRunner::~AnalysisRunner() = default;

void AnalysisRunner::analyze(AnalysisRequest request) {
    const std::uint64_t generation = ++m_requested;
    m_compare.cancel();
    m_compareDelay.stop();
    m_pendingComparison = nullptr;
    auto shared = std::make_shared<const AnalysisRequest>(std::move(request));
    m_analysis.start(
        [shared](const core::CancelToken& cancel, const core::ProgressCallback&) {
            return std::make_shared<const AnalysisResult>(runAnalysis(*shared, cancel));
        },
        [this, generation, shared](std::shared_ptr<const AnalysisResult> result) {
            m_delivered = generation;
            Q_EMIT analysisFinished(result);
            if (!shared->workload || !shared->workload->hasDecode || result->series.empty()) {
                return;
            }
            m_pendingComparison = [this, shared, result] { startComparison(shared, result); };
            m_compareDelay.start();
        });
}

void AnalysisRunner::startComparison(std::shared_ptr<const AnalysisRequest> shared,
                                     std::shared_ptr<const AnalysisResult> result) {
    m_compare.start(
        [shared, result](const core::CancelToken&, const core::ProgressCallback&) {
            auto merged = std::make_shared<AnalysisResult>(*result);
            auto comparison = runComparison(*shared);
            if (comparison.ok()) {
                const std::size_t columns = std::max<std::size_t>(1, shared->scenarios.size()) *
                                            std::max<std::size_t>(1, shared->comparePlans.size());
                for (const auto& row : comparison->rows) {
                    const std::size_t index = row.device * columns + row.scenario;
                    if (index < merged->series.size()) {
                        merged->series[index].request = row;
                    }
                }
            }
            return std::shared_ptr<const AnalysisResult>(std::move(merged));
        },
        [this](std::shared_ptr<const AnalysisResult> merged) {
            Q_EMIT comparisonFinished(merged);
        });
}

void AnalysisRunner::sweep(SweepRequest request) {
    auto shared = std::make_shared<const SweepRequest>(std::move(request));
    m_sweep.start(
        [shared](const core::CancelToken& cancel, const core::ProgressCallback& progress) {
            return std::make_shared<const SweepOutcome>(runSweepRequest(*shared, progress, cancel));
        },
        [this](std::shared_ptr<const SweepOutcome> outcome) {
            Q_EMIT sweepRunningChanged(false);
            Q_EMIT sweepFinished(outcome);
        },
        [this](double fraction, const QString& label) { Q_EMIT sweepProgress(fraction, label); });
    Q_EMIT sweepRunningChanged(true);
}

void AnalysisRunner::serve(ServingRequest request) {
    auto shared = std::make_shared<const ServingRequest>(std::move(request));
    m_serving.start(
        [shared](const core::CancelToken& cancel, const core::ProgressCallback& progress) {
            return std::make_shared<const ServingOutcome>(
                runServingRequest(*shared, progress, cancel));
        },
        [this](std::shared_ptr<const ServingOutcome> outcome) { Q_EMIT servingFinished(outcome); },
        [this](double fraction, const QString& label) { Q_EMIT servingProgress(fraction, label); });
}

void AnalysisRunner::cancelSweep() {
    const bool was = m_sweep.isRunning();
    m_sweep.cancel();
    if (was) {
        Q_EMIT sweepRunningChanged(false);
    }
}

bool AnalysisRunner::isSweeping() const {
    return m_sweep.isRunning();
}

bool AnalysisRunner::isAnalyzing() const {
    return m_analysis.isRunning();
}

void AnalysisRunner::waitForIdle() {
    m_analysis.waitForDone();
    m_compare.waitForDone();
    m_sweep.waitForDone();
    m_serving.waitForDone();
}

}  // namespace rooflens::ui
