// Whole-model validation: the forward pass's kernels against naive references, the pass lists
// exactly the engine's layers, and the join's errors against hand calculations. No test depends
// on how fast this machine is.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "../../core/calibrate/src/whole_kernels.h"
#include "calibrate/gemm.h"
#include "calibrate/thread_team.h"
#include "calibrate/whole_model.h"
#include "core/analysis.h"

namespace rooflens::calibrate {
namespace {

TEST(WholeKernels, FastExpMatchesExpToTwoUlpsOverTheSoftmaxRange) {
    double worst = 0;
    for (float x = -80.0f; x <= 80.0f; x += 0.0137f) {
        const double exact = std::exp(static_cast<double>(x));
        worst = std::max(worst, std::fabs(whole::fastExp(x) - exact) / exact);
    }
    EXPECT_LT(worst, 3e-7);
    EXPECT_FLOAT_EQ(whole::fastExp(0.0f), 1.0f);
    // Clamped: no inf, no denormal.
    EXPECT_TRUE(std::isfinite(whole::fastExp(1000.0f)));
    EXPECT_GT(whole::fastExp(-1000.0f), 0.0f);
}

TEST(WholeKernels, ElementwiseKernelsMatchTheirFormulas) {
    std::vector<float> gate = {-2.0f, 0.0f, 1.5f};
    const std::vector<float> up = {3.0f, 5.0f, -2.0f};
    whole::siluMul(gate.data(), up.data(), 0, 3);
    // silu(-2) * 3 = -2 / (1 + e^2) * 3 = -0.71537; silu(1.5) * -2 = 1.5 / (1 + e^-1.5) * -2.
    EXPECT_NEAR(gate[0], -2.0 / (1 + std::exp(2.0)) * 3, 1e-6);
    EXPECT_FLOAT_EQ(gate[1], 0.0f);
    EXPECT_NEAR(gate[2], 1.5 / (1 + std::exp(-1.5)) * -2, 1e-6);

    std::vector<float> x = {-1.0f, 0.5f, 2.0f};
    whole::gelu(x.data(), 0, 3);
    for (int i = 0; i < 3; ++i) {
        const double v = std::vector<double>{-1.0, 0.5, 2.0}[static_cast<std::size_t>(i)];
        const double tanhForm =
            0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v)));
        EXPECT_NEAR(x[static_cast<std::size_t>(i)], tanhForm, 2e-6);
    }

    // LayerNorm of (1, 2, 3, 4): mean 2.5, variance 1.25 -> (x - 2.5) / sqrt(1.25 + 1e-6).
    const std::vector<float> row = {1, 2, 3, 4};
    const std::vector<float> gamma = {1, 1, 2, 1};
    const std::vector<float> beta = {0, 0, 0, 1};
    std::vector<float> y(4);
    whole::layerNorm(row.data(), gamma.data(), beta.data(), y.data(), 4, 0, 1);
    const double sd = std::sqrt(1.25 + 1e-6);
    EXPECT_NEAR(y[0], -1.5 / sd, 1e-5);
    EXPECT_NEAR(y[2], 2 * 0.5 / sd, 1e-5);
    EXPECT_NEAR(y[3], 1.5 / sd + 1, 1e-5);
}

TEST(WholeKernels, RopeRotatesEachPairByItsPositionAngle) {
    // One head of dim 4 (pairs (0, 2) and (1, 3)), position 1, angles 0.3 and 0.7.
    const std::vector<float> cosTable = {1, 1, std::cos(0.3f), std::cos(0.7f)};
    const std::vector<float> sinTable = {0, 0, std::sin(0.3f), std::sin(0.7f)};
    std::vector<float> v = {1, 2, 3, 4};
    whole::rope(v.data(), 1, 4, cosTable.data(), sinTable.data(), 1, 0, 1);
    EXPECT_NEAR(v[0], 1 * std::cos(0.3) - 3 * std::sin(0.3), 1e-6);
    EXPECT_NEAR(v[2], 3 * std::cos(0.3) + 1 * std::sin(0.3), 1e-6);
    EXPECT_NEAR(v[1], 2 * std::cos(0.7) - 4 * std::sin(0.7), 1e-6);
    EXPECT_NEAR(v[3], 4 * std::cos(0.7) + 2 * std::sin(0.7), 1e-6);
}

