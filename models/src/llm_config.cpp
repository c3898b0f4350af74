// Hugging Face config.json -> LlmConfig: dispatch on model_type or architectures[0] (into a
// nested text_config where the checkpoint wraps its language model), the shared fields, and the
// original families (llama, mistral, qwen2, mixtral, opt). Field mapping: docs/models.md.
#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "config_families.h"
#include "config_fields.h"
#include "core/json_io.h"
#include "core/result.h"
#include "models/llm.h"

namespace rooflens::models {

namespace {

using core::Json;
using core::JsonReader;
using core::Result;
using core::Status;
using detail::Fields;
using detail::kMaxDimension;
using detail::kMaxPositions;

// The largest count a double holds exactly: ModelFacts and reports carry parameters as doubles.
constexpr std::uint64_t kMaxParameters = std::uint64_t{1} << 53;

Status parseOpt(Fields& f, LlmConfig& config) {
    if (auto status = detail::parseDimensions(f, "ffn_dim", detail::kMaxLayers, config); !status) {
        return status;
    }
    if (auto status = detail::parseHeadDim(f, false, config); !status) {
        return status;
    }
    config.numKvHeads = config.numHeads;
    // OPTLearnedPositionalEmbedding keeps two extra rows (its offset of 2).
    config.learnedPositions = config.maxPositions + 2;
    if (!f.flag("do_layer_norm_before", true)) {
        f.fail("do_layer_norm_before",
               "post-norm OPT (do_layer_norm_before false, as in opt-350m) is not supported");
    }
    if (f.flag("_remove_final_layer_norm", false)) {
        f.fail("_remove_final_layer_norm", "OPT without a final layer norm is not supported");
    }
    if (!f.flag("layer_norm_elementwise_affine", true)) {
        f.fail("layer_norm_elementwise_affine",
               "layer norms without weight and bias are not supported");
    }
    const std::int64_t projDim =
        f.optional("word_embed_proj_dim", 1, kMaxDimension, config.hiddenSize);
    if (f.ok() && projDim != config.hiddenSize) {
        f.fail("word_embed_proj_dim",
               "embedding projections (project_in/project_out) are not supported: "
               "word_embed_proj_dim " +
                   std::to_string(projDim) + " must equal hidden_size " +
                   std::to_string(config.hiddenSize));
    }
    const std::string activation = f.text("activation_function", "relu");
    if (activation == "relu") {
        config.activation = Activation::relu;
    } else if (activation == "gelu" || activation == "gelu_new") {
        config.activation = Activation::gelu;
    } else if (f.ok()) {
        f.failExpected("activation_function", "one of relu, gelu, gelu_new");
    }
    const bool bias = f.flag("enable_bias", true);
    config.attentionBias = config.outputBias = config.mlpBias = bias;
    config.tieEmbeddings = f.flag("tie_word_embeddings", true);
    config.mlp = MlpKind::plain;
    config.norm = NormKind::layer;
    return f.ok() ? Status(core::Ok{}) : Status(f.error());
}

// llama, mistral, qwen2 and mixtral: RMSNorm, rotary positions, gated MLP.
Status parseLlamaFamily(Fields& f, LlmConfig& config) {
    if (auto status = detail::parseDecoderCore(f, detail::kMaxLayers, config); !status) {
        return status;
    }
    const std::string& type = config.modelType;
    if (type == "llama") {
        // LlamaAttention puts attention_bias on q, k, v and o_proj alike.
        config.attentionBias = config.outputBias = f.flag("attention_bias", false);
        config.mlpBias = f.flag("mlp_bias", false);
    } else if (type == "qwen2") {
        config.attentionBias = true;
        if (f.flag("use_sliding_window", false)) {
            config.slidingWindow = f.required("sliding_window", 1, kMaxPositions);
        }
    } else {  // mistral, mixtral
        config.slidingWindow = f.optional("sliding_window", 1, kMaxPositions, 0);
    }
    if (type == "mixtral") {
        config.numExperts = f.required("num_local_experts", 2, kMaxDimension);
        config.expertsPerToken = f.required("num_experts_per_tok", 1, config.numExperts);
    }
    config.tieEmbeddings = f.flag("tie_word_embeddings", false);
    return f.ok() ? Status(core::Ok{}) : Status(f.error());
}

using FamilyParser = Status (*)(Fields&, LlmConfig&, const ConfigOptions&);

Status legacyOpt(Fields& f, LlmConfig& c, const ConfigOptions&) {
    return parseOpt(f, c);
}
Status legacyLlama(Fields& f, LlmConfig& c, const ConfigOptions&) {
    return parseLlamaFamily(f, c);
}

struct Family {
    std::string_view modelType;
    std::string_view architecture;
    FamilyParser parse;
};

// The first five keep the order of the original error message.
constexpr std::array<Family, 19> kFamilies = {{
    {"llama", "LlamaForCausalLM", legacyLlama},
    {"mistral", "MistralForCausalLM", legacyLlama},
    {"qwen2", "Qwen2ForCausalLM", legacyLlama},
    {"mixtral", "MixtralForCausalLM", legacyLlama},
    {"opt", "OPTForCausalLM", legacyOpt},
    {"qwen3", "Qwen3ForCausalLM", detail::parseQwen3},
    {"qwen3_moe", "Qwen3MoeForCausalLM", detail::parseQwen3Moe},
    {"qwen2_moe", "Qwen2MoeForCausalLM", detail::parseQwen2Moe},
    {"deepseek_v2", "DeepseekV2ForCausalLM", detail::parseDeepseek},
    {"deepseek_v3", "DeepseekV3ForCausalLM", detail::parseDeepseek},
    {"llama4", "Llama4ForCausalLM", detail::parseLlama4},
    {"gemma2", "Gemma2ForCausalLM", detail::parseGemma},
    {"gemma3", "Gemma3ForCausalLM", detail::parseGemma},
    {"phi3", "Phi3ForCausalLM", detail::parsePhi3},
    {"gpt_oss", "GptOssForCausalLM", detail::parseGptOss},
    {"mamba", "MambaForCausalLM", detail::parseMamba},
    {"mamba2", "Mamba2ForCausalLM", detail::parseMamba2},
    {"jamba", "JambaForCausalLM", detail::parseJamba},
    {"falcon_h1", "FalconH1ForCausalLM", detail::parseFalconH1},
}};

// Names a family is also known by: the text model types of multimodal wrappers and the
// wrapper architectures.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kAliases = {{
    {"gemma3_text", "gemma3"},
    {"llama4_text", "llama4"},
    {"Gemma3ForConditionalGeneration", "gemma3"},
    {"Llama4ForConditionalGeneration", "llama4"},
}};

