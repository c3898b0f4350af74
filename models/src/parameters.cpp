// Parameter counts, KV-cache size and expert coverage of an LlmConfig (formulas.md section 3,
// next-wave.md section A; per family: docs/models.md).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "llm_plan.h"
#include "models/llm.h"

namespace rooflens::models {

namespace {

using detail::LayerRun;

// Saturating arithmetic: a count that does not fit in uint64 becomes the maximum instead of
// wrapping, so parseLlmConfig can reject it. Below saturation the result is exact.
constexpr std::uint64_t kSaturated = std::numeric_limits<std::uint64_t>::max();

std::uint64_t add(std::uint64_t a, std::uint64_t b) {
    std::uint64_t sum = 0;
    return __builtin_add_overflow(a, b, &sum) ? kSaturated : sum;
}

std::uint64_t mul(std::uint64_t a, std::uint64_t b) {
    std::uint64_t product = 0;
    return __builtin_mul_overflow(a, b, &product) ? kSaturated : product;
}

std::uint64_t sub(std::uint64_t a, std::uint64_t b) {
    return a >= b ? a - b : 0;
}

// Negative fields of a hand-built config count as zero.
std::uint64_t dim(std::int64_t value) {
    return value > 0 ? static_cast<std::uint64_t>(value) : 0;
}

std::uint64_t normWeights(const LlmConfig& c) {
    return c.norm == NormKind::rms ? dim(c.hiddenSize) : mul(2, dim(c.hiddenSize));
}

// Multi-head latent attention: q (low rank or plain), kv_a (+ norm), kv_b, o.
std::uint64_t latentAttention(const LlmConfig& c) {
    const std::uint64_t d = dim(c.hiddenSize);
    const std::uint64_t h = dim(c.numHeads);
    const MlaConfig& m = c.mla;
    const std::uint64_t qk = add(dim(m.nopeDim), dim(m.ropeDim));
    std::uint64_t q = mul(d, mul(h, qk));
    if (m.qLoraRank > 0) {
        const std::uint64_t r = dim(m.qLoraRank);
        q = add(add(mul(d, r), r), mul(r, mul(h, qk)));
    }
    const std::uint64_t c_kv = dim(m.kvLoraRank);
    const std::uint64_t kvA = add(mul(d, add(c_kv, dim(m.ropeDim))), c_kv);
    const std::uint64_t kvB = mul(c_kv, mul(h, add(dim(m.nopeDim), dim(m.valueDim))));
    const std::uint64_t o = mul(mul(h, dim(m.valueDim)), d);
    return add(add(q, kvA), add(kvB, o));
}

std::uint64_t attentionParameters(const LlmConfig& c, const LayerSpec& spec) {
    if (spec.attention == AttentionKind::none) {
        return 0;
    }
    if (spec.attention == AttentionKind::latent) {
        return latentAttention(c);
    }
    const std::uint64_t d = dim(c.hiddenSize);
    const std::uint64_t qWidth = mul(dim(c.numHeads), dim(c.headDim));
    const std::uint64_t kvWidth = mul(dim(c.numKvHeads), dim(c.headDim));
    // q, k, v: d -> width; o: q width -> d.
    std::uint64_t attention = add(add(mul(d, qWidth), mul(2, mul(d, kvWidth))), mul(qWidth, d));
    if (c.attentionBias) {
        attention = add(attention, add(qWidth, mul(2, kvWidth)));
    }
    if (c.outputBias) {
        attention = add(attention, d);
    }
    if (c.qkNorm == QkNorm::rms) {
        attention = add(attention, mul(2, dim(c.headDim)));
    }
    if (c.attentionSinks) {
        attention = add(attention, dim(c.numHeads));
    }
    return attention;
}

std::uint64_t ssmParameters(const LlmConfig& c) {
    const SsmConfig& s = c.ssm;
    const std::uint64_t d = dim(c.hiddenSize);
    const std::uint64_t e = dim(s.innerSize);
    const std::uint64_t n = dim(s.stateSize);
    const std::uint64_t channels = dim(detail::ssmConvChannels(s));
    std::uint64_t conv = mul(channels, dim(s.convKernel));
    if (s.convBias) {
        conv = add(conv, channels);
    }
    std::uint64_t out = mul(e, d);
    if (s.outBias) {
        out = add(out, d);
    }
    if (s.kind == SsmKind::mamba1) {
        const std::uint64_t r = dim(s.dtRank);
        std::uint64_t in = mul(d, mul(2, e));
        if (s.projBias) {
            in = add(in, mul(2, e));
        }
        const std::uint64_t xProj = mul(e, add(r, mul(2, n)));
        const std::uint64_t dtProj = add(mul(r, e), e);
        const std::uint64_t aAndD = add(mul(e, n), e);
        const std::uint64_t norms = s.dtBcNorms ? add(r, mul(2, n)) : 0;
        return add(add(add(in, conv), add(xProj, dtProj)), add(add(aAndD, out), norms));
    }
    // mamba2: in_proj to z, x, B, C and dt; dt_bias, A_log and D per head; gated norm.
    const std::uint64_t h = dim(s.heads);
    const std::uint64_t projected = add(add(e, channels), h);
    std::uint64_t in = mul(d, projected);
    if (s.projBias) {
        in = add(in, projected);
    }
    const std::uint64_t perHead = mul(3, h);
    const std::uint64_t norm = s.gatedNorm ? e : 0;
    return add(add(add(in, conv), add(perHead, norm)), out);
}

std::uint64_t mlpParameters(const LlmConfig& c, std::uint64_t width, bool bias) {
    const std::uint64_t d = dim(c.hiddenSize);
    const bool gated = c.mlp == MlpKind::gated;
    std::uint64_t mlp = mul(gated ? 3 : 2, mul(d, width));
    if (bias) {
        mlp = add(mlp, add(mul(gated ? 2 : 1, width), d));
    }
    return mlp;
}

struct Split {
    std::uint64_t total = 0;
    std::uint64_t active = 0;
};

Split ffnParameters(const LlmConfig& c, const LayerSpec& spec) {
    if (spec.ffn == FfnKind::none) {
        return {};
    }
    if (spec.ffn == FfnKind::dense) {
        const std::uint64_t mlp = mlpParameters(c, dim(detail::denseWidth(c, spec)), c.mlpBias);
        return {mlp, mlp};
    }
    const std::uint64_t d = dim(c.hiddenSize);
    const std::uint64_t experts = dim(c.numExperts);
    const std::uint64_t topK = std::min(dim(c.expertsPerToken), experts);
    std::uint64_t router = mul(d, experts);  // the gate has no bias except in gpt-oss
    router = add(router, (c.routerBias ? experts : 0) + (c.expertScoreBias ? experts : 0));
    const std::uint64_t expert =
        mlpParameters(c, dim(detail::expertWidth(c)), c.expertBias || c.mlpBias);
    std::uint64_t shared = mlpParameters(c, dim(c.sharedExpertSize), false);
    if (c.sharedExpertGate) {
        shared = add(shared, d);
    }
    const std::uint64_t always = add(router, shared);
    return {add(always, mul(experts, expert)), add(always, mul(topK, expert))};
}

Split layerParameters(const LlmConfig& c, const LayerSpec& spec) {
    std::uint64_t mixer = attentionParameters(c, spec);
    if (spec.ssm != SsmKind::none) {
        mixer = add(mixer, ssmParameters(c));
    }
    const std::uint64_t norms = mul(dim(c.normsPerLayer), normWeights(c));
    const Split ffn = ffnParameters(c, spec);
    return {add(add(mixer, norms), ffn.total), add(add(mixer, norms), ffn.active)};
}

// DeepSeek-V3 MTP: one MoE block, eh_proj (2d -> d), enorm, hnorm and shared_head.norm, and
// its own embedding and head (next-wave.md A.4: this is what makes the card's 685B add up).
std::uint64_t mtpParameters(const LlmConfig& c, std::uint64_t embedding, std::uint64_t head) {
    LayerSpec block;
    block.attention = AttentionKind::latent;
    block.ffn = FfnKind::moe;
    const std::uint64_t d = dim(c.hiddenSize);
    const std::uint64_t one = add(add(layerParameters(c, block).total, mul(2, mul(d, d))),
                                  add(mul(3, normWeights(c)), add(embedding, head)));
    return mul(dim(c.mtpLayers), one);
}

}  // namespace

ParameterCounts countParameters(const LlmConfig& config) {
    const std::uint64_t d = dim(config.hiddenSize);
    const std::uint64_t vocab = dim(config.vocabSize);
    ParameterCounts counts;
    const std::uint64_t tokens = mul(vocab, d);
    const std::uint64_t positions = mul(dim(config.learnedPositions), d);
    counts.embedding = add(tokens, positions);
    counts.lmHead = config.tieEmbeddings ? 0 : tokens;
    counts.vision = config.visionParameters;
    const std::uint64_t outside =
        add(add(counts.embedding, normWeights(config)), add(counts.lmHead, counts.vision));
    std::uint64_t blocksTotal = 0;
    std::uint64_t blocksActive = 0;
    bool first = true;
    for (const detail::LayerRun& run : detail::layerRuns(config)) {
        const Split layer = layerParameters(config, run.spec);
        if (first) {
            counts.perBlock = layer.total;
            first = false;
        }
        blocksTotal = add(blocksTotal, mul(dim(run.count), layer.total));
        blocksActive = add(blocksActive, mul(dim(run.count), layer.active));
    }
    counts.mtp = config.mtpLayers > 0 ? mtpParameters(config, tokens, counts.lmHead) : 0;
    counts.total = add(add(outside, blocksTotal), config.countMtp ? counts.mtp : 0);
    counts.active = add(sub(outside, counts.vision), blocksActive);
    // Without the input table; a tied table stays as the unembedding.
    counts.activeExclEmbedding =
        sub(counts.active, config.tieEmbeddings ? positions : counts.embedding);
    return counts;
}

KvFootprint kvFootprint(const LlmConfig& config, double kvBytesPerElement) {
    KvFootprint kv;
    const double kvHeads = static_cast<double>(config.numKvHeads);
    const double headDim = static_cast<double>(config.headDim);
    for (const detail::LayerRun& run : detail::layerRuns(config)) {
        const double count = static_cast<double>(run.count);
        const AttentionKind kind = run.spec.attention;
        if (kind == AttentionKind::latent) {
            kv.growingBytesPerToken +=
                count * static_cast<double>(config.mla.kvLoraRank + config.mla.ropeDim) *
                kvBytesPerElement;
        } else if (detail::capped(kind)) {
            const double perToken = 2.0 * count * kvHeads * headDim * kvBytesPerElement;
            kv.cappedBytesPerToken += perToken;
            kv.cappedBytesPerSequence += perToken * static_cast<double>(run.spec.window);
        } else if (kind == AttentionKind::full) {
            kv.growingBytesPerToken += 2.0 * count * kvHeads * headDim * kvBytesPerElement;
        }
        if (run.spec.ssm != SsmKind::none) {
            const SsmConfig& s = config.ssm;
            const double elements = static_cast<double>(s.innerSize * s.stateSize +
                                                        detail::ssmConvChannels(s) * s.convKernel);
            kv.stateBytesPerSequence += count * elements * detail::stateBytes(config);
        }
    }
    return kv;
}

double kvBytesPerToken(const LlmConfig& config, double kvBytesPerElement) {
    if (config.layers.empty() && config.mla.kvLoraRank <= 0 && config.ssm.kind == SsmKind::none) {
        // K and V, each h_kv x d_h elements per layer.
        return 2.0 * static_cast<double>(config.numLayers) *
               static_cast<double>(config.numKvHeads) * static_cast<double>(config.headDim) *
               kvBytesPerElement;
    }
    return kvFootprint(config, kvBytesPerElement).bytesPerToken();
}

double expectedExpertsTouched(std::int64_t experts, std::int64_t topK, double tokens) {
    if (experts <= 0 || topK <= 0 || !(tokens > 0)) {
        return 0;
    }
    const double e = static_cast<double>(experts);
    const double k = std::min(static_cast<double>(topK), e);
    // pow(0, n) = 0 for top-k = E, and pow(x, inf) = 0 for x < 1: both give E.
    const double touched = e * (1.0 - std::pow(1.0 - k / e, tokens));
    return std::clamp(touched, 0.0, e);
}

}  // namespace rooflens::models
