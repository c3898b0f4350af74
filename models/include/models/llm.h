#pragma once
// Decoder-only LLM cost model: a Hugging Face config.json (llama, mistral, qwen2, mixtral, opt)
// becomes an LlmConfig, and buildLlm() turns it plus run settings into a Workload whose layers
// carry the OPs and bytes of formulas.md section 3. Hardware-free.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/json_io.h"
#include "core/result.h"
#include "core/workload.h"

namespace rooflens::models {

enum class MlpKind : std::uint8_t { gated, plain };  // gated = SwiGLU/GeGLU (gate, up, down)
enum class NormKind : std::uint8_t { rms, layer };   // RMSNorm (weight) or LayerNorm (weight+bias)
enum class Activation : std::uint8_t { silu, gelu, relu };

struct LlmConfig {
    std::string id;                     // preset id or the file stem
    std::string modelType;              // HF model_type
    std::int64_t hiddenSize = 0;        // d
    std::int64_t intermediateSize = 0;  // d_ff (per expert for MoE)
    std::int64_t numLayers = 0;         // L
    std::int64_t numHeads = 0;          // h_q
    std::int64_t numKvHeads = 0;        // h_kv (= h_q for MHA, 1 for MQA)
    std::int64_t headDim = 0;           // d_h (default d / h_q)
    std::int64_t vocabSize = 0;
    std::int64_t maxPositions = 0;      // max_position_embeddings
    std::int64_t learnedPositions = 0;  // rows of a learned position table (OPT: max + 2), else 0
    std::int64_t slidingWindow = 0;     // 0 = full attention
    std::int64_t numExperts = 0;        // 0 = dense MLP
    std::int64_t expertsPerToken = 0;   // top-k
    bool tieEmbeddings = false;
    bool attentionBias = false;  // biases on q, k, v projections
    bool outputBias = false;     // bias on the attention output projection
    bool mlpBias = false;        // biases on MLP projections
    MlpKind mlp = MlpKind::gated;
    NormKind norm = NormKind::rms;
    Activation activation = Activation::silu;
    core::DataType floatType = core::DataType::fp16;  // torch_dtype: fp16 or bf16
};

// Parses a config.json document. Errors name `label` and the JSON path of the bad field.
core::Result<LlmConfig> parseLlmConfig(const core::Json& document, const std::string& label,
                                       const std::string& id);
core::Result<LlmConfig> loadLlmConfig(const std::filesystem::path& path);

// Exact parameter counts (integers; shared tied embeddings counted once). Saturates at
// UINT64_MAX; loaders reject totals above 2^53 so every count is exact as a double.
struct ParameterCounts {
    std::uint64_t total = 0;
    std::uint64_t active = 0;  // per token: only the top-k experts of each MoE layer
    std::uint64_t embedding = 0;
    std::uint64_t lmHead = 0;  // 0 when tied
    std::uint64_t perBlock = 0;
};
ParameterCounts countParameters(const LlmConfig& config);

// KV-cache bytes per token over all layers at the given KV element size.
double kvBytesPerToken(const LlmConfig& config, double kvBytesPerElement);

// Expected number of distinct experts touched by n routed tokens under uniform independent
// top-k routing: E * (1 - (1 - k/E)^n)  (formulas.md section 3.4).
double expectedExpertsTouched(std::int64_t experts, std::int64_t topK, double tokens);

struct BuildOptions {
    // One block with repeat = L instead of L blocks (sweeps); such workloads carry no
    // weight-tensor inventory, so applyScenario() keeps their weight footprint as built.
    bool collapseBlocks = false;
};

// Builds one pass. settings.phase is prefill (batch x promptLength tokens) or decode (batch
// tokens attending to contextLength keys). Errors for invalid settings.
core::Result<core::Workload> buildLlm(const LlmConfig& config, const core::RunSettings& settings,
                                      const BuildOptions& options = {});

}  // namespace rooflens::models
