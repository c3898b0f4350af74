#pragma once
// Scenario: the compression applied to a model, as data (JSON, docs/scenarios.md). A scenario
// sets the storage format per tensor class (weights, activations, KV cache) with quantization
// metadata, sparsity, low-rank factorization, KV-cache compression and depth reduction, plus
// per-layer overrides by name pattern. applyScenario() turns a workload built at the model's
// native precision into the compressed one; analyze() then prices it with the execution rules.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/datatypes.h"
#include "core/json_io.h"
#include "core/result.h"
#include "core/workload.h"

namespace rooflens::core {

inline constexpr int kScenarioSchemaVersion = 1;

// Storage format of one tensor: element type plus group-wise quantization metadata. fp16 and
// bf16 both mean "the model's 16-bit float type" (no conversion between the two is charged).
// Effective bits per element = bits(type) + (bits(scale) + bits(zero)) / (group * groupRows)
//   + bits(block scale) / block                                       (microscaling types)
//   + quantizedStats * secondLevelBits / (group * secondLevelGroup)   (NF4 double quant, SpQR)
//   + bits(channelScale) / k                                          (QServe per-channel level)
//   + outlierBits * outlierFraction                                   (SpQR outliers)
// A microscaling type (nvfp4, mxfp4, ...) brings its own block scale and takes no group fields;
// its per-tensor scale (NVFP4: FP32) is counted per tensor (tensorScaleBytes), not per element.
struct TensorFormat {
    DataType type = DataType::fp16;
    std::int64_t groupSize = 0;  // elements per scale group along the reduction dim; 0 = none
    std::int64_t groupRows = 1;  // rows per scale group across it: 2-D blocks (DeepSeek-V3 128x128)
    std::optional<DataType> scale;
    std::optional<DataType> zero;
    std::int64_t secondLevelGroup = 0;  // first-level stats per second-level group; 0 = none
    double secondLevelBits = 0;         // bits per quantized stat group (scale + zero of the stats)
    int quantizedStats = 0;             // how many first-level stats are themselves quantized
    std::optional<DataType> channelScale;  // one more scale per output channel (k elements)
    double outlierFraction = 0;            // fraction of elements kept as sparse outliers
    double outlierBits = 32;               // bits per outlier (value + index)
    // RPTQ: channels reordered into `clusters` clusters (the permutation fused into the
    // LayerNorm before, no extra pass), one scale (+ zero) per cluster and token row:
    // + clusters (bits(scale, default fp16) + bits(zero)) / k bits per element.
    std::int64_t clusters = 0;
    // OliVe: outlier-victim pair encoding. Bits stay bits(type) (the outlier borrows its
    // victim's slot: no outlier storage), but each element costs decodeOps OPs on the vector
    // units before the matrix units (no device in the database decodes OVP natively).
    bool olive = false;
    double decodeOps = 4;

