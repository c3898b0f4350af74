// The per-layer plan of an LlmConfig: explicit (config.layers) or uniform.
#include "llm_plan.h"

namespace rooflens::models {

namespace detail {

LayerSpec uniformLayer(const LlmConfig& config) {
    LayerSpec spec;
    if (config.mla.kvLoraRank > 0) {
        spec.attention = AttentionKind::latent;
    } else if (config.slidingWindow > 0) {
        spec.attention = AttentionKind::sliding;
        spec.window = config.slidingWindow;
    }
    spec.ffn = config.numExperts > 0 ? FfnKind::moe : FfnKind::dense;
    return spec;
}

std::vector<LayerRun> layerRuns(const LlmConfig& config) {
    std::vector<LayerRun> runs;
    if (config.layers.empty()) {
        if (config.numLayers > 0) {
            runs.push_back({uniformLayer(config), 0, config.numLayers});
        }
        return runs;
    }
    for (std::size_t i = 0; i < config.layers.size(); ++i) {
        const LayerSpec& spec = config.layers[i];
        if (!runs.empty() && runs.back().spec == spec) {
            ++runs.back().count;
        } else {
            runs.push_back({spec, static_cast<std::int64_t>(i), 1});
        }
    }
    return runs;
}

}  // namespace detail

std::vector<LayerSpec> layerPlan(const LlmConfig& config) {
    if (!config.layers.empty()) {
        return config.layers;
    }
    return std::vector<LayerSpec>(
        static_cast<std::size_t>(std::max<std::int64_t>(0, config.numLayers)),
        detail::uniformLayer(config));
}

std::string_view nameOf(AttentionKind kind) {
    switch (kind) {
        case AttentionKind::none:
            return "none";
        case AttentionKind::full:
            return "full";
        case AttentionKind::sliding:
            return "sliding";
        case AttentionKind::chunked:
            return "chunked";
        case AttentionKind::latent:
            return "latent";
    }
    return "?";
}

std::string_view nameOf(SsmKind kind) {
    switch (kind) {
        case SsmKind::none:
            return "none";
        case SsmKind::mamba1:
            return "mamba";
        case SsmKind::mamba2:
            return "mamba2";
    }
    return "?";
}

std::string_view nameOf(FfnKind kind) {
    switch (kind) {
        case FfnKind::none:
            return "none";
        case FfnKind::dense:
            return "dense";
        case FfnKind::moe:
            return "moe";
    }
    return "?";
}

}  // namespace rooflens::models
