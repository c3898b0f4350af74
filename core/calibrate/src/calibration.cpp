// The calibration driver: plans the steps, runs them with progress and cancellation, and fits
// the ceilings. The steps themselves live in suite_compute.cpp and suite_memory.cpp.
#include "calibrate/calibration.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <set>

#include "suite.h"

namespace rooflens::calibrate {

std::string_view nameOf(Mode mode) {
    return mode == Mode::quick ? "quick" : "full";
}

double MemoryCeiling::readWriteBytesPerSecond() const {
    return level == "DRAM" ? std::max(triadBytesPerSecond, triadNtBytesPerSecond)
                           : triadBytesPerSecond;
}

const ComputeCeiling* Calibration::computeCeiling(core::DataType type, int threads) const {
    for (const auto& c : compute) {
        if (c.type == type && c.threads == threads) {
            return &c;
        }
    }
    return nullptr;
}

const MemoryCeiling* Calibration::memoryCeiling(const std::string& level, int threads) const {
    for (const auto& m : memory) {
        if (m.level == level && m.threads == threads) {
            return &m;
        }
    }
    return nullptr;
}

const GatherCeiling* Calibration::gatherCeiling(int granuleBytes, int threads) const {
    for (const auto& g : gather) {
        if (g.granuleBytes == granuleBytes && g.threads == threads) {
            return &g;
        }
    }
    return nullptr;
}

std::vector<int> selectCpus(const MachineContext& machine, int threads) {
    std::vector<int> chosen;
    std::set<std::string> cores;
    for (int cpu : machine.cpus) {
        std::ifstream package("/sys/devices/system/cpu/cpu" + std::to_string(cpu) +
                              "/topology/physical_package_id");
        std::ifstream core("/sys/devices/system/cpu/cpu" + std::to_string(cpu) +
                           "/topology/core_id");
        std::string p;
        std::string c;
        package >> p;
        core >> c;
        // Unknown topology: every CPU counts as its own core.
        const std::string key = p.empty() || c.empty() ? "cpu" + std::to_string(cpu) : p + ":" + c;
        if (cores.insert(key).second) {
            chosen.push_back(cpu);
        }
    }
    if (threads > 0) {
        // More threads than cores: add SMT siblings in order.
        for (int cpu : machine.cpus) {
            if (static_cast<int>(chosen.size()) >= threads) {
                break;
            }
            if (std::find(chosen.begin(), chosen.end(), cpu) == chosen.end()) {
                chosen.push_back(cpu);
            }
        }
        chosen.resize(std::min(chosen.size(), static_cast<std::size_t>(threads)));
    }
    return chosen;
}

MeasureOptions measureOptionsFor(Mode mode, double budgetScale) {
    MeasureOptions o;
    const double s = std::clamp(budgetScale, 1e-4, 100.0);
    if (mode == Mode::quick) {
        o.minTrialSeconds = 0.02 * s;
        o.minTicks = 20;
        o.warmupTrials = 1;
        o.minTrials = 5;
        o.minRunSeconds = 0.1 * s;
        o.maxRunSeconds = 2.0 * s;
    } else {
        o.minTrialSeconds = 0.05 * s;
        o.warmupTrials = 1;
        o.minTrials = 10;
        o.minRunSeconds = 0.5 * s;
        o.maxRunSeconds = 5.0 * s;
    }
    return o;
}

double defaultTimeBudget(Mode mode) {
    return mode == Mode::quick ? 27.0 : 170.0;
}

double paceFor(double secondsLeft, double estimateLeft, double slowdown, double minPace) {
    const double expected = estimateLeft * std::max(slowdown, 1e-3);
    if (expected <= 0) {
        return 1.0;
    }
    return std::clamp(secondsLeft / expected, minPace, 1.0);
}

namespace detail {

std::string formatBytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        ++u;
    }
    char text[32];
    std::snprintf(text, sizeof text, bytes == std::floor(bytes) ? "%.0f %s" : "%.3g %s", bytes,
                  units[u]);
    return text;
}

Suite::Suite(const CalibrationOptions& options, const core::ProgressCallback& progress,
             const core::CancelToken& cancel, Calibration& out)
    : m_options(options),
      m_progress(progress),
      m_cancel(cancel),
      m_out(out),
      m_base(measureOptionsFor(options.mode, options.budgetScale)),
      m_trial(m_base) {}