    double effectiveBits(double k = 0) const;
    // Bytes of the per-tensor scale (NVFP4: 4), paid once per tensor.
    double tensorScaleBytes() const;
    bool operator==(const TensorFormat&) const = default;
};

// block: whole b x b tiles of each weight matrix are zero (LPViT); `density` of the tiles kept.
enum class SparsityKind : std::uint8_t { dense, unstructured, structured24, block };
enum class IndexFormat : std::uint8_t { csr16, csr32, bitmap };

struct Sparsity {
    SparsityKind kind = SparsityKind::dense;
    double density = 1.0;  // unstructured: fraction of non-zeros
    IndexFormat index = IndexFormat::csr16;
    bool sparseKernel = false;    // unstructured: math on non-zeros only (else dense math)
    std::int64_t blockSize = 32;  // block: b (tiles of b x b weights)
    bool operator==(const Sparsity&) const = default;
};

struct LowRank {
    double rankRatio = 0;          // r / min(d_in, d_out); or
    double paramRatio = 0;         // r (d_in + d_out) / (d_in d_out): fraction of parameters kept
    bool cacheProjection = false;  // k/v projections: cache the rank-r latent instead of K, V
    bool operator==(const LowRank&) const = default;
};

// GEAR's residual beside a quantized KV cache (docs/scenarios.md, "GEAR"): per KV head and
// group of `groupTokens` tokens, a rank-r fp16 factorization [G x r][r x d_h] of the quantization
// error, plus a sparse fraction of outlier elements stored as value + index.
struct KvResidual {
    std::int64_t rank = 0;  // 0 = no low-rank part
    std::int64_t groupTokens = 1;
    double outlierFraction = 0;  // in [0, 1]
    double outlierValueBits = 16;
    double outlierIndexBits = 32;
    // Storage bits per cached element beside the quantized value, for heads of `headDim`:
    // 16 r (G + d_h) / (G d_h) + s (value bits + index bits).
    double extraBits(double headDim) const;
    // Decode OPs per cached element read to rebuild it: 2 r (low-rank product) + s (scatter-add).
    double reconstructOpsPerElement() const;
    bool operator==(const KvResidual&) const = default;
};

struct KvCompression {
    TensorFormat format;
    std::int64_t fullPrecisionWindow = 0;  // most recent tokens kept in the float type (KIVI)
    double keptRatio = 1.0;                // fraction of older tokens kept (eviction)
    std::optional<KvResidual> residual;    // GEAR
    bool operator==(const KvCompression&) const = default;
};

// Effective bits per cached KV element: the format's plus GEAR's residual for heads of headDim.
double kvEffectiveBits(const KvCompression& kv, double headDim);

// EoRA: a rank-r low-rank path [k x r][r x n] in `type` beside every quantized weight matrix,
// run as two extra thin GEMMs (core/src/compression_paths.cpp).
struct Compensation {
    std::int64_t rank = 0;
    DataType type = DataType::fp16;
    bool operator==(const Compensation&) const = default;
};

// Energon-style dynamic sparse attention: a low-bit QK^T filtering pass over every query-key
// pair, then attention in full precision on the kept fraction of the pairs.
struct SparseAttention {
    DataType filterType = DataType::int4;
    double keptFraction = 1;  // rho in (0, 1]
    bool operator==(const SparseAttention&) const = default;
};

// PTQ4ViT / I&S-ViT: the attention matmuls (QK^T and PV, or a fused attention) with their
// operands quantized to `type`: integer math where the device has it, the score and probability
// tensors stored at bits(type), and `requantOps` OPs per score element each for the dequant
// before and the requant after the softmax (twin-uniform: one more compare per element).
struct AttentionQuant {
    DataType type = DataType::int8;
    double requantOps = 2;
    bool operator==(const AttentionQuant&) const = default;
};

// QuaRot/SpinQuant/OstQuant: online transforms that cannot be folded into the weights, each a
// separate pass that reads and writes its vector in the float type. `downProj` transforms of
// width d_ff per token before down_proj (fc2); `attention` head-wise transforms of width d_h per
// token and query head before the attention (Q/K after RoPE, the output before o_proj).
enum class RotationTransform : std::uint8_t { hadamard, orthogonal };
struct Rotation {
    RotationTransform transform = RotationTransform::hadamard;
    std::int64_t downProj = 0;
    std::int64_t attention = 0;
    // OPs to transform one vector of width d: d log2 d (fast Walsh-Hadamard butterflies) or
    // 2 d^2 (a dense [d x d] orthogonal matrix, as a GEMM row).
    double opsPerVector(double d) const;
    bool operator==(const Rotation&) const = default;
};

// Sub-MoE-style expert merging: the E routed experts of every MoE layer merged into E'; with a
// shared basis of rank r > 0 each merged expert is [k x r] of its own times one [r x n] basis
// per layer and projection, shared by all merged experts.
struct ExpertMerging {
    std::int64_t experts = 0;  // E'
    std::int64_t sharedBasisRank = 0;
    bool operator==(const ExpertMerging&) const = default;
};

// Expected distinct experts touched by `tokens` routed tokens with top-k of E under uniform,
// independent routing: E (1 - (1 - k/E)^T), top-k clamped to E (the formula of
// models::expectedExpertsTouched, formulas.md 3.4); 0 for no experts or tokens.
double expectedDistinctExperts(double experts, double topK, double tokens);

// Where a scenario was read from (the file, or a label): apply-time errors name it. Not part of
// the scenario's value: two scenarios read from different files compare equal.
struct ScenarioSource {
    std::string label;
    bool operator==(const ScenarioSource&) const { return true; }
};

struct Depth {
    std::int64_t dropBlocks = 0;      // last N blocks removed (layer pruning); or
    double dropFraction = 0;          // this fraction of the blocks, rounded to whole blocks
    double exitDepth = 0;             // expected exit depth in blocks (early exit); 0 = off
    std::int64_t exitCheckEvery = 1;  // an exit head runs after every N-th block
    bool operator==(const Depth&) const = default;
};

// Settings for the layers whose name matches `pattern` ('*' any run, '?' one character).
struct LayerOverride {
    std::string pattern;
    std::optional<TensorFormat> weights;
    std::optional<TensorFormat> activations;
    std::optional<Sparsity> sparsity;
    std::optional<LowRank> lowRank;
    bool operator==(const LayerOverride&) const = default;
};

struct Scenario {
    std::string name;
    std::string description;
    std::string citation;
    std::optional<TensorFormat> weights;      // nullopt = the model's native float type
    std::optional<TensorFormat> activations;  // GEMM inputs; vector ops stay in the float type
    std::optional<KvCompression> kvCache;
    Sparsity sparsity;
    std::optional<LowRank> lowRank;  // for every linear layer unless an override says otherwise
    Depth depth;
    std::vector<LayerOverride> overrides;
    // Vision token reduction in the models::parseTokenReduction grammar ("tome r=16"); applied
    // by the family's builder (the pipeline passes it on), not by applyScenario(). "" = none.
    std::string tokenReduction;
    // Paths beside the compressed tensors (docs/scenarios.md: EoRA, Energon, Sub-MoE).
    std::optional<Compensation> compensation;
    std::optional<SparseAttention> sparseAttention;
    std::optional<ExpertMerging> expertMerging;
    // Quantized attention matmuls and online rotations (docs/scenarios.md: PTQ4ViT, OstQuant).
    std::optional<AttentionQuant> attention;
    std::optional<Rotation> rotation;
    ScenarioSource source;
    bool operator==(const Scenario&) const = default;
    // Whether applyScenario() has anything to transform (token reduction aside).
    bool compresses() const;
};

bool matchesPattern(std::string_view pattern, std::string_view name);

Result<Scenario> parseScenario(const Json& document, const std::string& label);
Result<Scenario> loadScenario(const std::filesystem::path& path);
std::string serializeScenario(const Scenario& scenario);

// Built-in presets (models/presets/scenarios/*.json under the data dir).
std::filesystem::path scenarioPresetDir();
std::vector<std::string> listScenarioPresets();
// A preset name, or a path to a scenario file (contains '/' or ends in .json).
Result<Scenario> resolveScenario(const std::string& nameOrPath);

// The scenario for the CLI's --wbits/--abits/--kvbits shorthand (plain integers, no groups).
Scenario scenarioFromBits(int weightBits, int activationBits, int kvBits);

// The float type a scenario runs the whole pass in: fp32 when its weights, activations and KV
// cache are all plain fp32 (W32A32KV32, no groups, no KV window or eviction). Such a pass is
// built at fp32 (every activation, norm, softmax, residual and the attention math in fp32, not
// only the GEMM inputs: docs/cost-model.md "Native precision"); nullopt otherwise.
std::optional<DataType> passFloatType(const Scenario& scenario);

// A preset for `scenarios list`: its mechanism in words (from the scenario's fields) and the
// papers of its citation (title and arXiv id, split at "; ").
struct PaperReference {
    std::string title;
    std::string arxivId;  // "2306.00978"; "" where the source is not on arXiv
};
std::string mechanismOf(const Scenario& scenario);
std::vector<PaperReference> papersOf(const std::string& citation);
// The document of `rooflens scenarios list --format json` and rooflens.scenarios(details=True):
// {"schema_version": 1, "scenarios": [{"name", "mechanism", "citation", "papers": [{"title",
// "arxiv_id"}], "weight_bits", "activation_bits", "kv_bits"}]}, bits for a 4096-wide layer and
// KV heads of 128.
Result<std::string> scenarioCatalogJson();

// Applies the scenario to a workload built at native precision. Errors for settings that do
// not fit the workload (e.g. dropping more blocks than the model has).
Result<Workload> applyScenario(const Scenario& scenario, const Workload& workload);

}  // namespace rooflens::core
