// config.json families with state-space mixers: mamba (selective scan), mamba2 (SSD), jamba
// (attention / Mamba and dense / MoE interleaved by period and offset), falcon_h1 (attention
// and Mamba-2 side by side in every layer). Fields: the transformers configuration classes.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "config_families.h"

namespace rooflens::models::detail {

namespace {

// time_step_rank / mamba_dt_rank: an integer or "auto" = ceil(d / 16).
std::int64_t dtRank(Fields& f, std::string_view key, std::int64_t hidden) {
    const std::int64_t automatic = (hidden + 15) / 16;
    if (!f.ok() || !f.has(key)) {
        return automatic;
    }
    if (f.at(key).is_string()) {
        if (f.at(key).get<std::string>() != "auto") {
            f.failExpected(key, "an integer or \"auto\"");
        }
        return automatic;
    }
    return f.required(key, 1, kMaxDimension);
}

void ssmPlan(LlmConfig& config, AttentionKind attention, FfnKind ffn, SsmKind ssm) {
    LayerSpec spec;
    spec.attention = attention;
    spec.ssm = ssm;
    spec.ffn = ffn;
    config.layers.assign(static_cast<std::size_t>(config.numLayers), spec);
}

// Mamba-2 mixer fields shared by mamba2 and falcon_h1, under their own key names.
struct Mamba2Keys {
    std::string_view heads, headDim, groups, state, conv, chunk;
};

void mamba2Fields(Fields& f, const Mamba2Keys& keys, std::int64_t inner, LlmConfig& config) {
    SsmConfig& s = config.ssm;
    s.kind = SsmKind::mamba2;
    s.innerSize = inner;
    s.heads = f.required(keys.heads, 1, kMaxDimension);
    s.groups = f.optional(keys.groups, 1, kMaxDimension, 1);
    s.stateSize = f.optional(keys.state, 1, kMaxDimension, 128);
    s.convKernel = f.optional(keys.conv, 1, 1024, 4);
    s.chunkSize = f.optional(keys.chunk, 1, kMaxPositions, 256);
    if (f.ok() && f.has(keys.headDim) && f.at(keys.headDim).is_string()) {
        if (f.at(keys.headDim).get<std::string>() != "auto") {
            f.failExpected(keys.headDim, "an integer or \"auto\"");
        }
        s.headDim = s.heads > 0 ? inner / s.heads : 0;
    } else {
        s.headDim = f.optional(keys.headDim, 1, kMaxDimension, s.heads > 0 ? inner / s.heads : 1);
    }
    if (f.ok() && s.heads * s.headDim != inner) {
        f.fail(keys.heads, std::string(keys.heads) + " " + std::to_string(s.heads) + " x " +
                               std::string(keys.headDim) + " " + std::to_string(s.headDim) +
                               " must equal the SSM width " + std::to_string(inner));
    }
    if (f.ok() && s.heads % s.groups != 0) {
        f.fail(keys.groups, std::string(keys.groups) + " " + std::to_string(s.groups) +
                                " does not divide " + std::string(keys.heads) + " " +
                                std::to_string(s.heads));
    }
}

}  // namespace

core::Status parseMamba(Fields& f, LlmConfig& config, const ConfigOptions&) {
    config.hiddenSize = f.required("hidden_size", 1, kMaxDimension);
    config.numLayers = f.required("num_hidden_layers", 1, kMaxPlannedLayers);
    config.vocabSize = f.required("vocab_size", 1, kMaxDimension);
    SsmConfig& s = config.ssm;
    s.kind = SsmKind::mamba1;
    // MambaConfig recomputes intermediate_size = expand * hidden_size.
    const std::int64_t expand = f.optional("expand", 1, 64, 2);
    s.innerSize = expand * config.hiddenSize;
    s.stateSize = f.optional("state_size", 1, kMaxDimension, 16);
    s.convKernel = f.optional("conv_kernel", 1, 1024, 4);
    s.dtRank = dtRank(f, "time_step_rank", config.hiddenSize);
    s.projBias = s.outBias = f.flag("use_bias", false);
    s.convBias = f.flag("use_conv_bias", true);
    config.intermediateSize = s.innerSize;
    config.tieEmbeddings = f.flag("tie_word_embeddings", true);
    config.normsPerLayer = 1;
    ssmPlan(config, AttentionKind::none, FfnKind::none, SsmKind::mamba1);
    return status(f);
}

core::Status parseMamba2(Fields& f, LlmConfig& config, const ConfigOptions&) {
    config.hiddenSize = f.required("hidden_size", 1, kMaxDimension);
    config.numLayers = f.required("num_hidden_layers", 1, kMaxPlannedLayers);
    config.vocabSize = f.required("vocab_size", 1, kMaxDimension);
    const std::int64_t expand = f.optional("expand", 1, 64, 2);
    mamba2Fields(f,
                 {"num_heads", "head_dim", "n_groups", "state_size", "conv_kernel", "chunk_size"},
                 expand * config.hiddenSize, config);
    SsmConfig& s = config.ssm;
    s.projBias = s.outBias = f.flag("use_bias", false);
    s.convBias = f.flag("use_conv_bias", true);
    s.gatedNorm = f.flag("rms_norm", true);
    config.intermediateSize = s.innerSize;
    config.tieEmbeddings = f.flag("tie_word_embeddings", false);
    config.normsPerLayer = 1;
    ssmPlan(config, AttentionKind::none, FfnKind::none, SsmKind::mamba2);
    return status(f);
}

// Jamba: layer i has attention iff i % attn_layer_period == attn_layer_offset (else a Mamba
// mixer with dt/B/C norms), and routed experts iff i % expert_layer_period ==
// expert_layer_offset (else a dense MLP). Attention has no positional encoding.
core::Status parseJamba(Fields& f, LlmConfig& config, const ConfigOptions&) {
    if (auto s = parseDecoderCore(f, kMaxPlannedLayers, config); !s) {
        return s;
    }
    const std::int64_t L = config.numLayers;
    const std::int64_t attnPeriod = f.optional("attn_layer_period", 1, kMaxPlannedLayers, 8);
    const std::int64_t attnOffset = f.optional("attn_layer_offset", 0, kMaxPlannedLayers, 4);
    const std::int64_t expertPeriod = f.optional("expert_layer_period", 1, kMaxPlannedLayers, 2);
    const std::int64_t expertOffset = f.optional("expert_layer_offset", 0, kMaxPlannedLayers, 1);
    if (f.ok() && attnOffset >= attnPeriod) {
        f.fail("attn_layer_offset",
               "must be less than attn_layer_period " + std::to_string(attnPeriod));
    }
    if (f.ok() && expertOffset >= expertPeriod) {
        f.fail("expert_layer_offset",
               "must be less than expert_layer_period " + std::to_string(expertPeriod));
    }
    config.numExperts = f.optional("num_experts", 1, kMaxDimension, 16);
    config.expertsPerToken = f.optional("num_experts_per_tok", 1, config.numExperts, 2);
    SsmConfig& s = config.ssm;
    s.kind = SsmKind::mamba1;
    s.innerSize = f.optional("mamba_expand", 1, 64, 2) * config.hiddenSize;
    s.stateSize = f.optional("mamba_d_state", 1, kMaxDimension, 16);
    s.convKernel = f.optional("mamba_d_conv", 1, 1024, 4);
    s.dtRank = dtRank(f, "mamba_dt_rank", config.hiddenSize);
    s.convBias = f.flag("mamba_conv_bias", true);
    s.projBias = s.outBias = f.flag("mamba_proj_bias", false);
    s.dtBcNorms = true;
    config.tieEmbeddings = f.flag("tie_word_embeddings", false);
    config.layers.assign(static_cast<std::size_t>(L), LayerSpec{});
    for (std::int64_t i = 0; i < L; ++i) {
        LayerSpec& spec = config.layers[static_cast<std::size_t>(i)];
        const bool attention = i % attnPeriod == attnOffset;
        spec.attention = attention ? AttentionKind::full : AttentionKind::none;
        spec.rope = false;
        spec.ssm = attention ? SsmKind::none : SsmKind::mamba1;
        const bool moe = config.numExperts > 1 && i % expertPeriod == expertOffset;
        spec.ffn = moe ? FfnKind::moe : FfnKind::dense;
    }
    return status(f);
}

// Falcon-H1: attention and a Mamba-2 mixer on the same normed input, summed, then an MLP.
core::Status parseFalconH1(Fields& f, LlmConfig& config, const ConfigOptions&) {
    if (auto s = parseDecoderCore(f, kMaxPlannedLayers, config); !s) {
        return s;
    }
    config.attentionBias = config.outputBias = f.flag("attention_bias", false);
    config.mlpBias = f.flag("mlp_bias", false);
    const std::int64_t expand = f.optional("mamba_expand", 1, 64, 2);
    const std::int64_t inner =
        f.optional("mamba_d_ssm", 1, kMaxDimension, expand * config.hiddenSize);
    mamba2Fields(f,
                 {"mamba_n_heads", "mamba_d_head", "mamba_n_groups", "mamba_d_state",
                  "mamba_d_conv", "mamba_chunk_size"},
                 inner, config);
    SsmConfig& s = config.ssm;
    if (!f.has("mamba_d_state")) {
        s.stateSize = 256;  // FalconH1Config default
    }
    s.convBias = f.flag("mamba_conv_bias", true);
    s.projBias = f.flag("mamba_proj_bias", false);
    s.outBias = f.flag("projectors_bias", false);
    s.gatedNorm = f.flag("mamba_rms_norm", false);
    config.tieEmbeddings = f.flag("tie_word_embeddings", false);
    ssmPlan(config, AttentionKind::full, FfnKind::dense, SsmKind::mamba2);
    return status(f);
}

}  // namespace rooflens::models::detail
