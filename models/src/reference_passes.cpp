// Reference-model workloads (reference_passes.h), through the same config parsers and builders
// as every preset.
#include "models/reference_passes.h"

#include <nlohmann/json.hpp>

#include "models/llm.h"
#include "models/vit.h"

namespace rooflens::models {

core::Result<core::Workload> referenceDecoderPass(const ReferenceDecoder& d, core::Phase phase,
                                                  std::int64_t prompt) {
    const nlohmann::json doc = {{"model_type", "llama"},
                                {"hidden_size", d.hidden},
                                {"intermediate_size", d.intermediate},
                                {"num_hidden_layers", d.layers},
                                {"num_attention_heads", d.heads},
                                {"num_key_value_heads", d.kvHeads},
                                {"head_dim", d.headDim},
                                {"vocab_size", d.vocab},
                                {"max_position_embeddings", 4096},
                                {"hidden_act", "silu"},
                                {"tie_word_embeddings", false},
                                {"torch_dtype", "float32"}};
    auto config = parseLlmConfig(doc, "reference decoder", "reference-decoder");
    if (!config) {
        return config.error();
    }
    config->floatType = core::DataType::fp32;
    core::RunSettings s;
    s.phase = phase;
    s.batch = 1;
    s.promptLength = prompt;
    s.contextLength = phase == core::Phase::decode ? prompt + 1 : prompt;
    s.flashAttention = true;
    return buildLlm(*config, s, {});
}

core::Result<core::Workload> referenceVitPass(const ReferenceVit& v) {
    const nlohmann::json doc = {
        {"schema_version", 1},
        {"model_type", "vit"},
        {"image_size", v.image},
        {"patch_size", v.patch},
        {"in_channels", v.channels},
        {"embed_dim", v.dim},
        {"depth", v.depth},
        {"num_heads", v.heads},
        {"mlp_ratio", v.dim > 0 ? static_cast<double>(v.mlp) / static_cast<double>(v.dim) : 0.0},
        {"num_classes", v.classes},
        {"qkv_bias", true}};
    auto config = parseVitConfig(doc, "reference ViT", "reference-vit");
    if (!config) {
        return config.error();
    }
    config->floatType = core::DataType::fp32;
    core::RunSettings s;
    s.batch = 1;
    s.flashAttention = true;
    return buildVit(*config, s);
}

}  // namespace rooflens::models
