#pragma once
// Internal to rooflens_models: the per-layer plan as runs of identical consecutive layers, and
// the widths every LLM cost function shares.
#include <cstdint>
#include <vector>

#include "models/llm.h"

namespace rooflens::models::detail {

struct LayerRun {
    LayerSpec spec;
    std::int64_t first = 0;  // index of the first layer of the run
    std::int64_t count = 0;
};

// The layer every block has when config.layers is empty.
LayerSpec uniformLayer(const LlmConfig& config);
// Consecutive identical layers of layerPlan(config), without materialising uniform plans.
std::vector<LayerRun> layerRuns(const LlmConfig& config);

inline std::int64_t expertWidth(const LlmConfig& c) {
    return c.expertIntermediateSize > 0 ? c.expertIntermediateSize : c.intermediateSize;
}
inline std::int64_t denseWidth(const LlmConfig& c, const LayerSpec& spec) {
    return spec.ffnWidth > 0 ? spec.ffnWidth : c.intermediateSize;
}
// mamba2: channels through the convolution (x, B and C).
inline std::int64_t ssmConvChannels(const SsmConfig& s) {
    return s.kind == SsmKind::mamba2 ? s.innerSize + 2 * s.groups * s.stateSize : s.innerSize;
}
// Bytes per element of the SSM state.
inline double stateBytes(const LlmConfig& c) {
    return c.stateBytesPerElement > 0 ? c.stateBytesPerElement : core::bytesOf(c.floatType);
}
inline bool cachesKv(AttentionKind kind) {
    return kind != AttentionKind::none;
}
inline bool capped(AttentionKind kind) {
    return kind == AttentionKind::sliding || kind == AttentionKind::chunked;
}

}  // namespace rooflens::models::detail
