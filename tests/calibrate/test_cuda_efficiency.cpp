// The efficiency model of a CUDA calibration from synthetic points (no GPU needed): the launch
// cost is the overhead and is taken out of every other time, cold reads give the memory curve,
// compute-bound GEMM shapes give the grid, memory-bound ones the GEMM kind's memory curve.
// Every expected number below is worked out by hand in the comments.
#include <gtest/gtest.h>

#include "calibrate/cuda_backend.h"
#include "core/efficiency.h"
#include "core/hardware.h"
#include "core/workload.h"
#include "hwdb/hwdb.h"

namespace rooflens::calibrate {
namespace {

using core::DataType;

CudaCalibration synthetic() {
    CudaCalibration c;
    c.name = "Test GPU";
    c.startedAt = "2026-12-04T00:00:00Z";
    c.runtimeVersion = "13.0";
    c.mode = Mode::quick;
    c.launchSeconds = 2e-6;
    c.readBytesPerSecond = 4e12;
    c.matrix.set(DataType::bf16, 8e14);
    // 1 kB in 2.2 us: net max(0.2, 0.55) us = 0.55 us -> 1e3 / 0.55e-6 / 4e12 = 0.000454545.
    c.coldReads.push_back({1e3, 1e3 / 2.2e-6});
    // 1 MB in 3 us: net 1 us -> 1e6 / 1e-6 / 4e12 = 0.25.
    c.coldReads.push_back({1e6, 1e6 / 3e-6});
    // 1 GB in 252 us: net 250 us -> exactly the streaming rate, 1.
    c.coldReads.push_back({1e9, 1e9 / 252e-6});
    const double gemv = 2.0 * 1 * 4096 * 4096;
    const double gemvBytes = 2.0 * (4096 + 4096.0 * 4096 + 4096);  // 33,570,816
    // m = 1: compute 41.9 ns < memory 8.39 us: memory-bound. 12 us, net 10 us ->
    // 33,570,816 / 4e12 / 10e-6 = 0.8392704.
    c.gemmShapes.push_back({DataType::bf16, 1, 4096, 4096, gemvBytes, gemv / 12e-6});
    const double square = 2.0 * 4096.0 * 4096.0 * 4096.0;
    const double squareBytes = 2.0 * 3 * 4096.0 * 4096.0;
    // m = 4096: compute 171.8 us > memory 25.2 us: compute-bound. 202 us, net 200 us ->
    // 1.37439e11 / 8e14 / 200e-6 = 0.858993.
    c.gemmShapes.push_back({DataType::bf16, 4096, 4096, 4096, squareBytes, square / 202e-6});
    // m = 2 of the same (k, n): 33,587,200 B, within 5 % of m = 1: averaged into its point.
    // 14 us, net 12 us -> 33,587,200 / 4e12 / 12e-6 = 0.699733; mean with 0.8392704 = 0.7695.
    const double gemv2Bytes = 2.0 * (2 * 4096 + 4096.0 * 4096 + 2 * 4096);
    c.gemmShapes.push_back({DataType::bf16, 2, 4096, 4096, gemv2Bytes, 2 * gemv / 14e-6});
    // fp16 has no matrix peak in this calibration: its shapes are ignored.
    c.gemmShapes.push_back({DataType::fp16, 4096, 4096, 4096, squareBytes, square / 202e-6});
    return c;
}

TEST(CudaEfficiency, OverheadMemoryCurveGridAndGemvCurveFromTheMeasuredPoints) {
    const auto model = cudaEfficiencyModel(synthetic());
    ASSERT_TRUE(model.has_value());
    EXPECT_EQ(model->origin, core::EfficiencyOrigin::measured);
    EXPECT_DOUBLE_EQ(model->kernelOverheadSeconds, 2e-6);
    ASSERT_TRUE(model->memory.has_value());
    EXPECT_EQ(model->memory->bytes, (std::vector<double>{1e3, 1e6, 1e9}));
    EXPECT_EQ(model->memory->values, (std::vector<double>{0.000455, 0.25, 1.0}));

    // The bf16 grid and its copy for the types without a grid; m = 1 was memory-bound, so it
    // counts as 1 before the grid is made monotone (running minimum from m = 4096 down).
    ASSERT_EQ(model->gemm.size(), 2U);
    for (const auto& grid : model->gemm) {
        EXPECT_EQ(grid.unit, core::ExecUnit::matrix);
        EXPECT_EQ(grid.m, (std::vector<double>{1, 2, 4096}));
        EXPECT_EQ(grid.values, (std::vector<double>{0.859, 0.859, 0.859}));
    }
    EXPECT_FALSE(model->gemm[0].type.has_value());
    EXPECT_EQ(model->gemm[1].type, DataType::bf16);
    EXPECT_DOUBLE_EQ(model->gemmAt(core::ExecUnit::matrix, DataType::fp8_e4m3, 64, 4096, 4096),
                     0.859);

    const core::MemoryEfficiencyCurve* gemvCurve = model->curveFor(core::LayerKind::gemm);
    ASSERT_NE(gemvCurve, nullptr);
    EXPECT_EQ(gemvCurve->bytes, (std::vector<double>{33570816.0}));
    EXPECT_EQ(gemvCurve->values, (std::vector<double>{0.77}));
    EXPECT_EQ(model->curveFor(core::LayerKind::norm), nullptr);
    EXPECT_TRUE(core::validateEfficiency(*model, "test"));
}

TEST(CudaEfficiency, ShapesNearTheRidgeKeepTheirMeasuredTimeInTheGrid) {
    CudaCalibration c = synthetic();
    c.gemmShapes.clear();
    // m = 256, k = n = 4096: compute 2 * 256 * 4096^2 / 8e14 = 10.737 us; memory
    // 2 * (2 * 256 * 4096 + 4096^2) / 4e12 = 9.437 us; compute >= 0.25 memory: a grid cell.
    // 20 us, net 18 us -> 10.737 / 18 = 0.596523.
    const double ops = 2.0 * 256 * 4096 * 4096;
    c.gemmShapes.push_back(
        {DataType::bf16, 256, 4096, 4096, 2.0 * (2 * 256 * 4096 + 4096.0 * 4096), ops / 20e-6});
    // m = 64: compute 2.684 us, memory 2 * (2 * 64 * 4096 + 4096^2) / 4e12 = 8.651 us: a ratio of
    // 0.31 >= 0.25, still a grid cell: 12 us, net 10 us -> 0.268435.
    c.gemmShapes.push_back({DataType::bf16, 64, 4096, 4096, 2.0 * (2 * 64 * 4096 + 4096.0 * 4096),
                            2.0 * 64 * 4096 * 4096 / 12e-6});
    const auto model = cudaEfficiencyModel(c);
    ASSERT_TRUE(model.has_value());
    ASSERT_EQ(model->gemm.size(), 2U);
    EXPECT_EQ(model->gemm[1].m, (std::vector<double>{64, 256}));
    EXPECT_EQ(model->gemm[1].values, (std::vector<double>{0.268, 0.597}));
    EXPECT_EQ(model->curveFor(core::LayerKind::gemm), nullptr);
}

TEST(CudaEfficiency, NoModelWithoutALaunchTimeOrAReadBandwidth) {
    CudaCalibration c = synthetic();
    c.launchSeconds = 0;
    EXPECT_FALSE(cudaEfficiencyModel(c).has_value());
    c = synthetic();
    c.readBytesPerSecond = 0;
    EXPECT_FALSE(cudaEfficiencyModel(c).has_value());
}

TEST(CudaEfficiency, AnIncompleteGridIsLeftOutAndTheModelStillRoundTripsThroughTheSchema) {
    CudaCalibration c = synthetic();
    // (m, n) = (1, 1024) without (4096, 1024): the bf16 grid would miss a cell.
    c.gemmShapes.push_back({DataType::bf16, 1, 4096, 1024, 2.0 * (4096 + 4096.0 * 1024 + 1024),
                            2.0 * 4096 * 1024 / 5e-6});
    const auto model = cudaEfficiencyModel(c);
    ASSERT_TRUE(model.has_value());
    EXPECT_TRUE(model->gemm.empty());
    ASSERT_NE(model->curveFor(core::LayerKind::gemm), nullptr);
    // 2 GEMV sizes now: 8,396,800 B in 5 us (net 3 us) -> 8,396,800 / 4e12 / 3e-6 = 0.69973.
    EXPECT_EQ(model->curveFor(core::LayerKind::gemm)->values, (std::vector<double>{0.7, 0.77}));

    core::Hardware hw;
    hw.id = "calibrated-gpu0";
    hw.name = "Test GPU (calibrated)";
    hw.vendor = "NVIDIA";
    hw.kind = core::DeviceKind::gpu;
    hw.matrixDense.set(DataType::bf16, 8e14);
    hw.memory.push_back({"device memory", 80e9, 4e12, true});
    hw.efficiency = cudaEfficiencyModel(synthetic());
    const std::string text = hwdb::serializeDevice(hw);
    auto back = hwdb::parseDeviceText(text, "gpu.json");
    ASSERT_TRUE(back) << back.error().message;
    ASSERT_TRUE(back.value().efficiency.has_value());
    EXPECT_EQ(*back.value().efficiency, *hw.efficiency);
}

}  // namespace
}  // namespace rooflens::calibrate
