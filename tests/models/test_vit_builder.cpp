// ViT / DeiT / Swin workloads: GMACs against the published figures and formulas.md's derived
// values, exact parameter counts, and hand-computed OPs and bytes of every layer kind.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "models/vit.h"

namespace rooflens::models {
namespace {

VitConfig preset(const std::string& id) {
    auto config = resolveVit(id);
    EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error().message);
    return config.value();
}

core::RunSettings images(std::int64_t batch, bool flash = false) {
    core::RunSettings s;
    s.phase = core::Phase::prefill;
    s.batch = batch;
    s.flashAttention = flash;
    return s;
}

core::Workload build(const VitConfig& c, const core::RunSettings& s, const VitOptions& o = {}) {
    auto w = buildVit(c, s, o);
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
    return w.ok() ? w.value() : core::Workload{};
}

double macs(const core::Workload& w) {
    double total = 0;
    for (const auto& layer : w.layers) {
        total += core::matrixMacs(layer, w) * layer.repeat;
    }
    return total;
}

std::map<std::string, core::Layer> byName(const core::Workload& w) {
    std::map<std::string, core::Layer> layers;
    for (const auto& layer : w.layers) {
        layers[layer.name()] = layer;
    }
    return layers;
}

struct Published {
    const char* id;
    double paperGmacs;    // the paper's "GFLOPs" (multiply-accumulates)
    double derivedGmacs;  // formulas.md 1.1 / 1.2 [derived]
};

// DeiT (arXiv:2012.12877, Table 1): 1.3 / 4.6 / 17.6; Swin (arXiv:2103.14030, Table 1):
// 4.5 / 8.7 / 15.4. formulas.md derives 1.25 / 4.60 / 17.56 and 4.49 / 8.74 / 15.43.
class PublishedMacs : public ::testing::TestWithParam<Published> {};

TEST_P(PublishedMacs, WithinTwoPercentOfThePaperAndTightToTheDerivation) {
    const Published p = GetParam();
    for (bool flash : {false, true}) {  // fused attention computes the same products
        const double g = macs(build(preset(p.id), images(1, flash))) / 1e9;
        // Within 2%, or within the paper's rounding: it prints one decimal, so DeiT-Ti's
        // "1.3" stands for [1.25, 1.35) and our 1.254 is 3.6% below the printed value.
        EXPECT_NEAR(g, p.paperGmacs, std::max(0.02 * p.paperGmacs, 0.05)) << p.id;
        EXPECT_NEAR(g, p.derivedGmacs, 0.005) << p.id;  // derived values carry 2 decimals
    }
}

INSTANTIATE_TEST_SUITE_P(
    Vit, PublishedMacs,
    ::testing::Values(Published{"deit-tiny", 1.3, 1.25}, Published{"deit-small", 4.6, 4.60},
                      Published{"deit-base", 17.6, 17.56}, Published{"swin-tiny", 4.5, 4.49},
                      Published{"swin-small", 8.7, 8.74}, Published{"swin-base", 15.4, 15.43}));

TEST(VitBuilder, DeitSmallMacsExactly) {
    // Patch embed 196*768*384 = 57,802,752; per block 12*197*384^2 + 2*197^2*384
    // = 348,585,984 + 29,805,312 = 378,391,296, times 12 = 4,540,695,552; head 384*1000.
    EXPECT_DOUBLE_EQ(macs(build(preset("deit-small"), images(1))), 4598882304.0);
    // MACs scale with the batch: weights are shared, every product is per image.
    EXPECT_DOUBLE_EQ(macs(build(preset("deit-small"), images(64))), 64 * 4598882304.0);
}

TEST(VitBuilder, LargerViTsMatchTheDerivation) {
    EXPECT_NEAR(macs(build(preset("vit-large-16"), images(1))) / 1e9, 61.6, 0.05);  // formulas 1.1
    // ViT-B/16 = DeiT-B architecture: 17.56 GMACs (formulas.md 1.1).
    EXPECT_NEAR(macs(build(preset("vit-base-16"), images(1))) / 1e9, 17.56, 0.005);
    // ViT-H/14 at 224: N = 256, T = 257, D = 1280, 32 blocks: 256*588*1280 + 32*(12*257*1280^2
    // + 2*257^2*1280) + 1280*1000 = 167,295,109,120 (hand calculation).
    EXPECT_DOUBLE_EQ(macs(build(preset("vit-huge-14"), images(1))), 167295109120.0);
}

// Parameter counts by hand: patch C P^2 D + D, class token D, position (N+1) D, per block
// 4D (two LayerNorms) + 3D^2 + 3D + D^2 + D + 8D^2 + 4D + D, final LN 2D, head D K + K. They
// equal timm's counts for deit_tiny/small/base_patch16_224, vit_large_patch16_224 and
// vit_huge_patch14_224; Swin adds (2M-1)^2 h bias entries per block and patch merging
// 8C^2 + 8C (swin_tiny/small/base_patch4_window7_224 in timm).
TEST(VitBuilder, ParameterCountsByHand) {
    const std::map<std::string, std::uint64_t> expected = {
        {"deit-tiny", 5717416},    {"deit-small", 22050664},    {"deit-base", 86567656},
        {"vit-base-16", 86567656}, {"vit-large-16", 304326632}, {"vit-huge-14", 632045800},
        {"swin-tiny", 28288354},   {"swin-small", 49606258},    {"swin-base", 87768224}};
    for (const auto& [id, count] : expected) {
        const VitConfig c = preset(id);
        EXPECT_EQ(countVitParameters(c).total, count) << id;
        // The workload's inventory adds up to the same count.
        EXPECT_DOUBLE_EQ(build(c, images(1)).model.parameters, static_cast<double>(count)) << id;
    }
    EXPECT_EQ(listVitPresets().size(), 12U);  // + vim-ti, vim-s, vim-b
}

// DeiT-S, batch 2, fp16 (2 bytes): T = 197 tokens, D = 384, h = 6, d_h = 64, MLP 1536.
TEST(VitBuilder, DeitSmallLayersByHand) {
    const auto w = build(preset("deit-small"), images(2));
    const auto layers = byName(w);
    const double rows = 2 * 197;
    const auto& embed = layers.at("patch_embed");
    EXPECT_EQ(embed.kind, core::LayerKind::gemm);
    EXPECT_DOUBLE_EQ(embed.m, 2 * 196);
    EXPECT_DOUBLE_EQ(embed.k, 768);  // C P^2 = 3 * 16 * 16
    EXPECT_DOUBLE_EQ(embed.n, 384);
    EXPECT_DOUBLE_EQ(embed.bytes.activationsIn, 2 * 224 * 224 * 3 * 2);  // image read once
    EXPECT_DOUBLE_EQ(embed.bytes.weights, (768 * 384 + 384) * 2);
    EXPECT_DOUBLE_EQ(embed.weightElements, 768 * 384);

    const auto& pos = layers.at("pos_embed");
    EXPECT_DOUBLE_EQ(pos.ops, rows * 384);
    EXPECT_DOUBLE_EQ(pos.bytes.weights, (197 + 1) * 384 * 2);  // position table + class token

    const auto& qkv = layers.at("blocks.0.qkv");
    EXPECT_DOUBLE_EQ(qkv.ops, 2 * rows * 384 * 1152 + rows * 1152);  // + bias
    EXPECT_EQ(qkv.weightType, core::DataType::fp16);
    EXPECT_EQ(qkv.activationType, core::DataType::fp16);
    const auto& qk = layers.at("blocks.0.qk_matmul");
    EXPECT_EQ(qk.kind, core::LayerKind::matmul);
    EXPECT_DOUBLE_EQ(qk.m, 2 * 6 * 197);
    EXPECT_DOUBLE_EQ(qk.k, 64);
    EXPECT_DOUBLE_EQ(qk.n, 197);
    EXPECT_DOUBLE_EQ(qk.bytes.activationsIn, 2 * rows * 384 * 2);  // Q and K
    EXPECT_DOUBLE_EQ(qk.bytes.activationsOut, 2 * 6 * 197 * 197 * 2);
    const auto& softmax = layers.at("blocks.0.softmax");
    EXPECT_EQ(softmax.kind, core::LayerKind::softmax);
    EXPECT_DOUBLE_EQ(softmax.ops, 5.0 * 2 * 6 * 197 * 197);
    const auto& pv = layers.at("blocks.0.pv_matmul");
    EXPECT_DOUBLE_EQ(pv.k, 197);
    EXPECT_DOUBLE_EQ(pv.n, 64);
    EXPECT_DOUBLE_EQ(pv.bytes.activationsIn, (2 * 6 * 197 * 197 + rows * 384) * 2);
    const auto& norm = layers.at("blocks.0.norm1");
    EXPECT_DOUBLE_EQ(norm.ops, 7 * rows * 384);
    EXPECT_DOUBLE_EQ(norm.bytes.weights, 2 * 384 * 2);
    EXPECT_DOUBLE_EQ(layers.at("blocks.11.fc1").ops, 2 * rows * 384 * 1536 + rows * 1536);
    EXPECT_DOUBLE_EQ(layers.at("blocks.11.act").ops, 8 * rows * 1536);  // GELU, tanh form
    EXPECT_DOUBLE_EQ(layers.at("blocks.11.mlp_residual").bytes.activationsIn, 2 * rows * 384 * 2);
    const auto& head = layers.at("head");  // class token only
    EXPECT_DOUBLE_EQ(head.m, 2);
    EXPECT_DOUBLE_EQ(head.k, 384);
    EXPECT_DOUBLE_EQ(head.n, 1000);
    // 2 stem + 12 per block * 12 + final norm + head.
    EXPECT_EQ(w.layers.size(), 2 + 12 * 12 + 2U);
    EXPECT_EQ(w.settings.promptLength, 197);
    // Weights: all 22,050,664 parameters at 2 bytes.
    EXPECT_DOUBLE_EQ(w.memory.weights, 22050664.0 * 2);
}

TEST(VitBuilder, FusedAttentionIsOneNonCausalLayer) {
    const auto w = build(preset("deit-small"), images(2, true));
    const auto layers = byName(w);
    EXPECT_EQ(layers.count("blocks.0.qk_matmul"), 0U);
    const auto& attention = layers.at("blocks.0.attention");
    EXPECT_EQ(attention.kind, core::LayerKind::attention);
    ASSERT_GE(attention.attentionShape, 0);
    const auto& shape = w.attentionShapes.at(static_cast<std::size_t>(attention.attentionShape));
    EXPECT_FALSE(shape.causal);
    EXPECT_DOUBLE_EQ(shape.queries, 197);
    EXPECT_DOUBLE_EQ(shape.keys, 197);
    EXPECT_DOUBLE_EQ(shape.headDim, 64);
    // 2 * 6 * 197^2 (query, key) pairs, each 4 d_h + 5 OPs.
    EXPECT_DOUBLE_EQ(attention.ops, 2.0 * 6 * 197 * 197 * (4 * 64 + 5));
    EXPECT_DOUBLE_EQ(core::matrixMacs(attention, w), 2 * 2.0 * 6 * 197 * 197 * 64);
}

TEST(VitBuilder, DistillationTokenAddsATokenAndAHead) {
    VitConfig c = preset("deit-small");
    c.distillationTokens = 1;
    const auto w = build(c, images(1));
    const auto layers = byName(w);
    EXPECT_EQ(w.settings.promptLength, 198);  // 196 patches + class + distillation
    EXPECT_DOUBLE_EQ(layers.at("blocks.0.qk_matmul").n, 198);
    EXPECT_EQ(layers.count("head_dist"), 1U);
    // Parameters: + distillation token 384 + one more position row 384 + head_dist 385,000.
    EXPECT_EQ(countVitParameters(c).total, 22050664U + 384 + 384 + 385000);
}

TEST(VitBuilder, ImageSizeChangesTheTokens) {
    VitOptions o;
    o.imageHeight = o.imageWidth = 384;
    const auto w = build(preset("deit-base"), images(1), o);
    EXPECT_EQ(w.settings.promptLength, 577);  // (384/16)^2 + 1
    ASSERT_EQ(w.warnings.size(), 1U);
    EXPECT_NE(w.warnings.front().find("577 tokens"), std::string::npos);
    // formulas.md 1.1: block MACs 12 T D^2 + 2 T^2 D with T = 577, D = 768.
    const double block = 12.0 * 577 * 768 * 768 + 2.0 * 577 * 577 * 768;
    EXPECT_DOUBLE_EQ(macs(w), 576.0 * 768 * 768 + 12 * block + 768 * 1000);
}

TEST(VitBuilder, RejectsBadSettings) {
    core::RunSettings decode = images(1);
    decode.phase = core::Phase::decode;
    auto w = buildVit(preset("deit-tiny"), decode);
    ASSERT_FALSE(w.ok());
    EXPECT_NE(w.error().message.find("prefill"), std::string::npos);
    VitOptions o;
    o.imageHeight = o.imageWidth = 225;
    w = buildVit(preset("deit-tiny"), images(1), o);
    ASSERT_FALSE(w.ok());
    EXPECT_NE(w.error().message.find("multiple of the patch size 16"), std::string::npos);
    w = buildVit(preset("deit-tiny"), images(0));
    ASSERT_FALSE(w.ok());
    EXPECT_NE(w.error().message.find("batch"), std::string::npos);
}

// Swin-T stage 1 at 224: 56 x 56 tokens, C = 96, 3 heads, M = 7 -> 64 windows of 49 tokens.
TEST(SwinBuilder, StageOneByHand) {
    const auto w = build(preset("swin-tiny"), images(1));
    const auto layers = byName(w);
    const auto& embed = layers.at("patch_embed");
    EXPECT_DOUBLE_EQ(embed.m, 56 * 56);
    EXPECT_DOUBLE_EQ(embed.k, 48);  // 3 * 4 * 4
    EXPECT_DOUBLE_EQ(embed.n, 96);
    const auto& qk = layers.at("blocks.0.qk_matmul");
    EXPECT_DOUBLE_EQ(qk.m, 64 * 3 * 49);
    EXPECT_DOUBLE_EQ(qk.k, 32);
    EXPECT_DOUBLE_EQ(qk.n, 49);
    // Relative position bias: one add per score (3 heads * 3136 tokens * 49 keys), reading
    // the (2M-1)^2 * 3 table.
    const auto& bias = layers.at("blocks.0.rel_pos_bias");
    EXPECT_DOUBLE_EQ(bias.ops, 3.0 * 3136 * 49);
    EXPECT_DOUBLE_EQ(bias.bytes.weights, 13.0 * 13 * 3 * 2);
    // Block 0 is W-MSA, block 1 SW-MSA: cyclic shift (2 b_a hw C bytes, no math) and a mask add.
    EXPECT_EQ(layers.count("blocks.0.cyclic_shift"), 0U);
    const auto& shift = layers.at("blocks.1.cyclic_shift");
    EXPECT_DOUBLE_EQ(shift.ops, 0);
    EXPECT_DOUBLE_EQ(shift.bytes.activationsIn + shift.bytes.activationsOut, 2 * 2 * 3136 * 96);
    EXPECT_DOUBLE_EQ(layers.at("blocks.1.attn_mask").ops, 3.0 * 3136 * 49);
    EXPECT_EQ(layers.count("blocks.1.reverse_shift"), 1U);
    // Patch merging before block 2: 28 x 28 tokens, LN(384), Linear(384 -> 192), no bias.
    const auto& reduction = layers.at("blocks.2.downsample.reduction");
    EXPECT_DOUBLE_EQ(reduction.m, 784);
    EXPECT_DOUBLE_EQ(reduction.k, 384);
    EXPECT_DOUBLE_EQ(reduction.n, 192);
    EXPECT_DOUBLE_EQ(reduction.bytes.weights, 384 * 192 * 2);
    // Stage 4 (7 x 7 = one window): no shift, as in the official code.
    EXPECT_EQ(layers.count("blocks.11.cyclic_shift"), 0U);
    EXPECT_DOUBLE_EQ(layers.at("head").k, 768);
}

TEST(SwinBuilder, WindowsArePaddedToMultiplesOfM) {
    // 256 x 256: stage 1 is 64 x 64, padded to 70 x 70 (100 windows) for attention; the MLP
    // stays on 64 x 64 tokens.
    VitOptions o;
    o.imageHeight = o.imageWidth = 256;
    const auto layers = byName(build(preset("swin-tiny"), images(1), o));
    EXPECT_DOUBLE_EQ(layers.at("blocks.0.qkv").m, 70 * 70);
    EXPECT_DOUBLE_EQ(layers.at("blocks.0.qk_matmul").m, 100 * 3 * 49);
    EXPECT_DOUBLE_EQ(layers.at("blocks.0.fc1").m, 64 * 64);
    const auto& pad = layers.at("blocks.0.pad");
    EXPECT_DOUBLE_EQ(pad.bytes.activationsOut, 70 * 70 * 96 * 2);
    EXPECT_EQ(layers.count("blocks.0.crop"), 1U);
    // Stage 4 is 8 x 8 > M: padded to 14 x 14 (4 windows), shifted blocks keep the shift.
    EXPECT_DOUBLE_EQ(layers.at("blocks.10.qkv").m, 14 * 14);
    EXPECT_EQ(layers.count("blocks.11.cyclic_shift"), 1U);
}

}  // namespace
}  // namespace rooflens::models
