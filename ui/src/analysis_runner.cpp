#include "ui/analysis_runner.h"

#include <algorithm>
#include <chrono>

#include "core/sweep.h"

namespace rooflens::ui {

namespace {

std::vector<ScenarioInput> scenariosOf(const AnalysisRequest& request) {
    if (!request.scenarios.empty()) {
        return request.scenarios;
    }
    return {ScenarioInput{"baseline", std::nullopt, {}}};
}

// Overrides that name particular blocks make folded blocks wrong (as in core::runSweep).
bool blockSpecific(const std::vector<ScenarioInput>& scenarios) {
    for (const auto& s : scenarios) {
        if (!s.scenario) {
            continue;
        }
        if (s.scenario->depth.exitDepth > 0) {
            return true;
        }
        for (const auto& o : s.scenario->overrides) {
            if (o.pattern.find("blocks.") != std::string::npos) {
                return true;
            }
        }
    }
    return false;
}

core::Result<core::Workload> buildCompressed(const PreparedWorkload& workload,
                                             const ScenarioInput& scenario,
                                             const core::RunSettings& settings, bool collapse) {
    auto built = workload.build(settings, collapse, scenario.options);
    if (!built || !scenario.scenario) {
        return built;
    }
    return core::applyScenario(*scenario.scenario, built.value());
}

}  // namespace

std::string seriesLabel(const std::string& name, const std::string& deviceName,
                        bool severalDevices) {
    return severalDevices ? name + " @ " + deviceName : name;
}

AnalysisResult runAnalysis(const AnalysisRequest& request, const core::CancelToken& cancel) {
    const auto started = std::chrono::steady_clock::now();
    AnalysisResult out;
    out.devices = request.devices;
    if (!request.workload) {
        out.errors.emplace_back("no model selected");
        return out;
    }
    if (request.devices.empty()) {
        out.errors.emplace_back("no device selected");
        return out;
    }
    const auto scenarios = scenariosOf(request);
    const bool several = request.devices.size() > 1;
    const core::RunSettings& settings = request.settings;
    // Scenario-major while computing (one build serves every device), device-major in `out`.
    std::vector<std::vector<SeriesResult>> grid(request.devices.size());
    for (std::size_t s = 0; s < scenarios.size(); ++s) {
        if (cancel.cancelled()) {
            return out;
        }
        const ScenarioInput& scenario = scenarios[s];
        std::optional<core::Result<core::Workload>> pass;
        if (settings.phase != core::Phase::request) {
            pass.emplace(buildCompressed(*request.workload, scenario, settings, false));
        }
        for (std::size_t d = 0; d < request.devices.size(); ++d) {
            const core::Hardware& hw = request.devices[d];
            SeriesResult series;
            series.scenario = scenario.name;
            series.device = d;
            series.label = seriesLabel(scenario.name, hw.name, several);
            if (pass) {
                if (pass->ok()) {
                    series.report =
                        std::make_shared<const core::Report>(core::analyze(pass->value(), hw));
                } else {
                    series.error = pass->error().message;
                }
            } else {
                auto build = [&](core::Phase phase, std::int64_t context) {
                    core::RunSettings s2 = settings;
                    s2.phase = phase;
                    s2.promptLength = context;
                    s2.contextLength = context;
                    return buildCompressed(*request.workload, scenario, s2, false);
                };
                auto report = core::analyzeRequest(settings, build, hw);
                if (report.ok()) {
                    series.report = std::make_shared<const core::Report>(std::move(report).value());
                } else {
                    series.error = report.error().message;
                }
            }
            if (!series.error.empty()) {
                out.errors.push_back(series.label + ": " + series.error);
            }
            grid[d].push_back(std::move(series));
        }
    }
    std::vector<core::ChartInput> inputs;
    for (auto& row : grid) {
        for (auto& series : row) {
            out.series.push_back(std::move(series));
        }
    }
    for (const auto& series : out.series) {
        if (series.report) {
            inputs.push_back({series.report.get(), &out.devices[series.device], series.scenario});
        }
    }
    out.chart = core::buildRooflineChart(inputs, request.chart);
    out.elapsedSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return out;
}

core::Result<core::Comparison> runComparison(const AnalysisRequest& request) {
    if (!request.workload || !request.workload->hasDecode) {
        return core::makeError("comparisons need a model with a decode phase");
    }
    const auto scenarios = scenariosOf(request);
    std::vector<std::optional<core::Scenario>> compressed;
    for (const auto& s : scenarios) {
        compressed.push_back(s.scenario);
    }
    const bool collapse = !blockSpecific(scenarios);
    auto workload = request.workload;
    core::CompareBuilder build = [workload, collapse](const core::RunSettings& settings) {
        return workload->build(settings, collapse, {});
    };
    return core::compareScenarios(build, request.devices, compressed, request.settings);
}

SweepOutcome runSweepRequest(const SweepRequest& request, const core::ProgressCallback& progress,
                             const core::CancelToken& cancel) {
    SweepOutcome out;
    const AnalysisRequest& base = request.base;
    if (!base.workload || base.devices.empty() || request.values.empty()) {
        out.error = "nothing to sweep: pick a model, a device and at least one value";
        return out;
    }
    const auto scenarios = scenariosOf(base);
    const bool several = base.devices.size() > 1;
    const core::RunSettings& s = base.settings;
    plot::SweepData& data = out.data;
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
            data.yLabel =
                s.phase == core::Phase::request ? "End-to-end time [s]" : "Predicted time [s]";
            break;
        case SweepMetric::throughput:
            data.yLabel =
                base.workload->family == "llm" ? "Throughput [tokens/s]" : "Throughput [samples/s]";
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
    data.title = base.workload->id + " " + std::string(core::nameOf(s.phase)) + ": " +
                 data.yLabel.substr(0, data.yLabel.find(" [")) + " vs " +
                 data.xLabel.substr(0, data.xLabel.find(" ["));

    // core::runSweep reports progress every 4096 points; chunks of the value list give the
    // progress bar and Cancel a finer grain.
    const std::size_t chunk = std::max<std::size_t>(1, request.values.size() / 50);
    const double total = static_cast<double>(scenarios.size() * request.values.size());
    double done = 0;
    for (std::size_t si = 0; si < scenarios.size(); ++si) {
        const ScenarioInput& scenario = scenarios[si];
        auto workload = base.workload;
        const FamilyOptions options = scenario.options;
        core::SweepBuilder build = [workload, options](const core::RunSettings& settings,
                                                       bool fold) {
            return workload->build(settings, fold, options);
        };
        std::vector<core::SweepPoint> points;
        for (std::size_t first = 0; first < request.values.size(); first += chunk) {
            const std::vector<std::int64_t> values(
                request.values.begin() + static_cast<std::ptrdiff_t>(first),
                request.values.begin() +
                    static_cast<std::ptrdiff_t>(std::min(first + chunk, request.values.size())));
            core::SweepSpec spec;
            spec.phase = s.phase;
            spec.batches = {s.batch};
            spec.promptLengths = {s.promptLength};
            spec.contextLengths = {s.contextLength};
            spec.generateLength = s.generateLength;
            spec.flashAttention = s.flashAttention;
            spec.devices = base.devices;
            spec.scenarios = {scenario.scenario};
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
            auto result = core::runSweep(spec, build, 0, {}, &cancel);
            if (cancel.cancelled() || (result.ok() && result->cancelled)) {
                out.cancelled = true;
                return out;
            }
            if (!result.ok()) {
                out.error = result.error().message;
                return out;
            }
            points.insert(points.end(), result->points.begin(), result->points.end());
            done += static_cast<double>(values.size());
            if (progress) {
                progress(done / total,
                         scenario.name + ": " + std::to_string(static_cast<long long>(done)) +
                             " of " + std::to_string(static_cast<long long>(total)) + " points",
                         -1);
            }
        }
        for (std::size_t d = 0; d < base.devices.size(); ++d) {
            plot::SweepLine line;
            line.label = seriesLabel(scenario.name, base.devices[d].name, several);
            std::vector<std::pair<double, double>> xy;
            for (const auto& p : points) {
                if (p.device != d) {
                    continue;
                }
                double x = 0;
                switch (request.axis) {
                    case SweepAxis::batch:
                        x = static_cast<double>(p.batch);
                        break;
                    case SweepAxis::promptLength:
                        x = static_cast<double>(p.promptLength);
                        break;
                    case SweepAxis::contextLength:
                        x = static_cast<double>(p.contextLength);
                        break;
                }
                double y = 0;
                switch (request.metric) {
                    case SweepMetric::time:
                        y = p.timeSeconds;
                        break;
                    case SweepMetric::throughput:
                        y = p.tokensPerSecond;
                        break;
                    case SweepMetric::ttft:
                        y = p.ttftSeconds;
                        break;
                    case SweepMetric::tpot:
                        y = p.tpotSeconds;
                        break;
                    case SweepMetric::memory:
                        y = p.totalMemoryBytes;
                        break;
                }
                xy.emplace_back(x, y);
            }
            std::sort(xy.begin(), xy.end());
            for (const auto& [x, y] : xy) {
                line.x.push_back(x);
                line.y.push_back(y);
            }
            data.lines.push_back(std::move(line));
        }
    }
    return out;
}

AnalysisRunner::AnalysisRunner(QObject* parent) : QObject(parent) {}

AnalysisRunner::~AnalysisRunner() = default;

void AnalysisRunner::analyze(AnalysisRequest request) {
    const std::uint64_t generation = ++m_requested;
    m_compare.cancel();
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
            m_compare.start(
                [shared, result](const core::CancelToken&, const core::ProgressCallback&) {
                    auto merged = std::make_shared<AnalysisResult>(*result);
                    auto comparison = runComparison(*shared);
                    if (comparison.ok()) {
                        const std::size_t scenarios =
                            std::max<std::size_t>(1, shared->scenarios.size());
                        for (const auto& row : comparison->rows) {
                            const std::size_t index = row.device * scenarios + row.scenario;
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
}

}  // namespace rooflens::ui