TEST(WholeKernels, StridedCausalAttentionMatchesANaiveSoftmax) {
    if (!dnnlAvailable()) {
        GTEST_SKIP() << "built without oneDNN (the blocked attention's products)";
    }
    const std::int64_t d = 20;  // not a multiple of 16: the tail loop runs too
    const std::int64_t keys = 7;
    const std::int64_t queries = 3;
    const std::int64_t ld = 2 * d;  // rows of an interleaved buffer
    std::vector<float> q(static_cast<std::size_t>(queries * ld));
    std::vector<float> k(static_cast<std::size_t>(keys * ld));
    std::vector<float> v(static_cast<std::size_t>(keys * ld));
    for (std::size_t i = 0; i < q.size(); ++i) {
        q[i] = std::sin(0.37f * static_cast<float>(i));
    }
    for (std::size_t i = 0; i < k.size(); ++i) {
        k[i] = std::cos(0.11f * static_cast<float>(i));
        v[i] = std::sin(0.23f * static_cast<float>(i) + 1);
    }
    std::vector<float> out(static_cast<std::size_t>(queries * ld), -9.0f);
    // Two-query blocks: one full block and one partial, each row masked differently.
    std::vector<float> scores(static_cast<std::size_t>(2 * keys));
    whole::attentionHeadBlocked(q.data(), ld, k.data(), v.data(), ld, out.data(), ld, queries, keys,
                                d, true, scores.data(), 2);
    for (std::int64_t i = 0; i < queries; ++i) {
        const std::int64_t visible = keys - queries + i + 1;  // 5, 6, 7
        std::vector<double> p(static_cast<std::size_t>(visible));
        double total = 0;
        for (std::int64_t j = 0; j < visible; ++j) {
            double dot = 0;
            for (std::int64_t t = 0; t < d; ++t) {
                dot += static_cast<double>(q[static_cast<std::size_t>(i * ld + t)]) *
                       k[static_cast<std::size_t>(j * ld + t)];
            }
            p[static_cast<std::size_t>(j)] = std::exp(dot / std::sqrt(static_cast<double>(d)));
            total += p[static_cast<std::size_t>(j)];
        }
        for (std::int64_t t = 0; t < d; ++t) {
            double expected = 0;
            for (std::int64_t j = 0; j < visible; ++j) {
                expected += p[static_cast<std::size_t>(j)] / total *
                            v[static_cast<std::size_t>(j * ld + t)];
            }
            EXPECT_NEAR(out[static_cast<std::size_t>(i * ld + t)], expected, 1e-5);
        }
        EXPECT_FLOAT_EQ(out[static_cast<std::size_t>(i * ld + d)], -9.0f);  // stride respected
    }
}

DecoderShape tinyDecoder() {
    DecoderShape s;
    s.hidden = 64;
    s.intermediate = 96;
    s.layers = 2;
    s.heads = 4;
    s.kvHeads = 2;
    s.headDim = 16;
    s.vocab = 50;
    return s;
}

