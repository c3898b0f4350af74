#pragma once
// Decoder-only LLM cost model: a Hugging Face config.json becomes an LlmConfig (with a per-layer
// plan: which mixer and which MLP every layer has), and buildLlm() turns it plus run settings
// into a Workload whose layers carry the OPs and bytes of formulas.md section 3 and
// next-wave.md section A. Families: docs/models.md. Hardware-free.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/json_io.h"
#include "core/result.h"
#include "core/scenario.h"
#include "core/workload.h"

namespace rooflens::models {

enum class MlpKind : std::uint8_t { gated, plain };  // gated = SwiGLU/GeGLU (gate, up, down)
enum class NormKind : std::uint8_t { rms, layer };   // RMSNorm (weight) or LayerNorm (weight+bias)
enum class Activation : std::uint8_t { silu, gelu, relu };

// The token mixer of one layer. full also covers NoPE layers (LayerSpec::rope false); latent is
// DeepSeek's multi-head latent attention (MLA); none = no attention (a pure SSM layer).
enum class AttentionKind : std::uint8_t { none, full, sliding, chunked, latent };
enum class SsmKind : std::uint8_t { none, mamba1, mamba2 };
enum class FfnKind : std::uint8_t { none, dense, moe };
enum class QkNorm : std::uint8_t { none, rms, l2 };  // per-head norm of q and k (l2: weightless)

// One layer of the per-layer plan. A layer may carry attention and an SSM mixer side by side
// (falcon_h1), either alone, or neither (never, for the families here).
struct LayerSpec {
    AttentionKind attention = AttentionKind::full;
    bool rope = true;         // false: NoPE (Llama 4 global layers, Jamba attention)
    std::int64_t window = 0;  // sliding: W keys; chunked: chunk of C tokens
    SsmKind ssm = SsmKind::none;
    FfnKind ffn = FfnKind::dense;
    std::int64_t ffnWidth = 0;  // dense MLP width; 0 = LlmConfig::intermediateSize
    bool operator==(const LayerSpec&) const = default;
};

// Multi-head latent attention (deepseek_v2/v3). kvLoraRank > 0 enables it.
struct MlaConfig {
    std::int64_t qLoraRank = 0;   // 0: plain q_proj (DeepSeek-V2-Lite)
    std::int64_t kvLoraRank = 0;  // d_c, the cached latent
    std::int64_t ropeDim = 0;     // d_R, the decoupled RoPE key (cached beside the latent)
    std::int64_t nopeDim = 0;     // d_n, per-head non-RoPE query/key width
    std::int64_t valueDim = 0;    // d_v, per-head value width
};

// A state-space (Mamba) mixer: mamba1 (selective scan) or mamba2 (SSD).
struct SsmConfig {
    SsmKind kind = SsmKind::none;
    std::int64_t innerSize = 0;    // E (expand * d, or mamba_d_ssm)
    std::int64_t stateSize = 0;    // N
    std::int64_t convKernel = 0;   // K
    std::int64_t dtRank = 0;       // R (mamba1)
    std::int64_t heads = 0;        // H (mamba2): E = H * headDim
    std::int64_t headDim = 0;      // P (mamba2)
    std::int64_t groups = 1;       // G (mamba2): B and C are shared per group
    std::int64_t chunkSize = 256;  // Q (mamba2 SSD prefill chunk)
    bool convBias = true;
    bool projBias = false;   // in_proj (and out_proj unless outBias says otherwise)
    bool outBias = false;    // out_proj
    bool gatedNorm = false;  // mamba2: gated RMSNorm over E before out_proj
    bool dtBcNorms = false;  // jamba: RMSNorms over dt (R), B and C (N each)
};

// How MLA decode and prefill are computed (next-wave.md A.4).
enum class MlaMode : std::uint8_t {
    automatic,  // prefill decompresses K/V (FlashMLA MHA mode), decode absorbed; latent cache
    absorbed,   // both phases in the absorbed form (MQA over the latent); latent cache
    naive,      // HF / DeepSeek attn_impl="naive": per-head K and V decompressed and cached
};

struct LlmConfig {
    std::string id;                     // preset id or the file stem
    std::string modelType;              // the family: HF model_type it is read as
    std::string architecture;           // architectures[0] (may be empty)
    std::int64_t hiddenSize = 0;        // d
    std::int64_t intermediateSize = 0;  // d_ff of dense MLPs (and of experts when not set below)
    std::int64_t numLayers = 0;         // L
    std::int64_t numHeads = 0;          // h_q
    std::int64_t numKvHeads = 0;        // h_kv (= h_q for MHA, 1 for MQA)
    std::int64_t headDim = 0;           // d_h (default d / h_q; independent of d when given)
    std::int64_t vocabSize = 0;
    std::int64_t maxPositions = 0;      // max_position_embeddings
    std::int64_t learnedPositions = 0;  // rows of a learned position table (OPT: max + 2), else 0
    std::int64_t slidingWindow = 0;     // 0 = full attention (uniform plans only)
    std::int64_t numExperts = 0;        // routed experts; 0 = dense MLP
    std::int64_t expertsPerToken = 0;   // top-k
    bool tieEmbeddings = false;
    bool attentionBias = false;  // biases on q, k, v projections
    bool outputBias = false;     // bias on the attention output projection
    bool mlpBias = false;        // biases on MLP projections
    MlpKind mlp = MlpKind::gated;
    NormKind norm = NormKind::rms;
    Activation activation = Activation::silu;
    core::DataType floatType = core::DataType::fp16;  // torch_dtype: fp16 or bf16
    // torch_dtype as the config writes it ("float32", "bfloat16"; "" when absent). A float32
    // checkpoint is priced at fp16 unless --dtype fp32 (docs/cost-model.md "Native precision").
    std::string checkpointDtype;

