// config.json parsing, presets and --model resolution.
#include <algorithm>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "models/llm.h"
#include "models/presets.h"

namespace rooflens::models {
namespace {

const std::filesystem::path kDataDir = std::filesystem::path(ROOFLENS_TEST_DATA_DIR) / "models";

core::Result<LlmConfig> parseText(const std::string& text) {
    auto document = core::parseJsonText(text, "inline.json");
    if (!document) {
        return document.error();
    }
    return parseLlmConfig(*document, "inline.json", "inline");
}

// A minimal llama config with `extra` fields merged over it.
core::Result<LlmConfig> parseLlama(const core::Json& extra) {
    core::Json doc = {{"model_type", "llama"},          {"hidden_size", 4096},
                      {"intermediate_size", 11008},     {"num_hidden_layers", 32},
                      {"num_attention_heads", 32},      {"vocab_size", 32000},
                      {"max_position_embeddings", 4096}};
    if (extra.is_object()) {
        doc.update(extra);
    }
    return parseLlmConfig(doc, "inline.json", "inline");
}

TEST(LlmConfig, Llama2Preset) {
    auto config = resolveLlm("llama-2-7b");
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->id, "llama-2-7b");
    EXPECT_EQ(config->modelType, "llama");
    EXPECT_EQ(config->hiddenSize, 4096);
    EXPECT_EQ(config->intermediateSize, 11008);
    EXPECT_EQ(config->numLayers, 32);
    EXPECT_EQ(config->numHeads, 32);
    EXPECT_EQ(config->numKvHeads, 32);
    EXPECT_EQ(config->headDim, 128);
    EXPECT_EQ(config->vocabSize, 32000);
    EXPECT_EQ(config->maxPositions, 4096);
    EXPECT_EQ(config->learnedPositions, 0);
    EXPECT_EQ(config->slidingWindow, 0);
    EXPECT_EQ(config->numExperts, 0);
    EXPECT_FALSE(config->tieEmbeddings);
    EXPECT_FALSE(config->attentionBias);
    EXPECT_FALSE(config->outputBias);
    EXPECT_FALSE(config->mlpBias);
    EXPECT_EQ(config->mlp, MlpKind::gated);
    EXPECT_EQ(config->norm, NormKind::rms);
    EXPECT_EQ(config->activation, Activation::silu);
    EXPECT_EQ(config->floatType, core::DataType::fp16);
}

TEST(LlmConfig, MistralSlidingWindowAndGqa) {
    auto config = resolveLlm("mistral-7b");
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->slidingWindow, 4096);
    EXPECT_EQ(config->numKvHeads, 8);
    EXPECT_EQ(config->maxPositions, 32768);
    EXPECT_EQ(config->floatType, core::DataType::bf16);
}

TEST(LlmConfig, MixtralExpertsWithoutSlidingWindow) {
    auto config = resolveLlm("mixtral-8x7b");
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->numExperts, 8);
    EXPECT_EQ(config->expertsPerToken, 2);
    EXPECT_EQ(config->intermediateSize, 14336);
    EXPECT_EQ(config->slidingWindow, 0);  // "sliding_window": null
}

TEST(LlmConfig, Qwen2BiasesAndDisabledWindow) {
    auto config = resolveLlm("qwen2-7b");
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->headDim, 128);
    EXPECT_EQ(config->numKvHeads, 4);
    EXPECT_TRUE(config->attentionBias);
    EXPECT_FALSE(config->outputBias);
    EXPECT_FALSE(config->mlpBias);
    EXPECT_EQ(config->slidingWindow, 0);  // use_sliding_window false
    EXPECT_FALSE(config->tieEmbeddings);
}

TEST(LlmConfig, Qwen2SlidingWindowOnlyWhenEnabled) {
    auto config = parseText(R"({"model_type": "qwen2", "hidden_size": 896,
        "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
        "num_key_value_heads": 2, "vocab_size": 151936, "max_position_embeddings": 32768,
        "use_sliding_window": true, "sliding_window": 4096})");
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->slidingWindow, 4096);
    EXPECT_EQ(config->headDim, 64);
}

TEST(LlmConfig, OptPreset) {
    auto config = resolveLlm("opt-6.7b");
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->modelType, "opt");
    EXPECT_EQ(config->intermediateSize, 16384);
    EXPECT_EQ(config->numKvHeads, 32);
    EXPECT_EQ(config->learnedPositions, 2050);
    EXPECT_TRUE(config->tieEmbeddings);
    EXPECT_TRUE(config->attentionBias);
    EXPECT_TRUE(config->outputBias);
    EXPECT_TRUE(config->mlpBias);
    EXPECT_EQ(config->mlp, MlpKind::plain);
    EXPECT_EQ(config->norm, NormKind::layer);
    EXPECT_EQ(config->activation, Activation::relu);
}

