// Attention mixers of the LLM builder: full, sliding-window, chunked and NoPE attention with
// Q/K norm, sinks and soft-capping; multi-head latent attention (MLA) in its decompressed and
// absorbed forms (next-wave.md A.4).
#include <algorithm>
#include <cmath>

#include "llm_builder.h"

namespace rooflens::models::detail {

using core::ByteBreakdown;
using core::ExecUnit;
using core::Layer;
using core::LayerKind;

// Keys a decode step (or the last prefill query) sees and reads from the cache.
double Builder::visibleKeys(const LayerSpec& spec) const {
    const double w = static_cast<double>(spec.window);
    if (spec.attention == AttentionKind::sliding && w > 0) {
        return std::min(m_keys, w);
    }
    if (spec.attention == AttentionKind::chunked && w > 0) {
        // Position t - 1 sees its chunk up to itself: ((t - 1) mod C) + 1 keys.
        return m_prefill ? std::min(m_keys, w) : std::fmod(m_keys - 1, w) + 1;
    }
    return m_keys;
}

void Builder::addAttentionMixer(const LayerSpec& spec) {
    const std::int64_t d = m_c.hiddenSize;
    const std::int64_t qDim = m_c.numHeads * m_c.headDim;
    const std::int64_t kvDim = m_c.numKvHeads * m_c.headDim;
    if (m_c.fusedQkv) {
        // phi3: one GEMM; K and V of its output go to the cache.
        Layer& qkv = addLinear("qkv_proj", m_tokens, d, qDim + 2 * kvDim, m_c.attentionBias, m_bw);
        qkv.bytes.activationsOut = m_tokens * static_cast<double>(qDim) * m_ba;
        qkv.bytes.kvWrite = m_tokens * static_cast<double>(2 * kvDim) * m_bkv;
    } else {
        addLinear("q_proj", m_tokens, d, qDim, m_c.attentionBias, m_bw);
        // K and V go to the KV cache (RoPE is fused into the projection epilogue).
        for (std::string_view op : {std::string_view("k_proj"), std::string_view("v_proj")}) {
            Layer& layer = addLinear(op, m_tokens, d, kvDim, m_c.attentionBias, m_bw);
            layer.bytes.activationsOut = 0;
            layer.bytes.kvWrite = m_tokens * static_cast<double>(kvDim) * m_bkv;
        }
    }
    const bool qkNorm = m_c.qkNorm == QkNorm::rms ||
                        (m_c.qkNorm == QkNorm::l2 && spec.rope);  // Llama 4: RoPE layers
    if (qkNorm) {
        const double dh = static_cast<double>(m_c.headDim);
        addNormOver("qk_norm", m_tokens * static_cast<double>(m_c.numHeads + m_c.numKvHeads), dh,
                    m_c.qkNorm == QkNorm::rms ? 2 * dh : 0);
    }
    addAttention(spec);
    addLinear("o_proj", m_tokens, qDim, d, m_c.outputBias, m_bw);
}

void Builder::addFusedAttention(const core::AttentionShape& shape, double pairs, double perPair,
                                double qElems, double outElems) {
    ByteBreakdown bytes;
    bytes.activationsIn = qElems * m_ba;
    bytes.activationsOut = outElems * m_ba;
    Layer& layer = add("attention", LayerKind::attention, ExecUnit::matrix, m_floatType,
                       m_batch * shape.queryHeads * pairs * perPair, bytes);
    layer.attentionShape = static_cast<std::int32_t>(m_shapes.size());
    m_shapes.push_back(shape);
}

void Builder::addAttention(const LayerSpec& spec) {
    const double hq = static_cast<double>(m_c.numHeads);
    const double hkv = static_cast<double>(m_c.numKvHeads);
    const double dh = static_cast<double>(m_c.headDim);
    const double qElems = m_tokens * hq * dh;
    const double window =
        spec.attention == AttentionKind::sliding ? static_cast<double>(spec.window) : 0;
    const double chunk =
        spec.attention == AttentionKind::chunked ? static_cast<double>(spec.window) : 0;
    // Keys held in the cache: a sliding window keeps a rolling buffer of W entries.
    const double cached = visibleKeys(spec);
    const double softcap = m_c.attnSoftcap ? kSoftcapOps : 0;
    if (m_s.flashAttention) {
        core::AttentionShape shape;
        shape.batch = m_batch;
        shape.queryHeads = hq;
        shape.kvHeads = hkv;
        shape.headDim = dh;
        shape.queries = m_queries;
        shape.keys = m_keys;
        shape.window = window;
        shape.chunk = chunk;
        shape.causal = true;
        shape.kvBytesPerElement = m_bkv;
        shape.activationBytesPerElement = m_ba;
        const double pairs = chunk > 0 ? core::chunkedAttentionPairs(m_queries, m_keys, chunk)
                                       : core::attentionPairs(m_queries, m_keys, window, true);
        addFusedAttention(shape, pairs, 4 * dh + kSoftmaxOps + softcap, qElems, qElems);
        Layer& layer = m_layers.back();
        // Lower bound (each key read once); analyze() prices the device's tiling.
        layer.bytes.kvRead = 2 * m_batch * hkv * dh * cached * m_bkv;
        if (m_c.attentionSinks) {
            layer.ops += kSinkOps * m_batch * hq * m_queries;
            layer.bytes.weights += hq * m_bf;
        }
        return;
    }
    addUnfusedAttention(spec, dh, dh, hkv, qElems, qElems);
}

// Unfused: the score matrix goes through memory. Prefill computes the full masked S x S
// rectangle, decode one row over the cached keys.
void Builder::addUnfusedAttention(const LayerSpec& spec, double keyWidth, double valueWidth,
                                  double kvHeads, double qElems, double outElems) {
    const double hq = static_cast<double>(m_c.numHeads);
    const double keys = m_prefill ? m_keys : visibleKeys(spec);
    const double scores = m_batch * hq * m_queries * keys;
    ByteBreakdown qk;
    qk.activationsIn = qElems * m_ba;
    qk.kvRead = m_batch * keys * kvHeads * keyWidth * m_bkv;
    qk.activationsOut = scores * m_ba;
    // Per (batch, head): [queries x d_k] x [d_k x keys], repeated B h_q times.
    setShape(add("qk_matmul", LayerKind::matmul, ExecUnit::matrix, m_floatType,
                 2 * scores * keyWidth, qk),
             m_batch * hq * m_queries, keyWidth, keys);
    ByteBreakdown sm;
    sm.activationsIn = scores * m_ba;
    sm.activationsOut = scores * m_ba;
    Layer& softmax =
        add("softmax", LayerKind::softmax, ExecUnit::vector, m_floatType, kSoftmaxOps * scores, sm);
    if (m_c.attnSoftcap) {
        softmax.ops += kSoftcapOps * scores;
    }
    if (m_c.attentionSinks) {
        softmax.ops += kSinkOps * m_batch * hq * m_queries;
        softmax.bytes.weights += hq * m_bf;
    }
    ByteBreakdown sv;
    sv.activationsIn = scores * m_ba;
    sv.kvRead = m_batch * keys * kvHeads * valueWidth * m_bkv;
    sv.activationsOut = outElems * m_ba;
    setShape(add("sv_matmul", LayerKind::matmul, ExecUnit::matrix, m_floatType,
                 2 * scores * valueWidth, sv),
             m_batch * hq * m_queries, keys, valueWidth);
}

void Builder::addLatentQuery() {
    const MlaConfig& m = m_c.mla;
    const std::int64_t d = m_c.hiddenSize;
    const std::int64_t qWidth = m_c.numHeads * (m.nopeDim + m.ropeDim);
    if (m.qLoraRank > 0) {
        const double r = static_cast<double>(m.qLoraRank);
        addLinear("q_a_proj", m_tokens, d, m.qLoraRank, false, m_bw);
        addNormOver("q_a_norm", m_tokens, r, r);
        addLinear("q_b_proj", m_tokens, m.qLoraRank, qWidth, false, m_bw);
    } else {
        addLinear("q_proj", m_tokens, d, qWidth, false, m_bw);
    }
}

// MLA: the cache holds c_KV (d_c) and k_R (d_R) per token. Decompressed (prefill, FlashMLA's
// MHA mode): kv_b_proj expands the new tokens' latents to per-head K (d_n + d_R) and V (d_v).
// Absorbed (decode, MQA mode): W_UK folds into the query (q_absorb), attention runs over the
// latent as one KV head with keys d_c + d_R and values d_c, and W_UV projects the output
// (v_absorb). Naive (HF): per-head K and V are decompressed once and cached.
void Builder::addLatentMixer() {
    const MlaConfig& m = m_c.mla;
    const std::int64_t d = m_c.hiddenSize;
    const double h = static_cast<double>(m_c.numHeads);
    const double dc = static_cast<double>(m.kvLoraRank);
    const double dr = static_cast<double>(m.ropeDim);
    const double dn = static_cast<double>(m.nopeDim);
    const double dv = static_cast<double>(m.valueDim);
    addLatentQuery();
    Layer& kvA = addLinear("kv_a_proj", m_tokens, d, m.kvLoraRank + m.ropeDim, false, m_bw);
    if (m_latentCache) {
        kvA.bytes.activationsOut = m_tokens * dc * m_ba;  // c_KV to its norm; k_R to the cache
        kvA.bytes.kvWrite = m_tokens * dr * m_bkv;
    }
    addNormOver("kv_a_norm", m_tokens, dc, dc);
    if (m_latentCache) {
        m_layers.back().bytes.activationsOut = 0;
        m_layers.back().bytes.kvWrite = m_tokens * dc * m_bkv;
    }
    LayerSpec spec;
    spec.attention = AttentionKind::latent;
    if (m_absorbed) {
        // Per head [d_n x d_c]: the rows of kv_b_proj that expand K.
        Layer& q = addLinear("q_absorb", m_tokens * h, m.nopeDim, m.kvLoraRank, false, m_bw);
        q.weightElements = h * dn * dc;
        q.bytes.weights = q.weightElements * m_bw;
        const double qElems = m_tokens * h * (dc + dr);
        const double outElems = m_tokens * h * dc;
        if (m_s.flashAttention) {
            core::AttentionShape shape;
            shape.batch = m_batch;
            shape.queryHeads = h;
            shape.kvHeads = 1;
            shape.headDim = dc + dr;
            shape.valueDim = dc;
            shape.sharedKv = true;
            shape.queries = m_queries;
            shape.keys = m_keys;
            shape.kvBytesPerElement = m_bkv;
            shape.activationBytesPerElement = m_ba;
            const double pairs = core::attentionPairs(m_queries, m_keys, 0, true);
            addFusedAttention(shape, pairs, 2 * (dc + dr) + 2 * dc + kSoftmaxOps, qElems, outElems);
            m_layers.back().bytes.kvRead = m_batch * (dc + dr) * m_keys * m_bkv;
        } else {
            addUnfusedAttention(spec, dc + dr, dc, 1, qElems, outElems);
        }
        Layer& v = addLinear("v_absorb", m_tokens * h, m.kvLoraRank, m.valueDim, false, m_bw);
        v.weightElements = h * dc * dv;
        v.bytes.weights = v.weightElements * m_bw;
    } else {
        Layer& kvB = addLinear("kv_b_proj", m_tokens, m.kvLoraRank,
                               m_c.numHeads * (m.nopeDim + m.valueDim), false, m_bw);
        if (!m_latentCache) {
            // Per-head K (with the broadcast k_R) and V go to the cache.
            kvB.bytes.activationsOut = 0;
            kvB.bytes.kvWrite = m_tokens * h * (dn + dr + dv) * m_bkv;
        }
        const double qElems = m_tokens * h * (dn + dr);
        const double outElems = m_tokens * h * dv;
        if (m_s.flashAttention) {
            core::AttentionShape shape;
            shape.batch = m_batch;
            shape.queryHeads = h;
            shape.kvHeads = h;
            shape.headDim = dn + dr;
            shape.valueDim = dv;
            shape.queries = m_queries;
            shape.keys = m_keys;
            shape.kvBytesPerElement = m_bkv;
            shape.activationBytesPerElement = m_ba;
            const double pairs = core::attentionPairs(m_queries, m_keys, 0, true);
            addFusedAttention(shape, pairs, 2 * (dn + dr) + 2 * dv + kSoftmaxOps, qElems, outElems);
            m_layers.back().bytes.kvRead = m_batch * h * (dn + dr + dv) * m_keys * m_bkv;
        } else {
            addUnfusedAttention(spec, dn + dr, dv, h, qElems, outElems);
        }
    }
    addLinear("o_proj", m_tokens, m_c.numHeads * m.valueDim, d, false, m_bw);
}

}  // namespace rooflens::models::detail
