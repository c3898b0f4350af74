// quantization_config of real checkpoints -> LlmConfig::checkpointScenario: the formats and
// their effective bits, the modules kept in 16 bits, and the scenario applied to a build.
#include <algorithm>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "core/scenario.h"
#include "models/llm.h"
#include "models/presets.h"

namespace rooflens::models {
namespace {

const std::filesystem::path kHf = std::filesystem::path(ROOFLENS_TEST_DATA_DIR) / "models" / "hf";

LlmConfig hf(const std::string& file) {
    auto config = loadLlmConfig(kHf / file);
    EXPECT_TRUE(config.ok()) << config.error().message;
    return config.ok() ? *config : LlmConfig{};
}

std::vector<std::string> patterns(const core::Scenario& s) {
    std::vector<std::string> out;
    for (const auto& o : s.overrides) {
        out.push_back(o.pattern);
    }
    return out;
}

const core::Layer& layer(const core::Workload& w, const std::string& name) {
    for (const auto& l : w.layers) {
        if (l.name() == name) {
            return l;
        }
    }
    ADD_FAILURE() << "no layer " << name;
    static const core::Layer none;
    return none;
}

core::Workload decodeBuild(const LlmConfig& c) {
    core::RunSettings s;
    s.phase = core::Phase::decode;
    s.contextLength = 128;
    auto w = buildLlm(c, s);
    EXPECT_TRUE(w.ok());
    return w.ok() ? *w : core::Workload{};
}

TEST(CheckpointQuant, AwqZephyr) {
    const LlmConfig c = hf("zephyr-7B-alpha-AWQ.json");
    ASSERT_TRUE(c.checkpointScenario.has_value());
    const core::Scenario& s = *c.checkpointScenario;
    EXPECT_EQ(s.name, "checkpoint: awq w4 g128");
    ASSERT_TRUE(s.weights.has_value());
    EXPECT_EQ(s.weights->type, core::DataType::int4);
    // 4 bits + (fp16 scale + int4 zero) per 128 weights = 4.15625.
    EXPECT_DOUBLE_EQ(s.weights->effectiveBits(), 4 + 20.0 / 128);
    EXPECT_FALSE(s.activations.has_value());
    EXPECT_EQ(patterns(s), std::vector<std::string>{"lm_head"});
    auto w = core::applyScenario(s, decodeBuild(c));
    ASSERT_TRUE(w.ok()) << w.error().message;
    const auto& q = layer(*w, "blocks.0.q_proj");
    EXPECT_EQ(q.weightType, core::DataType::int4);
    EXPECT_DOUBLE_EQ(q.bytes.weights + q.bytes.metadata, 4096.0 * 4096 * (4 + 20.0 / 128) / 8);
    EXPECT_EQ(layer(*w, "lm_head").weightType, core::DataType::bf16);
    EXPECT_EQ(w->scenario, "checkpoint: awq w4 g128");
}

TEST(CheckpointQuant, FineGrainedFp8Qwen3Moe) {
    const LlmConfig c = hf("Qwen3-30B-A3B-FP8.json");
    ASSERT_TRUE(c.checkpointScenario.has_value());
    const core::Scenario& s = *c.checkpointScenario;
    EXPECT_EQ(s.name, "checkpoint: fp8 e4m3 w8a8 block 128x128");
    // One fp32 scale per 128 x 128 block: 8 + 32 / 16384 bits.
    EXPECT_DOUBLE_EQ(s.weights->effectiveBits(), 8 + 32.0 / 16384);
    ASSERT_TRUE(s.activations.has_value());
    EXPECT_DOUBLE_EQ(s.activations->effectiveBits(), 8 + 32.0 / 128);
    // modules_to_not_convert lists lm_head and every layer's norms and mlp.gate (the router):
    // norms are never quantized, the 48 routers become one pattern.
    EXPECT_EQ(patterns(s), (std::vector<std::string>{"lm_head", "blocks.*.router"}));
    auto w = core::applyScenario(s, decodeBuild(c));
    ASSERT_TRUE(w.ok()) << w.error().message;
    EXPECT_EQ(layer(*w, "blocks.7.router").weightType, core::DataType::bf16);
    EXPECT_EQ(layer(*w, "blocks.7.experts.up_proj").weightType, core::DataType::fp8_e4m3);
    EXPECT_EQ(layer(*w, "blocks.7.experts.up_proj").computeType, core::DataType::fp8_e4m3);
    EXPECT_EQ(layer(*w, "blocks.7.q_proj").weightType, core::DataType::fp8_e4m3);
}

TEST(CheckpointQuant, DeepSeekV3Fp8) {
    const LlmConfig c = hf("DeepSeek-V3.json");
    ASSERT_TRUE(c.checkpointScenario.has_value());
    EXPECT_EQ(c.checkpointScenario->name, "checkpoint: fp8 e4m3 w8a8 block 128x128");
    EXPECT_EQ(patterns(*c.checkpointScenario),
              (std::vector<std::string>{"lm_head", "blocks.*.router"}));
    // The preset is the same file: it carries the scenario too.
    auto preset = resolveLlm("deepseek-v3");
    ASSERT_TRUE(preset.ok());
    EXPECT_TRUE(preset->checkpointScenario.has_value());
}

TEST(CheckpointQuant, CompressedTensorsKimi) {
    const LlmConfig c = hf("Kimi-K2.5.json");
    ASSERT_TRUE(c.checkpointScenario.has_value());
    const core::Scenario& s = *c.checkpointScenario;
    EXPECT_EQ(s.name, "checkpoint: compressed-tensors w4 g32");
    // int4, symmetric (no zero), a 16-bit scale per 32 weights: 4.5 bits.
    EXPECT_DOUBLE_EQ(s.weights->effectiveBits(), 4.5);
    EXPECT_FALSE(s.weights->zero.has_value());
    // ignore: lm_head, every self_attn projection, the shared experts and the dense MLP of
    // block 0 (the only layer below first_k_dense_replace 1); routed experts stay int4.
    const auto p = patterns(s);
    for (const char* kept :
         {"lm_head", "blocks.*.router", "blocks.*.q_a_proj", "blocks.*.kv_b_proj",
          "blocks.*.q_absorb", "blocks.*.o_proj", "blocks.*.shared_experts.up_proj",
          "blocks.0.gate_proj", "blocks.0.down_proj"}) {
        EXPECT_NE(std::find(p.begin(), p.end(), kept), p.end()) << kept;
    }
    for (const std::string& pattern : p) {
        EXPECT_EQ(pattern.find("experts.gate_proj") == std::string::npos ||
                      pattern.find("shared_experts") != std::string::npos,
                  true)
            << pattern;
    }
    auto w = core::applyScenario(s, decodeBuild(c));
    ASSERT_TRUE(w.ok()) << w.error().message;
    EXPECT_EQ(layer(*w, "blocks.5.experts.gate_proj").weightType, core::DataType::int4);
    EXPECT_EQ(layer(*w, "blocks.5.q_absorb").weightType, core::DataType::bf16);
    EXPECT_EQ(layer(*w, "blocks.5.shared_experts.down_proj").weightType, core::DataType::bf16);
    EXPECT_EQ(layer(*w, "blocks.0.up_proj").weightType, core::DataType::bf16);
}

TEST(CheckpointQuant, GptOssMxfp4ExpertsAttentionAndRouterStayBf16) {
    // gpt-oss ships MXFP4 experts (E2M1 + one E8M0 scale per 32 = 4.25 bits) and keeps the
    // modules_to_not_convert (self_attn, router, embed_tokens, lm_head) in 16 bits.
    const LlmConfig c = hf("gpt-oss-120b.json");
    ASSERT_TRUE(c.checkpointScenario.has_value());
    const core::Scenario& s = *c.checkpointScenario;
    EXPECT_EQ(s.name, "checkpoint: mxfp4");
    ASSERT_TRUE(s.weights.has_value());
    EXPECT_EQ(s.weights->type, core::DataType::mxfp4);
    EXPECT_DOUBLE_EQ(s.weights->effectiveBits(), 4.25);
    auto w = core::applyScenario(s, decodeBuild(c));
    ASSERT_TRUE(w.ok()) << w.error().message;
    EXPECT_EQ(layer(*w, "blocks.0.experts.down_proj").weightType, core::DataType::mxfp4);
    EXPECT_NE(layer(*w, "blocks.0.q_proj").weightType, core::DataType::mxfp4);
    EXPECT_NE(layer(*w, "blocks.0.router").weightType, core::DataType::mxfp4);
    EXPECT_NE(layer(*w, "lm_head").weightType, core::DataType::mxfp4);
}

core::Result<LlmConfig> withQuantization(const std::string& block) {
    auto doc = core::parseJsonText(R"({"model_type": "llama", "hidden_size": 256,
        "intermediate_size": 512, "num_hidden_layers": 2, "num_attention_heads": 4,
        "vocab_size": 1000, "max_position_embeddings": 512, "quantization_config": )" +
                                       block + "}",
                                   "quant.json");
    if (!doc) {
        return doc.error();
    }
    return parseLlmConfig(*doc, "quant.json", "quant");
}

TEST(CheckpointQuant, InlineFormats) {
    struct Case {
        const char* block;
        const char* name;
        double bits;
    };
    const Case cases[] = {
        {R"({"quant_method": "gptq", "bits": 4, "group_size": 128, "desc_act": true})",
         "checkpoint: gptq w4 g128", 4 + 20.0 / 128},
        {R"({"quant_method": "gptq", "bits": 8, "group_size": 64, "sym": true})",
         "checkpoint: gptq w8 g64", 8 + 24.0 / 64},
        {R"({"quant_method": "awq", "bits": 4, "group_size": 64, "zero_point": false})",
         "checkpoint: awq w4 g64", 4 + 16.0 / 64},
        // NF4, block 64, absmax double-quantized to int8 in blocks of 256 with an fp32 constant.
        {R"({"quant_method": "bitsandbytes", "load_in_4bit": true, "bnb_4bit_quant_type": "nf4",
             "bnb_4bit_use_double_quant": true})",
         "checkpoint: bitsandbytes nf4", 4 + 8.0 / 64 + 32.0 / (64 * 256)},
        {R"({"quant_method": "bitsandbytes", "load_in_4bit": true, "bnb_4bit_quant_type": "nf4"})",
         "checkpoint: bitsandbytes nf4", 4 + 32.0 / 64},
        {R"({"quant_method": "fp8", "fmt": "e4m3", "activation_scheme": "dynamic"})",
         "checkpoint: fp8 e4m3 w8a8", 8},
    };
    for (const Case& c : cases) {
        auto config = withQuantization(c.block);
        ASSERT_TRUE(config.ok()) << config.error().message;
        ASSERT_TRUE(config->checkpointScenario.has_value()) << c.block;
        EXPECT_EQ(config->checkpointScenario->name, c.name);
        EXPECT_DOUBLE_EQ(config->checkpointScenario->weights->effectiveBits(), c.bits) << c.name;
    }
    // bitsandbytes LLM.int8: one fp32 scale per output row (channelScale, bits / k).
    auto int8 = withQuantization(R"({"quant_method": "bitsandbytes", "load_in_8bit": true})");
    ASSERT_TRUE(int8.ok());
    EXPECT_DOUBLE_EQ(int8->checkpointScenario->weights->effectiveBits(256), 8 + 32.0 / 256);
    // Not modelled: no scenario and a note, never an error.
    auto hqq = withQuantization(R"({"quant_method": "hqq", "nbits": 4})");
    ASSERT_TRUE(hqq.ok()) << hqq.error().message;
    EXPECT_FALSE(hqq->checkpointScenario.has_value());
    EXPECT_FALSE(hqq->notes.empty());
}

}  // namespace
}  // namespace rooflens::models
