// Decoder-only LLM workload builder: formulas.md section 3 (LLM-Viewer's per-op decomposition,
// with its GQA FlashAttention and OPT gate-projection errors fixed) over the per-layer plan of
// next-wave.md A.0: blocks, MLPs and MoE here; attention, SSM and memory in sibling files.
#include "llm_builder.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace rooflens::models {

namespace detail {

using core::ByteBreakdown;
using core::DataType;
using core::ExecUnit;
using core::Layer;
using core::LayerKind;

double activationOps(Activation activation) {
    switch (activation) {
        case Activation::silu:
            return kSiluMulOps - 1;  // SiLU alone; the gated product adds 1
        case Activation::gelu:
            return kGeluOps;
        case Activation::relu:
            return kReluOps;
    }
    return kGeluOps;
}

Builder::Builder(const LlmConfig& c, const core::RunSettings& s, const BuildOptions& o)
    : m_c(c), m_s(s), m_o(o) {
    const double b = static_cast<double>(s.batch);
    m_prefill = s.phase == core::Phase::prefill;
    m_queries = m_prefill ? static_cast<double>(s.promptLength) : 1.0;
    m_keys = m_prefill ? static_cast<double>(s.promptLength) : static_cast<double>(s.contextLength);
    m_tokens = b * m_queries;
    m_batch = b;
    // Everything is built at the model's native float type; compression (quantization,
    // sparsity, ...) is applied afterwards by core::applyScenario.
    m_floatType = c.floatType;
    m_bf = core::bytesOf(c.floatType);
    m_bw = m_ba = m_bkv = m_bf;
    m_bs = stateBytes(c);
    m_window = static_cast<double>(c.slidingWindow);
    m_runs = layerRuns(c);
    m_uniform = c.layers.empty();
    m_absorbed = o.mla == MlaMode::absorbed || (o.mla == MlaMode::automatic && !m_prefill);
    m_latentCache = o.mla != MlaMode::naive;
}

core::Workload Builder::build() {
    core::Workload w;
    fillModelFacts(w);
    w.settings = m_s;
    w.bits = core::TensorBits::native(m_floatType);
    const auto blocks = static_cast<std::int32_t>(m_c.numLayers);
    const std::int32_t built =
        m_o.collapseBlocks ? static_cast<std::int32_t>(m_runs.size()) : blocks;
    m_layers.reserve(static_cast<std::size_t>(built) * (m_uniform ? 16 : 28) + 4);
    m_repeat = 1;
    addEmbedding();
    for (const LayerRun& run : m_runs) {
        if (m_o.collapseBlocks) {
            m_block = static_cast<std::int32_t>(run.first);
            m_repeat = static_cast<std::uint32_t>(run.count);
            addBlock(run.spec);
            continue;
        }
        m_repeat = 1;
        for (std::int64_t i = 0; i < run.count; ++i) {
            m_block = static_cast<std::int32_t>(run.first + i);
            addBlock(run.spec);
        }
    }
    m_repeat = 1;
    m_block = -1;
    addHead();
    w.layers = std::move(m_layers);
    w.attentionShapes = std::move(m_shapes);
    fillMemory(w);
    if ((m_c.checkpointDtype == "float32" || m_c.checkpointDtype == "float") &&
        m_floatType != DataType::fp32) {
        w.warnings.push_back("torch_dtype float32 priced at " +
                             std::string(core::nameOf(m_floatType)) +
                             " (served at 16 bits, as vLLM's dtype auto); --dtype fp32 prices the "
                             "checkpoint's own precision");
    }
    if (m_keys > static_cast<double>(m_c.maxPositions) && m_c.maxPositions > 0) {
        w.warnings.push_back("context of " + std::to_string(static_cast<long long>(m_keys)) +
                             " tokens exceeds the model's max_position_embeddings (" +
                             std::to_string(m_c.maxPositions) + ")");
    }
    return w;
}

Layer& Builder::add(std::string_view op, LayerKind kind, ExecUnit unit, DataType math, double ops,
                    const ByteBreakdown& bytes) {
    Layer layer;
    layer.op = op;
    layer.block = m_block;
    layer.kind = kind;
    layer.unit = unit;
    layer.computeType = math;
    layer.weightType = m_floatType;
    layer.activationType = m_floatType;
    layer.kvType = m_floatType;
    layer.ops = ops;
    layer.bytes = bytes;
    layer.repeat = m_repeat;
    m_layers.push_back(layer);
    return m_layers.back();
}

void Builder::setShape(Layer& layer, double m, double k, double n) {
    layer.m = m;
    layer.k = k;
    layer.n = n;
}

void Builder::addEmbedding() {
    const double d = static_cast<double>(m_c.hiddenSize);
    ByteBreakdown bytes;
    bytes.weights = m_tokens * d * m_bf;  // a gather of B x S rows, not a read of the table
    bytes.activationsIn = m_tokens * kTokenIdBytes;
    bytes.activationsOut = m_tokens * d * m_ba;
    add("embed_tokens", LayerKind::embedding, ExecUnit::vector, m_floatType, 0, bytes);
    if (m_c.learnedPositions > 0) {
        ByteBreakdown pos;
        pos.weights = m_tokens * d * m_bf;
        pos.activationsIn = m_tokens * d * m_ba;
        pos.activationsOut = m_tokens * d * m_ba;
        add("embed_positions", LayerKind::embedding, ExecUnit::vector, m_floatType, m_tokens * d,
            pos);
    }
}

void Builder::addNorm(std::string_view op, double tokens) {
    const double d = static_cast<double>(m_c.hiddenSize);
    const bool rms = m_c.norm == NormKind::rms;
    ByteBreakdown bytes;
    bytes.weights = (rms ? d : 2 * d) * m_bf;
    bytes.activationsIn = tokens * d * m_ba;
    bytes.activationsOut = tokens * d * m_ba;
    add(op, LayerKind::norm, ExecUnit::vector, m_floatType,
        (rms ? kRmsNormOps : kLayerNormOps) * tokens * d, bytes);
}

// RMSNorm over `rows` rows of `width` elements with `weights` weight elements.
void Builder::addNormOver(std::string_view op, double rows, double width, double weights) {
    ByteBreakdown bytes;
    bytes.weights = weights * m_bf;
    bytes.activationsIn = rows * width * m_ba;
    bytes.activationsOut = rows * width * m_ba;
    add(op, LayerKind::norm, ExecUnit::vector, m_floatType, kRmsNormOps * rows * width, bytes);
}

// y = x W (+ b): [tokens x in] x [in x out].
Layer& Builder::addLinear(std::string_view op, double tokens, std::int64_t in, std::int64_t out,
                          bool bias, double weightBytes) {
    const double din = static_cast<double>(in);
    const double dout = static_cast<double>(out);
    ByteBreakdown bytes;
    bytes.weights = din * dout * weightBytes + (bias ? dout * m_bf : 0);
    bytes.activationsIn = tokens * din * m_ba;
    bytes.activationsOut = tokens * dout * m_ba;
    Layer& layer = add(op, LayerKind::gemm, ExecUnit::matrix, m_floatType,
                       2 * tokens * din * dout + (bias ? tokens * dout : 0), bytes);
    setShape(layer, tokens, din, dout);
    layer.weightElements = din * dout;
    return layer;
}

void Builder::addElementwise(std::string_view op, double elements, double opsPerElement,
                             double inputs) {
    ByteBreakdown bytes;
    bytes.activationsIn = inputs * elements * m_ba;
    bytes.activationsOut = elements * m_ba;
    add(op, LayerKind::elementwise, ExecUnit::vector, m_floatType, opsPerElement * elements, bytes);
}

void Builder::addBlock(const LayerSpec& spec) {
    const double dd = static_cast<double>(m_c.hiddenSize);
    const bool attention = spec.attention != AttentionKind::none;
    addNorm("input_norm", m_tokens);
    if (attention) {
        if (spec.attention == AttentionKind::latent) {
            addLatentMixer();
        } else {
            addAttentionMixer(spec);
        }
    }
    if (spec.ssm != SsmKind::none) {
        addSsmMixer(spec);
        if (attention) {
            addElementwise("mixer_add", m_tokens * dd, 1, 2);  // falcon_h1: attention + SSM
        }
    }
    if (m_c.normsPerLayer == 4) {
        addNorm("post_attention_norm", m_tokens);  // gemma: on the attention output
    }
    addElementwise(attention ? "attn_residual" : "mixer_residual", m_tokens * dd, 1, 2);
    if (spec.ffn == FfnKind::none) {
        return;
    }
    addNorm(m_c.normsPerLayer == 4 ? "pre_ffn_norm" : "post_attention_norm", m_tokens);
    addFfn(spec);
    if (m_c.normsPerLayer == 4) {
        addNorm("post_ffn_norm", m_tokens);
    }
    addElementwise("mlp_residual", m_tokens * dd, 1, 2);
}

void Builder::addFfn(const LayerSpec& spec) {
    if (spec.ffn == FfnKind::moe) {
        addMoe();
    } else {
        addMlp(denseWidth(m_c, spec), "");
    }
}

// A dense MLP of width `width`; `prefix` names the shared expert's layers.
void Builder::addMlp(std::int64_t width, std::string_view prefix) {
    const std::int64_t d = m_c.hiddenSize;
    const std::int64_t ff = width;
    const double dff = static_cast<double>(ff);
    const bool shared = !prefix.empty();
    const bool bias = m_c.mlpBias && !shared;
    if (m_c.mlp == MlpKind::plain) {
        addLinear("fc1", m_tokens, d, ff, bias, m_bw);
        addElementwise("act", m_tokens * dff, activationOps(m_c.activation), 1);
        addLinear("fc2", m_tokens, ff, d, bias, m_bw);
        return;
    }
    if (shared) {
        addLinear("shared_experts.gate_proj", m_tokens, d, ff, false, m_bw);
        addLinear("shared_experts.up_proj", m_tokens, d, ff, false, m_bw);
        addElementwise("shared_experts.act_mul", m_tokens * dff, activationOps(m_c.activation) + 1,
                       2);
        addLinear("shared_experts.down_proj", m_tokens, ff, d, false, m_bw);
        return;
    }
    if (m_c.fusedGateUp) {
        addLinear("gate_up_proj", m_tokens, d, 2 * ff, bias, m_bw);
    } else {
        addLinear("gate_proj", m_tokens, d, ff, bias, m_bw);
        addLinear("up_proj", m_tokens, d, ff, bias, m_bw);
    }
    addElementwise("act_mul", m_tokens * dff, activationOps(m_c.activation) + 1, 2);
    addLinear("down_proj", m_tokens, ff, d, bias, m_bw);
}

void Builder::addMoe() {
    const std::int64_t d = m_c.hiddenSize;
    const std::int64_t ff = expertWidth(m_c);
    const double dd = static_cast<double>(d);
    const double dff = static_cast<double>(ff);
    const double experts = static_cast<double>(m_c.numExperts);
    const double k = static_cast<double>(m_c.expertsPerToken);
    // Router: gating GEMM, softmax and top-k over E logits per token.
    Layer& router = addLinear("router", m_tokens, d, m_c.numExperts, m_c.routerBias, m_bw);
    router.kind = LayerKind::router;
    router.ops += kSoftmaxOps * m_tokens * experts;
    if (m_c.expertScoreBias) {  // selection bias added to every score
        router.bytes.weights += experts * m_bf;
        router.ops += m_tokens * experts;
    }
    // Routed experts: n = tokens * k token-expert pairs; weights of every expert touched at
    // least once are read (formulas.md 3.4, uniform routing).
    const double routed = m_tokens * k;
    const double touched = expectedExpertsTouched(m_c.numExperts, m_c.expertsPerToken, m_tokens);
    const bool bias = m_c.expertBias;
    auto expertLinear = [&](std::string_view op, double in, double out) {
        ByteBreakdown bytes;
        bytes.weights = touched * in * out * m_bw + (bias ? touched * out * m_bf : 0);
        bytes.activationsIn = routed * in * m_ba;
        bytes.activationsOut = routed * out * m_ba;
        Layer& layer = add(op, LayerKind::gemm, ExecUnit::matrix, m_floatType,
                           2 * routed * in * out + (bias ? routed * out : 0), bytes);
        setShape(layer, routed, in, out);
        layer.weightElements = touched * in * out;
    };
    expertLinear("experts.gate_proj", dd, dff);
    expertLinear("experts.up_proj", dd, dff);
    addElementwise("experts.act_mul", routed * dff, activationOps(m_c.activation) + 1, 2);
    expertLinear("experts.down_proj", dff, dd);
    const bool shared = m_c.sharedExpertSize > 0;
    if (shared) {
        addMlp(m_c.sharedExpertSize, "shared_experts");
        if (m_c.sharedExpertGate) {
            // qwen2_moe: sigmoid(x W_g) scales the shared expert's output.
            Layer& gate = addLinear("shared_expert_gate", m_tokens, d, 1, false, m_bw);
            gate.ops += (kSiluMulOps - 1) * m_tokens + m_tokens * dd;
        }
    }
    // Weighted sum of the k expert outputs of each token (plus the shared expert's output).
    ByteBreakdown combine;
    combine.activationsIn = routed * dd * m_ba + (shared ? m_tokens * dd * m_ba : 0);
    combine.activationsOut = m_tokens * dd * m_ba;
    add("experts.combine", LayerKind::elementwise, ExecUnit::vector, m_floatType,
        2 * routed * dd + (shared ? m_tokens * dd : 0), combine);
}

void Builder::addHead() {
    addNorm("final_norm", m_tokens);
    // Logits for the last position of each sequence only, as serving engines compute them.
    Layer& head = addLinear("lm_head", m_batch, m_c.hiddenSize, m_c.vocabSize, false, m_bw);
    if (m_c.tieEmbeddings) {
        head.weightElements = 0;  // the shared embedding table stays in the float type
    }
    if (m_c.finalSoftcap) {
        addElementwise("logit_softcap", m_batch * static_cast<double>(m_c.vocabSize), kSoftcapOps,
                       1);
    }
}

}  // namespace detail

core::Result<core::Workload> buildLlm(const LlmConfig& config, const core::RunSettings& settings,
                                      const BuildOptions& options) {
    constexpr std::int64_t kMaxTokens = std::int64_t{1} << 40;
    if (settings.batch < 1 || settings.batch > kMaxTokens) {
        return core::usageError("batch must be an integer in [1, 2^40], got " +
                                std::to_string(settings.batch));
    }
    if (settings.phase == core::Phase::request) {
        return core::usageError("buildLlm builds one pass: use prefill or decode");
    }
    if (settings.phase == core::Phase::prefill &&
        (settings.promptLength < 1 || settings.promptLength > kMaxTokens)) {
        return core::usageError("prompt length must be an integer in [1, 2^40], got " +
                                std::to_string(settings.promptLength));
    }
    if (settings.phase == core::Phase::decode &&
        (settings.contextLength < 1 || settings.contextLength > kMaxTokens)) {
        return core::usageError("context length must be an integer in [1, 2^40], got " +
                                std::to_string(settings.contextLength));
    }
    return detail::Builder(config, settings, options).build();
}

}  // namespace rooflens::models
