// The frontier families from their config.json files: exact parameter counts (next-wave.md
// section A's derivations, checked by hand in the comments), KV footprints by layer kind, the
// per-layer plans, dispatch into nested configs, and the weight inventory.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "models/llm.h"
#include "models/presets.h"

namespace rooflens::models {
namespace {

const std::filesystem::path kHf = std::filesystem::path(ROOFLENS_TEST_DATA_DIR) / "models" / "hf";

LlmConfig preset(const std::string& id, const ConfigOptions& options = {}) {
    auto config = resolveLlm(id, options);
    EXPECT_TRUE(config.ok()) << config.error().message;
    return config.ok() ? *config : LlmConfig{};
}

LlmConfig hf(const std::string& file, const ConfigOptions& options = {}) {
    auto config = loadLlmConfig(kHf / file, options);
    EXPECT_TRUE(config.ok()) << config.error().message;
    return config.ok() ? *config : LlmConfig{};
}

struct Anchor {
    const char* id;
    const char* type;
    std::uint64_t total;
    std::uint64_t active;               // including the embeddings
    std::uint64_t activeExclEmbedding;  // without the input embedding table
};

void PrintTo(const Anchor& a, std::ostream* os) {
    *os << a.id;
}

class AnchorTest : public ::testing::TestWithParam<Anchor> {};

TEST_P(AnchorTest, ExactParameterCounts) {
    const Anchor& a = GetParam();
    const LlmConfig c = preset(a.id);
    EXPECT_EQ(c.modelType, a.type);
    const ParameterCounts p = countParameters(c);
    EXPECT_EQ(p.total, a.total) << a.id;
    EXPECT_EQ(p.active, a.active) << a.id;
    EXPECT_EQ(p.activeExclEmbedding, a.activeExclEmbedding) << a.id;
}

// Derivations (d hidden, L layers, V vocab): next-wave.md section A; the sums by hand are in
// docs/models.md, one section per family.
INSTANTIATE_TEST_SUITE_P(
    Presets, AnchorTest,
    ::testing::Values(
        // 36 x 192,946,432 + 4,096 = 6,946,075,648 non-embedding; + 2 x 151,936 x 4,096.
        Anchor{"qwen3-8b", "qwen3", 8'190'735'360, 8'190'735'360, 7'568'405'504},
        // 48 x 623,120,640 + 622,331,904; active 48 x 56,889,600 + 622,331,904.
        Anchor{"qwen3-30b-a3b", "qwen3_moe", 30'532'122'624, 3'353'032'704, 3'041'867'776},
        // 94 x 2,487,755,008 + 1,244,663,808; active 94 x 222,830,848 + 1,244,663,808.
        Anchor{"qwen3-235b-a22b", "qwen3_moe", 235'093'634'560, 22'190'763'520, 21'568'433'664},
        // 3 dense x 583,483,392 + 58 MoE x 11,507,286,272 + 1,853,365,248 (card: 671B / 37B).
        Anchor{"deepseek-v3", "deepseek_v3", 671'026'419'200, 37'552'297'472, 36'625'618'432},
        // 81,007,104 + 26 x 584,847,872 + 419,432,448; active 26 x 83,104,256 (card: 2.4B).
        Anchor{"deepseek-v2-lite", "deepseek_v2", 15'706'484'224, 2'661'150'208, 2'451'435'008},
        // 48 x 2,202,101,760 + 2,068,976,640 (text model; the vision tower is not counted).
        // Active: 48 x 314,664,960 (attention, router, 1 routed + 1 shared expert, norms).
        Anchor{"llama-4-scout", "llama4", 107'769'861'120, 17'172'894'720, 16'138'408'960},
        Anchor{"llama-4-maverick", "llama4", 400'711'848'960, 17'184'691'200, 16'150'205'440},
        // Text 27,009,346,304 + SigLIP 416,866,032 + projector 6,194,304; tied, so the
        // table stays in the count without the input embedding.
        Anchor{"gemma-3-27b", "gemma3", 27'432'406'640, 27'009'346'304, 27'009'346'304},
        Anchor{"gemma-2-9b", "gemma2", 9'241'705'984, 9'241'705'984, 9'241'705'984},
        Anchor{"phi-3-mini", "phi3", 3'821'079'552, 3'821'079'552, 3'722'578'944},
        // OpenAI's 5.1B active excludes the input embedding (next-wave.md A.8).
        Anchor{"gpt-oss-120b", "gpt_oss", 116'829'156'672, 5'711'982'912, 5'132'849'472},
        Anchor{"gpt-oss-20b", "gpt_oss", 20'914'757'184, 4'187'440'704, 3'608'307'264},
        Anchor{"mamba-2.8b", "mamba", 2'768'345'600, 2'768'345'600, 2'768'345'600},
        // 64 x 109,640,064 + 2 x 32,768 x 4,096 + 4,096 (card: 7.3B).
        Anchor{"mamba-codestral-7b", "mamba2", 7'285'403'648, 7'285'403'648, 7'151'185'920},
        Anchor{"jamba-v0.1", "jamba", 51'570'323'328, 12'110'311'296, 11'841'875'840},
        // 36 x 12,618,568 + 2 x 32,784 x 1,024 + 1,024 (card: 0.5B).
        Anchor{"falcon-h1-0.5b", "falcon_h1", 521'411'104, 521'411'104, 487'840'288},
        Anchor{"qwen1.5-moe-a2.7b", "qwen2_moe", 14'315'784'192, 2'689'173'504, 2'378'008'576},
        Anchor{"llama-3.1-8b", "llama", 8'030'261'248, 8'030'261'248, 7'504'924'672},
        Anchor{"llama-3.1-405b", "llama", 405'853'388'800, 405'853'388'800, 403'752'042'496},
        Anchor{"qwen2.5-72b", "qwen2", 72'706'203'648, 72'706'203'648, 71'460'495'360}),
    [](const ::testing::TestParamInfo<Anchor>& info) {
        std::string name = info.param.id;
        std::replace_if(
            name.begin(), name.end(), [](char c) { return c == '-' || c == '.'; }, '_');
        return name;
    });

TEST(Families, DeepSeekV3WithTheMtpLayerWhenAsked) {
    // One MoE block, eh_proj 2d x d, enorm, hnorm and shared_head.norm, own embedding and
    // head: 13,463,426,304 (the card's "685B" = 671B + 14B).
    ConfigOptions options;
    options.countMtp = true;
    const ParameterCounts with = countParameters(preset("deepseek-v3", options));
    EXPECT_EQ(with.total, 684'489'845'504ULL);
    EXPECT_EQ(with.mtp, 13'463'426'304ULL);
    EXPECT_EQ(with.active, 37'552'297'472ULL);  // MTP is not on the main model's path
    const LlmConfig without = preset("deepseek-v3");
    EXPECT_EQ(countParameters(without).mtp, 13'463'426'304ULL);
    EXPECT_EQ(countParameters(without).total, 671'026'419'200ULL);
    EXPECT_FALSE(without.notes.empty());
}

TEST(Families, KvFootprintsByLayerKind) {
    struct Case {
        const char* id;
        double growing;         // bytes per token, unbounded layers
        double cappedPerToken;  // bytes per token of the windowed layers
        double cap;             // their most per sequence
        double state;           // SSM bytes per sequence
    };
    const Case cases[] = {
        {"qwen3-8b", 2.0 * 36 * 8 * 128 * 2, 0, 0, 0},  // 147,456
        {"qwen3-30b-a3b", 98'304, 0, 0, 0},
        {"deepseek-v3", 61.0 * 576 * 2, 0, 0, 0},  // 70,272: latent d_c + d_R
        {"deepseek-v2-lite", 27.0 * 576 * 2, 0, 0, 0},
        // 12 NoPE layers global; 36 chunked layers capped at C = 8192.
        {"llama-4-scout", 49'152, 36.0 * 4096, 1'207'959'552, 0},
        // 10 global layers of 2 x 16 x 128 x 2 B; 52 local capped at W = 1024.
        {"gemma-3-27b", 81'920, 52.0 * 8192, 436'207'616, 0},
        // Gemma 2: alternating, 21 global layers of 2 x 8 x 256 x 2 B, 21 local at 4096.
        {"gemma-2-9b", 21.0 * 8192, 21.0 * 8192, 21.0 * 8192 * 4096, 0},
        {"gpt-oss-120b", 36'864, 36'864, 4'718'592, 0},  // 18 + 18 layers, W = 128
        {"gpt-oss-20b", 24'576, 24'576, 3'145'728, 0},
        {"phi-3-mini", 0, 393'216, 393'216.0 * 2047, 0},  // every layer slides (W = 2047)
        // 64 x (E N + E K) x 2 B: 5120 x 16 + 5120 x 4 per layer.
        {"mamba-2.8b", 0, 0, 0, 64.0 * (5120 * 16 + 5120 * 4) * 2},
        // 64 x (8192 x 128 + (8192 + 2 x 8 x 128) x 4) x 2 B.
        {"mamba-codestral-7b", 0, 0, 0, 64.0 * (8192 * 128 + 10240 * 4) * 2},
        // 4 attention layers of 2 x 8 x 128 x 2 B; 28 Mamba layers of (8192 x 16 + 8192 x 4).
        {"jamba-v0.1", 16'384, 0, 0, 28.0 * (8192 * 16 + 8192 * 4) * 2},
        // Every layer: KV 2 x 2 x 64 x 2 B and state 1536 x 128 + 1792 x 4.
        {"falcon-h1-0.5b", 36.0 * 512, 0, 0, 36.0 * (1536 * 128 + 1792 * 4) * 2},
    };
    for (const Case& c : cases) {
        const KvFootprint kv = kvFootprint(preset(c.id), 2);
        EXPECT_DOUBLE_EQ(kv.growingBytesPerToken, c.growing) << c.id;
        EXPECT_DOUBLE_EQ(kv.cappedBytesPerToken, c.cappedPerToken) << c.id;
        EXPECT_DOUBLE_EQ(kv.cappedBytesPerSequence, c.cap) << c.id;
        EXPECT_DOUBLE_EQ(kv.stateBytesPerSequence, c.state) << c.id;
        EXPECT_DOUBLE_EQ(kvBytesPerToken(preset(c.id), 2), c.growing + c.cappedPerToken) << c.id;
    }
    // FlashMLA's FP8 latent (656 B per token and layer) is a KV format, not a model fact; at
    // one byte per element the latent is 61 x 576.
    EXPECT_DOUBLE_EQ(kvFootprint(preset("deepseek-v3"), 1).growingBytesPerToken, 35'136);
}

TEST(Families, Plans) {
    const auto count = [](const std::vector<LayerSpec>& plan, auto predicate) {
        return std::count_if(plan.begin(), plan.end(), predicate);
    };
    // DeepSeek-V3: first_k_dense_replace 3, every layer latent.
    auto plan = layerPlan(preset("deepseek-v3"));
    ASSERT_EQ(plan.size(), 61U);
    EXPECT_EQ(plan[2].ffn, FfnKind::dense);
    EXPECT_EQ(plan[3].ffn, FfnKind::moe);
    EXPECT_EQ(count(plan, [](const LayerSpec& s) { return s.ffn == FfnKind::moe; }), 58);
    EXPECT_EQ(count(plan, [](const LayerSpec& s) { return s.attention == AttentionKind::latent; }),
              61);
    // Llama 4 Scout: NoPE global attention on every 4th layer, chunked 8192 elsewhere.
    plan = layerPlan(preset("llama-4-scout"));
    EXPECT_EQ(plan[3].attention, AttentionKind::full);
    EXPECT_FALSE(plan[3].rope);
    EXPECT_EQ(plan[0].attention, AttentionKind::chunked);
    EXPECT_EQ(plan[0].window, 8192);
    EXPECT_EQ(count(plan, [](const LayerSpec& s) { return !s.rope; }), 12);
    // Maverick: MoE on odd layers, dense MLPs of intermediate_size_mlp between.
    plan = layerPlan(preset("llama-4-maverick"));
    EXPECT_EQ(plan[0].ffn, FfnKind::dense);
    EXPECT_EQ(plan[0].ffnWidth, 16384);
    EXPECT_EQ(plan[1].ffn, FfnKind::moe);
    EXPECT_EQ(count(plan, [](const LayerSpec& s) { return s.ffn == FfnKind::moe; }), 24);
    // Gemma 3: global iff (i + 1) % 6 == 0: 10 of 62.
    plan = layerPlan(preset("gemma-3-27b"));
    EXPECT_EQ(plan[5].attention, AttentionKind::full);
    EXPECT_EQ(plan[4].attention, AttentionKind::sliding);
    EXPECT_EQ(plan[4].window, 1024);
    EXPECT_EQ(count(plan, [](const LayerSpec& s) { return s.attention == AttentionKind::full; }),
              10);
    // gpt-oss: layer_types, even layers slide over 128 tokens.
    plan = layerPlan(preset("gpt-oss-120b"));
    EXPECT_EQ(plan[0].attention, AttentionKind::sliding);
    EXPECT_EQ(plan[0].window, 128);
    EXPECT_EQ(plan[1].attention, AttentionKind::full);
    // Jamba: attention at i % 8 == 4, experts at i % 2 == 1.
    plan = layerPlan(preset("jamba-v0.1"));
    EXPECT_EQ(plan[4].attention, AttentionKind::full);
    EXPECT_EQ(plan[4].ssm, SsmKind::none);
    EXPECT_EQ(plan[5].ssm, SsmKind::mamba1);
    EXPECT_EQ(plan[5].attention, AttentionKind::none);
    EXPECT_EQ(count(plan, [](const LayerSpec& s) { return s.attention != AttentionKind::none; }),
              4);
    EXPECT_EQ(count(plan, [](const LayerSpec& s) { return s.ffn == FfnKind::moe; }), 16);
    EXPECT_EQ(plan[1].ffn, FfnKind::moe);
    // Falcon-H1: attention and Mamba-2 side by side in every layer.
    plan = layerPlan(preset("falcon-h1-0.5b"));
    EXPECT_EQ(plan[0].attention, AttentionKind::full);
    EXPECT_EQ(plan[0].ssm, SsmKind::mamba2);
    // The original families keep a uniform plan.
    EXPECT_TRUE(preset("llama-2-7b").layers.empty());
    EXPECT_EQ(layerPlan(preset("mistral-7b"))[0].attention, AttentionKind::sliding);
}

TEST(Families, HeadDimIsIndependentOfHiddenOverHeads) {
    EXPECT_EQ(preset("qwen3-30b-a3b").headDim, 128);  // 32 x 128 = 4096 != d = 2048
    EXPECT_EQ(preset("gemma-2-9b").headDim, 256);     // 16 x 256 != 3584
    EXPECT_EQ(preset("gpt-oss-120b").headDim, 64);    // 64 x 64 != 2880
}

TEST(Families, NestedTextConfigAndArchitectureDispatch) {
    // Kimi-K2.5: kimi_k25 wraps a text_config of model_type kimi_k2, whose architectures[0]
    // DeepseekV3ForCausalLM names the family.
    const LlmConfig kimi = hf("Kimi-K2.5.json");
    EXPECT_EQ(kimi.modelType, "deepseek_v3");
    EXPECT_EQ(kimi.architecture, "DeepseekV3ForCausalLM");
    EXPECT_EQ(kimi.numExperts, 384);
    EXPECT_EQ(kimi.numHeads, 64);
    // 101,124,096 attention per layer; 497,500,160 dense + 60 x 17,059,365,248 MoE;
    // embeddings 2 x 163,840 x 7,168 + 7,168.
    EXPECT_EQ(countParameters(kimi).total, 1'026'408'232'448ULL);
    // Gemma 3: the fields live under text_config.
    const LlmConfig gemma = preset("gemma-3-27b");
    EXPECT_EQ(gemma.hiddenSize, 5376);
    EXPECT_EQ(gemma.vocabSize, 262208);  // not in the file: Gemma3TextConfig's default
    EXPECT_EQ(gemma.visionParameters, 416'866'032ULL + 6'194'304ULL);
    // A config with no model_type is dispatched by architectures[0].
    auto document = core::parseJsonText(
        R"({"architectures": ["Qwen3ForCausalLM"], "hidden_size": 64, "intermediate_size": 128,
            "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
            "head_dim": 32, "vocab_size": 100, "max_position_embeddings": 512})",
        "inline.json");
    ASSERT_TRUE(document.ok());
    auto byArch = parseLlmConfig(*document, "inline.json", "inline");
    ASSERT_TRUE(byArch.ok()) << byArch.error().message;
    EXPECT_EQ(byArch->modelType, "qwen3");
    EXPECT_EQ(byArch->qkNorm, QkNorm::rms);
}

TEST(Families, Phi3SlidingWindowIsASwitch) {
    EXPECT_EQ(preset("phi-3-mini").slidingWindow, 2047);
    ConfigOptions full;
    full.phi3SlidingWindow = false;
    const LlmConfig c = preset("phi-3-mini", full);
    EXPECT_EQ(c.slidingWindow, 0);
    EXPECT_EQ(kvFootprint(c, 2).growingBytesPerToken, 393'216);
}

TEST(Families, InfinityInAConfigIsReadAsNull) {
    // Mamba-2 checkpoints write time_step_limit [0.0, Infinity] (Python's json.dumps).
    auto c = loadLlmConfig(std::filesystem::path(ROOFLENS_TEST_DATA_DIR) / "models" /
                           "mamba2-infinity.json");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->modelType, "mamba2");
}

// Every preset's weight inventory covers exactly its parameters, so scenarios that rewrite
// the weight bytes start from the right total.
TEST(Families, InventoryEqualsParameterCountForEveryPreset) {
    core::RunSettings s;
    s.phase = core::Phase::decode;
    s.contextLength = 16;
    for (const std::string& id : listPresets()) {
        const LlmConfig c = preset(id);
        auto w = buildLlm(c, s);
        ASSERT_TRUE(w.ok()) << id << ": " << w.error().message;
        double parameters = 0;
        for (const auto& t : w->weightTensors) {
            parameters += t.elements + t.otherBytes / core::bytesOf(c.floatType);
        }
        EXPECT_EQ(static_cast<std::uint64_t>(parameters), countParameters(c).total) << id;
        EXPECT_DOUBLE_EQ(w->model.parameters, parameters) << id;
        EXPECT_DOUBLE_EQ(w->memory.weights, parameters * core::bytesOf(c.floatType)) << id;
    }
}

}  // namespace
}  // namespace rooflens::models
