#pragma once
// AnalysisRunner: the GUI's engine driver. A parameter change becomes an AnalysisRequest that
// runs on a worker thread (build, apply scenarios, analyze per device, chart spec); the result
// comes back by a queued call and is dropped if a newer request started. LLM comparisons
// (prefill, decode step, whole request) and sweeps run on their own workers, with progress and
// cancellation, so the GUI thread never blocks.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <QObject>
#include <QTimer>

#include "core/analysis.h"
#include "core/chart.h"
#include "core/compare.h"
#include "core/deployment.h"
#include "core/progress.h"
#include "core/scenario.h"
#include "core/sweep.h"
#include "plot/sweep_plot.h"
#include "ui/job_tracker.h"
#include "ui/workload_family.h"

namespace rooflens::ui {

struct ScenarioInput {
    std::string name;                        // "baseline" for the uncompressed model
    std::optional<core::Scenario> scenario;  // nullopt: uncompressed
    FamilyOptions options;                   // ViT token schedule
};

struct AnalysisRequest {
    std::shared_ptr<const PreparedWorkload> workload;
    core::RunSettings settings;
    std::vector<core::Hardware> devices;
    std::vector<ScenarioInput> scenarios;  // empty: one uncompressed series
    core::ChartOptions chart;
    core::Deployment deployment;        // docs/parallelism.md
    std::vector<core::System> systems;  // one per device, or none (the devices' own links)
    // Plans compared side by side (each a series per device and scenario); empty: `deployment`.
    std::vector<core::Deployment> comparePlans;
};

// One (device, scenario) pair.
struct SeriesResult {
    std::string label;     // "w4a16" or "w4a16 @ NVIDIA H100 SXM5" with several devices
    std::string scenario;  // "TP8 EP1 PP1 DP1 / w4a16" when plans are compared
    std::size_t device = 0;
    std::size_t plan = 0;  // index into the request's comparePlans (0 without)
    std::shared_ptr<const core::Report> report;  // null when the analysis failed
    std::string error;
    std::optional<core::CompareRow> request;  // LLMs: prefill, decode step, request metrics
};

struct AnalysisResult {
    std::vector<core::Hardware> devices;
    std::vector<SeriesResult> series;  // device-major, then plans, then scenarios
    core::RooflineChartSpec chart;
    std::vector<std::string> errors;
    double elapsedSeconds = 0;  // worker time
};

enum class SweepAxis { batch, promptLength, contextLength };
enum class SweepMetric { time, throughput, ttft, tpot, memory };

struct SweepRequest {
    AnalysisRequest base;
    SweepAxis axis = SweepAxis::batch;
    std::vector<std::int64_t> values;
    SweepMetric metric = SweepMetric::time;
};

struct SweepOutcome {
    plot::SweepData data;
    std::string error;
    bool cancelled = false;
};

// Serving under load (docs/serving.md) of every series of an analysis request: the output
// tokens/s per device against TPOT over the concurrency, and the best concurrency under the
// latency targets with its cost per million tokens.
struct ServingRequest {
    AnalysisRequest base;
    std::int64_t promptLength = 1024;
    std::int64_t generateLength = 256;
    std::optional<double> ttftTarget;  // seconds
    std::optional<double> tpotTarget;
};

struct ServingRow {
    std::string label;  // as the series of the analysis
    std::string error;  // why the series could not be served (does not fit, ...)
    bool meetsTargets = false;
    double concurrency = 0;  // requests in flight per replica at the best point
    double outputTokensPerSecondPerDevice = 0;
    double ttftSeconds = 0;
    double tpotSeconds = 0;
    double dollarsPerMillionOutput = 0;
    double dollarsPerMillionInput = 0;
    double joulesPerOutputToken = 0;
    std::string binding;  // what the decode step waits on most
};

struct ServingOutcome {
    plot::SweepData data;  // x: TPOT (ms), y: output tokens/s per device, one line per series
    std::vector<ServingRow> rows;
    std::string error;
    bool cancelled = false;
};

// The jobs themselves: pure functions of their request, callable from any thread.
AnalysisResult runAnalysis(const AnalysisRequest& request, const core::CancelToken& cancel);
core::Result<core::Comparison> runComparison(const AnalysisRequest& request);
SweepOutcome runSweepRequest(const SweepRequest& request, const core::ProgressCallback& progress,
                             const core::CancelToken& cancel);
ServingOutcome runServingRequest(const ServingRequest& request,
                                 const core::ProgressCallback& progress,
                                 const core::CancelToken& cancel);
// "137.9 GB": bytes in decimal gigabytes, one decimal.
std::string decimalGigabytes(double bytes);
// The tooltip line of a sweep point that does not fit `device`'s memory: what it needs (of its
// busiest device for a multi-device plan) against what the device has, in decimal GB.
std::string outOfMemoryNote(const core::SweepPoint& point, const core::Hardware& device,
                            bool severalDevices);
// Series label of scenario `name` on device `deviceName` ("name @ device" when compared).
std::string seriesLabel(const std::string& name, const std::string& deviceName,
                        bool severalDevices);

class AnalysisRunner : public QObject {
    Q_OBJECT
public:
    explicit AnalysisRunner(QObject* parent = nullptr);
    ~AnalysisRunner() override;

    // Starts an analysis; an unfinished older one is cancelled and its result dropped.
    void analyze(AnalysisRequest request);
    void sweep(SweepRequest request);
    void cancelSweep();
    void serve(ServingRequest request);
    bool isSweeping() const;
    bool isAnalyzing() const;
    std::uint64_t requestedGeneration() const { return m_requested; }
    std::uint64_t deliveredGeneration() const { return m_delivered; }
    // Tests and shutdown: waits for the workers (results still arrive by queued calls).
    void waitForIdle();

Q_SIGNALS:
    void analysisFinished(std::shared_ptr<const AnalysisResult> result);
    // The same result with SeriesResult::request filled in (LLMs only).
    void comparisonFinished(std::shared_ptr<const AnalysisResult> result);
    void sweepProgress(double fraction, const QString& label);
    void sweepFinished(std::shared_ptr<const SweepOutcome> outcome);
    void sweepRunningChanged(bool running);
    void servingProgress(double fraction, const QString& label);
    void servingFinished(std::shared_ptr<const ServingOutcome> outcome);

private:
    void startComparison(std::shared_ptr<const AnalysisRequest> request,
                         std::shared_ptr<const AnalysisResult> result);

    JobTracker m_analysis{this};
    JobTracker m_compare{this};
    // The request metrics (Compare tab, TTFT/TPOT totals) start this long after a result, so
    // the frame of the result is painted first and a dragged slider does not start one per
    // step; a newer analysis cancels the pending one.
    QTimer m_compareDelay;
    std::function<void()> m_pendingComparison;
    JobTracker m_sweep{this};
    JobTracker m_serving{this};
    std::uint64_t m_requested = 0;
    std::uint64_t m_delivered = 0;
};

}  // namespace rooflens::ui