const Family* byModelType(std::string_view type) {
    for (const auto& [alias, target] : kAliases) {
        if (alias == type) {
            type = target;
        }
    }
    for (const Family& family : kFamilies) {
        if (family.modelType == type) {
            return &family;
        }
    }
    return nullptr;
}

const Family* byArchitecture(std::string_view architecture) {
    for (const auto& [alias, target] : kAliases) {
        if (alias == architecture) {
            return byModelType(target);
        }
    }
    for (const Family& family : kFamilies) {
        if (family.architecture == architecture) {
            return &family;
        }
    }
    return nullptr;
}

std::string supportedTypesList() {
    std::string list;
    for (const Family& family : kFamilies) {
        list += (list.empty() ? "" : ", ") + std::string(family.modelType);
    }
    return list;
}

std::string firstArchitecture(const Json& obj) {
    auto it = obj.find("architectures");
    if (it != obj.end() && it->is_array() && !it->empty() && it->front().is_string()) {
        return it->front().get<std::string>();
    }
    return {};
}

struct Resolved {
    const Family* family = nullptr;
    const Json* object = nullptr;  // where the language model's fields are
    std::string base;              // its JSON pointer
    std::string architecture;
};

// model_type first, then architectures[0]; a wrapper without its own sizes is followed into
// its text_config (Llama 4, Gemma 3, Kimi-K2.5), whose architectures[0] may name the family.
Result<Resolved> resolveFamily(const JsonReader& reader, const Json& obj, const std::string& base,
                               const std::string& outerArchitecture) {
    std::string architecture = firstArchitecture(obj);
    if (architecture.empty()) {
        architecture = outerArchitecture;
    }
    auto text = obj.find("text_config");
    const bool wraps = text != obj.end() && text->is_object() && !obj.contains("hidden_size");
    if (wraps) {
        return resolveFamily(reader, *text, base + "/text_config", architecture);
    }
    const Family* family = nullptr;
    std::string type;
    if (auto it = obj.find("model_type"); it != obj.end() && it->is_string()) {
        type = it->get<std::string>();
        family = byModelType(type);
    }
    if (family == nullptr && !architecture.empty()) {
        family = byArchitecture(architecture);
    }
    if (family != nullptr) {
        return Resolved{family, &obj, base, architecture};
    }
    if (type.empty()) {
        auto missing = reader.string(obj, base, "model_type");
        if (!missing) {
            return missing.error();
        }
    }
    std::string message =
        "unsupported model_type \"" + type + "\"; supported: " + supportedTypesList() +
        " (ViT configs: vit, deit, swin). Use a preset (rooflens models list) or a config "
        "of a supported type";
    if (!architecture.empty()) {
        message += " (architectures[0] \"" + architecture + "\" is not known either)";
    }
    return reader.error(core::childPath(base, "model_type"), message);
}

}  // namespace

