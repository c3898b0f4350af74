#include <gtest/gtest.h>

#include "core/analysis.h"
#include "test_device.h"

namespace rooflens::core {
namespace {

Layer makeLayer(LayerKind kind, ExecUnit unit, DataType math, double ops, double bytesIn) {
    Layer layer;
    layer.op = "x";
    layer.kind = kind;
    layer.unit = unit;
    layer.computeType = math;
    layer.ops = ops;
    layer.bytes.weights = bytesIn;
    return layer;
}

TEST(Analysis, ComputeBoundLayerRunsAtPeak) {
    Workload w;
    w.layers.push_back(makeLayer(LayerKind::gemm, ExecUnit::matrix, DataType::fp16, 2e12, 1e9));
    const Report r = analyze(w, testing::roundDevice());
    // 2e12 OPs / 100e12 OPs/s = 20 ms; 1e9 B / 1e12 B/s = 1 ms.
    EXPECT_EQ(r.results[0].bound, Bound::compute);
    EXPECT_DOUBLE_EQ(r.results[0].timeSeconds, 0.02);
    EXPECT_DOUBLE_EQ(r.results[0].intensity, 2000.0);
    EXPECT_DOUBLE_EQ(r.results[0].attainableOpsPerSecond, 100e12);
}

TEST(Analysis, MemoryBoundLayerRunsAtIntensityTimesBandwidth) {
    Workload w;
    w.layers.push_back(makeLayer(LayerKind::gemm, ExecUnit::matrix, DataType::fp16, 1e9, 1e9));
    const Report r = analyze(w, testing::roundDevice());
    EXPECT_EQ(r.results[0].bound, Bound::memory);
    EXPECT_DOUBLE_EQ(r.results[0].timeSeconds, 1e-3);
    EXPECT_DOUBLE_EQ(r.results[0].attainableOpsPerSecond, 1e12);  // AI 1 x 1 TB/s
}

TEST(Analysis, RidgePointSeparatesBounds) {
    // Ridge = 100e12 / 1e12 = 100 OPs/B: just below is memory-bound, just above compute-bound.
    Workload w;
    w.layers.push_back(makeLayer(LayerKind::gemm, ExecUnit::matrix, DataType::fp16, 99e9, 1e9));
    w.layers.push_back(makeLayer(LayerKind::gemm, ExecUnit::matrix, DataType::fp16, 101e9, 1e9));
    const Report r = analyze(w, testing::roundDevice());
    EXPECT_EQ(r.results[0].bound, Bound::memory);
    EXPECT_EQ(r.results[1].bound, Bound::compute);
}

TEST(Analysis, TotalsMultiplyRepeatAndCheckCapacity) {
    Workload w;
    Layer layer = makeLayer(LayerKind::gemm, ExecUnit::matrix, DataType::fp16, 1e9, 1e9);
    layer.repeat = 4;
    w.layers.push_back(layer);
    w.memory.weights = 6e9;
    w.memory.kvCache = 3e9;
    w.memory.activations = 0.5e9;
    Report r = analyze(w, testing::roundDevice());
    EXPECT_DOUBLE_EQ(r.totals.ops, 4e9);
    EXPECT_DOUBLE_EQ(r.totals.bytes, 4e9);
    EXPECT_DOUBLE_EQ(r.totals.timeSeconds, 4e-3);
    EXPECT_TRUE(r.totals.fitsInMemory);  // 9.5 GB <= 10 GB
    w.memory.kvCache = 4e9;
    r = analyze(w, testing::roundDevice());
    EXPECT_FALSE(r.totals.fitsInMemory);  // 10.5 GB > 10 GB
}

TEST(Analysis, EmbeddingWithoutOpsIsMemoryTime) {
    Workload w;
    w.layers.push_back(makeLayer(LayerKind::embedding, ExecUnit::vector, DataType::fp16, 0, 5e8));
    const Report r = analyze(w, testing::roundDevice());
    EXPECT_EQ(r.results[0].bound, Bound::memory);
    EXPECT_DOUBLE_EQ(r.results[0].timeSeconds, 5e-4);
    EXPECT_DOUBLE_EQ(r.results[0].intensity, 0.0);
}

TEST(ExecutionRule, UsesRequestedTypeWhenSupported) {
    const auto e = resolveExecution(DataType::int8, ExecUnit::matrix, testing::roundDevice());
    EXPECT_EQ(e.mathType, DataType::int8);
    EXPECT_EQ(e.unit, ExecUnit::matrix);
    EXPECT_DOUBLE_EQ(e.peakOpsPerSecond, 200e12);
    EXPECT_FALSE(e.promoted);
}

TEST(ExecutionRule, Int4WithoutInt4UnitsRunsOnInt8) {
    const auto e = resolveExecution(DataType::int4, ExecUnit::matrix, testing::roundDevice());
    EXPECT_EQ(e.mathType, DataType::int8);
    EXPECT_TRUE(e.promoted);
}

TEST(ExecutionRule, Fp8WithoutFp8UnitsDequantizesToFp16) {
    const auto e = resolveExecution(DataType::fp8_e4m3, ExecUnit::matrix, testing::roundDevice());
    EXPECT_EQ(e.mathType, DataType::fp16);
    EXPECT_DOUBLE_EQ(e.peakOpsPerSecond, 100e12);
}

TEST(ExecutionRule, Fp16OnBf16OnlyMatrixUnitsUsesBf16) {
    Hardware cpu;
    cpu.matrixDense.set(DataType::bf16, 114.7e12);
    cpu.vector.set(DataType::fp32, 7.17e12);
    cpu.memory = {{"DDR5", 1e12, 307.2e9, false}};
    const auto e = resolveExecution(DataType::fp16, ExecUnit::matrix, cpu);
    EXPECT_EQ(e.mathType, DataType::bf16);
    EXPECT_EQ(e.unit, ExecUnit::matrix);
}

TEST(ExecutionRule, DeviceWithoutMatrixUnitsFallsBackToVector) {
    Hardware gpu;
    gpu.vector.set(DataType::fp32, 27.2e12);
    gpu.vector.set(DataType::fp16, 27.2e12);
    gpu.memory = {{"LPDDR5", 192e9, 800e9, false}};
    const auto e = resolveExecution(DataType::int8, ExecUnit::matrix, gpu);
    EXPECT_EQ(e.mathType, DataType::fp16);
    EXPECT_EQ(e.unit, ExecUnit::vector);
    EXPECT_DOUBLE_EQ(e.peakOpsPerSecond, 27.2e12);
}

TEST(ExecutionRule, VectorLayerWithoutFp16VectorPeakUsesFp32) {
    const auto e = resolveExecution(DataType::fp16, ExecUnit::vector, testing::roundDevice());
    EXPECT_EQ(e.mathType, DataType::fp32);
    EXPECT_EQ(e.unit, ExecUnit::vector);
    EXPECT_DOUBLE_EQ(e.peakOpsPerSecond, 10e12);
}

// A toy model: prefill costs 1 ms of memory time; a decode step at context t moves t MB.
TEST(Request, SumsDecodeStepsOverTheGrowingCache) {
    const Hardware hw = testing::roundDevice();
    RunSettings settings;
    settings.phase = Phase::request;
    settings.batch = 2;
    settings.promptLength = 10;
    settings.generateLength = 4;
    std::vector<std::int64_t> seen;
    auto build = [&](Phase phase, std::int64_t context) -> Result<Workload> {
        Workload w;
        w.settings.phase = phase;
        Layer layer;
        layer.op = "kv";
        layer.kind = LayerKind::attention;
        layer.bytes.kvRead = phase == Phase::prefill ? 1e9 : static_cast<double>(context) * 1e6;
        w.layers.push_back(layer);
        w.memory.kvCache = static_cast<double>(context);
        if (phase == Phase::decode) {
            seen.push_back(context);
        }
        return w;
    };
    // The step-by-step oracle builds every decode step; the closed form only the two ends of
    // the stretch of contexts (no context breaks here) and sums the steps between exactly.
    auto stepwise = analyzeRequestStepwise(settings, build, hw);
    ASSERT_TRUE(stepwise.ok()) << stepwise.error().message;
    EXPECT_EQ(seen, (std::vector<std::int64_t>{11, 12, 13}));
    seen.clear();
    auto report = analyzeRequest(settings, build, hw);
    ASSERT_TRUE(report.ok()) << report.error().message;
    EXPECT_EQ(seen, (std::vector<std::int64_t>{11, 13}));
    EXPECT_DOUBLE_EQ(report->totals.timeSeconds, stepwise->totals.timeSeconds);
    ASSERT_TRUE(report->totals.request.has_value());
    const RequestMetrics& m = *report->totals.request;
    EXPECT_DOUBLE_EQ(m.ttftSeconds, 1e-3);
    // Decode: (11 + 12 + 13) MB / 1 TB/s = 36 us over 3 steps.
    EXPECT_NEAR(m.decodeSeconds, 36e-6, 1e-15);
    ASSERT_TRUE(m.tpotSeconds.has_value());
    EXPECT_NEAR(*m.tpotSeconds, 12e-6, 1e-15);
    EXPECT_NEAR(m.e2eSeconds, 1.036e-3, 1e-15);
    EXPECT_NEAR(m.tokensPerSecond, 8 / 1.036e-3, 1e-6);
    EXPECT_DOUBLE_EQ(report->totals.memory.kvCache, 13);
    ASSERT_EQ(report->layers.size(), 2U);
    EXPECT_EQ(report->results[1].phase, Phase::decode);
    EXPECT_DOUBLE_EQ(report->results[1].bytes.kvRead, 36e6);
}

TEST(Request, OneGeneratedTokenHasNoTpot) {
    RunSettings settings;
    settings.phase = Phase::request;
    settings.promptLength = 5;
    settings.generateLength = 1;
    auto build = [](Phase, std::int64_t) -> Result<Workload> {
        Workload w;
        Layer layer;
        layer.op = "x";
        layer.bytes.weights = 1e6;
        w.layers.push_back(layer);
        return w;
    };
    auto report = analyzeRequest(settings, build, testing::roundDevice());
    ASSERT_TRUE(report.ok());
    EXPECT_FALSE(report->totals.request->tpotSeconds.has_value());
    EXPECT_DOUBLE_EQ(report->totals.request->e2eSeconds, 1e-6);
}

TEST(Request, RejectsEmptyPromptAndGeneration) {
    auto build = [](Phase, std::int64_t) -> Result<Workload> { return Workload{}; };
    RunSettings settings;
    settings.phase = Phase::request;
    settings.promptLength = 0;
    settings.generateLength = 3;
    EXPECT_FALSE(analyzeRequest(settings, build, testing::roundDevice()).ok());
    settings.promptLength = 3;
    settings.generateLength = 0;
    EXPECT_FALSE(analyzeRequest(settings, build, testing::roundDevice()).ok());
}

}  // namespace
}  // namespace rooflens::core