TEST(WholeModel, DecoderRunsEveryLayerOfPrefillAndDecodeInTheEnginesOrder) {
    if (!dnnlAvailable()) {
        GTEST_SKIP() << "built without oneDNN";
    }
    WholeOptions options;
    options.cpus = {availableCpus().front()};
    options.repeats = 2;
    options.prompt = 8;
    core::CancelToken cancel;
    auto passes = runDecoder(tinyDecoder(), options, cancel);
    ASSERT_TRUE(passes) << passes.error().message;
    ASSERT_EQ(passes->size(), 2U);
    const std::vector<std::string> block = {
        "input_norm",  "q_proj",  "k_proj",        "v_proj",
        "attention",   "o_proj",  "attn_residual", "post_attention_norm",
        "gate_proj",   "up_proj", "act_mul",       "down_proj",
        "mlp_residual"};
    for (const MeasuredPass& pass : *passes) {
        // embed_tokens + 2 blocks x 13 + final_norm + lm_head.
        ASSERT_EQ(pass.layers.size(), 1U + 2 * block.size() + 2) << pass.phase;
        EXPECT_EQ(pass.layers.front().name, "embed_tokens");
        EXPECT_EQ(pass.layers[1 + block.size()].name, "blocks.1.input_norm");
        EXPECT_EQ(pass.layers[5].name, "blocks.0.attention");
        EXPECT_EQ(pass.layers.back().name, "lm_head");
        ASSERT_EQ(pass.totalSeconds.size(), 2U);
        double sum = 0;
        for (const auto& layer : pass.layers) {
            ASSERT_EQ(layer.seconds.size(), 2U) << layer.name;
            sum += layer.seconds[0];
        }
        EXPECT_NEAR(pass.totalSeconds[0], sum, 1e-12);
    }
    EXPECT_EQ((*passes)[0].queries, 8);
    EXPECT_EQ((*passes)[1].queries, 1);
    EXPECT_EQ((*passes)[1].keys, 9);
}

TEST(WholeModel, VitRunsPatchEmbeddingBlocksAndHead) {
    if (!dnnlAvailable()) {
        GTEST_SKIP() << "built without oneDNN";
    }
    VitShape s;
    s.image = 32;
    s.patch = 8;
    s.dim = 32;
    s.depth = 2;
    s.heads = 2;
    s.mlp = 64;
    s.classes = 10;
    WholeOptions options;
    options.cpus = {availableCpus().front()};
    options.repeats = 1;
    core::CancelToken cancel;
    auto pass = runVit(s, options, cancel);
    ASSERT_TRUE(pass) << pass.error().message;
    EXPECT_EQ(pass->queries, 17);  // 16 patches + the class token
    // patch_embed, pos_embed, 2 x 10 block layers, norm, head.
    ASSERT_EQ(pass->layers.size(), 24U);
    EXPECT_EQ(pass->layers[2].name, "blocks.0.norm1");
    EXPECT_EQ(pass->layers[10].name, "blocks.0.fc2");
    EXPECT_EQ(pass->layers.back().name, "head");
}

TEST(WholeModel, BadShapesAndCancellationAreErrors) {
    WholeOptions options;
    core::CancelToken cancel;
    DecoderShape odd = tinyDecoder();
    odd.kvHeads = 3;  // 4 heads are not a multiple of 3
    auto bad = runDecoder(odd, options, cancel);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("multiple of the KV heads"), std::string::npos);
    if (!dnnlAvailable()) {
        return;
    }
    cancel.cancel();
    options.prompt = 4;
    auto cancelled = runDecoder(tinyDecoder(), options, cancel);
    ASSERT_FALSE(cancelled);
    EXPECT_EQ(cancelled.error().message, "cancelled");
}

