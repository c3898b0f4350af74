// Parameter counts, KV-cache size and expert coverage of an LlmConfig (formulas.md section 3).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "models/llm.h"

namespace rooflens::models {

namespace {

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

// Negative fields of a hand-built config count as zero.
std::uint64_t dim(std::int64_t value) {
    return value > 0 ? static_cast<std::uint64_t>(value) : 0;
}

}  // namespace

ParameterCounts countParameters(const LlmConfig& config) {
    const std::uint64_t d = dim(config.hiddenSize);
    const std::uint64_t ff = dim(config.intermediateSize);
    const std::uint64_t layers = dim(config.numLayers);
    const std::uint64_t qWidth = mul(dim(config.numHeads), dim(config.headDim));
    const std::uint64_t kvWidth = mul(dim(config.numKvHeads), dim(config.headDim));
    const std::uint64_t vocab = dim(config.vocabSize);

    // q, k, v: d -> width; o: q width -> d.
    std::uint64_t attention = add(add(mul(d, qWidth), mul(2, mul(d, kvWidth))), mul(qWidth, d));
    if (config.attentionBias) {
        attention = add(attention, add(qWidth, mul(2, kvWidth)));
    }
    if (config.outputBias) {
        attention = add(attention, d);
    }

    const std::uint64_t norm = config.norm == NormKind::rms ? d : mul(2, d);

    // One MLP (or one expert): gate, up, down or fc1, fc2.
    const bool gated = config.mlp == MlpKind::gated;
    std::uint64_t mlp = mul(gated ? 3 : 2, mul(d, ff));
    if (config.mlpBias) {
        mlp = add(mlp, add(mul(gated ? 2 : 1, ff), d));
    }

    const bool moe = config.numExperts > 0;
    const std::uint64_t experts = moe ? dim(config.numExperts) : 1;
    const std::uint64_t activeExperts = moe ? std::min(dim(config.expertsPerToken), experts) : 1;
    const std::uint64_t router = moe ? mul(d, experts) : 0;  // the gate has no bias

    // Two norms per block (before attention and before the MLP).
    const std::uint64_t shared = add(add(attention, mul(2, norm)), router);

    ParameterCounts counts;
    counts.perBlock = add(shared, mul(experts, mlp));
    counts.embedding = add(mul(vocab, d), mul(dim(config.learnedPositions), d));
    counts.lmHead = config.tieEmbeddings ? 0 : mul(vocab, d);
    const std::uint64_t outside = add(add(counts.embedding, norm), counts.lmHead);
    counts.total = add(outside, mul(layers, counts.perBlock));
    counts.active = add(outside, mul(layers, add(shared, mul(activeExperts, mlp))));
    return counts;
}

double kvBytesPerToken(const LlmConfig& config, double kvBytesPerElement) {
    // K and V, each h_kv x d_h elements per layer.
    return 2.0 * static_cast<double>(config.numLayers) * static_cast<double>(config.numKvHeads) *
           static_cast<double>(config.headDim) * kvBytesPerElement;
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
