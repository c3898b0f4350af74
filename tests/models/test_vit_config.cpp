// ViT config files: the presets load, a user config loads, and one fixture per defect is
// rejected with the file and the JSON path in the message.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "models/vit.h"

namespace rooflens::models {
namespace {

const std::filesystem::path kData = std::filesystem::path(ROOFLENS_TEST_DATA_DIR) / "vit";

TEST(VitConfig, PresetsLoadWithTheirSources) {
    for (const auto& id : listVitPresets()) {
        auto config = resolveVit(id);
        ASSERT_TRUE(config.ok()) << config.error().message;
        EXPECT_FALSE(config->source.empty()) << id;
        EXPECT_NE(config->source.find("arXiv:"), std::string::npos) << id;  // cites its paper
    }
    const auto swin = resolveVit("swin-base").value();
    EXPECT_EQ(swin.arch, VitArch::swin);
    EXPECT_EQ(swin.depth, 24);  // 2 + 2 + 18 + 2
    EXPECT_EQ(swin.classTokens, 0);
    EXPECT_EQ(swin.mlpHidden, 512);  // stage-1 width 128 x 4
    const auto deit = resolveVit("deit-small").value();
    EXPECT_EQ(deit.mlpHidden, 1536);
    EXPECT_EQ(deit.protectedTokens(), 1);
}

TEST(VitConfig, UserFileLoads) {
    auto config = resolveVit((kData / "tiny-vit.json").string());
    ASSERT_TRUE(config.ok()) << config.error().message;
    EXPECT_EQ(config->id, "tiny-vit");
    EXPECT_EQ(config->numHeads, 4);
    // Parameters by hand: patch 3*8*8*64 + 64 = 12,352; class 64; positions 17 * 64 = 1,088;
    // 2 blocks of 4*64 + 3*64^2 + 3*64 + 64^2 + 64 + 8*64^2 + 4*64 + 64 = 49,984; final LN
    // 128; head 64 * 10 + 10 = 650.
    EXPECT_EQ(countVitParameters(config.value()).total, 12352U + 64 + 1088 + 2 * 49984 + 128 + 650);
}

struct Bad {
    const char* file;
    const char* fragment;
};

class BadVitConfig : public ::testing::TestWithParam<Bad> {};

TEST_P(BadVitConfig, IsRejectedWithItsPath) {
    const Bad b = GetParam();
    const auto path = kData / "bad" / b.file;
    auto config = loadVitConfig(path);
    ASSERT_FALSE(config.ok()) << b.file;
    const std::string& message = config.error().message;
    EXPECT_EQ(message.rfind(path.string() + ": ", 0), 0U) << message;
    EXPECT_NE(message.find(b.fragment), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    Files, BadVitConfig,
    ::testing::Values(
        Bad{"heads-not-dividing.json", "/num_heads: embed_dim 64 is not divisible by 5 heads"},
        Bad{"missing-embed-dim.json", "/embed_dim: missing required field"},
        Bad{"negative-depth.json", "/depth: expected an integer in [1, 1024], got -2"},
        Bad{"string-patch-size.json", "/patch_size: expected an integer in [1, 16384], got \"8\""},
        Bad{"unknown-model-type.json", "/model_type: unsupported model_type \"convnext\""},
        Bad{"unknown-field.json", "/num_head: unknown field"},
        Bad{"patch-not-dividing.json",
            "/patch_size: image_size 32 is not a multiple of "
            "patch_size 5"},
        Bad{"fractional-mlp-width.json", "/mlp_ratio: embed_dim x mlp_ratio"},
        Bad{"schema-version-2.json", "/schema_version: expected an integer in [1, 1], got 2"},
        Bad{"swin-heads-per-stage.json", "/num_heads: expected one entry per stage (2), got 1"},
        Bad{"swin-missing-window.json", "/window_size: missing required field"},
        Bad{"swin-stage-heads-not-dividing.json",
            "/num_heads/1: stage width 192 is not divisible by 7 heads"},
        Bad{"two-distillation-tokens.json",
            "/distillation_tokens: expected an integer in [0, 1], got 2"},
        Bad{"absurd-image-size.json", "/image_size: expected an integer in [1, 16384], got 100000"},
        Bad{"not-an-object.json", "/: expected an object"},
        Bad{"invalid-json.json", "invalid JSON"},
        Bad{"no-class-token.json", "/class_token: a ViT without class or distillation token"},
        Bad{"number-as-bool.json", "/qkv_bias: expected true or false, got 1"}));

TEST(VitConfig, UnknownPresetListsTheChoices) {
    auto config = resolveVit("deit-huge");
    ASSERT_FALSE(config.ok());
    EXPECT_NE(config.error().message.find("deit-base, deit-small"), std::string::npos);
}

}  // namespace
}  // namespace rooflens::models