MeasureOptions Suite::paced(MeasureOptions o) const {
    o.minTrialSeconds *= m_pace;
    o.minRunSeconds *= m_pace;
    o.maxRunSeconds *= m_pace;
    // Fewer trials too, never below three (a median and a spread still mean something).
    o.minTrials = std::max(std::min(o.minTrials, 3),
                           static_cast<int>(std::ceil(o.minTrials * m_pace - 1e-9)));
    return o;
}

void Suite::setPace(double pace) {
    m_pace = std::clamp(pace, 1e-3, 1.0);
    m_trial = paced(m_base);
}

ThreadTeam& Suite::team(int threads) {
    if (threads <= 1) {
        if (!m_one) {
            m_one = std::make_unique<ThreadTeam>(std::vector<int>{m_out.cpus.front()});
        }
        return *m_one;
    }
    if (!m_all) {
        m_all = std::make_unique<ThreadTeam>(m_out.cpus);
    }
    return *m_all;
}

std::vector<int> Suite::threadCounts() const {
    const int all = m_out.threads();
    return all > 1 ? std::vector<int>{1, all} : std::vector<int>{1};
}

bool Suite::measure(KernelResult& result, ThreadTeam& team, const ThreadJob& job,
                    const MeasureOptions& options) {
    TrialBody body = [&](std::int64_t iterations) {
        team.run([&](int thread) { job(thread, iterations); });
    };
    auto m = calibrate::measure(body, m_clock, options, &m_cancel);
    if (!m) {
        return false;
    }
    result.threads = team.size();
    result.measurement.append(*m);
    result.rate = rateStats(result.measurement, result.workPerIteration);
    if (!team.pinned()) {
        result.flags.emplace_back("threads could not be pinned");
    }
    return true;
}

void Suite::record(KernelResult result) {
    m_out.kernels.push_back(std::move(result));
}

KernelResult* Suite::find(const std::string& name, int threads) {
    for (auto& k : m_out.kernels) {
        if (k.name == name && k.threads == threads) {
            return &k;
        }
    }
    return nullptr;
}

void Suite::beginStep(const std::string& label, double estimateSeconds, double doneSeconds,
                      double totalSeconds, double elapsedSeconds) {
    m_label = label;
    m_stepEstimate = estimateSeconds;
    m_done = doneSeconds;
    m_total = totalSeconds;
    m_elapsedAtStep = elapsedSeconds;
    stepProgress(0);
}

void Suite::stepProgress(double fraction, const std::string& detail) {
    if (!m_progress || m_total <= 0) {
        return;
    }
    const double done = m_done + std::clamp(fraction, 0.0, 1.0) * m_stepEstimate;
    // Scale the remaining estimate by how fast the finished steps actually went.
    const double ratio = m_done > 0.5 ? std::clamp(m_elapsedAtStep / m_done, 0.5, 3.0) : 1.0;
    m_progress(done / m_total, detail.empty() ? m_label : m_label + detail,
               std::max(0.0, (m_total - done) * ratio));
}

}  // namespace detail

