// What FP4 buys on Blackwell against Hopper and MI355X (issue 10): Llama-3-70B built from its
// preset, compressed with the issue's presets, analysed on the built-in devices. Expected ratios
// are the datasheet peak ratios (compute-bound prefill) and the effective-bit ratios
// (memory-bound decode).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/analysis.h"
#include "core/scenario.h"
#include "hwdb/hwdb.h"
#include "models/presets.h"

namespace rooflens {
namespace {

const hwdb::Database& db() {
    static const hwdb::Database database = hwdb::Database::load();
    return database;
}

core::Scenario scenario(const std::string& nameOrJson) {
    if (nameOrJson.front() == '{') {
        return core::parseScenario(nlohmann::json::parse(nameOrJson), "inline").value();
    }
    return core::resolveScenario(nameOrJson).value();
}

core::Report run(const std::string& hw, const std::string& scenarioName, core::Phase phase,
                 std::int64_t length) {
    core::RunSettings s;
    s.phase = phase;
    s.batch = 1;
    s.promptLength = length;
    s.contextLength = length;
    auto w = models::buildLlm(models::resolveLlm("llama-3-70b").value(), s);
    EXPECT_TRUE(w.ok());
    auto compressed = core::applyScenario(scenario(scenarioName), w.value());
    EXPECT_TRUE(compressed.ok()) << (compressed.ok() ? "" : compressed.error().message);
    return core::analyze(compressed.value(), db().resolve(hw).value());
}

bool blockLinear(const core::Layer& l) {
    return l.kind == core::LayerKind::gemm && l.block >= 0;
}

double linearTime(const core::Report& r) {
    double t = 0;
    for (std::size_t i = 0; i < r.layers.size(); ++i) {
        if (blockLinear(r.layers[i])) {
            t += r.results[i].timeSeconds * r.layers[i].repeat;
        }
    }
    return t;
}

// The execution of the first block's q_proj.
core::LayerResult qProj(const core::Report& r) {
    for (std::size_t i = 0; i < r.layers.size(); ++i) {
        if (r.layers[i].name() == "blocks.0.q_proj") {
            return r.results[i];
        }
    }
    ADD_FAILURE() << "no blocks.0.q_proj";
    return {};
}

constexpr std::int64_t kPrompt = 2048;
constexpr std::int64_t kContext = 2048;

TEST(Microscaling, B200PrefillNvfp4IsFasterThanFp8ByThePeakRatio) {
    const auto fp8 = run("b200", "fp8-w8a8", core::Phase::prefill, kPrompt);
    const auto fp4 = run("b200", "nvfp4-w4a4", core::Phase::prefill, kPrompt);
    const auto e = qProj(fp4).execution;
    EXPECT_EQ(e.mathType, core::DataType::nvfp4);
    EXPECT_FALSE(e.promoted);
    EXPECT_EQ(e.peakOpsPerSecond, 9e15);
    EXPECT_EQ(qProj(fp4).conversionOps, 0.0);
    EXPECT_EQ(qProj(fp8).execution.mathType, core::DataType::fp8_e4m3);
    EXPECT_EQ(qProj(fp4).bound, core::Bound::compute);
    // Compute-bound block linears: time ratio = FP4 / FP8 peak = 9000 / 4500 = 2.
    const double ratio = linearTime(fp8) / linearTime(fp4);
    EXPECT_NEAR(ratio, 2.0, 0.02);
    EXPECT_LE(ratio, 2.0 + 1e-9);
    // The whole pass gains less: attention and lm_head stay 16-bit.
    const double whole = fp8.totals.timeSeconds / fp4.totals.timeSeconds;
    EXPECT_GT(whole, 1.2);
    EXPECT_LT(whole, ratio);
}

TEST(Microscaling, H100PrefillGainsNothingFromFp4Math) {
    const auto fp8 = run("h100-sxm", "fp8-w8a8", core::Phase::prefill, kPrompt);
    const auto fp4 = run("h100-sxm", "nvfp4-w4a4", core::Phase::prefill, kPrompt);
    // No FP4 units on Hopper: NVFP4 operands dequantize (2 OPs per element on the vector units)
    // and the math runs in 16 bits at 989.4 TFLOPS, half the FP8 rate.
    const auto q = qProj(fp4);
    EXPECT_EQ(q.execution.mathType, core::DataType::fp16);
    EXPECT_TRUE(q.execution.promoted);
    EXPECT_EQ(q.execution.peakOpsPerSecond, 989.4e12);
    const double elements = 8192.0 * 8192;  // q_proj weights
    EXPECT_DOUBLE_EQ(q.conversionOps, 2 * elements + 2 * kPrompt * 8192.0);
    const double ratio = linearTime(fp8) / linearTime(fp4);
    EXPECT_LE(ratio, 1.0);
    // Bounded below by the 16-bit / FP8 peak ratio (989.4 / 1978.9) less the conversions.
    EXPECT_GT(ratio, 0.45);
    EXPECT_LT(ratio, 989.4 / 1978.9 + 1e-9);
}

TEST(Microscaling, DecodeGainsFollowTheByteRatioOnBoth) {
    // Memory-bound decode: block-linear time ratio = weight bytes ratio = 8 / 4.5 bits (FP8 with
    // per-tensor scales against NVFP4 with one E4M3 scale per 16), activations being tiny.
    for (const char* hw : {"b200", "h100-sxm"}) {
        SCOPED_TRACE(hw);
        const auto fp8 = run(hw, "fp8-w8a8", core::Phase::decode, kContext);
        const auto fp4 = run(hw, "nvfp4-w4a4", core::Phase::decode, kContext);
        EXPECT_EQ(qProj(fp4).bound, core::Bound::memory);
        EXPECT_NEAR(linearTime(fp8) / linearTime(fp4), 8 / 4.5, 8 / 4.5 * 0.005);
    }
}

TEST(Microscaling, Mi355xRunsMxfp4NativelyAndNvfp4Dequantized) {
    const char* mxfp4W4a4 =
        R"({"schema_version": 1, "name": "mxfp4-w4a4", "weights": {"type": "mxfp4"},
            "activations": {"type": "mxfp4"}})";
    const auto mx = run("mi355x", mxfp4W4a4, core::Phase::prefill, kPrompt);
    const auto nv = run("mi355x", "nvfp4-w4a4", core::Phase::prefill, kPrompt);
    const auto mxq = qProj(mx);
    EXPECT_EQ(mxq.execution.mathType, core::DataType::mxfp4);
    EXPECT_FALSE(mxq.execution.promoted);
    EXPECT_NEAR(mxq.execution.peakOpsPerSecond, 10066.3e12, 1e6);
    EXPECT_EQ(mxq.conversionOps, 0.0);
    const auto nvq = qProj(nv);
    EXPECT_EQ(nvq.execution.mathType, core::DataType::fp16);
    EXPECT_TRUE(nvq.execution.promoted);
    EXPECT_GT(nvq.conversionOps, 0.0);
    // Native MXFP4 against dequantized NVFP4: 10066.3 / 2516.6 = 4x on the compute-bound linears.
    EXPECT_GT(linearTime(nv) / linearTime(mx), 3.9);
    // The same MXFP4 W4A4 on a B200 runs natively at its FP4 rate.
    EXPECT_EQ(qProj(run("b200", mxfp4W4a4, core::Phase::prefill, kPrompt)).execution.mathType,
              core::DataType::mxfp4);
}

