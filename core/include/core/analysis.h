#pragma once
// analyze(): prices a Workload on a Hardware with the roofline model. Pure, allocation-light and
// thread-safe; the evaluation pipeline (core/evaluate.h) calls it for every pass. Request-level
// metrics (TTFT, TPOT, ...) come from analyzeRequest(), which sums the decode steps in closed
// form (core/request.h); analyzeRequestStepwise() is the step-by-step oracle it is tested against.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/deployment.h"
#include "core/hardware.h"
#include "core/result.h"
#include "core/workload.h"

namespace rooflens::core {

// A layer waits on its math, on memory, or (communication layers) on the network.
enum class Bound : std::uint8_t { compute, memory, network };
std::string_view nameOf(Bound bound);

// Which of a report's two times headline figures (summary lines, speed-ups, sweep series) use:
// the efficiency model's expected time or the roofline bound (`--time expected|roofline`).
// Every report carries both; the default is the roofline bound.
enum class TimeBasis : std::uint8_t { roofline, expected };
std::string_view nameOf(TimeBasis basis);
std::optional<TimeBasis> parseTimeBasis(std::string_view name);

struct AnalysisOptions {
    // The roofline uses the device's peaks as they are, the expected time its efficiency model
    // (Hardware::efficiency); both are always computed. This only picks the headline one.
    TimeBasis timeBasis = TimeBasis::roofline;
};

// How a layer executes on a device: the execution rule's verdict.
struct Execution {
    DataType mathType = DataType::fp16;  // data type the math runs in on this device
    ExecUnit unit = ExecUnit::matrix;    // unit it runs on
    bool promoted = false;               // the requested type is not supported: math is wider
    bool sparse = false;                 // 2:4 sparse units, or zero weight blocks skipped
    double peakOpsPerSecond = 0;         // 0 if the device has no usable peak at all
};

// Execution rule: the math runs in the requested type on the requested unit if the device has it;
// otherwise in the next wider type it supports (int4 -> int8 -> the 16-bit float types -> fp32;
// mxfp4 -> mxfp6 -> mxfp8 -> bf16; nvfp4 -> fp16), matrix units first, then vector units. Uses
// only the device's peak tables: a block-scaled type runs natively exactly where the device has
// a peak for it (docs/cost-model.md).
Execution resolveExecution(DataType requested, ExecUnit unit, const Hardware& hw);

// Block-sparse weights (LPViT): a kernel skips a zero b x b tile only when whole matrix-unit
// tiles fit in it. The tile edge by device kind: 16 on GPUs and SoCs with matrix units
// (tensor-core / MFMA / simdgroup fragments), 128 on systolic-array accelerators (kind tpu:
// TPU MXUs, Gaudi MME, Trainium), 0 (never exploited) on CPUs and devices without matrix peaks.
std::int64_t blockSparseTile(const Hardware& hw);
bool blockSparseExploited(const Hardware& hw, std::int64_t blockSize);

struct LayerResult {
    ByteBreakdown bytes;       // per instance, resolved for this device (fused attention)
    double ops = 0;            // per instance, conversion OPs included
    double conversionOps = 0;  // dequantization/epilogue OPs on the vector units
    double intensity = 0;      // OPs per byte (0 for layers without math)
    double attainableOpsPerSecond = 0;
    Execution execution;
    double timeSeconds = 0;     // per instance: max(compute, memory) + networkSeconds
    double computeSeconds = 0;  // per instance: OPs at the peak, conversions on vector units
    double memorySeconds = 0;   // per instance: bytes at main memory's bandwidth
    double networkSeconds = 0;  // per instance: a communication layer's collective
    // The expected time from the device's efficiency model (per instance, >= timeSeconds):
    // max(expected compute, expected memory) + kernel overhead + networkSeconds. Equal to
    // timeSeconds when the device has no efficiency model.
    double expectedSeconds = 0;
    double expectedComputeSeconds = 0;  // computeSeconds / GEMM efficiency at (m, k, n)
    double expectedMemorySeconds = 0;   // memorySeconds / memory efficiency at the bytes moved
    double overheadSeconds = 0;         // the per-kernel launch / dispatch overhead
    Bound bound = Bound::memory;
    Phase phase = Phase::prefill;  // for request reports: which pass the layer belongs to
};

struct RequestMetrics {
    double ttftSeconds = 0;             // time to first token = prefill time
    std::optional<double> tpotSeconds;  // mean time per output token after the first
    double e2eSeconds = 0;
    double tokensPerSecond = 0;  // generated tokens of the whole batch per second
    double prefillSeconds = 0;
    double decodeSeconds = 0;  // sum over all decode steps
    // The same from the expected times (efficiency model).
    double expectedTtftSeconds = 0;
    std::optional<double> expectedTpotSeconds;
    double expectedE2eSeconds = 0;
    double expectedTokensPerSecond = 0;
    double expectedDecodeSeconds = 0;
};

struct Totals {
    double ops = 0;
    double macs = 0;           // matrix multiply-accumulates (see matrixMacs)
    double conversionOps = 0;  // of `ops`: dequantization on the vector units
    double bytes = 0;
    double timeSeconds = 0;
    double computeBoundSeconds = 0;      // of timeSeconds: layers bound by compute
    double networkSeconds = 0;           // of timeSeconds: communication layers (before overlap)
    double itemsPerSecondPerDevice = 0;  // itemsPerSecond over the replica's devices
    double pipelineBubble = 0;           // pipelined prefill: 1 - m sum_j t_j / (PP x time)
    // Work items per second: tokens for LLMs (prefill B*S, a decode step B, a request the
    // generated B*G over the end-to-end time), images for vision models, passes for GNNs.
    double itemsPerSecond = 0;
    // The expected time of the pass (or request) and its throughput (efficiency model; equal to
    // timeSeconds and itemsPerSecond without one).
    double expectedSeconds = 0;
    double expectedItemsPerSecond = 0;
    double seconds(TimeBasis basis) const {
        return basis == TimeBasis::expected ? expectedSeconds : timeSeconds;
    }
    double itemsPerSecondAt(TimeBasis basis) const {
        return basis == TimeBasis::expected ? expectedItemsPerSecond : itemsPerSecond;
    }
    double computeBoundShare() const {
        return timeSeconds > 0 ? computeBoundSeconds / timeSeconds : 0;
    }
    MemoryFootprint memory;
    double capacityBytes = 0;
    bool fitsInMemory = true;
    std::optional<RequestMetrics> request;
};

// One pipeline stage of a multi-device deployment: its representative rank's time (with
// overlap: the longer of compute and communication) and memory.
struct StageResult {
    std::int32_t firstBlock = 0;
    std::int32_t lastBlock = -1;
    double seconds = 0;
    double computeSeconds = 0;   // the stage's compute and memory layers
    double networkSeconds = 0;   // its communication layers
    double expectedSeconds = 0;  // `seconds` from the layers' expected times
    MemoryFootprint memory;
    bool fitsInMemory = true;
};

// Dynamic sparse attention on this device (Energon): the filtering passes' time, the kept
// attention's, the dense attention it replaces (kept time / rho: its OPs and, in decode, its K/V
// bytes scale with rho) and the kept fraction at which filtering stops paying:
//   rho* = 1 - filter / dense.  rho* <= 0: filtering costs more than dense attention.
struct SparseAttentionSummary {
    double keptFraction = 1;
    double filterSeconds = 0;
    double keptAttentionSeconds = 0;
    double denseAttentionSeconds = 0;
    double breakEvenKeptFraction = 0;
};

struct Report {
    ModelFacts model;
    RunSettings settings;
    std::string hardwareId;
    std::string hardwareName;
    std::string scenario;  // compression applied ("" = none)
    TensorBits bits;       // effective bits per tensor class of that compression
    TimeBasis timeBasis = TimeBasis::roofline;  // which time the headline figures use
    std::string efficiency;  // the device's efficiency model: measured, file, default or none
    std::vector<Layer> layers;
    std::vector<LayerResult> results;  // parallel to layers
    Totals totals;
    std::vector<std::string> warnings;
    std::vector<std::string> notes;
    // Multi-device deployments: the plan, and one entry per pipeline stage; totals.memory is the
    // fullest rank's.
    Deployment deployment;
    std::vector<StageResult> stages;
    std::vector<CollectiveShape> collectives;  // of the communication layers (Layer::collective)
    std::optional<SparseAttentionSummary> sparseAttention;  // Energon-style filtering only
};

// Fills report.sparseAttention and its note when the workload filters attention
// (core/src/compression_paths.cpp).
void summarizeSparseAttention(const Workload& workload, Report& report);

Report analyze(const Workload& workload, const Hardware& hw, const AnalysisOptions& options = {});
// The same, moving the workload's layers into the report instead of copying them.
Report analyze(Workload&& workload, const Hardware& hw, const AnalysisOptions& options = {});

// The memory a request needs, as serving engines provision it: the weights, the KV cache of the
// longest context (the last decode step) and the largest live activations of any pass (usually
// the prefill's).
MemoryFootprint requestFootprint(const MemoryFootprint& prefill, const MemoryFootprint& lastStep);

// What the items of Totals::itemsPerSecond are: "tokens", "images" or "passes".
std::string_view itemName(ModelFamily family);
// Items one pass with these settings processes (prefill B*S tokens, decode B, ViT B images).
double itemsPerPass(ModelFamily family, const RunSettings& settings);

// Builds the workload for one pass: prefill (context = prompt) or one decode step at the given
// context length (keys in the cache including the new token).
using PassBuilder = std::function<Result<Workload>(Phase phase, std::int64_t contextLength)>;

// A whole request: prefill of settings.promptLength tokens, then generateLength-1 decode steps
// over the growing KV cache (the first token comes out of prefill). The report lists the prefill
// layers, then the decode layers summed over all steps; memory is what the request must have
// provisioned (requestFootprint).
// The decode steps are summed in closed form: a few passes are built (two per stretch of context
// between the workload's contextBreaks), whatever the number of generated tokens.
Result<Report> analyzeRequest(const RunSettings& settings, const PassBuilder& build,
                              const Hardware& hw, const AnalysisOptions& options = {});
// The same, building and pricing every decode step: the test oracle of analyzeRequest().
Result<Report> analyzeRequestStepwise(const RunSettings& settings, const PassBuilder& build,
                                      const Hardware& hw, const AnalysisOptions& options = {});

}  // namespace rooflens::core
