// Decoder-only LLM workload builder: formulas.md section 3 (LLM-Viewer's per-op decomposition,
// with its GQA FlashAttention and OPT gate-projection errors fixed).
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "models/llm.h"

namespace rooflens::models {

namespace {

using core::ByteBreakdown;
using core::DataType;
using core::ExecUnit;
using core::Layer;
using core::LayerKind;

// OPs per element of the vector operations (LLM-Viewer conventions where it has one).
constexpr double kLayerNormOps = 7;  // LLM-Viewer: mean, sub, square, mean, rsqrt, mul, add
constexpr double kRmsNormOps = 4;    // square, sum, scale by rsqrt, multiply by weight
constexpr double kSoftmaxOps = 5;    // max, sub, exp, sum, div (LLM-Viewer)
constexpr double kSiluMulOps = 5;    // sigmoid (exp, add, div) and x*sigmoid, then * up
constexpr double kGeluOps = 8;       // tanh approximation (formulas.md 1.1: 1-8 OPs/elt)
constexpr double kReluOps = 1;
constexpr double kTokenIdBytes = 4;  // int32 token ids

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

class Builder {
public:
    Builder(const LlmConfig& c, const core::RunSettings& s, const BuildOptions& o)
        : m_c(c), m_s(s), m_o(o) {
        const double b = static_cast<double>(s.batch);
        m_prefill = s.phase == core::Phase::prefill;
        m_queries = m_prefill ? static_cast<double>(s.promptLength) : 1.0;
        m_keys =
            m_prefill ? static_cast<double>(s.promptLength) : static_cast<double>(s.contextLength);
        m_tokens = b * m_queries;
        m_batch = b;
        // Everything is built at the model's native float type; compression (quantization,
        // sparsity, ...) is applied afterwards by core::applyScenario.
        m_floatType = c.floatType;
        m_bf = core::bytesOf(c.floatType);
        m_bw = m_ba = m_bkv = m_bf;
        m_window = static_cast<double>(c.slidingWindow);
    }

    core::Workload build() {
        core::Workload w;
        const ParameterCounts params = countParameters(m_c);
        w.model.id = m_c.id;
        w.model.family = core::ModelFamily::llm;
        w.model.parameters = static_cast<double>(params.total);
        w.model.activeParameters = static_cast<double>(params.active);
        w.model.kvBytesPerToken = kvBytesPerToken(m_c, m_bkv);
        w.model.blocks = static_cast<std::int32_t>(m_c.numLayers);
        w.settings = m_s;
        w.bits = core::TensorBits::native(m_floatType);

        const auto blocks = static_cast<std::int32_t>(m_c.numLayers);
        const std::int32_t built = m_o.collapseBlocks ? 1 : blocks;
        m_layers.reserve(static_cast<std::size_t>(built) * 16 + 4);
        m_repeat = 1;
        addEmbedding();
        m_repeat = m_o.collapseBlocks ? static_cast<std::uint32_t>(blocks) : 1;
        for (std::int32_t block = 0; block < built; ++block) {
            m_block = block;
            addBlock();
        }
        m_repeat = 1;
        m_block = -1;
        addNorm("final_norm", m_tokens);
        // Logits for the last position of each sequence only, as serving engines compute them.
        Layer& head = addLinear("lm_head", m_batch, m_c.hiddenSize, m_c.vocabSize, false, m_bw);
        if (m_c.tieEmbeddings) {
            head.weightElements = 0;  // the shared embedding table stays in the float type
        }

        w.layers = std::move(m_layers);
        w.attentionShapes = std::move(m_shapes);
        if (m_c.slidingWindow > 0) {
            w.contextBreaks.push_back({m_c.slidingWindow, false});
        }
        fillMemory(w);
        if (m_keys > static_cast<double>(m_c.maxPositions) && m_c.maxPositions > 0) {
            w.warnings.push_back("context of " + std::to_string(static_cast<long long>(m_keys)) +
                                 " tokens exceeds the model's max_position_embeddings (" +
                                 std::to_string(m_c.maxPositions) + ")");
        }
        return w;
    }

private:
    Layer& add(std::string_view op, LayerKind kind, ExecUnit unit, DataType math, double ops,
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

    static void setShape(Layer& layer, double m, double k, double n) {
        layer.m = m;
        layer.k = k;
        layer.n = n;
    }

    void addEmbedding() {
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
            add("embed_positions", LayerKind::embedding, ExecUnit::vector, m_floatType,
                m_tokens * d, pos);
        }
    }

