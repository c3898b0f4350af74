#pragma once
// Internal: the running calibration suite shared by the step implementations (compute, memory).
#include <functional>
#include <memory>
#include <string>

#include "calibrate/calibration.h"
#include "calibrate/cpu_kernels.h"
#include "calibrate/gemm.h"
#include "calibrate/thread_team.h"

namespace rooflens::calibrate::detail {

// Per-thread job of a timed trial: (thread index, iterations).
using ThreadJob = std::function<void(int, std::int64_t)>;

class Suite {
public:
    Suite(const CalibrationOptions& options, const core::ProgressCallback& progress,
          const core::CancelToken& cancel, Calibration& out);

    const CalibrationOptions& options() const { return m_options; }
    Calibration& out() { return m_out; }
    const CpuFeatures& features() const { return m_out.machine.features; }
    // The mode's trial settings at the current pace (trial and run durations scaled).
    const MeasureOptions& trial() const { return m_trial; }
    const MeasureOptions& planned() const { return m_base; }  // the trial settings at pace 1
    // `o` with its durations scaled by the pace; kernels with their own settings pass them here.
    MeasureOptions paced(MeasureOptions o) const;
    double pace() const { return m_pace; }
    void setPace(double pace);
    SteadyClock& clock() { return m_clock; }
    bool cancelled() const { return m_cancel.cancelled(); }
    const core::CancelToken& cancelToken() const { return m_cancel; }
    double scale() const { return m_options.budgetScale; }
    bool full() const { return m_options.mode == Mode::full; }

    ThreadTeam& team(int threads);          // 1 or all
    std::vector<int> threadCounts() const;  // {1, all} (just {1} on one core)

    // Measures job on the team; fills result.measurement/rate. False when cancelled.
    bool measure(KernelResult& result, ThreadTeam& team, const ThreadJob& job,
                 const MeasureOptions& options);
    // Adds a kernel result (flags are set when the ceilings are fitted).
    void record(KernelResult result);
    // An earlier pass's result of the same kernel and thread count, or null.
    KernelResult* find(const std::string& name, int threads);

    // Progress inside the current step (fraction of the step done). `detail` names the kernel
    // ("fp32-avx512, 2 threads"), appended as "step: detail"; a working-set size is appended as
    // "step @ 48 KiB" so a log can print one line per kernel rather than per size.
    void stepProgress(double fraction, const std::string& detail = "");
    void beginStep(const std::string& label, double estimateSeconds, double doneSeconds,
                   double totalSeconds, double elapsedSeconds);

private:
    const CalibrationOptions& m_options;
    const core::ProgressCallback& m_progress;
    const core::CancelToken& m_cancel;
    Calibration& m_out;
    SteadyClock m_clock;
    MeasureOptions m_base;
    MeasureOptions m_trial;
    double m_pace = 1;
    std::unique_ptr<ThreadTeam> m_one;
    std::unique_ptr<ThreadTeam> m_all;
    std::string m_label;
    double m_stepEstimate = 0;
    double m_done = 0;
    double m_total = 0;
    double m_elapsedAtStep = 0;
};

// Step implementations. Each returns false when cancelled.
bool runClockProbe(Suite& suite, int threads);
bool runPeaks(Suite& suite, int pass);
bool runSweep(Suite& suite, StreamKind kind, int threads);
bool runGather(Suite& suite, int threads);
bool runSpmm(Suite& suite, int threads);
bool runAttention(Suite& suite, int threads);
bool runGemm(Suite& suite);
// The GEMMs runGemm measures at each thread count: the square GEMM per type, the FP32 shape grid
// and the dispatch-overhead GEMM (also sizes the step's time estimate).
std::vector<std::pair<GemmType, GemmShape>> gemmCases(const Suite& suite);
bool runColdReads(Suite& suite, int threads);

// Fits the ceilings from the recorded kernels and sweeps.
void fitCeilings(Calibration& c);

std::string formatBytes(double bytes);  // "48 KiB", "1.5 MiB"

}  // namespace rooflens::calibrate::detail
