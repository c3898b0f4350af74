// Hugging Face config.json -> LlmConfig. Field mapping and the decisions behind it: docs/models.md.
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "core/result.h"
#include "models/llm.h"

namespace rooflens::models {

namespace {

using core::Json;
using core::JsonReader;
using core::Result;
using core::Status;

// Every dimension is at most 2^24 (max_position_embeddings 2^26), so products of two or three
// dimensions stay far from int64 overflow; the total parameter count is checked separately.
constexpr std::int64_t kMaxDimension = std::int64_t{1} << 24;
constexpr std::int64_t kMaxPositions = std::int64_t{1} << 26;
// The largest count a double holds exactly: ModelFacts and reports carry parameters as doubles.
constexpr std::uint64_t kMaxParameters = std::uint64_t{1} << 53;

constexpr std::array<std::string_view, 5> kSupportedTypes = {"llama", "mistral", "qwen2", "mixtral",
                                                             "opt"};

std::string supportedTypesList() {
    std::string list;
    for (std::string_view type : kSupportedTypes) {
        if (!list.empty()) {
            list += ", ";
        }
        list += type;
    }
    return list;
}

// A member that exists and is not null (Hugging Face writes null for "not set").
bool present(const Json& obj, std::string_view key) {
    auto it = obj.find(std::string(key));
    return it != obj.end() && !it->is_null();
}

Result<bool> optionalBool(const JsonReader& reader, const Json& doc, std::string_view key,
                          bool fallback) {
    if (!present(doc, key)) {
        return fallback;
    }
    return reader.boolean(doc, "", key);
}

Result<std::int64_t> optionalInteger(const JsonReader& reader, const Json& doc,
                                     std::string_view key, std::int64_t maximum,
                                     std::int64_t fallback) {
    if (!present(doc, key)) {
        return fallback;
    }
    return reader.integer(doc, "", key, 1, maximum);
}

Result<std::string> optionalString(const JsonReader& reader, const Json& doc, std::string_view key,
                                   std::string fallback) {
    if (!present(doc, key)) {
        return fallback;
    }
    return reader.string(doc, "", key);
}

// torch_dtype (named "dtype" since transformers 4.56): the checkpoint's float type. float32 and
// an absent field both map to fp16, the precision the cost model assumes for inference.
Result<core::DataType> parseFloatType(const JsonReader& reader, const Json& doc) {
    std::string_view key = present(doc, "torch_dtype") ? "torch_dtype" : "dtype";
    auto name = optionalString(reader, doc, key, "float16");
    if (!name) {
        return name.error();
    }
    if (*name == "float16" || *name == "half" || *name == "float32" || *name == "float") {
        return core::DataType::fp16;
    }
    if (*name == "bfloat16") {
        return core::DataType::bf16;
    }
    return reader.expected(core::childPath("", key), "one of float16, bfloat16, float32",
                           doc.at(std::string(key)));
}

// The dimensions every supported type shares. `ffKey` names the MLP width field.
Status parseDimensions(const JsonReader& reader, const Json& doc, std::string_view ffKey,
                       LlmConfig& config) {
    struct Field {
        std::string_view key;
        std::int64_t maximum;
        std::int64_t* target;
    };
    const std::array<Field, 6> fields = {{
        {"hidden_size", kMaxDimension, &config.hiddenSize},
        {ffKey, kMaxDimension, &config.intermediateSize},
        {"num_hidden_layers", kMaxDimension, &config.numLayers},
        {"num_attention_heads", kMaxDimension, &config.numHeads},
        {"vocab_size", kMaxDimension, &config.vocabSize},
        {"max_position_embeddings", kMaxPositions, &config.maxPositions},
    }};
    for (const Field& field : fields) {
        auto value = reader.integer(doc, "", field.key, 1, field.maximum);
        if (!value) {
            return value.error();
        }
        *field.target = *value;
    }
    return core::Ok{};
}

// head_dim defaults to hidden_size / num_attention_heads, which must then divide evenly.
Status parseHeadDim(const JsonReader& reader, const Json& doc, bool readHeadDim,
                    LlmConfig& config) {
    if (readHeadDim && present(doc, "head_dim")) {
        auto headDim = reader.integer(doc, "", "head_dim", 1, kMaxDimension);
        if (!headDim) {
            return headDim.error();
        }
        config.headDim = *headDim;
        return core::Ok{};
    }
    if (config.hiddenSize % config.numHeads != 0) {
        return reader.error("/num_attention_heads",
                            "hidden_size " + std::to_string(config.hiddenSize) +
                                " is not divisible by num_attention_heads " +
                                std::to_string(config.numHeads) + " and no head_dim is given");
    }
    config.headDim = config.hiddenSize / config.numHeads;
    return core::Ok{};
}

Status parseOpt(const JsonReader& reader, const Json& doc, LlmConfig& config) {
    if (auto status = parseDimensions(reader, doc, "ffn_dim", config); !status) {
        return status;
    }
    if (auto status = parseHeadDim(reader, doc, false, config); !status) {
        return status;
    }
    config.numKvHeads = config.numHeads;
    // OPTLearnedPositionalEmbedding keeps two extra rows (its offset of 2).
    config.learnedPositions = config.maxPositions + 2;

    auto preNorm = optionalBool(reader, doc, "do_layer_norm_before", true);
    if (!preNorm) {
        return preNorm.error();
    }
    if (!*preNorm) {
        return reader.error("/do_layer_norm_before",
                            "post-norm OPT (do_layer_norm_before false, as in opt-350m) is not "
                            "supported");
    }
    auto removeFinalNorm = optionalBool(reader, doc, "_remove_final_layer_norm", false);
    if (!removeFinalNorm) {
        return removeFinalNorm.error();
    }
    if (*removeFinalNorm) {
        return reader.error("/_remove_final_layer_norm",
                            "OPT without a final layer norm is not supported");
    }
    auto affine = optionalBool(reader, doc, "layer_norm_elementwise_affine", true);
    if (!affine) {
        return affine.error();
    }
    if (!*affine) {
        return reader.error("/layer_norm_elementwise_affine",
                            "layer norms without weight and bias are not supported");
    }
    auto projDim =
        optionalInteger(reader, doc, "word_embed_proj_dim", kMaxDimension, config.hiddenSize);
    if (!projDim) {
        return projDim.error();
    }
    if (*projDim != config.hiddenSize) {
        return reader.error("/word_embed_proj_dim",
                            "embedding projections (project_in/project_out) are not supported: "
                            "word_embed_proj_dim " +
                                std::to_string(*projDim) + " must equal hidden_size " +
                                std::to_string(config.hiddenSize));
    }

    auto activation = optionalString(reader, doc, "activation_function", "relu");
    if (!activation) {
        return activation.error();
    }
    if (*activation == "relu") {
        config.activation = Activation::relu;
    } else if (*activation == "gelu" || *activation == "gelu_new") {
        config.activation = Activation::gelu;
    } else {
        return reader.expected("/activation_function", "one of relu, gelu, gelu_new",
                               doc.at("activation_function"));
    }

    auto bias = optionalBool(reader, doc, "enable_bias", true);
    if (!bias) {
        return bias.error();
    }
    config.attentionBias = *bias;
    config.outputBias = *bias;
    config.mlpBias = *bias;
    auto tied = optionalBool(reader, doc, "tie_word_embeddings", true);
    if (!tied) {
        return tied.error();
    }
    config.tieEmbeddings = *tied;
    config.mlp = MlpKind::plain;
    config.norm = NormKind::layer;
    return core::Ok{};
}

// llama, mistral, qwen2 and mixtral: RMSNorm, rotary positions, gated MLP.
Status parseLlamaFamily(const JsonReader& reader, const Json& doc, LlmConfig& config) {
    if (auto status = parseDimensions(reader, doc, "intermediate_size", config); !status) {
        return status;
    }
    if (auto status = parseHeadDim(reader, doc, true, config); !status) {
        return status;
    }
    auto kvHeads =
        optionalInteger(reader, doc, "num_key_value_heads", kMaxDimension, config.numHeads);
    if (!kvHeads) {
        return kvHeads.error();
    }
    if (config.numHeads % *kvHeads != 0) {
        return reader.error("/num_key_value_heads",
                            "num_attention_heads " + std::to_string(config.numHeads) +
                                " is not divisible by num_key_value_heads " +
                                std::to_string(*kvHeads));
    }
    config.numKvHeads = *kvHeads;

    auto activation = optionalString(reader, doc, "hidden_act", "silu");
    if (!activation) {
        return activation.error();
    }
    if (*activation == "silu" || *activation == "swish") {
        config.activation = Activation::silu;
    } else if (*activation == "gelu" || *activation == "gelu_new" ||
               *activation == "gelu_pytorch_tanh") {
        config.activation = Activation::gelu;
    } else {
        return reader.expected("/hidden_act", "one of silu, gelu, gelu_new, gelu_pytorch_tanh",
                               doc.at("hidden_act"));
    }

    const std::string& type = config.modelType;
    if (type == "llama") {
        auto attentionBias = optionalBool(reader, doc, "attention_bias", false);
        if (!attentionBias) {
            return attentionBias.error();
        }
        auto mlpBias = optionalBool(reader, doc, "mlp_bias", false);
        if (!mlpBias) {
            return mlpBias.error();
        }
        // LlamaAttention puts attention_bias on q, k, v and o_proj alike.
        config.attentionBias = *attentionBias;
        config.outputBias = *attentionBias;
        config.mlpBias = *mlpBias;
    } else if (type == "qwen2") {
        config.attentionBias = true;
        auto useWindow = optionalBool(reader, doc, "use_sliding_window", false);
        if (!useWindow) {
            return useWindow.error();
        }
        if (*useWindow) {
            auto window = reader.integer(doc, "", "sliding_window", 1, kMaxPositions);
            if (!window) {
                return window.error();
            }
            config.slidingWindow = *window;
        }
    } else {  // mistral, mixtral
        auto window = optionalInteger(reader, doc, "sliding_window", kMaxPositions, 0);
        if (!window) {
            return window.error();
        }
        config.slidingWindow = *window;
    }

    if (type == "mixtral") {
        auto experts = reader.integer(doc, "", "num_local_experts", 2, kMaxDimension);
        if (!experts) {
            return experts.error();
        }
        auto topK = reader.integer(doc, "", "num_experts_per_tok", 1, *experts);
        if (!topK) {
            return topK.error();
        }
        config.numExperts = *experts;
        config.expertsPerToken = *topK;
    }

    auto tied = optionalBool(reader, doc, "tie_word_embeddings", false);
    if (!tied) {
        return tied.error();
    }
    config.tieEmbeddings = *tied;
    config.mlp = MlpKind::gated;
    config.norm = NormKind::rms;
    return core::Ok{};
}

}  // namespace

core::Result<LlmConfig> parseLlmConfig(const core::Json& document, const std::string& label,
                                       const std::string& id) {
    JsonReader reader(label);
    if (!document.is_object()) {
        return reader.expected("", "an object (a Hugging Face config.json)", document);
    }
    LlmConfig config;
    config.id = id;
    auto type = reader.string(document, "", "model_type");
    if (!type) {
        return type.error();
    }
    bool supported = false;
    for (std::string_view known : kSupportedTypes) {
        supported = supported || *type == known;
    }
    if (!supported) {
        return reader.error("/model_type", "unsupported model_type \"" + *type +
                                               "\"; supported: " + supportedTypesList());
    }
    config.modelType = *type;

    Status status = config.modelType == "opt" ? parseOpt(reader, document, config)
                                              : parseLlamaFamily(reader, document, config);
    if (!status) {
        return status.error();
    }
    auto floatType = parseFloatType(reader, document);
    if (!floatType) {
        return floatType.error();
    }
    config.floatType = *floatType;

    // countParameters saturates instead of wrapping, so this also catches uint64 overflow.
    if (countParameters(config).total > kMaxParameters) {
        return core::makeError(label +
                               ": dimensions too large: the parameter count exceeds 2^53 "
                               "(9007199254740992); check hidden_size, intermediate_size, "
                               "num_hidden_layers, the head counts and vocab_size");
    }
    return config;
}

core::Result<LlmConfig> loadLlmConfig(const std::filesystem::path& path) {
    auto document = core::parseJsonFile(path);
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
    return parseLlmConfig(*document, path.string(), id);
}

}  // namespace rooflens::models