core::Result<Calibration> runCalibration(const CalibrationOptions& options,
                                         const core::ProgressCallback& progress,
                                         const core::CancelToken& cancel) {
    Calibration c;
    c.mode = options.mode;
    c.budgetScale = options.budgetScale;
    c.machine = detectMachine();
    c.cpus = selectCpus(c.machine, options.threads);
    if (c.cpus.empty()) {
        return core::makeError("no CPU available to run the calibration on");
    }
    {
        const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        std::tm utc{};
        gmtime_r(&now, &utc);
        char text[32];
        std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
        c.startedAt = text;
    }
    detail::Suite suite(options, progress, cancel, c);
    const int all = c.threads();
    const auto peakCount = static_cast<double>(peakKernels(c.machine.features).size());
    const MeasureOptions& t = suite.trial();
    const double perMeasure = t.minTrialSeconds * (t.warmupTrials + 2) +
                              1.15 * std::max(t.minRunSeconds, t.minTrials * t.minTrialSeconds);
    const double threadSets = all > 1 ? 2 : 1;
    const int passes = options.mode == Mode::full ? 3 : 1;

    struct Step {
        std::string label;
        double estimate;
        std::function<bool()> run;
    };
    std::vector<Step> steps;
    for (int threads : suite.threadCounts()) {
        steps.push_back({"clock probe, " + std::to_string(threads) + " thread(s)", perMeasure * 0.5,
                         [&suite, threads] { return detail::runClockProbe(suite, threads); }});
    }
    for (int pass = 0; pass < passes; ++pass) {
        steps.push_back({"FMA and dot-product peaks" +
                             (passes > 1 ? " (pass " + std::to_string(pass + 1) + ")" : ""),
                         peakCount * threadSets * perMeasure,
                         [&suite, pass] { return detail::runPeaks(suite, pass); }});
    }
    const double sweepPoints = options.mode == Mode::full ? 34 : 30;
    for (StreamKind kind : {StreamKind::read, StreamKind::triad, StreamKind::triadNt}) {
        const bool sweep = kind == StreamKind::read || options.mode == Mode::full;
        for (int threads : suite.threadCounts()) {
            steps.push_back({std::string("working-set sweep, ") + std::string(nameOf(kind)) + ", " +
                                 std::to_string(threads) + " thread(s)",
                             (sweep ? sweepPoints : 5) * perMeasure * 0.6, [&suite, kind, threads] {
                                 return detail::runSweep(suite, kind, threads);
                             }});
        }
    }
    for (int threads : suite.threadCounts()) {
        steps.push_back(
            {"memory efficiency (cold reads), " + std::to_string(threads) + " thread(s)",
             (options.mode == Mode::full ? 7 : 6) * perMeasure * 0.6,
             [&suite, threads] { return detail::runColdReads(suite, threads); }});
    }
    if (options.sparse) {
        for (int threads : suite.threadCounts()) {
            steps.push_back({"random gather, " + std::to_string(threads) + " thread(s)",
                             6 * perMeasure + 0.5 * suite.scale(),
                             [&suite, threads] { return detail::runGather(suite, threads); }});
        }
        for (int threads : suite.threadCounts()) {
            steps.push_back({"SpMM F=64, " + std::to_string(threads) + " thread(s)",
                             perMeasure * 1.5 + 0.8 * suite.scale(),
                             [&suite, threads] { return detail::runSpmm(suite, threads); }});
        }
        steps.push_back(
            {"attention", perMeasure, [&suite, all] { return detail::runAttention(suite, all); }});
    }
    if (options.gemm && dnnlAvailable()) {
        steps.push_back(
            {"oneDNN GEMM",
             // The three square GEMMs take longer than the shape series.
             (static_cast<double>(detail::gemmCases(suite).size()) + 1.5) * threadSets * perMeasure,
             [&suite] { return detail::runGemm(suite); }});
    } else if (options.gemm) {
        c.warnings.emplace_back("built without oneDNN: no GEMM reference measured");
    }
    steps.push_back({"clock probe (after)", perMeasure * 0.5,
                     [&suite] { return detail::runClockProbe(suite, 1); }});

    double total = 0;
    for (const auto& s : steps) {
        total += s.estimate;
    }
    // Budget by time: after each step the remaining steps are paced so the run ends within
    // the budget, from how long the finished steps took against their plan.
    const double budget = options.timeBudgetSeconds < 0 ? 0
                          : options.timeBudgetSeconds > 0
                              ? options.timeBudgetSeconds
                              : defaultTimeBudget(options.mode) * std::min(1.0, suite.scale());
    c.timeBudgetSeconds = budget;
    const double start = suite.clock().now();
    double done = 0;
    double planDone = 0;  // planned seconds of the finished steps at the paces they ran at
    for (const auto& s : steps) {
        const double stepStart = suite.clock().now();
        if (budget > 0 && planDone > 0) {
            const double elapsed = stepStart - start;
            suite.setPace(paceFor(budget - elapsed, total - done, elapsed / planDone));
        }
        suite.beginStep(s.label, s.estimate, done, total, stepStart - start);
        if (cancel.cancelled() || !s.run()) {
            return core::makeError("cancelled");
        }
        done += s.estimate;
        planDone += s.estimate * suite.pace();
        c.steps.push_back({s.label, suite.clock().now() - stepStart, s.estimate, suite.pace()});
    }
    c.durationSeconds = suite.clock().now() - start;
    detail::fitCeilings(c);
    if (progress) {
        progress(1.0, "done", 0);
    }
    return c;
}

}  // namespace rooflens::calibrate