TEST(Microscaling, WeightOnlyMxfp4SavesBytesNotMath) {
    const auto bf16 = run("mi355x", "fp16", core::Phase::decode, kContext);
    const auto mx = run("mi355x", "mxfp4-w4a16", core::Phase::decode, kContext);
    // MLP weights go from 16 to 4.25 bits; attention projections stay 16-bit.
    double mlp16 = 0;
    double mlp4 = 0;
    for (std::size_t i = 0; i < mx.layers.size(); ++i) {
        const auto op = mx.layers[i].op;
        if (op == "gate_proj" || op == "up_proj" || op == "down_proj") {
            mlp4 += mx.results[i].timeSeconds * mx.layers[i].repeat;
            mlp16 += bf16.results[i].timeSeconds * bf16.layers[i].repeat;
            EXPECT_EQ(mx.results[i].execution.mathType, core::DataType::bf16);
        }
    }
    EXPECT_NEAR(mlp16 / mlp4, 16 / 4.25, 16 / 4.25 * 0.005);
    EXPECT_DOUBLE_EQ(qProj(mx).timeSeconds, qProj(bf16).timeSeconds);
}

TEST(Microscaling, Fp8KvHalvesTheKvBytesOfDecode) {
    const auto base = run("b200", "fp16", core::Phase::decode, 8192);
    const auto kv = run("b200", "fp8-kv", core::Phase::decode, 8192);
    double kv16 = 0;
    double kv8 = 0;
    for (std::size_t i = 0; i < kv.layers.size(); ++i) {
        kv16 += base.results[i].bytes.kvRead * base.layers[i].repeat;
        kv8 += kv.results[i].bytes.kvRead * kv.layers[i].repeat;
    }
    ASSERT_GT(kv8, 0);
    EXPECT_DOUBLE_EQ(kv16 / kv8, 2.0);
    EXPECT_DOUBLE_EQ(base.totals.memory.kvCache / kv.totals.memory.kvCache, 2.0);
}

}  // namespace
}  // namespace rooflens