TEST(LlmConfig, OptDefaultsAndDisabledBias) {
    auto config = parseText(R"({"model_type": "opt", "hidden_size": 768, "ffn_dim": 3072,
        "num_hidden_layers": 12, "num_attention_heads": 12, "vocab_size": 50272,
        "max_position_embeddings": 2048, "enable_bias": false})");
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_FALSE(config->attentionBias);
    EXPECT_FALSE(config->outputBias);
    EXPECT_FALSE(config->mlpBias);
    EXPECT_TRUE(config->tieEmbeddings);  // OPT default
    EXPECT_EQ(config->activation, Activation::relu);
    EXPECT_EQ(config->floatType, core::DataType::fp16);
}

TEST(LlmConfig, KvHeadsDefaultToHeadsAndOneMeansMqa) {
    auto mha = parseLlama({});
    ASSERT_TRUE(mha.ok()) << mha.error().message;
    EXPECT_EQ(mha->numKvHeads, 32);
    auto nullKv = parseLlama({{"num_key_value_heads", nullptr}});
    ASSERT_TRUE(nullKv.ok()) << nullKv.error().message;
    EXPECT_EQ(nullKv->numKvHeads, 32);
    auto mqa = parseLlama({{"num_key_value_heads", 1}});
    ASSERT_TRUE(mqa.ok()) << mqa.error().message;
    EXPECT_EQ(mqa->numKvHeads, 1);
}

TEST(LlmConfig, ExplicitHeadDimNeedNotDivideHidden) {
    auto config =
        parseLlama({{"hidden_size", 5120}, {"num_attention_heads", 48}, {"head_dim", 128}});
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->headDim, 128);
}

TEST(LlmConfig, LlamaBiasFlags) {
    auto config = parseLlama({{"attention_bias", true}, {"mlp_bias", true}});
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_TRUE(config->attentionBias);
    EXPECT_TRUE(config->outputBias);  // LlamaAttention's o_proj follows attention_bias
    EXPECT_TRUE(config->mlpBias);
}

TEST(LlmConfig, GeluIsAGatedActivation) {
    auto config = parseLlama({{"hidden_act", "gelu_pytorch_tanh"}});
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->activation, Activation::gelu);
    EXPECT_EQ(config->mlp, MlpKind::gated);
}

TEST(LlmConfig, TorchDtypeMapping) {
    struct Case {
        core::Json value;
        core::DataType expected;
    };
    const std::vector<Case> cases = {
        {"float16", core::DataType::fp16},
        {"bfloat16", core::DataType::bf16},
        {"float32", core::DataType::fp16},
        {nullptr, core::DataType::fp16},
    };
    for (const Case& c : cases) {
        auto config = parseLlama({{"torch_dtype", c.value}});
        ASSERT_TRUE(config.ok()) << config.error().message;
        EXPECT_EQ(config->floatType, c.expected) << c.value.dump();
    }
    auto renamed = parseLlama({{"dtype", "bfloat16"}});
    ASSERT_TRUE(renamed.ok()) << renamed.error().message;
    EXPECT_EQ(renamed->floatType, core::DataType::bf16);
}

TEST(LlmConfig, UpperBoundsAreInclusive) {
    auto config = parseLlama({{"vocab_size", 16777216}, {"max_position_embeddings", 67108864}});
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->vocabSize, 16777216);
    EXPECT_EQ(config->maxPositions, 67108864);
    // 4096 blocks at most (issue 18, 3): the report has one entry per layer, so the 2^20 layers
    // of a hidden_size-1 config (an 8 GiB JSON report before) are refused where they are read.
    auto deepest = parseLlama({{"num_hidden_layers", 4096}});
    ASSERT_TRUE(deepest.ok()) << deepest.error().message;
    EXPECT_EQ(deepest->numLayers, 4096);
    auto absurd = parseLlama({{"hidden_size", 1}, {"num_hidden_layers", 1048576}});
    ASSERT_FALSE(absurd.ok());
    EXPECT_NE(absurd.error().message.find("/num_hidden_layers"), std::string::npos)
        << absurd.error().message;
    EXPECT_NE(absurd.error().message.find("expected an integer in [1, 4096], got 1048576"),
              std::string::npos)
        << absurd.error().message;
}