    void addNorm(std::string_view op, double tokens) {
        const double d = static_cast<double>(m_c.hiddenSize);
        const bool rms = m_c.norm == NormKind::rms;
        ByteBreakdown bytes;
        bytes.weights = (rms ? d : 2 * d) * m_bf;
        bytes.activationsIn = tokens * d * m_ba;
        bytes.activationsOut = tokens * d * m_ba;
        add(op, LayerKind::norm, ExecUnit::vector, m_floatType,
            (rms ? kRmsNormOps : kLayerNormOps) * tokens * d, bytes);
    }

    // y = x W (+ b): [tokens x in] x [in x out].
    Layer& addLinear(std::string_view op, double tokens, std::int64_t in, std::int64_t out,
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

    void addElementwise(std::string_view op, double elements, double opsPerElement, double inputs) {
        ByteBreakdown bytes;
        bytes.activationsIn = inputs * elements * m_ba;
        bytes.activationsOut = elements * m_ba;
        add(op, LayerKind::elementwise, ExecUnit::vector, m_floatType, opsPerElement * elements,
            bytes);
    }

    void addAttention() {
        const double hq = static_cast<double>(m_c.numHeads);
        const double hkv = static_cast<double>(m_c.numKvHeads);
        const double dh = static_cast<double>(m_c.headDim);
        const double qElems = m_tokens * hq * dh;
        // Keys held in the cache: a sliding window keeps a rolling buffer of W entries.
        const double cached = m_window > 0 ? std::min(m_keys, m_window) : m_keys;
        if (m_s.flashAttention) {
            core::AttentionShape shape;
            shape.batch = m_batch;
            shape.queryHeads = hq;
            shape.kvHeads = hkv;
            shape.headDim = dh;
            shape.queries = m_queries;
            shape.keys = m_keys;
            shape.window = m_window;
            shape.causal = true;
            shape.kvBytesPerElement = m_bkv;
            shape.activationBytesPerElement = m_ba;
            const double pairs = core::attentionPairs(m_queries, m_keys, m_window, true);
            ByteBreakdown bytes;
            bytes.activationsIn = qElems * m_ba;
            bytes.activationsOut = qElems * m_ba;
            // Lower bound (each key read once); analyze() prices the device's tiling.
            bytes.kvRead = 2 * m_batch * hkv * dh * cached * m_bkv;
            Layer& layer = add("attention", LayerKind::attention, ExecUnit::matrix, m_floatType,
                               m_batch * hq * pairs * (4 * dh + kSoftmaxOps), bytes);
            layer.attentionShape = static_cast<std::int32_t>(m_shapes.size());
            m_shapes.push_back(shape);
            return;
        }
        // Unfused: the score matrix goes through memory. Prefill computes the full masked
        // S x S rectangle, decode one row over the cached keys.
        const double keys = m_prefill ? m_keys : cached;
        const double scores = m_batch * hq * m_queries * keys;
        ByteBreakdown qk;
        qk.activationsIn = qElems * m_ba;
        qk.kvRead = m_batch * keys * hkv * dh * m_bkv;
        qk.activationsOut = scores * m_ba;
        // Per (batch, head): [queries x d_h] x [d_h x keys], repeated B h_q times.
        setShape(
            add("qk_matmul", LayerKind::matmul, ExecUnit::matrix, m_floatType, 2 * scores * dh, qk),
            m_batch * hq * m_queries, dh, keys);
        ByteBreakdown sm;
        sm.activationsIn = scores * m_ba;
        sm.activationsOut = scores * m_ba;
        add("softmax", LayerKind::softmax, ExecUnit::vector, m_floatType, kSoftmaxOps * scores, sm);
        ByteBreakdown sv;
        sv.activationsIn = scores * m_ba;
        sv.kvRead = m_batch * keys * hkv * dh * m_bkv;
        sv.activationsOut = qElems * m_ba;
        setShape(
            add("sv_matmul", LayerKind::matmul, ExecUnit::matrix, m_floatType, 2 * scores * dh, sv),
            m_batch * hq * m_queries, keys, dh);
    }

    void addMlp() {
        const std::int64_t d = m_c.hiddenSize;
        const std::int64_t ff = m_c.intermediateSize;
        const double dff = static_cast<double>(ff);
        const bool bias = m_c.mlpBias;
        if (m_c.mlp == MlpKind::plain) {
            addLinear("fc1", m_tokens, d, ff, bias, m_bw);
            addElementwise("act", m_tokens * dff, activationOps(m_c.activation), 1);
            addLinear("fc2", m_tokens, ff, d, bias, m_bw);
            return;
        }
        addLinear("gate_proj", m_tokens, d, ff, bias, m_bw);
        addLinear("up_proj", m_tokens, d, ff, bias, m_bw);
        addElementwise("act_mul", m_tokens * dff, activationOps(m_c.activation) + 1, 2);
        addLinear("down_proj", m_tokens, ff, d, bias, m_bw);
    }

    void addMoe() {
        const std::int64_t d = m_c.hiddenSize;
        const std::int64_t ff = m_c.intermediateSize;
        const double dd = static_cast<double>(d);
        const double dff = static_cast<double>(ff);
        const double experts = static_cast<double>(m_c.numExperts);
        const double k = static_cast<double>(m_c.expertsPerToken);
        // Router: gating GEMM, softmax and top-k over E logits per token.
        Layer& router = addLinear("router", m_tokens, d, m_c.numExperts, false, m_bw);
        router.kind = LayerKind::router;
        router.ops += kSoftmaxOps * m_tokens * experts;
        // Routed experts: n = tokens * k token-expert pairs; weights of every expert touched at
        // least once are read (formulas.md 3.4, uniform routing).
        const double routed = m_tokens * k;
        const double touched =
            expectedExpertsTouched(m_c.numExperts, m_c.expertsPerToken, m_tokens);
        auto expertLinear = [&](std::string_view op, double in, double out) {
            ByteBreakdown bytes;
            bytes.weights = touched * in * out * m_bw;
            bytes.activationsIn = routed * in * m_ba;
            bytes.activationsOut = routed * out * m_ba;
            Layer& layer = add(op, LayerKind::gemm, ExecUnit::matrix, m_floatType,
                               2 * routed * in * out, bytes);
            setShape(layer, routed, in, out);
            layer.weightElements = touched * in * out;
        };
        expertLinear("experts.gate_proj", dd, dff);
        expertLinear("experts.up_proj", dd, dff);
        addElementwise("experts.act_mul", routed * dff, activationOps(m_c.activation) + 1, 2);
        expertLinear("experts.down_proj", dff, dd);
        // Weighted sum of the k expert outputs of each token.
        ByteBreakdown combine;
        combine.activationsIn = routed * dd * m_ba;
        combine.activationsOut = m_tokens * dd * m_ba;
        add("experts.combine", LayerKind::elementwise, ExecUnit::vector, m_floatType,
            2 * routed * dd, combine);
    }

    void addBlock() {
        const std::int64_t d = m_c.hiddenSize;
        const std::int64_t qDim = m_c.numHeads * m_c.headDim;
        const std::int64_t kvDim = m_c.numKvHeads * m_c.headDim;
        const double dd = static_cast<double>(d);
        addNorm("input_norm", m_tokens);
        addLinear("q_proj", m_tokens, d, qDim, m_c.attentionBias, m_bw);
        // K and V go to the KV cache (RoPE is fused into the projection epilogue).
        for (std::string_view op : {std::string_view("k_proj"), std::string_view("v_proj")}) {
            Layer& layer = addLinear(op, m_tokens, d, kvDim, m_c.attentionBias, m_bw);
            layer.bytes.activationsOut = 0;
            layer.bytes.kvWrite = m_tokens * static_cast<double>(kvDim) * m_bkv;
        }
        addAttention();
        addLinear("o_proj", m_tokens, qDim, d, m_c.outputBias, m_bw);
        addElementwise("attn_residual", m_tokens * dd, 1, 2);
        addNorm("post_attention_norm", m_tokens);
        if (m_c.numExperts > 0) {
            addMoe();
        } else {
            addMlp();
        }
        addElementwise("mlp_residual", m_tokens * dd, 1, 2);
    }

    // The parameter inventory: every tensor of every block (all experts), so compression can
    // recompute the weight footprint. Biases and norm weights are "other" bytes.
    void addTensors(core::Workload& w) const {
        const double d = static_cast<double>(m_c.hiddenSize);
        const double qDim = static_cast<double>(m_c.numHeads * m_c.headDim);
        const double kvDim = static_cast<double>(m_c.numKvHeads * m_c.headDim);
        const double ff = static_cast<double>(m_c.intermediateSize);
        const double vocab = static_cast<double>(m_c.vocabSize);
        const double norm = (m_c.norm == NormKind::rms ? 1 : 2) * d * m_bf;
        auto& t = w.weightTensors;
        auto matrix = [&](std::string_view op, std::int32_t block, double count, double k, double n,
                          bool bias) {
            t.push_back({op, block, count * k * n, k, n, bias ? count * n * m_bf : 0, m_floatType});
        };
        auto other = [&](std::string_view op, std::int32_t block, double bytes) {
            t.push_back({op, block, 0, 0, 0, bytes, m_floatType});
        };
        other("embed_tokens", -1, vocab * d * m_bf);
        if (m_c.learnedPositions > 0) {
            other("embed_positions", -1, static_cast<double>(m_c.learnedPositions) * d * m_bf);
        }
        for (std::int32_t b = 0; b < static_cast<std::int32_t>(m_c.numLayers); ++b) {
            other("input_norm", b, norm);
            matrix("q_proj", b, 1, d, qDim, m_c.attentionBias);
            matrix("k_proj", b, 1, d, kvDim, m_c.attentionBias);
            matrix("v_proj", b, 1, d, kvDim, m_c.attentionBias);
            matrix("o_proj", b, 1, qDim, d, m_c.outputBias);
            other("post_attention_norm", b, norm);
            if (m_c.numExperts > 0) {
                const double e = static_cast<double>(m_c.numExperts);
                matrix("router", b, 1, d, e, false);
                matrix("experts.gate_proj", b, e, d, ff, false);
                matrix("experts.up_proj", b, e, d, ff, false);
                matrix("experts.down_proj", b, e, ff, d, false);
            } else if (m_c.mlp == MlpKind::gated) {
                matrix("gate_proj", b, 1, d, ff, m_c.mlpBias);
                matrix("up_proj", b, 1, d, ff, m_c.mlpBias);
                matrix("down_proj", b, 1, ff, d, m_c.mlpBias);
            } else {
                matrix("fc1", b, 1, d, ff, m_c.mlpBias);
                matrix("fc2", b, 1, ff, d, m_c.mlpBias);
            }
        }
        other("final_norm", -1, norm);
        if (!m_c.tieEmbeddings) {
            matrix("lm_head", -1, 1, d, vocab, false);
        }
    }

    void fillMemory(core::Workload& w) const {
        if (m_o.collapseBlocks) {
            // Sweeps: no per-block inventory (the footprint comes from one full build).
            w.memory.weights = w.model.parameters * m_bf;
        } else {
            addTensors(w);
            for (const auto& tensor : w.weightTensors) {
                w.memory.weights += tensor.bytes();
            }
        }
        const double cached = m_window > 0 ? std::min(m_keys, m_window) : m_keys;
        w.memory.kvCache = w.model.kvBytesPerToken * m_batch * cached;
        double peak = 0;
        for (const Layer& layer : w.layers) {
            peak = std::max(peak, layer.bytes.activationsIn + layer.bytes.activationsOut);
        }
        w.memory.activations = peak;
    }

    const LlmConfig& m_c;
    const core::RunSettings& m_s;
    const BuildOptions& m_o;
    bool m_prefill = true;
    double m_queries = 1;
    double m_keys = 1;
    double m_tokens = 1;
    double m_batch = 1;
    double m_bw = 2;
    double m_ba = 2;
    double m_bkv = 2;
    double m_bf = 2;
    double m_window = 0;
    DataType m_floatType = DataType::fp16;
    std::int32_t m_block = -1;
    std::uint32_t m_repeat = 1;
    std::vector<Layer> m_layers;
    std::vector<core::AttentionShape> m_shapes;
};

}  // namespace

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
    return Builder(config, settings, options).build();
}

}  // namespace rooflens::models
