// Kernel-class efficiency fits (issue 14 item 5): synthetic joined rows against hand-computed
// curves; no test depends on how fast the machine is.
#include <gtest/gtest.h>

#include <cmath>

#include "calibrate/kernel_classes.h"
#include "core/workload.h"

namespace rooflens::calibrate {
namespace {

WholeLayerRow row(const char* kind, double bytes, double roofline, double measured,
                  double overhead = 1e-6) {
    WholeLayerRow r;
    r.name = std::string("x.") + kind;
    r.kind = kind;
    r.bytes = bytes;
    r.rooflineSeconds = roofline;
    r.rooflineMemorySeconds = roofline;
    r.expectedComputeSeconds = 0;
    r.overheadSeconds = overhead;
    r.bound = "memory";
    r.measured = true;
    r.measuredSeconds = measured;
    return r;
}

TEST(KernelClasses, FitClustersByBytesAndTakesTheMedian) {
    std::vector<WholeLayerRow> rows = {
        // norm at 1.0, 1.1, 1.2 MB (one cluster, within 1.25x): e = 10 / (21 - 1) = 0.5,
        // 10 / 40 = 0.25, 10 / 10 = 1; median 0.5 at the geometric mean of the bytes.
        row("norm", 1.0e6, 10e-6, 21e-6),
        row("norm", 1.1e6, 10e-6, 41e-6),
        row("norm", 1.2e6, 10e-6, 11e-6),
        // 100 MB, faster than the roof: 100 / 49 clamped to 1.
        row("norm", 1e8, 100e-6, 50e-6),
        // A memory-bound GEMV: memory 4 us, expected math 1 us, measured 6 us: 4 / 5 = 0.8.
        row("gemm", 4e6, 4e-6, 6e-6),
        // Skipped GEMMs: compute-bound; memory-bound but the math alone exceeds the time.
        row("gemm", 8e6, 4e-6, 6e-6),
        row("gemm", 16e6, 4e-6, 6e-6),
        // Not fitted kinds, unmeasured rows.
        row("embedding", 1e5, 1e-6, 10e-6),
        row("elementwise", 1e5, 1e-6, 10e-6),
        // Measured within the overhead: e = 1. Far too slow: clamped to 0.01.
        row("attention", 2e5, 1e-6, 0.5e-6),
        row("softmax", 3e5, 1e-6, 1001e-6),
    };
    rows[5].bound = "compute";
    rows[6].expectedComputeSeconds = 10e-6;
    rows[8].measured = false;
    const auto kinds = fitKindEfficiency(rows);
    ASSERT_EQ(kinds.size(), 4U);  // sorted by kind: gemm, attention, softmax, norm
    const auto find = [&](core::LayerKind kind) -> const core::KindEfficiency* {
        for (const auto& k : kinds) {
            if (k.kind == kind) {
                return &k;
            }
        }
        return nullptr;
    };
    const auto* norm = find(core::LayerKind::norm);
    ASSERT_NE(norm, nullptr);
    ASSERT_EQ(norm->curve.bytes.size(), 2U);
    EXPECT_NEAR(norm->curve.bytes[0], std::cbrt(1.0e6 * 1.1e6 * 1.2e6), 1e-3);
    EXPECT_DOUBLE_EQ(norm->curve.values[0], 0.5);
    EXPECT_DOUBLE_EQ(norm->curve.bytes[1], 1e8);
    EXPECT_DOUBLE_EQ(norm->curve.values[1], 1.0);
    const auto* gemm = find(core::LayerKind::gemm);
    ASSERT_NE(gemm, nullptr);
    ASSERT_EQ(gemm->curve.values.size(), 1U);
    EXPECT_DOUBLE_EQ(gemm->curve.bytes[0], 4e6);
    EXPECT_NEAR(gemm->curve.values[0], 0.8, 1e-12);
    ASSERT_NE(find(core::LayerKind::attention), nullptr);
    EXPECT_DOUBLE_EQ(find(core::LayerKind::attention)->curve.values[0], 1.0);
    ASSERT_NE(find(core::LayerKind::softmax), nullptr);
    EXPECT_DOUBLE_EQ(find(core::LayerKind::softmax)->curve.values[0], 0.01);
    EXPECT_EQ(find(core::LayerKind::embedding), nullptr);
    EXPECT_EQ(find(core::LayerKind::elementwise), nullptr);
    // The fitted curves form a valid model.
    core::EfficiencyModel model;
    model.kinds = kinds;
    EXPECT_TRUE(core::validateEfficiency(model, "fit"));
}

TEST(KernelClasses, AFitReproducesTheMeasuredTimesAtItsPoints) {
    // expected = roofline / e + overhead is the measured time wherever e was not clamped.
    const std::vector<WholeLayerRow> rows = {row("norm", 2e6, 8e-6, 17e-6),
                                             row("norm", 2e7, 80e-6, 101e-6)};
    const auto kinds = fitKindEfficiency(rows);
    ASSERT_EQ(kinds.size(), 1U);
    for (const auto& r : rows) {
        const double e = kinds[0].curve.at(r.bytes);
        EXPECT_NEAR(r.rooflineSeconds / e + r.overheadSeconds, r.measuredSeconds, 1e-15);
    }
}

TEST(KernelClasses, ReferencePassesSpanDecoderAndVit) {
    const auto passes = kernelClassPasses();
    ASSERT_EQ(passes.size(), 3U);
    EXPECT_EQ(passes[0].prompt, 32);
    EXPECT_EQ(passes[1].prompt, 512);
    EXPECT_EQ(passes[1].decoder.hidden, 1024);
    EXPECT_EQ(passes[1].decoder.heads * passes[1].decoder.headDim, 1024);
    EXPECT_TRUE(passes[2].vit);
    EXPECT_EQ(passes[2].vitShape.dim, 384);
}

}  // namespace
}  // namespace rooflens::calibrate