TEST(LlmConfig, ConfigJsonIsNamedByItsFolder) {
    auto config = loadLlmConfig(kDataDir / "tiny-llama" / "config.json");
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->id, "tiny-llama");
    EXPECT_EQ(config->numKvHeads, 4);
    EXPECT_EQ(config->headDim, 64);

    auto viaPath = resolveLlm((kDataDir / "tiny-llama" / "config.json").string());
    ASSERT_TRUE(viaPath.ok()) << viaPath.error().message;
    EXPECT_EQ(viaPath->id, "tiny-llama");

    auto viaFolder = resolveLlm((kDataDir / "tiny-llama").string());
    ASSERT_TRUE(viaFolder.ok()) << viaFolder.error().message;
    EXPECT_EQ(viaFolder->id, "tiny-llama");
}

TEST(LlmConfig, OtherFilesAreNamedByTheirStem) {
    auto config = resolveLlm((presetDir() / "mistral-7b.json").string());
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->id, "mistral-7b");
}

TEST(Presets, ListIsSortedAndComplete) {
    const std::vector<std::string> ids = listPresets();
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    for (const char* id : {"llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3-8b", "llama-3-70b",
                           "mistral-7b", "mixtral-8x7b", "qwen2-7b", "opt-6.7b"}) {
        EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
    }
}

TEST(Presets, EveryPresetLoadsAndNamesItsSource) {
    for (const std::string& id : listPresets()) {
        auto config = resolveLlm(id);
        ASSERT_TRUE(config.ok()) << config.error().message;
        EXPECT_EQ(config->id, id);
        auto document = core::parseJsonFile(presetDir() / (id + ".json"));
        ASSERT_TRUE(document.ok()) << document.error().message;
        ASSERT_TRUE(document->contains("_source")) << id;
        EXPECT_TRUE((*document)["_source"].is_string()) << id;
    }
}

TEST(Presets, UnknownIdListsTheAvailableOnes) {
    auto config = resolveLlm("llama-9-1b");
    ASSERT_FALSE(config.ok());
    const std::string& message = config.error().message;
    EXPECT_NE(message.find("llama-9-1b"), std::string::npos) << message;
    EXPECT_NE(message.find("llama-2-7b"), std::string::npos) << message;
    EXPECT_NE(message.find("mixtral-8x7b"), std::string::npos) << message;
    EXPECT_NE(message.find("opt-6.7b"), std::string::npos) << message;
}

TEST(Presets, MissingFileNamesThePath) {
    auto config = resolveLlm("no/such/config.json");
    ASSERT_FALSE(config.ok());
    EXPECT_NE(config.error().message.find("no/such/config.json"), std::string::npos)
        << config.error().message;
}

// One fixture per defect: the message must name the file, the JSON path and the problem.
struct BadConfig {
    const char* file;
    const char* path;      // JSON pointer (or another location) the message must contain
    const char* fragment;  // what the message must say
};

void PrintTo(const BadConfig& bad, std::ostream* os) {
    *os << bad.file;
}

class BadConfigTest : public ::testing::TestWithParam<BadConfig> {};

TEST_P(BadConfigTest, IsRejectedWithALocatedMessage) {
    const BadConfig& bad = GetParam();
    auto config = loadLlmConfig(kDataDir / "bad" / bad.file);
    ASSERT_FALSE(config.ok()) << bad.file << " was accepted";
    const std::string& message = config.error().message;
    EXPECT_NE(message.find(bad.file), std::string::npos) << message;
    EXPECT_NE(message.find(bad.path), std::string::npos) << message;
    EXPECT_NE(message.find(bad.fragment), std::string::npos) << message;
}

