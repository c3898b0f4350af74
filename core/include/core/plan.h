#pragma once
// Plan search (`rooflens plan`): every way to spread a model over a system (TP x EP x PP, the
// rest of the devices as DP replicas) at every batch, each request priced per rank through the
// evaluation pipeline; the Pareto front of throughput per device against TPOT, and the best plan
// that meets the latency targets (docs/parallelism.md "Plan search").
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/deployment.h"
#include "core/evaluate.h"
#include "core/progress.h"
#include "core/result.h"

namespace rooflens::core {

struct PlanSearchSpec {
    // A request per replica: promptLength and generateLength (phase request; batch from
    // `batches`).
    RunSettings settings;
    std::vector<std::int64_t> batches{1, 2, 4, 8, 16, 32, 64, 128, 256};  // per replica
    std::optional<Scenario> scenario;
    System system;
    AnalysisOptions options;
    // Plan options every candidate shares (micro-batches, imbalance, overlap, in-network
    // reduction); its degrees are ignored.
    Deployment base;
    std::optional<double> ttftTarget;  // seconds
    std::optional<double> tpotTarget;  // seconds
    // Every degree tried divides the system's devices; TP stays inside one scale-up domain
    // unless this is set (TP across the scale-out network is rarely worth it).
    bool tensorAcrossNodes = false;
    // Use every device (DP = devices / replica). Off: replicas of any size that divides the
    // system are tried, and DP fills the system with as many as fit.
    bool useAllDevices = true;
    // Degrees to try (empty: every divisor).
    std::vector<int> tensor;
    std::vector<int> expert;
    std::vector<int> pipeline;
};

struct PlanCandidate {
    Deployment deployment;
    std::int64_t batch = 0;  // per replica
    double ttftSeconds = 0;
    double tpotSeconds = 0;
    double e2eSeconds = 0;
    double tokensPerSecond = 0;           // generated tokens/s of all DP replicas
    double tokensPerSecondPerDevice = 0;  // of one replica over its devices
    double memoryPerDevice = 0;           // the busiest rank: weights, KV cache, activations
    double capacityPerDevice = 0;
    double networkShare = 0;  // of the request's time, in communication (before overlap)
    bool fits = false;
    bool meetsTargets = false;  // fits, and TTFT and TPOT within the targets given
    bool pareto = false;        // fits, and no fitting candidate is both faster and higher
};

struct PlanSearchResult {
    std::vector<PlanCandidate> candidates;  // every valid plan x batch, in enumeration order
    std::size_t plans = 0;                  // valid plans (before batches)
    std::size_t refused = 0;                // plans checkDeployment refused
    std::vector<std::string> refusals;      // why, each reason once
    std::optional<std::size_t> winner;      // index into candidates
    bool cancelled = false;
};

// The plans a model can take on a system: TP x EP x PP dividing the devices, TP inside a
// scale-up domain (unless asked), each refused by checkDeployment() counted, not returned.
std::vector<Deployment> enumeratePlans(const ModelFacts& model, const PlanSearchSpec& spec,
                                       std::size_t& refused, std::vector<std::string>& refusals);

// Marks the Pareto front (max tokens/s per device, min TPOT, among the plans that fit) and the
// winner: the highest tokens/s per device that meets the targets (lower TPOT on ties); without
// targets, the highest overall.
void rankCandidates(std::vector<PlanCandidate>& candidates, std::optional<std::size_t>& winner);

// Prices every plan x batch on `threads` threads (0 = all cores).
Result<PlanSearchResult> searchPlans(const WorkloadBuilder& builder, const PlanSearchSpec& spec,
                                     unsigned threads = 0, const ProgressCallback& progress = {},
                                     const CancelToken* cancel = nullptr);

// The winning (or any) candidate's full per-rank report, through evaluate().
Result<Report> candidateReport(const WorkloadBuilder& builder, const PlanSearchSpec& spec,
                               const PlanCandidate& candidate);

}  // namespace rooflens::core
