#pragma once
// Internal to rooflens_models: the LLM workload builder. One Builder builds one pass; its
// member functions are split by topic over llm_builder.cpp (blocks, MLPs, MoE), llm_attention.cpp
// (attention variants and MLA), llm_ssm.cpp (Mamba mixers) and llm_memory.cpp (inventory,
// memory, model facts).
#include <cstdint>
#include <string_view>
#include <vector>

#include "llm_plan.h"
#include "models/llm.h"

namespace rooflens::models::detail {

// OPs per element of the vector operations (LLM-Viewer conventions where it has one).
inline constexpr double kLayerNormOps = 7;  // LLM-Viewer: mean, sub, square, mean, rsqrt, mul, add
inline constexpr double kRmsNormOps = 4;    // square, sum, scale by rsqrt, multiply by weight
inline constexpr double kSoftmaxOps = 5;    // max, sub, exp, sum, div (LLM-Viewer)
inline constexpr double kSiluMulOps = 5;    // sigmoid (exp, add, div) and x*sigmoid, then * up
inline constexpr double kGeluOps = 8;       // tanh approximation (formulas.md 1.1: 1-8 OPs/elt)
inline constexpr double kReluOps = 1;
inline constexpr double kSoftcapOps = 3;    // cap * tanh(x / cap): div, tanh, mul
inline constexpr double kSinkOps = 2;       // a sink logit per query row: exp and add
inline constexpr double kTokenIdBytes = 4;  // int32 token ids

class Builder {
public:
    Builder(const LlmConfig& c, const core::RunSettings& s, const BuildOptions& o);
    core::Workload build();

private:
    core::Layer& add(std::string_view op, core::LayerKind kind, core::ExecUnit unit,
                     core::DataType math, double ops, const core::ByteBreakdown& bytes);
    static void setShape(core::Layer& layer, double m, double k, double n);
    void addEmbedding();
    void addNorm(std::string_view op, double tokens);
    void addNormOver(std::string_view op, double rows, double width, double weights);
    core::Layer& addLinear(std::string_view op, double tokens, std::int64_t in, std::int64_t out,
                           bool bias, double weightBytes);
    void addElementwise(std::string_view op, double elements, double opsPerElement, double inputs);
    void addBlock(const LayerSpec& spec);
    void addFfn(const LayerSpec& spec);
    void addMlp(std::int64_t width, std::string_view prefix);
    void addMoe();
    void addHead();

    // llm_attention.cpp
    void addAttentionMixer(const LayerSpec& spec);
    void addAttention(const LayerSpec& spec);
    void addFusedAttention(const core::AttentionShape& shape, double pairs, double perPair,
                           double qElems, double outElems);
    void addUnfusedAttention(const LayerSpec& spec, double keyWidth, double valueWidth,
                             double kvHeads, double qElems, double outElems);
    void addLatentMixer();
    void addLatentQuery();
    double visibleKeys(const LayerSpec& spec) const;

    // llm_ssm.cpp
    void addSsmMixer(const LayerSpec& spec);
    void addSsmScan();

    // llm_memory.cpp
    void addTensors(core::Workload& w) const;
    void addBlockTensors(core::Workload& w, const LayerSpec& spec, std::int32_t block) const;
    void addLatentTensors(core::Workload& w, std::int32_t block) const;
    void addAttentionTensors(core::Workload& w, std::int32_t block) const;
    void addMoeTensors(core::Workload& w, std::int32_t block) const;
    void addDenseTensors(core::Workload& w, const LayerSpec& spec, std::int32_t block) const;
    void pushMatrix(core::Workload& w, std::string_view op, std::int32_t block, double count,
                    double k, double n, bool bias) const;
    void pushOther(core::Workload& w, std::string_view op, std::int32_t block, double bytes) const;
    void addSsmTensors(core::Workload& w, std::int32_t block) const;
    void fillMemory(core::Workload& w) const;
    void fillModelFacts(core::Workload& w);
    double kvBytesPerTokenOf(const LayerSpec& spec) const;
    double cachedKeys(const LayerSpec& spec) const;

    const LlmConfig& m_c;
    const core::RunSettings& m_s;
    const BuildOptions& m_o;
    std::vector<LayerRun> m_runs;
    ParameterCounts m_params;
    bool m_uniform = true;  // a plan without per-layer descriptors (the original families)
    bool m_prefill = true;
    bool m_absorbed = false;    // MLA in the absorbed form this pass
    bool m_latentCache = true;  // MLA caches the latent (else per-head K and V)
    double m_queries = 1;
    double m_keys = 1;
    double m_tokens = 1;
    double m_batch = 1;
    double m_bw = 2;
    double m_ba = 2;
    double m_bkv = 2;
    double m_bf = 2;
    double m_bs = 2;  // SSM state bytes per element
    double m_window = 0;
    core::DataType m_floatType = core::DataType::fp16;
    std::int32_t m_block = -1;
    std::uint32_t m_repeat = 1;
    std::vector<core::Layer> m_layers;
    std::vector<core::AttentionShape> m_shapes;
};

double activationOps(Activation activation);

}  // namespace rooflens::models::detail
