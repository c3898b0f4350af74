// Token reduction (formulas.md 1.3): ToMe, DynamicViT, DiffRate and explicit schedules against
// the published schedules and hand calculations; weights stay, activations shrink; the
// reduction's MAC cut against its time cut on a device.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/analysis.h"
#include "models/vit.h"

namespace rooflens::models {
namespace {

VitConfig preset(const std::string& id) {
    auto config = resolveVit(id);
    EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error().message);
    return config.value();
}

core::RunSettings images(std::int64_t batch) {
    core::RunSettings s;
    s.batch = batch;
    return s;
}

core::Workload build(const VitConfig& c, const TokenReduction& r, std::int64_t batch = 1) {
    VitOptions o;
    o.reduction = r;
    auto w = buildVit(c, images(batch), o);
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
    return w.ok() ? w.value() : core::Workload{};
}

double macs(const core::Workload& w, std::string_view op = "") {
    double total = 0;
    for (const auto& layer : w.layers) {
        if (op.empty() || layer.op == op) {
            total += core::matrixMacs(layer, w) * layer.repeat;
        }
    }
    return total;
}

TokenReduction tome(std::int64_t r) {
    TokenReduction t;
    t.method = TokenMethod::tome;
    t.mergeR = {r};
    return t;
}

// ToMe (arXiv:2210.09461) ViT-B/16, r = 16: T_{l+1} = T_l - min(16, floor((T_l - 1) / 2)):
// 197, 181, ..., 37, 21 enter the 12 blocks; the last block merges only 10, leaving 11
// (formulas.md 1.3: "11 tokens remain at the end").
TEST(TokenReduction, TomeViTBaseScheduleAndMacs) {
    const VitConfig c = preset("vit-base-16");
    auto schedule = tokenSchedule(c, 197, tome(16));
    ASSERT_TRUE(schedule.ok());
    const std::int64_t expected[] = {197, 181, 165, 149, 133, 117, 101, 85, 69, 53, 37, 21};
    for (std::size_t i = 0; i < 12; ++i) {
        EXPECT_EQ((*schedule)[i].attention, expected[i]) << i;
    }
    EXPECT_EQ(schedule->back().merged, 10);
    EXPECT_EQ(schedule->back().mlp, 11);

    const auto w = build(c, tome(16));
    // Hand sum of 4 T D^2 + 2 T^2 D + 8 (T - r) D^2 over the schedule (8,655,439,872), plus
    // patch embed 196 x 768 x 768 = 115,605,504 and head 768,000: 8,771,813,376; matching adds
    // the sum of ceil(T/2) floor(T/2) 64 = 2,866,688 MACs (formulas.md: "2.9 M").
    EXPECT_DOUBLE_EQ(macs(w, "tome_match"), 2866688.0);
    EXPECT_DOUBLE_EQ(macs(w), 8774680064.0);
    EXPECT_NEAR(macs(w) / 1e9, 8.78, 0.01);  // formulas.md 1.3 [derived]: 8.78 GMACs
    // Block 0 matching: A = ceil(197/2) = 99 rows against B = 98 columns of d_h = 64.
    for (const auto& layer : w.layers) {
        if (layer.block == 0 && layer.op == "tome_match") {
            EXPECT_EQ(layer.kind, core::LayerKind::matmul);
            EXPECT_DOUBLE_EQ(layer.m, 99);
            EXPECT_DOUBLE_EQ(layer.k, 64);
            EXPECT_DOUBLE_EQ(layer.n, 98);
        }
    }
    EXPECT_EQ(describe(tome(16)), "ToMe r=16");
}

TEST(TokenReduction, TomeProtectsClassAndDistillationTokens) {
    VitConfig c = preset("deit-small");
    c.distillationTokens = 1;  // 2 protected tokens, T0 = 198
    auto schedule = tokenSchedule(c, 198, tome(1000));
    ASSERT_TRUE(schedule.ok());
    // r_l = floor((T_l - 2) / 2): 198 -> 100 -> 51 -> 27 -> 15 -> 9 -> 6 -> 4 -> 3, then 0.
    const std::int64_t expected[] = {198, 100, 51, 27, 15, 9, 6, 4, 3, 3, 3, 3};
    for (std::size_t i = 0; i < 12; ++i) {
        EXPECT_EQ((*schedule)[i].attention, expected[i]) << i;
    }
    EXPECT_EQ(schedule->back().mlp, 3);
}

// DynamicViT (arXiv:2106.02034) DeiT-S, rho = 0.7 at blocks 3, 6, 9: patch tokens
// int(196 * 0.7^i) = 137, 96, 67, plus the class token: 197/138/97/68 (formulas.md 1.3).
TEST(TokenReduction, DynamicVitDeitSmall) {
    const VitConfig c = preset("deit-small");
    TokenReduction r;
    r.method = TokenMethod::dynamicVit;
    r.keepRatio = 0.7;
    auto schedule = tokenSchedule(c, 197, r);
    ASSERT_TRUE(schedule.ok());
    const std::int64_t expected[] = {197, 197, 197, 138, 138, 138, 97, 97, 97, 68, 68, 68};
    for (std::size_t i = 0; i < 12; ++i) {
        EXPECT_EQ((*schedule)[i].attention, expected[i]) << i;
    }
    EXPECT_EQ((*schedule)[3].predictorTokens, 196);  // the predictor sees the patch tokens
    EXPECT_EQ((*schedule)[6].predictorTokens, 137);
    EXPECT_EQ((*schedule)[9].predictorTokens, 96);

    const auto w = build(c, r);
    // Predictor per token: D^2 + D D/2 + D/2 D/4 + D/4 2 = 239,808 MACs (~1.63 D^2), on
    // 196 + 137 + 96 = 429 tokens: 102,877,632 (formulas.md: 0.10 G).
    double predictor = 0;
    for (const char* op : {"predictor.fc1", "predictor.fc2", "predictor.fc3", "predictor.fc4"}) {
        predictor += macs(w, op);
    }
    EXPECT_DOUBLE_EQ(predictor, 429.0 * 239808);
    // Blocks 3 x (378,391,296 + 258,812,928 + 178,864,896 + 123,875,328), patch embed
    // 57,802,752, head 384,000: 2,878,020,096; with the predictor 2,980,897,728 = 2.98 G.
    EXPECT_DOUBLE_EQ(macs(w), 2980897728.0);
    EXPECT_NEAR(macs(w) / 1e9, 2.98, 0.005);
}

TEST(TokenReduction, DiffRatePrunesThenMerges) {
    const VitConfig c = preset("deit-small");
    TokenReduction r;
    r.method = TokenMethod::diffRate;
    r.pruneRate.assign(12, 0.0);
    r.mergeRate.assign(12, 0.0);
    r.pruneRate[0] = 0.25;  // floor(196 * 0.25) = 49 pruned
    r.mergeRate[0] = 0.5;   // floor(196 * 0.5) = 98 removed, so 49 merged
    auto schedule = tokenSchedule(c, 197, r);
    ASSERT_TRUE(schedule.ok());
    EXPECT_EQ((*schedule)[0].pruned, 49);
    EXPECT_EQ((*schedule)[0].merged, 49);
    EXPECT_EQ((*schedule)[0].mlp, 99);
    EXPECT_EQ((*schedule)[1].attention, 99);
    // Similarity of the 49 merged tokens against the 98 kept patch tokens, D = 384.
    EXPECT_DOUBLE_EQ(macs(build(c, r), "diffrate_match"), 49.0 * 98 * 384);

    r.mergeRate[0] = 0.1;  // merge below prune
    schedule = tokenSchedule(c, 197, r);
    ASSERT_FALSE(schedule.ok());
    EXPECT_NE(schedule.error().message.find("block 0"), std::string::npos);
}

TEST(TokenReduction, ExplicitScheduleIsChecked) {
    const VitConfig c = preset("deit-tiny");
    TokenReduction r;
    r.method = TokenMethod::schedule;
    r.tokens = {197, 197, 197, 150, 150, 150, 100, 100, 100, 50, 50, 50};
    auto schedule = tokenSchedule(c, 197, r);
    ASSERT_TRUE(schedule.ok());
    EXPECT_EQ((*schedule)[9].attention, 50);
    r.tokens[4] = 160;  // more than the block before
    schedule = tokenSchedule(c, 197, r);
    ASSERT_FALSE(schedule.ok());
    EXPECT_NE(schedule.error().message.find("block 4"), std::string::npos);
    r.tokens.pop_back();
    schedule = tokenSchedule(c, 197, r);
    ASSERT_FALSE(schedule.ok());
    EXPECT_NE(schedule.error().message.find("expected 12 counts"), std::string::npos);
}

TEST(TokenReduction, SwinRefusesTokenReduction) {
    auto w = buildVit(preset("swin-tiny"), images(1), VitOptions{0, 0, tome(8)});
    ASSERT_FALSE(w.ok());
    EXPECT_NE(w.error().message.find("Swin"), std::string::npos);
}

// Weight bytes do not change when tokens are removed; activations do (formulas.md 1.3).
TEST(TokenReduction, WeightsStayActivationsShrink) {
    const VitConfig c = preset("deit-base");
    const auto base = build(c, TokenReduction{}, 8);
    const auto reduced = build(c, tome(16), 8);
    double baseWeights = 0, reducedWeights = 0, baseActs = 0, reducedActs = 0;
    for (const auto& l : base.layers) {
        baseWeights += l.bytes.weights;
        baseActs += l.bytes.activationsIn + l.bytes.activationsOut;
    }
    for (const auto& l : reduced.layers) {
        reducedWeights += l.bytes.weights;
        reducedActs += l.bytes.activationsIn + l.bytes.activationsOut;
    }
    EXPECT_DOUBLE_EQ(reducedWeights, baseWeights);
    EXPECT_DOUBLE_EQ(reduced.memory.weights, base.memory.weights);
    EXPECT_LT(reducedActs, 0.6 * baseActs);
}

// A device with round numbers: 100 TFLOPS fp16 matrix, 10 TFLOPS fp16 vector, 1 TB/s.
core::Hardware roundDevice() {
    core::Hardware hw;
    hw.id = "round";
    hw.name = "Round numbers";
    hw.matrixDense.set(core::DataType::fp16, 100e12);
    hw.vector.set(core::DataType::fp16, 10e12);
    hw.memory = {{"L2", 40e6, 0, false}, {"HBM", 80e9, 1e12, false}};
    hw.sramPerCoreBytes = 64 * 1024;
    return hw;
}

TEST(TokenReduction, TimeCutIsSmallerThanTheMacCutWhenMemoryBound) {
    const VitConfig c = preset("deit-small");
    const auto base = build(c, TokenReduction{});
    const auto reduced = build(c, tome(16));
    const ReductionEffect e = measureTokenReduction(reduced, base, roundDevice());
    EXPECT_DOUBLE_EQ(e.baselineMacs, 4598882304.0);  // DeiT-S, test_vit_builder.cpp
    EXPECT_DOUBLE_EQ(e.reducedMacs, macs(reduced));
    EXPECT_GT(e.macsCut(), 0.4);
    // Batch 1: DeiT-S GEMMs have AI well under the ridge 100 (100 TFLOPS / 1 TB/s) and weight
    // bytes do not shrink, so the time cut lags the MAC cut.
    EXPECT_GT(e.timeCut(), 0);
    EXPECT_LT(e.timeCut(), e.macsCut());
    const std::string text = summarizeTokenReduction("ToMe r=16", e, "Round numbers");
    EXPECT_EQ(text.rfind("token reduction (ToMe r=16): MACs -", 0), 0U) << text;
    EXPECT_NE(text.find("time -"), std::string::npos) << text;
    EXPECT_NE(text.find("on Round numbers"), std::string::npos) << text;
    EXPECT_EQ(summarizeTokenReduction("x", e, "").find("time"), std::string::npos);
}

}  // namespace
}  // namespace rooflens::models