// A report of three layers with hand-set times, and measurements for two of them plus one the
// engine does not list.
TEST(WholeModel, JoinComputesPerLayerAndTotalErrorsByHand) {
    core::Report report;
    for (const char* op : {"q_proj", "attention", "lm_head"}) {
        core::Layer layer;
        layer.op = op;
        layer.block = std::string_view(op) == "lm_head" ? -1 : 0;
        report.layers.push_back(layer);
    }
    report.results.resize(3);
    report.results[0].timeSeconds = 1.0;  // q_proj: roof 1, expected 1.8, measured 2
    report.results[0].expectedSeconds = 1.8;
    report.results[1].timeSeconds = 0.5;  // attention: roof 0.5, expected 0.6, measured 0.4
    report.results[1].expectedSeconds = 0.6;
    report.results[2].timeSeconds = 0.2;  // lm_head: not measured
    report.results[2].expectedSeconds = 0.3;
    MeasuredPass pass;
    pass.phase = "prefill";
    pass.layers = {{"blocks.0.q_proj", {2.0, 2.0, 2.0}},
                   {"blocks.0.attention", {0.4, 0.4, 0.4}},
                   {"blocks.0.rope", {0.1, 0.1, 0.1}}};
    pass.totalSeconds = {2.5, 2.5, 2.5};
    const WholePassResult r = joinWhole(pass, report, 1);
    ASSERT_EQ(r.rows.size(), 3U);
    EXPECT_NEAR(r.rows[0].expectedError, 0.1, 1e-12);   // |1.8 - 2| / 2
    EXPECT_NEAR(r.rows[0].rooflineError, 0.5, 1e-12);   // |1 - 2| / 2
    EXPECT_NEAR(r.rows[1].expectedError, 0.5, 1e-12);   // |0.6 - 0.4| / 0.4
    EXPECT_NEAR(r.rows[1].rooflineError, 0.25, 1e-12);  // |0.5 - 0.4| / 0.4
    EXPECT_FALSE(r.rows[0].fasterThanRoof);
    EXPECT_TRUE(r.rows[1].fasterThanRoof);  // 0.4 s measured under a 0.5 s bound
    EXPECT_FALSE(r.rows[2].measured);
    ASSERT_EQ(r.unmatched.size(), 1U);
    EXPECT_EQ(r.unmatched[0], "blocks.0.rope");
    // Medians of two errors: (0.1 + 0.5) / 2 and (0.5 + 0.25) / 2; p90 0.1 + 0.9 x 0.4.
    EXPECT_NEAR(r.summary.expectedMedian, 0.3, 1e-12);
    EXPECT_NEAR(r.summary.rooflineMedian, 0.375, 1e-12);
    EXPECT_NEAR(r.summary.expectedP90, 0.46, 1e-12);
    // Totals: roofline 1.7 s and expected 2.7 s against 2.5 s measured.
    EXPECT_NEAR(r.summary.rooflineSeconds, 1.7, 1e-12);
    EXPECT_NEAR(r.summary.expectedSeconds, 2.7, 1e-12);
    EXPECT_NEAR(r.summary.expectedTotalError, 0.08, 1e-12);
    EXPECT_NEAR(r.summary.rooflineTotalError, -0.32, 1e-12);
    EXPECT_EQ(r.summary.fasterThanRoof, 1);
}

