#pragma once
// Serving under load (docs/serving.md): a steady-state, mean-field model of continuous (in-flight)
// batching built on the engine's per-step costs. The engine prices a prefill, and the mean
// decode step of a batch of B sequences over a request's context trajectory (core::evaluate of
// a request); this file turns those step costs into TTFT, TPOT, end-to-end latency, requests/s
// and tokens/s per device for a load (length distributions, a rate or a concurrency), with
// chunked prefill, disaggregated prefill/decode pools, speculative decoding, a shared prefix,
// memory tiers (weights, KV cache, experts in HBM, host DRAM or NVMe), energy and cost.
//
// The model is mean-field (every decode step carries the mean batch at the mean context), not
// event-driven: a decode step's per-layer OPs and bytes are affine in the batch's summed context,
// so a batch of mixed contexts costs what the same batch at the mean context costs, and the
// steady state follows from work conservation and Little's law in closed form, in microseconds
// per operating point. A discrete-event reference (tests/core/serving_reference.h) checks it.
#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/evaluate.h"
#include "core/result.h"

namespace rooflens::core {

// --- Load ---------------------------------------------------------------------------------------

// Prompt or output lengths in tokens: a fixed value, uniform integers in [a, b], a normal of
// mean a and standard deviation b (rounded, truncated below at 1), or an empirical list.
struct LengthDistribution {
    enum class Kind : std::uint8_t { fixed, uniform, normal, empirical };
    Kind kind = Kind::fixed;
    double a = 1;
    double b = 0;
    std::vector<std::int64_t> values;  // empirical