    // Per-layer plan; empty = every layer alike, as the fields above say (see layerPlan()).
    std::vector<LayerSpec> layers;
    // MoE beyond Mixtral.
    std::int64_t expertIntermediateSize = 0;  // routed expert width; 0 = intermediateSize
    std::int64_t sharedExpertSize = 0;        // width of the always-active shared MLP; 0 = none
    bool sharedExpertGate = false;  // qwen2_moe: sigmoid(d -> 1) gate on the shared expert
    bool routerBias = false;        // gpt-oss: router bias (E)
    bool expertScoreBias = false;   // deepseek_v3: e_score_correction_bias (E)
    bool expertBias = false;        // gpt-oss: biases on the expert projections
    // Attention extras.
    QkNorm qkNorm = QkNorm::none;
    bool attentionSinks = false;  // gpt-oss: one learned sink logit per head
    bool attnSoftcap = false;     // gemma2: cap * tanh(score / cap) on every score
    bool finalSoftcap = false;    // gemma2: the same on every logit
    int normsPerLayer = 2;        // gemma2/3: 4 (pre and post attention and MLP)
    bool fusedQkv = false;        // phi3: one qkv_proj GEMM
    bool fusedGateUp = false;     // phi3: one gate_up_proj GEMM
    MlaConfig mla;
    SsmConfig ssm;
    double stateBytesPerElement = 0;  // SSM state storage; 0 = the float type
    // DeepSeek-V3's multi-token-prediction layers: in the checkpoint, counted in the parameters
    // only when countMtp is set (HF ignores them when loading).
    std::int64_t mtpLayers = 0;
    bool countMtp = false;
    // Parameters of a vision tower and projector the config describes (gemma3's SigLIP), counted
    // in the total and the memory; the text costs never run them.
    std::uint64_t visionParameters = 0;
    std::vector<std::string> notes;  // choices the loader made (defaults applied, ...)
    // A quantized checkpoint (quantization_config) as the scenario it amounts to.
    std::optional<core::Scenario> checkpointScenario;
};

// Switches that change how a config is read.
struct ConfigOptions {
    bool phi3SlidingWindow = true;  // honour phi3's sliding_window (HF, vLLM and llama.cpp do)
    bool countMtp = false;          // count DeepSeek-V3's MTP layers in the parameters
};

// Parses a config.json document. Errors name `label` and the JSON path of the bad field.
core::Result<LlmConfig> parseLlmConfig(const core::Json& document, const std::string& label,
                                       const std::string& id, const ConfigOptions& options = {});
// Reads the file (bare NaN / Infinity, as Python writes them, are read as null).
core::Result<LlmConfig> loadLlmConfig(const std::filesystem::path& path,
                                      const ConfigOptions& options = {});

// The layers of the model: config.layers, or numLayers copies of the uniform layer.
std::vector<LayerSpec> layerPlan(const LlmConfig& config);
std::string_view nameOf(AttentionKind kind);
std::string_view nameOf(SsmKind kind);
std::string_view nameOf(FfnKind kind);

// Exact parameter counts (integers; shared tied embeddings counted once). Saturates at
// UINT64_MAX; loaders reject totals above 2^53 so every count is exact as a double.
struct ParameterCounts {
    std::uint64_t total = 0;   // the checkpoint: every expert, vision tower (MTP when counted)
    std::uint64_t active = 0;  // per token, including the embeddings (top-k experts only)
    std::uint64_t activeExclEmbedding = 0;  // active without the input embedding table
    std::uint64_t embedding = 0;            // input embeddings (tokens and learned positions)
    std::uint64_t lmHead = 0;               // 0 when tied
    std::uint64_t perBlock = 0;             // the first block
    std::uint64_t vision = 0;               // vision tower and projector (in total)
    std::uint64_t mtp = 0;                  // MTP layers (in total only when config.countMtp)
};
ParameterCounts countParameters(const LlmConfig& config);

// KV-cache size per layer kind. bytesPerToken() is what kvBytesPerToken() returns.
struct KvFootprint {
    double growingBytesPerToken = 0;    // full, NoPE and latent layers
    double cappedBytesPerToken = 0;     // sliding and chunked layers, until their window is full
    double cappedBytesPerSequence = 0;  // what the capped layers hold at most per sequence
    double stateBytesPerSequence = 0;   // SSM conv + recurrent state (fixed)
    double bytesPerToken() const { return growingBytesPerToken + cappedBytesPerToken; }
};
KvFootprint kvFootprint(const LlmConfig& config, double kvBytesPerElement);
// KV-cache bytes per token over all attention layers at the given KV element size (windowed
// layers included: a window bounds the cache length, not the per-token size).
double kvBytesPerToken(const LlmConfig& config, double kvBytesPerElement);

// Expected number of distinct experts touched by n routed tokens under uniform independent
// top-k routing: E * (1 - (1 - k/E)^n)  (formulas.md section 3.4).
double expectedExpertsTouched(std::int64_t experts, std::int64_t topK, double tokens);

struct BuildOptions {
    // Runs of identical consecutive blocks become one block with repeat = run length instead
    // of L blocks (sweeps); such workloads carry no weight-tensor inventory, so applyScenario()
    // keeps their weight footprint as built.
    bool collapseBlocks = false;
    MlaMode mla = MlaMode::automatic;
};

// Builds one pass. settings.phase is prefill (batch x promptLength tokens) or decode (batch
// tokens attending to contextLength keys). Errors for invalid settings.
core::Result<core::Workload> buildLlm(const LlmConfig& config, const core::RunSettings& settings,
                                      const BuildOptions& options = {});

}  // namespace rooflens::models
