#pragma once
// The measurement harness of the calibration suite, in the manner of google/benchmark: grow the
// iteration count until one trial lasts a minimum time, warm up, repeat trials, and summarize the
// rates robustly (median of run medians, p90 of the best run, min, IQR, CV, run-to-run spread).
// The clock is an interface so the statistics can be tested on synthetic timings.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/progress.h"

namespace rooflens::calibrate {

// A time source in seconds from an arbitrary origin.
class Clock {
public:
    virtual ~Clock() = default;
    virtual double now() = 0;
    virtual double resolutionSeconds() const = 0;
};

// std::chrono::steady_clock (clock_gettime(CLOCK_MONOTONIC) on Linux).
class SteadyClock final : public Clock {
public:
    double now() override;
    double resolutionSeconds() const override;
};

// Keeps `value` alive and opaque to the optimizer (google/benchmark's DoNotOptimize).
template <typename T>
inline void doNotOptimize(const T& value) {
    asm volatile("" : : "r,m"(value) : "memory");
}
inline void clobberMemory() {
    asm volatile("" : : : "memory");
}

struct MeasureOptions {
    double minTrialSeconds = 0.05;  // calibration.md 4.2: >= 50 ms per trial on CPU
    int minTicks = 20;              // and >= 20 timer ticks (STREAM's rule)
    int warmupTrials = 1;
    int minTrials = 10;
    double minRunSeconds = 1.0;  // trials continue until both minimums are met
    int maxTrials = 200;
    double maxRunSeconds = 10.0;  // a run stops here even below minTrials (slow kernels)
    std::int64_t maxIterations = std::int64_t{1} << 40;
    std::int64_t startIterations = 1;  // a guess from a similar kernel skips growth trials
};

// Runs `iterations` iterations of the kernel under test (all threads, synchronized).
using TrialBody = std::function<void(std::int64_t iterations)>;

// Raw timings of one kernel: seconds per iteration of every trial, grouped by run. A run is one
// block of consecutive trials; the calibration driver interleaves runs of different kernels.
struct Measurement {
    std::int64_t iterations = 0;  // per trial
    std::vector<std::vector<double>> runs;
    int warmupTrials = 0;

    void append(const Measurement& other);  // adds the other's runs (same kernel, later pass)
    std::size_t trialCount() const;
};

// Measures one run. Returns nullopt when `cancel` fires (checked between trials).
std::optional<Measurement> measure(const TrialBody& body, Clock& clock,
                                   const MeasureOptions& options,
                                   const core::CancelToken* cancel = nullptr);

// Order statistics of a sample.
struct SampleStats {
    std::size_t count = 0;
    double min = 0;
    double max = 0;
    double mean = 0;
    double median = 0;
    double p10 = 0;
    double p90 = 0;
    double q1 = 0;
    double q3 = 0;
    double iqr = 0;
    double cv = 0;  // standard deviation / mean (population)
};

// Quantile with linear interpolation between order statistics (type 7, as numpy's default).
double quantile(std::vector<double> values, double q);
SampleStats summarize(const std::vector<double>& values);

// Rates (work per second) of a measurement: work / (seconds per iteration) for every trial.
struct RateStats {
    double typical = 0;     // median of the run medians
    double achievable = 0;  // p90 of the trials of the best run (the roof)
    double best = 0;        // fastest trial
    double min = 0;
    double p10 = 0;  // over all trials
    double p90 = 0;
    double iqr = 0;
    double cv = 0;      // over all trials
    double spread = 0;  // (max - min) / median of the run medians; of the trials for one run
    std::vector<double> runMedians;
    std::size_t trials = 0;
};
RateStats rateStats(const Measurement& measurement, double workPerIteration);

// Seconds per iteration over all trials: median, p10, p90 (validation's measured column).
SampleStats timeStats(const Measurement& measurement);

// Noise thresholds of calibration.md 4.2: CV above 5 % (compute) or 10 % (memory) is flagged.
inline constexpr double kComputeCvLimit = 0.05;
inline constexpr double kMemoryCvLimit = 0.10;

}  // namespace rooflens::calibrate
