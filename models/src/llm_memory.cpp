// The LLM builder's model facts, parameter inventory and memory footprint: weights of every
// tensor, the KV cache by layer kind (growing, capped at a window, or latent), SSM state, and
// where decode costs stop being affine in the context (Workload::contextBreaks).
#include <algorithm>
#include <cmath>

#include "llm_builder.h"

namespace rooflens::models::detail {

// K and V bytes one token adds to the cache of a layer of this kind.
double Builder::kvBytesPerTokenOf(const LayerSpec& spec) const {
    switch (spec.attention) {
        case AttentionKind::none:
            return 0;
        case AttentionKind::latent: {
            const MlaConfig& m = m_c.mla;
            const double perToken =
                m_latentCache
                    ? static_cast<double>(m.kvLoraRank + m.ropeDim)
                    : static_cast<double>(m_c.numHeads * (m.nopeDim + m.ropeDim + m.valueDim));
            return perToken * m_bkv;
        }
        default:
            return 2.0 * static_cast<double>(m_c.numKvHeads) * static_cast<double>(m_c.headDim) *
                   m_bkv;
    }
}

// Tokens a layer of this kind holds in its cache per sequence at this pass's context.
double Builder::cachedKeys(const LayerSpec& spec) const {
    const double w = static_cast<double>(spec.window);
    if (capped(spec.attention) && w > 0) {
        return std::min(m_keys, w);
    }
    return spec.attention == AttentionKind::none ? 0 : m_keys;
}

void Builder::fillModelFacts(core::Workload& w) {
    m_params = countParameters(m_c);
    const ParameterCounts& params = m_params;
    w.model.id = m_c.id;
    w.model.family = core::ModelFamily::llm;
    w.model.parameters = static_cast<double>(params.total);
    w.model.activeParameters = static_cast<double>(params.active);
    w.model.activeParametersExclEmbedding = static_cast<double>(params.activeExclEmbedding);
    w.model.blocks = static_cast<std::int32_t>(m_c.numLayers);
    w.model.hiddenSize = m_c.hiddenSize;
    w.model.attentionHeads = m_c.numHeads;
    w.model.kvHeads = m_c.numKvHeads;
    w.model.headDim = m_c.headDim;
    w.model.vocabSize = m_c.vocabSize;
    w.model.experts = m_c.numExperts;
    w.model.expertsPerToken = m_c.expertsPerToken;
    w.model.latentKv = m_c.mla.kvLoraRank > 0 && m_latentCache;
    const bool simple = m_uniform && m_c.mla.kvLoraRank <= 0 && m_c.ssm.kind == SsmKind::none;
    double perToken = 0;
    for (const LayerRun& run : m_runs) {
        const double count = static_cast<double>(run.count);
        const double bytes = kvBytesPerTokenOf(run.spec);
        perToken += count * bytes;
        if (capped(run.spec.attention)) {
            w.model.kvCappedBytesPerSequence +=
                count * bytes * static_cast<double>(run.spec.window);
        } else {
            w.model.kvGrowingBytesPerToken += count * bytes;
        }
        if (run.spec.ssm != SsmKind::none) {
            const SsmConfig& s = m_c.ssm;
            w.model.stateBytesPerSequence +=
                count *
                static_cast<double>(s.innerSize * s.stateSize + ssmConvChannels(s) * s.convKernel) *
                m_bs;
        }
    }
    // The original families keep their expression (and its rounding).
    w.model.kvBytesPerToken = simple ? kvBytesPerToken(m_c, m_bkv) : perToken;
}

void Builder::fillMemory(core::Workload& w) const {
    if (m_o.collapseBlocks) {
        // Sweeps: no per-block inventory (the footprint comes from one full build).
        w.memory.weights = w.model.parameters * m_bf;
    } else {
        addTensors(w);
        for (const auto& tensor : w.weightTensors) {
            w.memory.weights += tensor.bytes();
        }
    }
    if (m_uniform && m_c.mla.kvLoraRank <= 0 && m_c.ssm.kind == SsmKind::none) {
        const double cached = m_window > 0 ? std::min(m_keys, m_window) : m_keys;
        w.memory.kvCache = w.model.kvBytesPerToken * m_batch * cached;
    } else {
        for (const LayerRun& run : m_runs) {
            w.memory.kvCache += static_cast<double>(run.count) * kvBytesPerTokenOf(run.spec) *
                                m_batch * cachedKeys(run.spec);
        }
    }
    w.memory.state = w.model.stateBytesPerSequence * m_batch;
    double peak = 0;
    for (const core::Layer& layer : w.layers) {
        peak = std::max(peak, layer.bytes.activationsIn + layer.bytes.activationsOut);
    }
    w.memory.activations = peak;
    // Sliding windows change the decode-step slope at W; chunked attention restarts every C.
    for (const LayerRun& run : m_runs) {
        if (!capped(run.spec.attention) || run.spec.window <= 0) {
            continue;
        }
        const core::ContextBreak brk{run.spec.window, run.spec.attention == AttentionKind::chunked};
        if (std::find(w.contextBreaks.begin(), w.contextBreaks.end(), brk) ==
            w.contextBreaks.end()) {
            w.contextBreaks.push_back(brk);
        }
    }
    if (m_c.mla.kvLoraRank > 0) {
        const char* form = m_absorbed ? "absorbed (W_UK into the query, W_UV after attention; MQA "
                                        "over the cached latent)"
                                      : "decompressed (kv_b_proj expands K and V; MHA)";
        w.notes.push_back(std::string("MLA ") + (m_prefill ? "prefill" : "decode") + ": " + form +
                          (m_latentCache ? "; the cache holds kv_lora_rank + qk_rope_head_dim "
                                           "elements per token and layer"
                                         : "; naive: per-head K and V are cached"));
    }
    w.notes.insert(w.notes.end(), m_c.notes.begin(), m_c.notes.end());
}

// The parameter inventory: every tensor of every block (all experts), so compression can
// recompute the weight footprint. Biases and norm weights are "other" bytes.
void Builder::addTensors(core::Workload& w) const {
    const double d = static_cast<double>(m_c.hiddenSize);
    const double vocab = static_cast<double>(m_c.vocabSize);
    const double norm = (m_c.norm == NormKind::rms ? 1 : 2) * d * m_bf;
    auto& t = w.weightTensors;
    t.reserve(static_cast<std::size_t>(m_c.numLayers) * (m_uniform ? 10 : 20) + 8);
    auto other = [&](std::string_view op, std::int32_t block, double bytes) {
        t.push_back({op, block, 0, 0, 0, bytes, m_floatType});
    };
    other("embed_tokens", -1, vocab * d * m_bf);
    if (m_c.learnedPositions > 0) {
        other("embed_positions", -1, static_cast<double>(m_c.learnedPositions) * d * m_bf);
    }
    for (const LayerRun& run : m_runs) {
        for (std::int64_t i = 0; i < run.count; ++i) {
            addBlockTensors(w, run.spec, static_cast<std::int32_t>(run.first + i));
        }
    }
    other("final_norm", -1, norm);
    if (!m_c.tieEmbeddings) {
        t.push_back({"lm_head", -1, d * vocab, d, vocab, 0, m_floatType});
    }
    const ParameterCounts& params = m_params;
    if (params.vision > 0) {
        other("vision_tower", -1, static_cast<double>(params.vision) * m_bf);
    }
    if (m_c.countMtp && params.mtp > 0) {
        other("mtp", -1, static_cast<double>(params.mtp) * m_bf);
    }
}

void Builder::pushMatrix(core::Workload& w, std::string_view op, std::int32_t b, double count,
                         double k, double n, bool bias) const {
    w.weightTensors.push_back(
        {op, b, count * k * n, k, n, bias ? count * n * m_bf : 0, m_floatType});
}

void Builder::pushOther(core::Workload& w, std::string_view op, std::int32_t b,
                        double bytes) const {
    w.weightTensors.push_back({op, b, 0, 0, 0, bytes, m_floatType});
}

void Builder::addLatentTensors(core::Workload& w, std::int32_t b) const {
    const double d = static_cast<double>(m_c.hiddenSize);
    const MlaConfig& m = m_c.mla;
    const double h = static_cast<double>(m_c.numHeads);
    const double qk = static_cast<double>(m.nopeDim + m.ropeDim);
    const double dc = static_cast<double>(m.kvLoraRank);
    if (m.qLoraRank > 0) {
        const double r = static_cast<double>(m.qLoraRank);
        pushMatrix(w, "q_a_proj", b, 1, d, r, false);
        pushOther(w, "q_a_norm", b, r * m_bf);
        pushMatrix(w, "q_b_proj", b, 1, r, h * qk, false);
    } else {
        pushMatrix(w, "q_proj", b, 1, d, h * qk, false);
    }
    pushMatrix(w, "kv_a_proj", b, 1, d, dc + static_cast<double>(m.ropeDim), false);
    pushOther(w, "kv_a_norm", b, dc * m_bf);
    pushMatrix(w, "kv_b_proj", b, 1, dc, h * static_cast<double>(m.nopeDim + m.valueDim), false);
    pushMatrix(w, "o_proj", b, 1, h * static_cast<double>(m.valueDim), d, false);
}

void Builder::addAttentionTensors(core::Workload& w, std::int32_t b) const {
    const double d = static_cast<double>(m_c.hiddenSize);
    const double qDim = static_cast<double>(m_c.numHeads * m_c.headDim);
    const double kvDim = static_cast<double>(m_c.numKvHeads * m_c.headDim);
    if (m_c.fusedQkv) {
        pushMatrix(w, "qkv_proj", b, 1, d, qDim + 2 * kvDim, m_c.attentionBias);
    } else {
        pushMatrix(w, "q_proj", b, 1, d, qDim, m_c.attentionBias);
        pushMatrix(w, "k_proj", b, 1, d, kvDim, m_c.attentionBias);
        pushMatrix(w, "v_proj", b, 1, d, kvDim, m_c.attentionBias);
    }
    pushMatrix(w, "o_proj", b, 1, qDim, d, m_c.outputBias);
    if (m_c.qkNorm == QkNorm::rms) {
        pushOther(w, "qk_norm", b, 2 * static_cast<double>(m_c.headDim) * m_bf);
    }
    if (m_c.attentionSinks) {
        pushOther(w, "attention", b, static_cast<double>(m_c.numHeads) * m_bf);
    }
}

void Builder::addMoeTensors(core::Workload& w, std::int32_t b) const {
    const double d = static_cast<double>(m_c.hiddenSize);
    const double e = static_cast<double>(m_c.numExperts);
    const double fe = static_cast<double>(expertWidth(m_c));
    const bool bias = m_c.expertBias || m_c.mlpBias;
    pushMatrix(w, "router", b, 1, d, e, m_c.routerBias);
    if (m_c.expertScoreBias) {
        pushOther(w, "router", b, e * m_bf);
    }
    pushMatrix(w, "experts.gate_proj", b, e, d, fe, bias);
    pushMatrix(w, "experts.up_proj", b, e, d, fe, bias);
    pushMatrix(w, "experts.down_proj", b, e, fe, d, bias);
    if (m_c.sharedExpertSize > 0) {
        const double fs = static_cast<double>(m_c.sharedExpertSize);
        pushMatrix(w, "shared_experts.gate_proj", b, 1, d, fs, false);
        pushMatrix(w, "shared_experts.up_proj", b, 1, d, fs, false);
        pushMatrix(w, "shared_experts.down_proj", b, 1, fs, d, false);
    }
    if (m_c.sharedExpertGate) {
        pushMatrix(w, "shared_expert_gate", b, 1, d, 1, false);
    }
}

void Builder::addDenseTensors(core::Workload& w, const LayerSpec& spec, std::int32_t b) const {
    const double d = static_cast<double>(m_c.hiddenSize);
    const double ff = static_cast<double>(denseWidth(m_c, spec));
    if (m_c.mlp == MlpKind::plain) {
        pushMatrix(w, "fc1", b, 1, d, ff, m_c.mlpBias);
        pushMatrix(w, "fc2", b, 1, ff, d, m_c.mlpBias);
    } else if (m_c.fusedGateUp) {
        pushMatrix(w, "gate_up_proj", b, 1, d, 2 * ff, m_c.mlpBias);
        pushMatrix(w, "down_proj", b, 1, ff, d, m_c.mlpBias);
    } else {
        pushMatrix(w, "gate_proj", b, 1, d, ff, m_c.mlpBias);
        pushMatrix(w, "up_proj", b, 1, d, ff, m_c.mlpBias);
        pushMatrix(w, "down_proj", b, 1, ff, d, m_c.mlpBias);
    }
}

void Builder::addBlockTensors(core::Workload& w, const LayerSpec& spec, std::int32_t b) const {
    const double norm =
        (m_c.norm == NormKind::rms ? 1 : 2) * static_cast<double>(m_c.hiddenSize) * m_bf;
    pushOther(w, "input_norm", b, norm);
    if (spec.attention == AttentionKind::latent) {
        addLatentTensors(w, b);
    } else if (spec.attention != AttentionKind::none) {
        addAttentionTensors(w, b);
    }
    if (spec.ssm != SsmKind::none) {
        addSsmTensors(w, b);
    }
    if (m_c.normsPerLayer == 4) {
        pushOther(w, "post_attention_norm", b, norm);
        pushOther(w, "pre_ffn_norm", b, norm);
        pushOther(w, "post_ffn_norm", b, norm);
    } else if (m_c.normsPerLayer == 2) {
        pushOther(w, "post_attention_norm", b, norm);
    }
    if (spec.ffn == FfnKind::moe) {
        addMoeTensors(w, b);
    } else if (spec.ffn == FfnKind::dense) {
        addDenseTensors(w, spec, b);
    }
}

void Builder::addSsmTensors(core::Workload& w, std::int32_t b) const {
    const SsmConfig& s = m_c.ssm;
    const double d = static_cast<double>(m_c.hiddenSize);
    const double e = static_cast<double>(s.innerSize);
    const double n = static_cast<double>(s.stateSize);
    const double h = static_cast<double>(s.heads);
    const double c = static_cast<double>(ssmConvChannels(s));
    auto& t = w.weightTensors;
    auto matrix = [&](std::string_view op, double k, double out, bool bias) {
        t.push_back({op, b, k * out, k, out, bias ? out * m_bf : 0, m_floatType});
    };
    auto other = [&](std::string_view op, double elements) {
        t.push_back({op, b, 0, 0, 0, elements * m_bf, m_floatType});
    };
    const double conv = c * static_cast<double>(s.convKernel) + (s.convBias ? c : 0);
    if (s.kind == SsmKind::mamba1) {
        const double bc = static_cast<double>(s.dtRank) + 2 * n;
        matrix("in_proj", d, 2 * e, s.projBias);
        other("conv1d", conv);
        matrix("x_proj", e, bc, false);
        if (s.dtBcNorms) {
            other("ssm_norms", bc);
        }
        matrix("dt_proj", static_cast<double>(s.dtRank), e, true);
        other("ssm_scan", e * n + e);
    } else {
        matrix("in_proj", d, e + c + h, s.projBias);
        other("conv1d", conv);
        other("ssm_scan", 3 * h);
        if (s.gatedNorm) {
            other("ssm_norm", e);
        }
    }
    matrix("out_proj", e, d, s.outBias);
}

}  // namespace rooflens::models::detail
