// The efficiency model (issue 14): interpolation on synthetic grids, the expected time against
// hand calculations, and the invariants (no model = the roofline exactly, expected >= roofline).
#include <gtest/gtest.h>

#include <cmath>

#include "core/analysis.h"
#include "core/efficiency.h"
#include "core/request.h"
#include "test_device.h"

namespace rooflens::core {
namespace {

GemmEfficiencyGrid grid1d(std::vector<double> m, std::vector<double> values) {
    GemmEfficiencyGrid g;
    g.unit = ExecUnit::matrix;
    g.m = std::move(m);
    g.k = {1};
    g.n = {1};
    g.values = std::move(values);
    return g;
}

// m x k = {16, 256} x {64, 4096}, n = {1}; values grow along both axes.
GemmEfficiencyGrid grid2d() {
    GemmEfficiencyGrid g;
    g.unit = ExecUnit::matrix;
    g.type = DataType::fp16;
    g.m = {16, 256};
    g.k = {64, 4096};
    g.n = {1};
    g.values = {0.2, 0.4, 0.6, 1.0};  // (16,64) (16,4096) (256,64) (256,4096)
    return g;
}

Layer gemm(double m, double k, double n, double bytes) {
    Layer layer;
    layer.op = "gemm";
    layer.kind = LayerKind::gemm;
    layer.unit = ExecUnit::matrix;
    layer.computeType = DataType::fp16;
    layer.m = m;
    layer.k = k;
    layer.n = n;
    layer.ops = 2 * m * k * n;
    layer.bytes.weights = bytes;
    return layer;
}

TEST(EfficiencyGrid, ExactAtGridPoints) {
    const GemmEfficiencyGrid g = grid2d();
    EXPECT_DOUBLE_EQ(g.at(16, 64, 1), 0.2);
    EXPECT_DOUBLE_EQ(g.at(16, 4096, 1), 0.4);
    EXPECT_DOUBLE_EQ(g.at(256, 64, 1), 0.6);
    EXPECT_DOUBLE_EQ(g.at(256, 4096, 1), 1.0);
}

TEST(EfficiencyGrid, InterpolatesInLogShapeSpace) {
    // m = 64 is halfway between 16 and 256 in log m, k = 512 halfway between 64 and 4096:
    // bilinear centre = (0.2 + 0.4 + 0.6 + 1.0) / 4 = 0.55.
    const GemmEfficiencyGrid g = grid2d();
    EXPECT_NEAR(g.at(64, 512, 1), 0.55, 1e-12);
    // Along m only at k = 64: 0.2 + (0.6 - 0.2) / 2 = 0.4 (a linear-m rule would give 0.28).
    EXPECT_NEAR(g.at(64, 64, 1), 0.4, 1e-12);
    // m = 32: log2(32/16) / log2(256/16) = 1/4 of the way: 0.2 + 0.4 / 4 = 0.3.
    EXPECT_NEAR(g.at(32, 64, 1), 0.3, 1e-12);
}

TEST(EfficiencyGrid, ClampedOutside) {
    const GemmEfficiencyGrid g = grid2d();
    EXPECT_DOUBLE_EQ(g.at(1, 1, 1), 0.2);        // below every axis: the first point
    EXPECT_DOUBLE_EQ(g.at(1e6, 1e6, 1e6), 1.0);  // above: the last
    EXPECT_DOUBLE_EQ(g.at(1, 4096, 1), 0.4);     // m clamped, k on the grid
    EXPECT_NEAR(g.at(1e6, 512, 7), 0.8, 1e-12);  // m clamped to 256: (0.6 + 1.0) / 2
}

TEST(EfficiencyGrid, MonotoneAndNeverAboveOne) {
    const GemmEfficiencyGrid g = grid1d({1, 8, 32, 128, 512}, {0.27, 0.3, 0.6, 0.81, 0.9});
    double previous = 0;
    for (double m = 0.5; m < 4096; m *= 1.07) {
        const double e = g.at(m, 100, 100);
        EXPECT_GE(e, previous) << "m = " << m;
        EXPECT_LE(e, 1.0);
        previous = e;
    }
}

TEST(EfficiencyGrid, MakeMonotoneTakesTheMinimumFromTheLargestShapeDown) {
    // A noisy measurement: 0.6 at m = 32 above 0.5 at m = 64; values above 1 are clamped first.
    GemmEfficiencyGrid g = grid1d({16, 32, 64, 128}, {0.4, 0.6, 0.5, 1.2});
    makeMonotone(g);
    // From the top: 1.0; min(0.5, 1.0) = 0.5; min(0.6, 0.5) = 0.5; min(0.4, 0.5) = 0.4.
    EXPECT_EQ(g.values, (std::vector<double>{0.4, 0.5, 0.5, 1.0}));
    GemmEfficiencyGrid h = grid2d();  // (16,64) (16,4096) (256,64) (256,4096)
    h.values = {0.5, 0.3, 0.4, 0.9};
    makeMonotone(h);
    // Along m: (16,64) min(0.5, 0.4) = 0.4; (16,4096) min(0.3, 0.9) = 0.3.
    // Along k: (16,64) min(0.4, 0.3) = 0.3; (256,64) min(0.4, 0.9) = 0.4.
    EXPECT_EQ(h.values, (std::vector<double>{0.3, 0.3, 0.4, 0.9}));
    double previous = 0;
    for (double m = 8; m < 512; m *= 1.3) {
        EXPECT_GE(h.at(m, 64, 1), previous);
        previous = h.at(m, 64, 1);
    }
}

TEST(MemoryEfficiency, LogInterpolatedAndClamped) {
    const MemoryEfficiencyCurve c{{1e3, 1e6}, {0.3, 0.9}};
    EXPECT_DOUBLE_EQ(c.at(10), 0.3);
    EXPECT_DOUBLE_EQ(c.at(1e9), 0.9);
    EXPECT_NEAR(c.at(std::sqrt(1e3 * 1e6)), 0.6, 1e-12);  // log midpoint
}

TEST(EfficiencyModel, ValidateNamesTheBadField) {
    EfficiencyModel model;
    model.gemm.push_back(grid1d({1, 8}, {0.5, 1.5}));
    auto status = validateEfficiency(model, "dev: efficiency");
    ASSERT_FALSE(status);
    EXPECT_NE(status.error().message.find("dev: efficiency/gemm/0/efficiency[1]"),
              std::string::npos);
    EXPECT_NE(status.error().message.find("(0, 1]"), std::string::npos);
    model.gemm[0] = grid1d({8, 8}, {0.5, 0.6});
    status = validateEfficiency(model, "dev");
    ASSERT_FALSE(status);
    EXPECT_NE(status.error().message.find("/gemm/0/m[1]: expected values increasing"),
              std::string::npos);
    model.gemm[0] = grid1d({1, 8}, {0.5});
    status = validateEfficiency(model, "dev");
    ASSERT_FALSE(status);
    EXPECT_NE(status.error().message.find("expected 2 values"), std::string::npos);
    model.gemm = {grid1d({1}, {0.5}), grid1d({2}, {0.5})};
    status = validateEfficiency(model, "dev");
    ASSERT_FALSE(status);
    EXPECT_NE(status.error().message.find("a second grid for matrix any"), std::string::npos);
}

TEST(EfficiencyModel, TypedGridBeforeTheUnitsAnyGrid) {
    EfficiencyModel model;
    model.gemm.push_back(grid1d({1}, {0.5}));  // any type
    model.gemm.push_back(grid2d());            // fp16
    EXPECT_DOUBLE_EQ(model.gemmAt(ExecUnit::matrix, DataType::fp16, 16, 64, 1), 0.2);
    EXPECT_DOUBLE_EQ(model.gemmAt(ExecUnit::matrix, DataType::int8, 16, 64, 1), 0.5);
    EXPECT_DOUBLE_EQ(model.gemmAt(ExecUnit::vector, DataType::fp32, 16, 64, 1), 1.0);
}

TEST(ExpectedTime, WithoutAModelEqualsTheRooflineExactly) {
    Workload w;
    w.layers.push_back(gemm(4096, 4096, 4096, 1e9));  // compute-bound
    w.layers.push_back(gemm(1, 4096, 4096, 32e6));    // memory-bound
    w.layers[1].repeat = 7;
    const Report r = analyze(w, testing::roundDevice());
    for (const LayerResult& l : r.results) {
        EXPECT_EQ(l.expectedSeconds, l.timeSeconds);
        EXPECT_EQ(l.expectedComputeSeconds, l.computeSeconds);
        EXPECT_EQ(l.expectedMemorySeconds, l.memorySeconds);
        EXPECT_EQ(l.overheadSeconds, 0);
    }
    EXPECT_EQ(r.totals.expectedSeconds, r.totals.timeSeconds);
    EXPECT_EQ(r.totals.expectedItemsPerSecond, r.totals.itemsPerSecond);
    EXPECT_EQ(r.efficiency, "none");
}

TEST(ExpectedTime, HalfEfficiencyDoublesAComputeBoundLayer) {
    Hardware hw = testing::roundDevice();
    EfficiencyModel model;
    model.gemm.push_back(grid1d({1}, {0.5}));
    hw.efficiency = model;
    Workload w;
    w.layers.push_back(gemm(4096, 4096, 4096, 1e9));
    w.layers.push_back(gemm(1, 4096, 4096, 32e6));
    const Report r = analyze(w, hw);
    // 2 * 4096^3 = 137.4 GOP at 100 TOP/s = 1.374 ms roofline (memory 1 ms); at 0.5: 2.749 ms.
    const double roof = 2.0 * 4096 * 4096 * 4096 / 100e12;
    EXPECT_DOUBLE_EQ(r.results[0].timeSeconds, roof);
    EXPECT_DOUBLE_EQ(r.results[0].expectedSeconds, 2 * roof);
    // The GEMV: 33.6 MOP at 50 TOP/s = 0.67 us, far below its 32 us of memory: unchanged.
    EXPECT_DOUBLE_EQ(r.results[1].expectedSeconds, 32e6 / 1e12);
    EXPECT_EQ(r.results[1].expectedSeconds, r.results[1].timeSeconds);
}

TEST(ExpectedTime, MemoryEfficiencyAndOverheadPerInstance) {
    Hardware hw = testing::roundDevice();
    EfficiencyModel model;
    model.memory = MemoryEfficiencyCurve{{1e6, 1e8}, {0.4, 0.8}};
    model.kernelOverheadSeconds = 5e-6;
    hw.efficiency = model;
    Workload w;
    w.layers.push_back(gemm(1, 4096, 4096, 1e7));  // 10 MB: log midpoint of 1 MB and 100 MB
    w.layers[0].repeat = 3;
    const Report r = analyze(w, hw);
    // memory 10 us at the roof; efficiency 0.6 -> 16.667 us; + 5 us overhead = 21.667 us.
    EXPECT_NEAR(r.results[0].expectedMemorySeconds, 1e-5 / 0.6, 1e-15);
    EXPECT_NEAR(r.results[0].expectedSeconds, 1e-5 / 0.6 + 5e-6, 1e-15);
    EXPECT_NEAR(r.totals.expectedSeconds, 3 * (1e-5 / 0.6 + 5e-6), 1e-15);
    EXPECT_DOUBLE_EQ(r.totals.timeSeconds, 3e-5);
}

TEST(ExpectedTime, NeverBelowTheRooflineWithTheDefaults) {
    for (DeviceKind kind : {DeviceKind::gpu, DeviceKind::cpu, DeviceKind::tpu, DeviceKind::soc}) {
        Hardware hw = testing::roundDevice();
        hw.efficiency = defaultEfficiency(kind);
        ASSERT_TRUE(validateEfficiency(*hw.efficiency, "default"));
        Workload w;
        for (double m : {1.0, 3.0, 8.0, 40.0, 100.0, 700.0, 5000.0}) {
            for (double bytes : {1e3, 1e6, 1e9}) {
                w.layers.push_back(gemm(m, 2048, 5632, bytes));
            }
        }
        Layer norm;
        norm.op = "norm";
        norm.kind = LayerKind::norm;
        norm.unit = ExecUnit::vector;
        norm.computeType = DataType::fp32;
        norm.ops = 1e6;
        norm.bytes.activationsIn = 4e6;
        w.layers.push_back(norm);
        const Report r = analyze(w, hw);
        for (const LayerResult& l : r.results) {
            EXPECT_GE(l.expectedSeconds, l.timeSeconds);
        }
        EXPECT_GE(r.totals.expectedSeconds, r.totals.timeSeconds);
        EXPECT_EQ(r.efficiency, "default");
    }
}

TEST(ExpectedTime, DefaultsForGpusAreTheDocumentedFractions) {
    const EfficiencyModel gpu = defaultEfficiency(DeviceKind::gpu);
    EXPECT_EQ(gpu.origin, EfficiencyOrigin::defaults);
    EXPECT_DOUBLE_EQ(gpu.gemmAt(ExecUnit::matrix, DataType::bf16, 4096, 4096, 4096), 0.8);
    EXPECT_DOUBLE_EQ(gpu.gemmAt(ExecUnit::matrix, DataType::bf16, 32, 4096, 4096), 0.4);
    EXPECT_DOUBLE_EQ(gpu.memoryAt(1e9), 0.9);
    EXPECT_DOUBLE_EQ(gpu.kernelOverheadSeconds, 3e-6);
    const EfficiencyModel cpu = defaultEfficiency(DeviceKind::cpu);
    EXPECT_DOUBLE_EQ(cpu.gemmAt(ExecUnit::vector, DataType::fp32, 512, 2048, 2048), 0.9);
    EXPECT_DOUBLE_EQ(cpu.memoryAt(1e9), 0.75);
}

Layer vectorLayer(LayerKind kind, double ops, double bytes) {
    Layer layer;
    layer.op = "vec";
    layer.kind = kind;
    layer.unit = ExecUnit::vector;
    layer.computeType = DataType::fp32;
    layer.ops = ops;
    layer.bytes.activationsIn = bytes;
    return layer;
}

TEST(ExpectedTime, KindCurvesDivideTheirKindsRooflineTime) {
    Hardware hw = testing::roundDevice();
    EfficiencyModel model;
    model.memory = MemoryEfficiencyCurve{{1}, {0.9}};
    model.kinds.push_back({LayerKind::norm, MemoryEfficiencyCurve{{1e6, 1e8}, {0.25, 0.5}}});
    model.kinds.push_back({LayerKind::attention, MemoryEfficiencyCurve{{1}, {0.5}}});
    model.kinds.push_back({LayerKind::gemm, MemoryEfficiencyCurve{{1}, {0.8}}});
    model.kernelOverheadSeconds = 1e-6;
    hw.efficiency = model;
    Workload w;
    w.layers.push_back(vectorLayer(LayerKind::norm, 1e6, 1e7));
    w.layers.push_back(vectorLayer(LayerKind::elementwise, 1e6, 1e7));
    Layer attention = vectorLayer(LayerKind::attention, 1e11, 1e6);
    attention.unit = ExecUnit::matrix;
    attention.computeType = DataType::fp16;
    w.layers.push_back(attention);
    w.layers.push_back(gemm(1, 4096, 4096, 32e6));
    w.layers.push_back(gemm(4096, 4096, 4096, 1e9));
    const Report r = analyze(w, hw);
    // Norm: 10 MB at 1 TB/s = 10 us (compute 1 MOP / 10 TOP/s = 0.1 us); 10 MB is the log
    // midpoint of 1 MB and 100 MB: efficiency 0.375 -> 26.667 us, + 1 us = 27.667 us. The memory
    // curve (0.9) is not applied on top.
    EXPECT_DOUBLE_EQ(r.results[0].timeSeconds, 1e-5);
    EXPECT_NEAR(r.results[0].expectedSeconds, 1e-5 / 0.375 + 1e-6, 1e-15);
    // Elementwise has no curve: the memory curve, 10 us / 0.9 + 1 us.
    EXPECT_NEAR(r.results[1].expectedSeconds, 1e-5 / 0.9 + 1e-6, 1e-15);
    // Attention: 100 GOP at 100 TOP/s = 1 ms compute-bound; at 0.5: 2 ms + 1 us.
    EXPECT_NEAR(r.results[2].expectedSeconds, 2e-3 + 1e-6, 1e-12);
    // The GEMV: its memory term 32 us at the gemm curve's 0.8 = 40 us (math 0.67 us at the roof).
    EXPECT_NEAR(r.results[3].expectedSeconds, 32e-6 / 0.8 + 1e-6, 1e-15);
    // The compute-bound GEMM: math 1.374 ms at the roof (no grid); memory 1 GB = 1 ms / 0.8 =
    // 1.25 ms stays below it.
    const double roof = 2.0 * 4096 * 4096 * 4096 / 100e12;
    EXPECT_NEAR(r.results[4].expectedSeconds, roof + 1e-6, 1e-12);
    for (const auto& result : r.results) {
        EXPECT_GE(result.expectedSeconds, result.timeSeconds);
    }
}

TEST(EfficiencyModel, KindCurvesAreValidated) {
    EfficiencyModel model;
    model.kinds.push_back({LayerKind::norm, MemoryEfficiencyCurve{{1e6, 1e8}, {0.25, 0.5}}});
    EXPECT_TRUE(validateEfficiency(model, "x"));
    model.kinds.push_back({LayerKind::norm, MemoryEfficiencyCurve{{1}, {0.5}}});
    auto twice = validateEfficiency(model, "x");
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error().message, "x/kinds/1: a second curve for norm");
    model.kinds.back() = {LayerKind::softmax, MemoryEfficiencyCurve{{1e6, 1e5}, {0.5, 0.5}}};
    auto order = validateEfficiency(model, "x");
    ASSERT_FALSE(order);
    EXPECT_EQ(order.error().message, "x/kinds/1/bytes[1]: expected values increasing");
    model.kinds.back() = {LayerKind::softmax, MemoryEfficiencyCurve{{1}, {1.5}}};
    auto above = validateEfficiency(model, "x");
    ASSERT_FALSE(above);
    EXPECT_NE(
        above.error().message.find("x/kinds/1/efficiency[0]: expected an efficiency in (0, 1]"),
        std::string::npos);
    model.kinds.back() = {LayerKind::allreduce, MemoryEfficiencyCurve{{1}, {0.5}}};
    auto comm = validateEfficiency(model, "x");
    ASSERT_FALSE(comm);
    EXPECT_NE(comm.error().message.find("x/kinds/1/kind: expected a compute or memory layer kind"),
              std::string::npos);
}

TEST(ExpectedTime, GathersFollowTheMeasuredGatherCeiling) {
    // 1e6 random 256-byte rows from a 25.6 MB table: it fits the 40 MB L2 of the round device,
    // so the roofline's reuse estimate prices far fewer DRAM bytes than 256 MB.
    Hardware hw = testing::roundDevice();
    EfficiencyModel model;
    model.gather = MemoryEfficiencyCurve{{64, 256}, {0.05, 0.1}};
    hw.efficiency = model;
    Workload w;
    w.gatherShapes.push_back(GatherShape{1e5, 1e6, 256, 32});
    Layer aggregate;
    aggregate.op = "aggregate";
    aggregate.kind = LayerKind::spmm;
    aggregate.unit = ExecUnit::vector;
    aggregate.computeType = DataType::fp32;
    aggregate.ops = 2 * 1e6 * 64;
    aggregate.bytes.activationsOut = 1e6;
    aggregate.gatherShape = 0;
    w.layers.push_back(aggregate);
    const Report r = analyze(w, hw);
    const LayerResult& l = r.results[0];
    EXPECT_LT(l.memorySeconds, 256e6 / 1e12);
    // Expected: 1 MB written at 1 TB/s (1 us) + 256 MB of rows at 0.1 x 1 TB/s (2.56 ms).
    EXPECT_NEAR(l.expectedMemorySeconds, 1e-6 + 256e6 / 1e11, 1e-15);
    EXPECT_NEAR(l.expectedSeconds, 1e-6 + 256e6 / 1e11, 1e-15);
    // Without a gather curve the expected time keeps the reuse estimate.
    hw.efficiency->gather.reset();
    EXPECT_EQ(analyze(w, hw).results[0].expectedSeconds, l.timeSeconds);
}

// A toy decoder step: one GEMM of fixed shape (B = 1 row) whose weight stream does not depend on
// the context, and one KV read growing with it.
PassBuilder toyRequest() {
    return [](Phase phase, std::int64_t context) -> Result<Workload> {
        Workload w;
        w.settings.phase = phase;
        const double rows = phase == Phase::prefill ? 512.0 : 1.0;
        w.layers.push_back(gemm(rows, 4096, 4096, 32e6));
        Layer kv = gemm(rows, 128, static_cast<double>(context), 0);
        kv.op = "qk";
        kv.kind = LayerKind::matmul;
        kv.bytes.kvRead = 256.0 * static_cast<double>(context);
        w.layers.push_back(kv);
        return w;
    };
}

TEST(ExpectedTime, RequestClosedFormMatchesTheStepwiseSum) {
    Hardware hw = testing::roundDevice();
    EfficiencyModel model;
    model.gemm.push_back(grid1d({1, 512}, {0.25, 0.75}));  // shape-constant over decode
    model.memory = MemoryEfficiencyCurve{{1}, {0.8}};
    model.kernelOverheadSeconds = 2e-6;
    hw.efficiency = model;
    RunSettings s;
    s.phase = Phase::request;
    s.batch = 1;
    s.promptLength = 512;
    s.generateLength = 64;
    const auto closed = analyzeRequest(s, toyRequest(), hw);
    const auto stepwise = analyzeRequestStepwise(s, toyRequest(), hw);
    ASSERT_TRUE(closed && stepwise);
    const RequestMetrics& a = *closed->totals.request;
    const RequestMetrics& b = *stepwise->totals.request;
    EXPECT_NEAR(a.expectedE2eSeconds, b.expectedE2eSeconds, 1e-12 * b.expectedE2eSeconds);
    EXPECT_NEAR(*a.expectedTpotSeconds, *b.expectedTpotSeconds, 1e-12 * *b.expectedTpotSeconds);
    EXPECT_GT(a.expectedE2eSeconds, a.e2eSeconds);
    // Hand check of one decode step's GEMM: 32 MB / (1 TB/s x 0.8) = 40 us + 2 us overhead
    // (compute 33.6 MOP / (100 TOP/s x 0.25) = 1.3 us is below it).
    const LayerResult& decodeGemm = closed->results[2];
    EXPECT_NEAR(decodeGemm.expectedSeconds, 63 * 42e-6, 1e-12);
    // Prefill: 2 x 512 x 4096^2 = 17.2 GOP at 75 TOP/s = 229 us (memory 40 us).
    EXPECT_NEAR(a.expectedTtftSeconds - closed->results[1].expectedSeconds,
                2.0 * 512 * 4096 * 4096 / 75e12 + 2e-6, 1e-12);
}

TEST(ExpectedTime, TimeBasisPicksTheHeadline) {
    Hardware hw = testing::roundDevice();
    EfficiencyModel model;
    model.gemm.push_back(grid1d({1}, {0.5}));
    hw.efficiency = model;
    Workload w;
    w.layers.push_back(gemm(4096, 4096, 4096, 1e9));
    AnalysisOptions options;
    options.timeBasis = TimeBasis::expected;
    const Report r = analyze(w, hw, options);
    EXPECT_EQ(r.timeBasis, TimeBasis::expected);
    EXPECT_DOUBLE_EQ(r.totals.seconds(TimeBasis::expected), 2 * r.totals.timeSeconds);
    EXPECT_DOUBLE_EQ(r.totals.seconds(TimeBasis::roofline), r.totals.timeSeconds);
    EXPECT_EQ(parseTimeBasis("expected"), TimeBasis::expected);
    EXPECT_EQ(parseTimeBasis("roofline"), TimeBasis::roofline);
    EXPECT_FALSE(parseTimeBasis("fast"));
}

}  // namespace
}  // namespace rooflens::core