namespace detail {

Status parseDimensions(Fields& f, std::string_view ffKey, std::int64_t maxLayers,
                       LlmConfig& config) {
    config.hiddenSize = f.required("hidden_size", 1, kMaxDimension);
    config.intermediateSize = f.required(ffKey, 1, kMaxDimension);
    config.numLayers = f.required("num_hidden_layers", 1, maxLayers);
    config.numHeads = f.required("num_attention_heads", 1, kMaxDimension);
    config.vocabSize = f.required("vocab_size", 1, kMaxDimension);
    config.maxPositions = f.required("max_position_embeddings", 1, kMaxPositions);
    return f.ok() ? Status(core::Ok{}) : Status(f.error());
}

// head_dim defaults to hidden_size / num_attention_heads, which must then divide evenly.
Status parseHeadDim(Fields& f, bool readHeadDim, LlmConfig& config) {
    if (readHeadDim && f.has("head_dim")) {
        config.headDim = f.required("head_dim", 1, kMaxDimension);
    } else if (config.hiddenSize % config.numHeads != 0) {
        f.fail("num_attention_heads", "hidden_size " + std::to_string(config.hiddenSize) +
                                          " is not divisible by num_attention_heads " +
                                          std::to_string(config.numHeads) +
                                          " and no head_dim is given");
    } else {
        config.headDim = config.hiddenSize / config.numHeads;
    }
    return f.ok() ? Status(core::Ok{}) : Status(f.error());
}

Status parseKvHeads(Fields& f, LlmConfig& config) {
    const std::int64_t kvHeads =
        f.optional("num_key_value_heads", 1, kMaxDimension, config.numHeads);
    if (f.ok() && config.numHeads % kvHeads != 0) {
        f.fail("num_key_value_heads", "num_attention_heads " + std::to_string(config.numHeads) +
                                          " is not divisible by num_key_value_heads " +
                                          std::to_string(kvHeads));
    }
    config.numKvHeads = kvHeads;
    return f.ok() ? Status(core::Ok{}) : Status(f.error());
}

void parseActivation(Fields& f, std::string_view key, std::string fallback, LlmConfig& config) {
    const std::string activation = f.text(key, std::move(fallback));
    if (activation == "silu" || activation == "swish") {
        config.activation = Activation::silu;
    } else if (activation == "gelu" || activation == "gelu_new" ||
               activation == "gelu_pytorch_tanh") {
        config.activation = Activation::gelu;
    } else if (f.ok()) {
        f.failExpected(key, "one of silu, gelu, gelu_new, gelu_pytorch_tanh");
    }
}

Status parseDecoderCore(Fields& f, std::int64_t maxLayers, LlmConfig& config) {
    if (auto status = parseDimensions(f, "intermediate_size", maxLayers, config); !status) {
        return status;
    }
    if (auto status = parseHeadDim(f, true, config); !status) {
        return status;
    }
    if (auto status = parseKvHeads(f, config); !status) {
        return status;
    }
    parseActivation(f, "hidden_act", "silu", config);
    config.mlp = MlpKind::gated;
    config.norm = NormKind::rms;
    return f.ok() ? Status(core::Ok{}) : Status(f.error());
}

}  // namespace detail

core::Result<LlmConfig> parseLlmConfig(const core::Json& document, const std::string& label,
                                       const std::string& id, const ConfigOptions& options) {
    JsonReader reader(label);
    if (!document.is_object()) {
        return reader.expected("", "an object (a Hugging Face config.json)", document);
    }
    auto resolved = resolveFamily(reader, document, "", "");
    if (!resolved) {
        return resolved.error();
    }
    LlmConfig config;
    config.id = id;
    config.modelType = std::string(resolved->family->modelType);
    config.architecture = resolved->architecture;
    config.countMtp = options.countMtp;
    Fields fields(reader, *resolved->object, resolved->base);
    if (auto status = resolved->family->parse(fields, config, options); !status) {
        return status.error();
    }
    auto floatType = detail::parseFloatType(fields, document, &config.checkpointDtype);
    if (!floatType) {
        return floatType.error();
    }
    config.floatType = *floatType;
    if (auto status = detail::parseVision(reader, document, config); !status) {
        return status.error();
    }
    if (auto status = detail::parseCheckpointQuantization(reader, document, *resolved->object,
                                                          resolved->base, config);
        !status) {
        return status.error();
    }
    // countParameters saturates instead of wrapping, so this also catches uint64 overflow.
    if (countParameters(config).total > kMaxParameters) {
        return core::makeError(label +
                               ": dimensions too large: the parameter count exceeds 2^53 "
                               "(9007199254740992); check hidden_size, intermediate_size, "
                               "num_hidden_layers, the head counts and vocab_size");
    }
    return config;
}

core::Result<LlmConfig> loadLlmConfig(const std::filesystem::path& path,
                                      const ConfigOptions& options) {
    auto document = detail::parseConfigFile(path);
    if (!document) {
        return document.error();
    }
    std::string id = path.stem().string();
    if (path.filename() == "config.json") {
        // A Hugging Face snapshot directory: the model is named by its folder.
        std::filesystem::path folder =
            std::filesystem::absolute(path).lexically_normal().parent_path().filename();
        if (!folder.empty()) {
            id = folder.string();
        }
    }
    return parseLlmConfig(*document, path.string(), id, options);
}

}  // namespace rooflens::models
