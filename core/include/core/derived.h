#pragma once
// Derived metrics that front ends show but never compute themselves: headline latency and
// throughput figures of a report, speed-ups and memory saved between two reports, and how much
// of a token reduction's MAC cut turns into time on a device (throughput and the compute-bound
// share are in core::Totals; comparisons of whole scenario sets in core/compare.h).
#include <optional>
#include <string>

#include "core/analysis.h"
#include "core/compare.h"

namespace rooflens::core {

// What a report says about latency and throughput, for the totals panel and compare tables;
// unset where its phase cannot tell (a prefill report has no TPOT). With the CompareRow of the
// same model and scenario (prefill, decode step and whole request), the gaps are filled in.
struct HeadlineFigures {
    std::optional<double> prefillSeconds;
    std::optional<double> decodeStepSeconds;
    std::optional<double> ttftSeconds;
    std::optional<double> tpotSeconds;
    double itemsPerSecond = 0;  // Totals::itemsPerSecond; the request's tokens/s with a row
    std::string itemsUnit;      // "tokens/s", "images/s", "passes/s"
};
HeadlineFigures headlineFigures(const Report& report, const CompareRow* row = nullptr);

// baseline time / time (2.0 = twice as fast); 0 when the report took no time.
double speedup(const Report& baseline, const Report& report);
// 1 - (weights + KV cache) / (the baseline's weights + KV cache); 0 for an empty baseline.
double memorySaved(const Report& baseline, const Report& report);

struct ReductionEffect {
    double baselineMacs = 0;
    double reducedMacs = 0;
    double baselineSeconds = 0;
    double reducedSeconds = 0;
    double macsCut() const { return baselineMacs > 0 ? 1 - reducedMacs / baselineMacs : 0; }
    double timeCut() const {
        return baselineSeconds > 0 ? 1 - reducedSeconds / baselineSeconds : 0;
    }
};

// "token reduction (ToMe r=16): MACs -50.0% (17.56 -> 8.77 GMACs), time -31.0% on <device>
// (1.200 -> 0.828 ms): 62% of the MAC cut turns into time"; without a device name (or a
// baseline time) only the MACs part.
std::string summarizeTokenReduction(const std::string& method, const ReductionEffect& effect,
                                    const std::string& deviceName);

}  // namespace rooflens::core
