#pragma once
// Whole-model validation (calibration.md "Whole-model validation", issue 14 item 3): a real FP32
// forward pass of a small model on this machine, random weights, every layer in the order the
// engine lists them, with the reference kernels (oneDNN sgemm for GEMMs, the project's GEMV for
// one-row products, its own norm, rotary, softmax-attention, activation and residual kernels),
// each layer timed on its own. A decoder runs a prefill and then one decode step with the real
// KV cache the prefill wrote; a ViT runs its one forward pass. `rooflens validate --whole`
// joins the measured layers with the engine's predictions by name.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis.h"
#include "core/progress.h"
#include "core/result.h"

namespace rooflens::calibrate {

// A Llama-style decoder: RMSNorm, rotary GQA attention, SwiGLU MLP, untied lm_head.
struct DecoderShape {
    std::int64_t hidden = 0;
    std::int64_t intermediate = 0;
    std::int64_t layers = 0;
    std::int64_t heads = 0;
    std::int64_t kvHeads = 0;
    std::int64_t headDim = 0;
    std::int64_t vocab = 0;
    double ropeTheta = 10000;
};

// A ViT: patch embedding, class token, pre-LN blocks (fused qkv, GELU MLP), final norm, head.
struct VitShape {
    std::int64_t image = 224;
    std::int64_t patch = 16;
    std::int64_t channels = 3;
    std::int64_t dim = 0;
    std::int64_t depth = 0;
    std::int64_t heads = 0;
    std::int64_t mlp = 0;
    std::int64_t classes = 1000;
};

// One timed layer of a pass, named as the engine names it ("blocks.3.q_proj", "lm_head").
struct MeasuredLayer {
    std::string name;
    std::vector<double> seconds;  // one per timed repetition
    double median() const;
};

struct MeasuredPass {
    std::string phase;  // "prefill", "decode" (a ViT's pass is its prefill)
    std::int64_t queries = 0;
    std::int64_t keys = 0;
    std::vector<MeasuredLayer> layers;
    std::vector<double> totalSeconds;  // per repetition: the sum of its layers
    double medianTotal() const;
};

struct WholeOptions {
    std::vector<int> cpus;      // the run's threads (OpenMP, one pinned per CPU); empty: all
    int repeats = 3;            // timed repetitions of each pass, after one warm-up
    std::int64_t prompt = 256;  // decoder: prefill tokens; the decode step sees prompt + 1 keys
    std::uint64_t seed = 1;
};

using WholeProgress = std::function<void(double fraction, std::string_view step)>;

// Bytes a run allocates (weights, KV cache, activations): callers refuse what does not fit.
double decoderBytes(const DecoderShape& shape, std::int64_t prompt);
double vitBytes(const VitShape& shape);

// Prefill of options.prompt tokens, then one decode step at position prompt. Errors: built
// without oneDNN, a shape that is not a decoder (heads not a multiple of kvHeads, odd head
// dim), out of memory, "cancelled".
core::Result<std::vector<MeasuredPass>> runDecoder(const DecoderShape& shape,
                                                   const WholeOptions& options,
                                                   const core::CancelToken& cancel,
                                                   const WholeProgress& progress = {});
core::Result<MeasuredPass> runVit(const VitShape& shape, const WholeOptions& options,
                                  const core::CancelToken& cancel,
                                  const WholeProgress& progress = {});

// One engine layer joined with its measurement.
struct WholeLayerRow {
    std::string name;  // "blocks.3.q_proj"
    std::string op;    // "q_proj"
    std::string kind;  // "gemm"
    double rooflineSeconds = 0;
    double expectedSeconds = 0;
    // For the GUI's chart: one instance's OPs (as `bytes`) and the instances the times cover.
    double ops = 0;
    std::uint32_t repeat = 1;
    // The parts the kernel-class fit needs (kernel_classes.h): the bytes one instance moves,
    // the roofline's memory time and the expected math time (GEMM grid included), overhead.
    double bytes = 0;
    double rooflineMemorySeconds = 0;
    double expectedComputeSeconds = 0;
    double overheadSeconds = 0;
    std::string bound;
    bool measured = false;
    double measuredSeconds = 0;  // median over the repetitions
    double p10 = 0;
    double p90 = 0;
    double expectedError = 0;  // |expected - measured| / measured
    double rooflineError = 0;
    bool fasterThanRoof = false;  // measured p90 below the roofline bound
    // The cache-aware bound (a hierarchical roofline): the same layer with its activations
    // (inputs just written by the layer before, and its output) read and written at the
    // last-level cache's ceiling when they fit in it, weights, KV and metadata at main memory.
    // Equals rooflineSeconds without a measured on-chip level; never above it.
    double cacheRoofSeconds = 0;
    bool fasterThanCacheRoof = false;  // measured p90 below the cache-aware bound
};

struct WholeSummary {
    int layers = 0;
    double measuredSeconds = 0;  // median over repetitions of the pass total
    double rooflineSeconds = 0;
    double expectedSeconds = 0;
    double expectedTotalError = 0;  // signed (expected - measured) / measured
    double rooflineTotalError = 0;
    double expectedMedian = 0;  // of the per-layer absolute errors
    double expectedP90 = 0;
    double rooflineMedian = 0;
    double rooflineP90 = 0;
    int fasterThanRoof = 0;
    int fasterThanCacheRoof = 0;
};

struct WholePassResult {
    int threads = 0;
    std::string phase;
    std::int64_t queries = 0;
    std::int64_t keys = 0;
    std::vector<WholeLayerRow> rows;
    std::vector<std::string> unmatched;  // measured layers the engine does not list
    WholeSummary summary;
};

// Joins a measured pass with the analysis of the same pass (by layer name) and summarizes it:
// per-layer errors |predicted - measured| / measured of the expected and the roofline times,
// their median and p90 (linear interpolation between order statistics), the signed error of
// the totals, and the layers faster than the roof. With `device` (the profile the report was
// priced with, at the run's thread count), also each layer's cache-aware bound.
WholePassResult joinWhole(const MeasuredPass& measured, const core::Report& report, int threads,
                          const core::Hardware* device = nullptr);

// The last-level on-chip memory of `hw` that has a bandwidth (the largest such level), or
// nullptr when there is none (datasheet GPUs publish no on-chip bandwidth).
const core::MemoryLevel* lastLevelCache(const core::Hardware& hw);

// Per-instance cache-aware memory time of a layer: its activations (in and out) at the LLC's
// bandwidth when together they fit in its capacity, every other byte at the report's
// main-memory time; the main-memory time when they do not fit or there is no LLC.
double cacheAwareMemorySeconds(const core::LayerResult& result, const core::MemoryLevel* llc);

}  // namespace rooflens::calibrate
