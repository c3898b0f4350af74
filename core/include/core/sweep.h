#pragma once
// Sweeps: evaluate a model over a grid of run settings, devices and scenarios, in parallel, with
// progress and cancellation. Each point reports its metrics, its dominant bound and whether the
// weights plus the KV cache fit the device. Used by `rooflens sweep` and the GUI's sweep chart.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis.h"
#include "core/evaluate.h"
#include "core/progress.h"
#include "core/result.h"
#include "core/scenario.h"

namespace rooflens::core {

// "1,2,4,8", "1:64:x2" (geometric), "128:4096:+128" (arithmetic), or a single value. Every
// value must be an integer >= 1; at most 100000 values.
Result<std::vector<std::int64_t>> parseRange(std::string_view text);

struct SweepSpec {
    Phase phase = Phase::decode;
    std::vector<std::int64_t> batches{1};
    std::vector<std::int64_t> promptLengths{1024};   // prefill and request
    std::vector<std::int64_t> contextLengths{1024};  // decode
    std::int64_t generateLength = 128;               // request
    bool flashAttention = false;
    std::vector<Hardware> devices;
    std::vector<std::optional<Scenario>> scenarios{std::nullopt};  // nullopt = uncompressed
    // Plans swept (the outermost dimension). A multi-device plan runs on its device's entry in
    // `systems` (parallel to `devices`) or, where `systems` is empty, on systemOf(device, the
    // plan's devices). Its points are evaluated one by one through evaluate(), each priced per
    // rank; single-device plans share builds across devices and decode contexts.
    std::vector<Deployment> deployments{Deployment{}};
    std::vector<System> systems;
    AnalysisOptions options;
};

struct SweepPoint {
    std::uint32_t deployment = 0;  // index into SweepSpec::deployments
    std::uint32_t device = 0;
    std::uint32_t scenario = 0;
    std::int64_t batch = 0;
    std::int64_t promptLength = 0;
    std::int64_t contextLength = 0;
    double timeSeconds = 0;      // the pass (prefill, one decode step) or the whole request
    double tokensPerSecond = 0;  // prefill: B S / t; decode: B / t; request: B G / e2e
    double ttftSeconds = 0;      // request only
    double tpotSeconds = 0;      // request only
    // The same from the expected times (efficiency model; equal without one).
    double expectedSeconds = 0;
    double expectedTokensPerSecond = 0;
    double expectedTtftSeconds = 0;       // request only
    double expectedTpotSeconds = 0;       // request only
    double tokensPerSecondPerDevice = 0;  // over the plan's devices (DP replicas included)
    double networkSeconds = 0;            // of timeSeconds: communication (before overlap)
    Bound bound = Bound::memory;          // the bound of most of the time
    // Memory of one device: the whole model on one device, the busiest rank of a plan.
    double weightBytes = 0;
    double kvCacheBytes = 0;
    double totalMemoryBytes = 0;
    bool fitsInMemory = true;
};

struct SweepResult {
    std::vector<SweepPoint> points;
    std::vector<std::string> warnings;  // of every evaluated pass, each once, sorted
    bool cancelled = false;
};

std::size_t sweepSize(const SweepSpec& spec);

// Runs every point on `threads` threads (0 = all cores). The first error stops the sweep.
// Work that does not change between points is shared: one build per (scenario, batch, length)
// serves every device; decode points over many contexts are priced from two passes per stretch
// of context between the workload's breaks (core/request.h), not rebuilt per point.
Result<SweepResult> runSweep(const WorkloadBuilder& builder, const SweepSpec& spec,
                             unsigned threads, const ProgressCallback& progress = {},
                             const CancelToken* cancel = nullptr);

}  // namespace rooflens::core
