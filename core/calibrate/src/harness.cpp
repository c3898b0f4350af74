#include "calibrate/harness.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

namespace rooflens::calibrate {

double SteadyClock::now() {
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

double SteadyClock::resolutionSeconds() const {
    using Period = std::chrono::steady_clock::period;
    return static_cast<double>(Period::num) / static_cast<double>(Period::den);
}

void Measurement::append(const Measurement& other) {
    if (iterations == 0) {
        iterations = other.iterations;
    }
    runs.insert(runs.end(), other.runs.begin(), other.runs.end());
    warmupTrials += other.warmupTrials;
}

std::size_t Measurement::trialCount() const {
    std::size_t n = 0;
    for (const auto& run : runs) {
        n += run.size();
    }
    return n;
}

std::optional<Measurement> measure(const TrialBody& body, Clock& clock,
                                   const MeasureOptions& options, const core::CancelToken* cancel) {
    const double minTrial =
        std::max(options.minTrialSeconds, options.minTicks * clock.resolutionSeconds());
    auto cancelled = [&] { return cancel != nullptr && cancel->cancelled(); };
    auto timeTrial = [&](std::int64_t iterations) {
        const double start = clock.now();
        body(iterations);
        return clock.now() - start;
    };

    // Grow the iteration count as google/benchmark does: aim 40 % above the minimum once the
    // trial is within a factor 10 of it, otherwise multiply by 10. These trials warm up too.
    Measurement m;
    std::int64_t iterations =
        std::clamp<std::int64_t>(options.startIterations, 1, options.maxIterations);
    for (;;) {
        if (cancelled()) {
            return std::nullopt;
        }
        const double seconds = timeTrial(iterations);
        ++m.warmupTrials;
        if (seconds >= minTrial || iterations >= options.maxIterations) {
            break;
        }
        const double multiplier =
            seconds / minTrial > 0.1 ? minTrial * 1.4 / std::max(seconds, 1e-12) : 10.0;
        const auto next = static_cast<std::int64_t>(static_cast<double>(iterations) * multiplier);
        iterations = std::min(options.maxIterations, std::max(iterations + 1, next));
    }
    for (int i = 1; i < options.warmupTrials; ++i) {
        if (cancelled()) {
            return std::nullopt;
        }
        timeTrial(iterations);
        ++m.warmupTrials;
    }

    m.iterations = iterations;
    std::vector<double> run;
    double total = 0;
    while (static_cast<int>(run.size()) < options.minTrials || total < options.minRunSeconds) {
        if (static_cast<int>(run.size()) >= options.maxTrials ||
            (!run.empty() && total >= options.maxRunSeconds)) {
            break;
        }
        if (cancelled()) {
            return std::nullopt;
        }
        const double seconds = timeTrial(iterations);
        total += seconds;
        run.push_back(seconds / static_cast<double>(iterations));
    }
    m.runs.push_back(std::move(run));
    return m;
}

double quantile(std::vector<double> values, double q) {
    if (values.empty()) {
        return 0;
    }
    std::sort(values.begin(), values.end());
    const double position = std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1);
    const auto lower = static_cast<std::size_t>(std::floor(position));
    const std::size_t upper = std::min(lower + 1, values.size() - 1);
    const double fraction = position - static_cast<double>(lower);
    return values[lower] + fraction * (values[upper] - values[lower]);
}

SampleStats summarize(const std::vector<double>& values) {
    SampleStats s;
    s.count = values.size();
    if (values.empty()) {
        return s;
    }
    s.min = *std::min_element(values.begin(), values.end());
    s.max = *std::max_element(values.begin(), values.end());
    s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(s.count);
    s.median = quantile(values, 0.5);
    s.p10 = quantile(values, 0.1);
    s.p90 = quantile(values, 0.9);
    s.q1 = quantile(values, 0.25);
    s.q3 = quantile(values, 0.75);
    s.iqr = s.q3 - s.q1;
    double squares = 0;
    for (double v : values) {
        squares += (v - s.mean) * (v - s.mean);
    }
    s.cv = s.mean != 0 ? std::sqrt(squares / static_cast<double>(s.count)) / std::fabs(s.mean) : 0;
    return s;
}

RateStats rateStats(const Measurement& measurement, double workPerIteration) {
    RateStats r;
    std::vector<double> all;
    std::vector<double> bestRun;
    double bestMedian = -1;
    for (const auto& run : measurement.runs) {
        std::vector<double> rates;
        rates.reserve(run.size());
        for (double seconds : run) {
            rates.push_back(seconds > 0 ? workPerIteration / seconds : 0);
        }
        if (rates.empty()) {
            continue;
        }
        const double median = quantile(rates, 0.5);
        r.runMedians.push_back(median);
        if (median > bestMedian) {
            bestMedian = median;
            bestRun = rates;
        }
        all.insert(all.end(), rates.begin(), rates.end());
    }
    if (all.empty()) {
        return r;
    }
    const SampleStats s = summarize(all);
    r.trials = s.count;
    r.typical = quantile(r.runMedians, 0.5);
    r.achievable = quantile(bestRun, 0.9);
    r.best = s.max;
    r.min = s.min;
    r.p10 = s.p10;
    r.p90 = s.p90;
    r.iqr = s.iqr;
    r.cv = s.cv;
    if (r.runMedians.size() > 1) {
        const auto [lo, hi] = std::minmax_element(r.runMedians.begin(), r.runMedians.end());
        r.spread = r.typical > 0 ? (*hi - *lo) / r.typical : 0;
    } else {
        r.spread = s.median > 0 ? (s.max - s.min) / s.median : 0;
    }
    return r;
}

SampleStats timeStats(const Measurement& measurement) {
    std::vector<double> all;
    for (const auto& run : measurement.runs) {
        all.insert(all.end(), run.begin(), run.end());
    }
    return summarize(all);
}

}  // namespace rooflens::calibrate