// The cache-aware bound by hand: an LLC of 32 MB at 100 GB/s, DRAM at 10 GB/s (the report's
// memory times are bytes / 10 GB/s). A residual add moving 6 MB of activations is priced at the
// LLC: 6e6 / 100e9 = 60 us instead of 600 us; a GEMM with 8 MB of weights and 2 MB of
// activations: 8e6 / 10e9 + 2e6 / 100e9 = 820 us of its 1 ms; activations of 40 MB do not fit.
TEST(WholeModel, CacheAwareBoundPricesActivationsThatFitAtTheLlc) {
    core::Hardware hw;
    hw.memory = {{"L2", 4e6, 400e9, true}, {"L3", 32e6, 100e9, true}, {"DRAM", 64e9, 10e9, true}};
    ASSERT_NE(lastLevelCache(hw), nullptr);
    EXPECT_EQ(lastLevelCache(hw)->name, "L3");
    core::Report report;
    for (const char* op : {"residual", "down_proj", "big_add"}) {
        core::Layer layer;
        layer.op = op;
        layer.block = 0;
        report.layers.push_back(layer);
    }
    report.results.resize(3);
    auto& add = report.results[0];
    add.bytes.activationsIn = 4e6;
    add.bytes.activationsOut = 2e6;
    add.memorySeconds = 6e6 / 10e9;
    add.computeSeconds = 1e-6;
    add.timeSeconds = add.memorySeconds;
    auto& gemm = report.results[1];
    gemm.bytes.weights = 8e6;
    gemm.bytes.activationsIn = 1e6;
    gemm.bytes.activationsOut = 1e6;
    gemm.memorySeconds = 10e6 / 10e9;
    gemm.computeSeconds = 0.5e-3;
    gemm.timeSeconds = gemm.memorySeconds;
    auto& big = report.results[2];
    big.bytes.activationsIn = 40e6;
    big.memorySeconds = 40e6 / 10e9;
    big.timeSeconds = big.memorySeconds;
    EXPECT_NEAR(cacheAwareMemorySeconds(add, lastLevelCache(hw)), 60e-6, 1e-12);
    EXPECT_NEAR(cacheAwareMemorySeconds(gemm, lastLevelCache(hw)), 820e-6, 1e-12);
    EXPECT_NEAR(cacheAwareMemorySeconds(big, lastLevelCache(hw)), 4e-3, 1e-12);
    MeasuredPass pass;
    pass.phase = "prefill";
    // The add at 200 us: under the DRAM roof (600 us), above the cache roof (60 us).
    pass.layers = {{"blocks.0.residual", {200e-6, 200e-6, 200e-6}},
                   {"blocks.0.down_proj", {700e-6, 700e-6, 700e-6}},
                   {"blocks.0.big_add", {5e-3, 5e-3, 5e-3}}};
    pass.totalSeconds = {6e-3};
    const WholePassResult r = joinWhole(pass, report, 1, &hw);
    ASSERT_EQ(r.rows.size(), 3U);
    EXPECT_NEAR(r.rows[0].cacheRoofSeconds, 60e-6, 1e-12);
    EXPECT_TRUE(r.rows[0].fasterThanRoof);
    EXPECT_FALSE(r.rows[0].fasterThanCacheRoof);
    // down_proj: 700 us is under its 1 ms DRAM roof and under its 820 us cache-aware bound.
    EXPECT_NEAR(r.rows[1].cacheRoofSeconds, 820e-6, 1e-12);
    EXPECT_TRUE(r.rows[1].fasterThanCacheRoof);
    EXPECT_NEAR(r.rows[2].cacheRoofSeconds, 4e-3, 1e-12);
    EXPECT_FALSE(r.rows[2].fasterThanRoof);
    EXPECT_EQ(r.summary.fasterThanRoof, 2);
    EXPECT_EQ(r.summary.fasterThanCacheRoof, 1);
    // Without a device (or an LLC with a bandwidth) the cache-aware bound is the roofline.
    const WholePassResult plain = joinWhole(pass, report, 1);
    EXPECT_NEAR(plain.rows[0].cacheRoofSeconds, plain.rows[0].rooflineSeconds, 1e-15);
    EXPECT_EQ(plain.summary.fasterThanCacheRoof, plain.summary.fasterThanRoof);
    core::Hardware datasheet;
    datasheet.memory = {{"L2", 50e6, 0, false}, {"HBM", 80e9, 3e12, false}};
    EXPECT_EQ(lastLevelCache(datasheet), nullptr);
}

// What the GUI needs to place a layer on the roofline (docs/gui.md, measured runs): one
// instance's OPs and bytes and the repeat the times cover.
TEST(WholeModel, JoinKeepsOpsBytesAndRepeatForTheChart) {
    core::Report report;
    core::Layer layer;
    layer.op = "attention";
    layer.block = 0;
    layer.repeat = 2;
    report.layers.push_back(layer);
    report.results.resize(1);
    report.results[0].ops = 3e6;
    report.results[0].bytes.activationsIn = 4e5;
    report.results[0].timeSeconds = 0.5;
    report.results[0].expectedSeconds = 0.6;
    MeasuredPass pass;
    pass.phase = "prefill";
    pass.layers = {{"blocks.0.attention", {1.5, 1.5, 1.5}}};
    pass.totalSeconds = {1.5, 1.5, 1.5};
    const WholePassResult r = joinWhole(pass, report, 1);
    ASSERT_EQ(r.rows.size(), 1U);
    EXPECT_EQ(r.rows[0].repeat, 2U);
    EXPECT_DOUBLE_EQ(r.rows[0].ops, 3e6);
    EXPECT_DOUBLE_EQ(r.rows[0].bytes, 4e5);
    EXPECT_DOUBLE_EQ(r.rows[0].rooflineSeconds, 1.0);      // 0.5 s x 2 instances
    EXPECT_NEAR(r.rows[0].rooflineError, 1.0 / 3, 1e-12);  // |1 - 1.5| / 1.5
}

}  // namespace
}  // namespace rooflens::calibrate
