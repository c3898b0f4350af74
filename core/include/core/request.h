#pragma once
// Requests and decode sweeps in closed form. Between two context breaks (Workload::contextBreaks)
// every layer of a decode step has OPs and bytes affine in the context length t, so its compute
// and memory times are affine in t too and its roofline time max(compute, memory) changes bound at
// most once, at a crossover that follows from the two lines. A request's G-1 decode steps are
// therefore summed exactly from two built passes per stretch of context, whatever G is, and a
// decode sweep over many contexts prices each point from the same two passes.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/analysis.h"

namespace rooflens::core {

// A stretch [first, last] of decode contexts (keys including the new token) with no break inside.
struct ContextInterval {
    std::int64_t first = 0;
    std::int64_t last = 0;
    std::int64_t steps() const { return last - first + 1; }
};

// [first, last] split after every break b with first <= b < last (periodic breaks at every
// multiple of their period in the range).
std::vector<ContextInterval> contextIntervals(std::int64_t first, std::int64_t last,
                                              std::span<const ContextBreak> breaks);

// The passes a request needs, built once and priced on any number of devices: the prefill, and
// the decode passes at both ends of every interval of decode contexts.
struct RequestPasses {
    RunSettings settings;
    Workload prefill;
    std::vector<ContextInterval> intervals;  // empty when one token is generated
    std::vector<Workload> first;             // decode pass at intervals[i].first
    std::vector<Workload> last;              // at intervals[i].last (a copy when steps() == 1)
};

Result<RequestPasses> buildRequestPasses(const RunSettings& settings, const PassBuilder& build);
Report analyzeRequest(const RequestPasses& passes, const Hardware& hw,
                      const AnalysisOptions& options = {});

// One decode step's roofline time as a function of the context, for t inside one interval: the
// per-layer compute and memory lines through the two analysed ends. Used by decode sweeps.
class DecodeLine {
public:
    DecodeLine(const Report& first, std::int64_t firstContext, const Report& last,
               std::int64_t lastContext);

    struct Point {
        double seconds = 0;
        double computeBoundSeconds = 0;  // of `seconds`: layers bound by compute
        double expectedSeconds = 0;      // from the layers' expected times
    };
    Point at(std::int64_t context) const;

private:
    struct LayerLine {
        double compute0, compute1, computeSlope;
        double memory0, memory1, memorySlope;
        double network0, network1, networkSlope;
        std::array<double, 2> expectedCompute, expectedMemory, overhead;  // at both ends
        double repeat;
    };
    std::vector<LayerLine> m_layers;
    std::int64_t m_first = 0;
    std::int64_t m_last = 0;
};

}  // namespace rooflens::core