const BadConfig kBadConfigs[] = {
    {"invalid_json.json", "line 5", "invalid JSON"},
    {"not_an_object.json", ": /: ", "expected an object"},
    {"missing_model_type.json", "/model_type", "missing required field"},
    {"missing_hidden_size.json", "/hidden_size", "missing required field"},
    {"string_dimension.json", "/hidden_size", "expected an integer in [1, 16777216], got \"4096\""},
    {"negative_dimension.json", "/hidden_size", "expected an integer in [1, 16777216], got -4096"},
    {"zero_layers.json", "/num_hidden_layers", "expected an integer in [1, 4096], got 0"},
    {"fractional_dimension.json", "/intermediate_size", "got 11008.5"},
    {"absurd_dimension.json", "/vocab_size", "expected an integer in [1, 16777216], got 1e+30"},
    {"dimension_over_limit.json", "/hidden_size", "got 16777217"},
    {"positions_over_limit.json", "/max_position_embeddings",
     "expected an integer in [1, 67108864], got 67108865"},
    {"product_overflows_uint64.json", "product_overflows_uint64.json: ", "dimensions too large"},
    {"product_exceeds_2_53.json", "product_exceeds_2_53.json: ", "dimensions too large"},
    {"heads_not_dividing_hidden.json", "/num_attention_heads",
     "hidden_size 4096 is not divisible by num_attention_heads 3"},
    {"kv_heads_not_dividing_heads.json", "/num_key_value_heads",
     "num_attention_heads 32 is not divisible by num_key_value_heads 5"},
    {"unknown_model_type.json", "/model_type",
     "unsupported model_type \"gpt2\"; supported: llama, mistral, qwen2, mixtral, opt"},
    {"bad_torch_dtype.json", "/torch_dtype", "got \"int8\""},
    {"bad_hidden_act.json", "/hidden_act", "got \"tanh\""},
    {"bool_as_number.json", "/tie_word_embeddings", "expected true or false, got 1"},
    {"top_k_over_experts.json", "/num_experts_per_tok", "expected an integer in [1, 8], got 9"},
    {"one_expert.json", "/num_local_experts", "expected an integer in [2, 16777216], got 1"},
    {"missing_experts.json", "/num_local_experts", "missing required field"},
    {"bad_sliding_window.json", "/sliding_window", "got \"4096\""},
    {"opt_post_norm.json", "/do_layer_norm_before", "post-norm OPT"},
    {"opt_embed_projection.json", "/word_embed_proj_dim", "word_embed_proj_dim 512"},
    {"opt_missing_ffn_dim.json", "/ffn_dim", "missing required field"},
    {"opt_bad_activation.json", "/activation_function", "got \"silu\""},
    // Frontier families: missing required fields, inconsistent heads, layer patterns that do
    // not fit the layers, absurd sizes, quantization_config.
    {"deepseek_missing_kv_lora_rank.json", "/kv_lora_rank", "missing required field"},
    {"deepseek_top_k_over_experts.json", "/num_experts_per_tok",
     "expected an integer in [1, 64], got 100"},
    {"qwen3_moe_missing_moe_intermediate_size.json", "/moe_intermediate_size",
     "missing required field"},
    {"qwen3_moe_mlp_only_layer_out_of_range.json", "/mlp_only_layers/0",
     "expected an integer in [0, 47], got 48"},
    {"quant_fp8_one_block_dimension.json", "/quantization_config/weight_block_size",
     "expected two block dimensions"},
    {"quant_missing_method.json", "/quantization_config/quant_method", "missing required field"},
    {"gpt_oss_layer_types_longer_than_layers.json", "/layer_types",
     "has 38 entries but num_hidden_layers is 36"},
    {"gpt_oss_zero_head_dim.json", "/head_dim", "expected an integer in [1, 16777216], got 0"},
    {"gemma3_unknown_layer_type.json", "/text_config/layer_types/3", "got \"linear_attention\""},
    {"gemma3_absurd_vocab.json", "/text_config/vocab_size", "got 1e+30"},
    {"llama4_kv_heads_not_dividing_heads.json", "/text_config/num_key_value_heads",
     "num_attention_heads 40 is not divisible by num_key_value_heads 6"},
    {"llama4_no_rope_layers_too_short.json", "/text_config/no_rope_layers",
     "has 4 entries, fewer than num_hidden_layers 48"},
    {"wrapped_unknown_text_model.json", "/text_config/model_type",
     "unsupported model_type \"llama5_text\""},
    {"jamba_attn_offset_not_below_period.json", "/attn_layer_offset",
     "must be less than attn_layer_period 8"},
    {"jamba_absurd_layer_count.json", "/num_hidden_layers",
     "expected an integer in [1, 4096], got 10000000"},
    {"falcon_h1_ssm_heads_not_matching_width.json", "/mamba_n_heads",
     "mamba_n_heads 24 x mamba_d_head 64 must equal the SSM width 2048"},
    {"mamba_missing_hidden_size.json", "/hidden_size", "missing required field"},
    {"mamba_bad_time_step_rank.json", "/time_step_rank", "expected an integer or \"auto\""},
    {"phi3_kv_heads_not_dividing_heads.json", "/num_key_value_heads",
     "num_attention_heads 32 is not divisible by num_key_value_heads 5"},
};

INSTANTIATE_TEST_SUITE_P(Fixtures, BadConfigTest, ::testing::ValuesIn(kBadConfigs),
                         [](const ::testing::TestParamInfo<BadConfig>& info) {
                             std::string name = info.param.file;
                             name = name.substr(0, name.find('.'));
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

TEST(BadConfig, EveryFixtureIsCovered) {
    std::vector<std::string> files;
    for (const auto& entry : std::filesystem::directory_iterator(kDataDir / "bad")) {
        files.push_back(entry.path().filename().string());
    }
    for (const std::string& file : files) {
        bool covered = std::any_of(std::begin(kBadConfigs), std::end(kBadConfigs),
                                   [&](const BadConfig& bad) { return file == bad.file; });
        EXPECT_TRUE(covered) << file << " has no entry in kBadConfigs";
    }
}

}  // namespace
}  // namespace rooflens::models