    // (value, probability) support points: exact for fixed, empirical and uniform ranges of at
    // most 256 values, else 256 equal-probability quantile points.
    std::vector<std::pair<std::int64_t, double>> points() const;
    // `bins` equal-probability bins of points(), each at its mean value (prefill pricing).
    std::vector<std::pair<double, double>> bins(int count) const;
    double mean() const;
    double meanOf(double (*f)(double)) const;  // E[f(X)] over points()
    std::int64_t sample(std::mt19937_64& rng) const;
    std::string describe() const;
};

// "512", "uniform:128:2048", "normal:1024:256" or "file:PATH" (one positive integer per line,
// blank lines and '#' comments allowed). Errors name `flag` (or the file and line).
Result<LengthDistribution> parseLengthDistribution(std::string_view text, std::string_view flag);
Result<LengthDistribution> loadLengthFile(const std::string& path);

struct ServingLoad {
    LengthDistribution prompt;
    LengthDistribution output;          // generated tokens per request, the first from the prefill
    std::optional<double> rate;         // requests/s offered to the deployment (open loop, Poisson)
    std::optional<double> concurrency;  // requests in flight per replica (closed loop)
    // Requests of the workload for its totals (makespan, joules, dollars) and for the prefix
    // every request but the first finds cached.
    std::int64_t requests = 10000;
};

// --- Serving features ---------------------------------------------------------------------------

// Leviathan et al. (arXiv:2211.17192): tokens per verification step with per-token acceptance
// alpha in [0, 1) and draft length gamma: (1 - alpha^(gamma+1)) / (1 - alpha).
double expectedTokensPerStep(double alpha, int gamma);

struct SpeculativeDecoding {
    std::string draft;  // draft model id (the CLI binds it)
    double alpha = 0.8;
    int gamma = 4;
};
// "draft=ID,alpha=A,gamma=G" (alpha in [0, 1), gamma >= 1).
Result<SpeculativeDecoding> parseSpeculative(std::string_view text);

enum class Tier : std::uint8_t { hbm, host, nvme };
std::string_view nameOf(Tier tier);

// Where weights, KV cache and routed experts live, and the links to the tiers. Offloaded bytes
// are read over the link every step that needs them (FlexGen's cost model, next-wave.md D.1).
struct Offload {
    Tier weights = Tier::hbm;
    Tier kv = Tier::hbm;
    Tier experts = Tier::hbm;  // routed expert weights (MoE); the rest follows `weights`
    double expertHitRate = 0;  // of the experts' bytes, found in the HBM expert cache (EdgeMoE)
    // Transfers overlap compute and HBM traffic (per layer the longest of the three, GenZ and
    // FlexGen's assumption); off: they add to the layer's roofline time.
    bool overlap = true;
    double hostBytesPerSecond = 0;    // 0: the device's host link (PCIe)
    double nvmeBytesPerSecond = 7e9;  // a PCIe 4.0 x4 NVMe SSD's sequential read
    // InstInfer what-if: decode attention runs on the storage device over the KV at its internal
    // flash bandwidth (kv must be nvme); 0 = off.
    double storageAttentionBytesPerSecond = 0;
    bool any() const { return weights != Tier::hbm || kv != Tier::hbm || experts != Tier::hbm; }
};
// "weights=host,kv=nvme,experts=nvme,hit=0.6,overlap=off,host-bw=64e9,nvme-bw=7e9,csd-bw=20e9".
Result<Offload> parseOffload(std::string_view text);

// Dollars per device-hour: a documented default table (docs/serving.md, "Prices") by hwdb id;
// nullopt when the device is not in it.
std::optional<double> defaultDollarsPerHour(std::string_view hardwareId);

struct ServingOptions {
    ServingLoad load;
    std::int64_t chunkTokens = 0;  // chunked prefill: tokens per step (decodes + chunk); 0 = off
    // Disaggregated prefill and decode: replicas in each pool (0:0 = aggregated).
    int prefillReplicas = 0;
    int decodeReplicas = 0;
    std::optional<SpeculativeDecoding> speculative;
    std::int64_t prefixTokens = 0;  // a prefix every request shares (prefill and KV stored once)
    Offload offload;
    std::optional<double> dollarsPerDeviceHour;  // default: defaultDollarsPerHour
    std::optional<double> ttftTarget;            // seconds
    std::optional<double> tpotTarget;
    bool disaggregated() const { return prefillReplicas > 0; }
};

// --- Step costs (the engine's numbers) ----------------------------------------------------------

// One step as per-layer time components, so that serving features (a prefill chunk riding in a
// decode step, a shared prefix's KV read once, bytes read from another tier) can reprice it.
struct StepLayer {
    double compute = 0;
    double weights = 0;  // seconds of HBM traffic by class (memory seconds split by bytes)
    double kv = 0;
    double other = 0;
    double network = 0;
    double time = 0;  // the engine's time (max(compute, memory) + network)
    double repeat = 1;
    bool expert = false;  // routed expert GEMM
};
struct StepProfile {
    std::vector<StepLayer> layers;
    double seconds = 0;  // the engine's
};

// The costs the steady state needs, per replica: from the engine (serviceCosts) or by hand.
struct ServingCosts {
    double prefillSeconds = 0;        // mean over the prompt distribution, one prompt alone
    double prefixPrefillSeconds = 0;  // of the shared prefix alone
    // Mean decode step at batch B over the request's contexts, at increasing B (linear in
    // between, constant below the first).
    std::vector<std::pair<double, double>> decodeSteps;
    std::vector<std::pair<double, double>> mixedExtra;   // chunked: a chunk's extra seconds at B
    std::vector<std::pair<double, double>> verifySteps;  // speculative: draft + verify step at B
    double chunkTokens = 0;
    double kvTransferSeconds = 0;       // disaggregated: one request's KV from P to D
    double weightBytesPerDevice = 0;    // in HBM
    double kvBytesPerSequence = 0;      // per device, the whole request reserved
    double sharedKvBytes = 0;           // the shared prefix's KV, once
    double capacityBytesPerDevice = 0;  // HBM (or unlimited with the KV offloaded: 0)
    double activationBytes = 0;
    int devicesPerReplica = 1;
    int replicas = 1;  // aggregated: data-parallel replicas
    double tdpWatts = 0;
    double idleWatts = 0;
    double dollarsPerDeviceHour = 0;
    double tokensPerStep = 1;  // speculative: expected tokens per step
    // What the decode step waits on most at each priced batch (compute, hbm, host, nvme or
    // network) and its share of the step's layer time.
    struct Binding {
        double batch = 1;
        std::string tier = "hbm";
        double share = 0;
    };
    std::vector<Binding> binding;
    static double at(const std::vector<std::pair<double, double>>& table, double batch);
};

// --- Steady state -------------------------------------------------------------------------------

struct ServingMetrics {
    double concurrency = 0;     // mean requests in flight per decode replica (decode batch)
    double maxConcurrency = 0;  // the KV cache's limit per replica
    bool kvLimited = false;     // the requested concurrency or rate needs more than that
    bool saturated = false;     // rate mode: the offered rate exceeds the capacity
    double ttftSeconds = 0;
    double tpotSeconds = 0;  // (E2E - TTFT) / (OSL - 1)
    double e2eSeconds = 0;
    double requestsPerSecond = 0;  // whole deployment
    double outputTokensPerSecond = 0;
    double inputTokensPerSecond = 0;
    double outputTokensPerSecondPerDevice = 0;
    double tokensPerSecondPerUser = 0;  // 1 / TPOT
    int devices = 0;
    // Per-step breakdown.
    double prefillSeconds = 0;     // one request's prefill (its chunks' share with chunking)
    double decodeStepSeconds = 0;  // mean step of the decode batch
    double mixedStepSeconds = 0;   // chunked: a step with a chunk
    double prefillTimeShare = 0;   // of the device time
    double kvTransferSeconds = 0;
    double kvBytesPerDevice = 0;
    double memoryBytesPerDevice = 0;  // in HBM: weights, activations, KV unless offloaded
    std::string bindingTier;          // at the priced batch nearest the decode batch
    double bindingShare = 0;          // of the decode step's layer time
    // Energy and cost.
    double wattsPerDevice = 0;
    double joulesPerOutputToken = 0;
    double dollarsPerHour = 0;  // whole deployment
    double dollarsPerMillionInput = 0;
    double dollarsPerMillionOutput = 0;
    double workloadSeconds = 0;  // the load's `requests` at this rate
    std::optional<bool> ttftMet;
    std::optional<bool> tpotMet;
};

// The steady state of `costs` under `options` (pure arithmetic: docs/serving.md).
Result<ServingMetrics> steadyState(const ServingCosts& costs, const ServingOptions& options);

// The engine's costs of a deployment (input.devices[0], input.scenarios[0], input.deployment,
// input.systems) for the load: a handful of evaluations (core::evaluate) whatever the number of
// requests. `draft` is the speculative draft model's builder (run on one device).
struct ServingInput {
    const WorkloadBuilder* builder = nullptr;
    const WorkloadBuilder* draft = nullptr;
    EvaluationInput evaluation;
    ServingOptions options;
    // Decode batch sizes priced for rate mode and sweeps (doubling up to the KV limit); more
    // points make the interpolation in B finer.
    int batchGridPoints = 12;
};
Result<ServingCosts> servingCosts(const ServingInput& input);
// servingCosts + steadyState.
Result<ServingMetrics> evaluateServing(const ServingInput& input);

// A throughput-latency curve: the steady state at every rate or concurrency of `values` from one
// set of costs (the engine runs once).
struct ServingSweepPoint {
    double value = 0;
    ServingMetrics metrics;
};
Result<std::vector<ServingSweepPoint>> sweepServing(const ServingInput& input, bool rates,
                                                    std::span<const double> values);

// For `rooflens plan`: the highest output tokens/s per device whose TTFT and TPOT meet the
// targets, searching the concurrency (1 .. the KV limit); nullopt when even one request misses.
Result<std::optional<ServingMetrics>> bestUnderTargets(const ServingInput& input);

}  // namespace rooflens::core
