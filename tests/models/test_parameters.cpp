// Parameter counts against the numbers Hugging Face reports, KV bytes and expert coverage.
#include <cmath>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "models/llm.h"
#include "models/presets.h"

namespace rooflens::models {
namespace {

LlmConfig preset(const std::string& id) {
    auto config = resolveLlm(id);
    EXPECT_TRUE(config.ok()) << config.error().message;
    return config.ok() ? *config : LlmConfig{};
}

struct PublishedCount {
    const char* id;
    std::uint64_t total;  // sum(p.numel() for p in model.parameters()), tied weights once
};

class PublishedCountTest : public ::testing::TestWithParam<PublishedCount> {};

TEST_P(PublishedCountTest, MatchesHuggingFaceExactly) {
    const PublishedCount& published = GetParam();
    const ParameterCounts counts = countParameters(preset(published.id));
    EXPECT_EQ(counts.total, published.total) << published.id;
}

INSTANTIATE_TEST_SUITE_P(Presets, PublishedCountTest,
                         ::testing::Values(PublishedCount{"llama-2-7b", 6'738'415'616},
                                           PublishedCount{"llama-2-13b", 13'015'864'320},
                                           PublishedCount{"llama-2-70b", 68'976'648'192},
                                           PublishedCount{"llama-3-8b", 8'030'261'248},
                                           PublishedCount{"llama-3-70b", 70'553'706'496},
                                           PublishedCount{"mistral-7b", 7'241'732'096},
                                           PublishedCount{"mixtral-8x7b", 46'702'792'704},
                                           PublishedCount{"qwen2-7b", 7'615'616'512},
                                           PublishedCount{"opt-6.7b", 6'658'473'984}),
                         [](const ::testing::TestParamInfo<PublishedCount>& info) {
                             std::string name = info.param.id;
                             for (char& c : name) {
                                 if (c == '-' || c == '.') {
                                     c = '_';
                                 }
                             }
                             return name;
                         });

TEST(Parameters, Llama2Breakdown) {
    const ParameterCounts counts = countParameters(preset("llama-2-7b"));
    EXPECT_EQ(counts.embedding, 32000ULL * 4096);
    EXPECT_EQ(counts.lmHead, 32000ULL * 4096);
    // 4 d^2 attention + 3 d d_ff MLP + 2 RMSNorm weights.
    EXPECT_EQ(counts.perBlock, 4ULL * 4096 * 4096 + 3ULL * 4096 * 11008 + 2 * 4096);
    EXPECT_EQ(counts.active, counts.total);
}

TEST(Parameters, MixtralActiveByHand) {
    const ParameterCounts counts = countParameters(preset("mixtral-8x7b"));
    // d = 4096, d_ff = 14336, L = 32, h_kv * d_h = 1024, E = 8, k = 2, vocab = 32000.
    //   one expert      3 * 4096 * 14336                      =    176,160,768
    //   attention       2 * 4096^2 + 2 * 4096 * 1024          =     41,943,040
    //   router + norms  4096 * 8 + 2 * 4096                   =         40,960
    //   block (8 exp.)  41,943,040 + 40,960 + 8 * 176,160,768 =  1,451,270,144
    //   outside blocks  2 * 32000 * 4096 + 4096 (final norm)  =    262,148,096
    //   total           32 * 1,451,270,144 + 262,148,096      = 46,702,792,704
    //   active          total - 32 * 6 * 176,160,768          = 12,879,925,248
    EXPECT_EQ(counts.perBlock, 1'451'270'144ULL);
    EXPECT_EQ(counts.total, 46'702'792'704ULL);
    EXPECT_EQ(counts.active, 12'879'925'248ULL);
    EXPECT_EQ(counts.total - counts.active, 32ULL * 6 * 176'160'768);
}

TEST(Parameters, OptTiedEmbeddingsAndLearnedPositions) {
    const ParameterCounts counts = countParameters(preset("opt-6.7b"));
    EXPECT_EQ(counts.lmHead, 0U);
    EXPECT_EQ(counts.embedding, 50272ULL * 4096 + 2050ULL * 4096);
    // q, k, v, out_proj with biases; fc1, fc2 with biases; two LayerNorms (weight + bias).
    EXPECT_EQ(counts.perBlock,
              4ULL * (4096 * 4096 + 4096) + 2ULL * 4096 * 16384 + 16384 + 4096 + 2ULL * 2 * 4096);
}

TEST(Parameters, Qwen2QkvBiasOnly) {
    const ParameterCounts counts = countParameters(preset("qwen2-7b"));
    const std::uint64_t d = 3584;
    const std::uint64_t kv = 4 * 128;
    EXPECT_EQ(counts.perBlock, 2 * d * d + 2 * d * kv + (d + 2 * kv) + 3 * d * 18944ULL + 2 * d);
}

TEST(Parameters, TinyLlamaFromConfigJson) {
    auto config =
        loadLlmConfig(std::string(ROOFLENS_TEST_DATA_DIR) + "/models/tiny-llama/config.json");
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(countParameters(*config).total, 1'100'048'384ULL);  // TinyLlama-1.1B
}

TEST(Parameters, SaturatesInsteadOfWrapping) {
    LlmConfig config;
    config.hiddenSize = std::int64_t{1} << 40;
    config.intermediateSize = std::int64_t{1} << 40;
    config.numLayers = 1;
    config.numHeads = 1;
    config.numKvHeads = 1;
    config.headDim = std::int64_t{1} << 40;
    config.vocabSize = 1;
    EXPECT_EQ(countParameters(config).total, UINT64_MAX);
}

TEST(KvCache, BytesPerToken) {
    // Mixtral: 2 (K and V) * 32 layers * 8 KV heads * 128 dims * 2 bytes (formulas.md 3.2).
    EXPECT_EQ(2 * 32 * 8 * 128 * 2, 131'072);
    EXPECT_DOUBLE_EQ(kvBytesPerToken(preset("mixtral-8x7b"), 2.0), 131'072.0);
    // Llama-2-7B is MHA: 2 * 32 * 32 * 128 * 2.
    EXPECT_DOUBLE_EQ(kvBytesPerToken(preset("llama-2-7b"), 2.0), 524'288.0);
    // Llama-2-70B, GQA-8 with 80 layers, at int8 KV.
    EXPECT_DOUBLE_EQ(kvBytesPerToken(preset("llama-2-70b"), 1.0), 2.0 * 80 * 8 * 128);
    // Qwen2-7B: 2 * 28 * 4 * 128 * 2.
    EXPECT_DOUBLE_EQ(kvBytesPerToken(preset("qwen2-7b"), 2.0), 57'344.0);
}

TEST(Experts, MixtralExpectedExpertsTouched) {
    EXPECT_DOUBLE_EQ(expectedExpertsTouched(8, 2, 0), 0.0);
    EXPECT_DOUBLE_EQ(expectedExpertsTouched(8, 2, 1), 2.0);
    EXPECT_DOUBLE_EQ(expectedExpertsTouched(8, 2, 4), 8.0 * (1.0 - std::pow(0.75, 4)));
    EXPECT_DOUBLE_EQ(expectedExpertsTouched(8, 2, 4), 5.46875);
    // Strictly increasing while the gap to E is representable, never above E.
    double previous = 0;
    for (int n = 1; n <= 512; ++n) {
        const double touched = expectedExpertsTouched(8, 2, n);
        if (n <= 64) {
            EXPECT_GT(touched, previous) << n;
        } else {
            EXPECT_GE(touched, previous) << n;
        }
        EXPECT_LE(touched, 8.0) << n;
        previous = touched;
    }
    EXPECT_NEAR(expectedExpertsTouched(8, 2, 64), 8.0, 1e-6);
}

TEST(Experts, EdgeCases) {
    EXPECT_DOUBLE_EQ(expectedExpertsTouched(8, 2, -3), 0.0);
    EXPECT_DOUBLE_EQ(expectedExpertsTouched(8, 2, std::nan("")), 0.0);
    EXPECT_DOUBLE_EQ(expectedExpertsTouched(0, 0, 10), 0.0);
    EXPECT_DOUBLE_EQ(expectedExpertsTouched(8, 8, 1), 8.0);
    EXPECT_DOUBLE_EQ(expectedExpertsTouched(8, 9, 1), 8.0);  // top-k clamped to E
    EXPECT_DOUBLE_EQ(expectedExpertsTouched(8, 2, INFINITY), 8.0);
    EXPECT_DOUBLE_EQ(expectedExpertsTouched(8, 2, 0.5), 8.0 * (1.0 - std::sqrt(0.75)));
}

}  // namespace
}  // namespace rooflens::models
