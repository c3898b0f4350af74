#include <gtest/gtest.h>

#include "core/analysis.h"
#include "test_device.h"

namespace rooflens::core {
namespace {

TEST(AttentionPairs, CausalPrefillIsTriangle) {
    EXPECT_DOUBLE_EQ(attentionPairs(4, 4, 0, true), 10);  // 1 + 2 + 3 + 4
    EXPECT_DOUBLE_EQ(attentionPairs(1024, 1024, 0, true), 1024.0 * 1025 / 2);
}

TEST(AttentionPairs, SlidingWindowCapsEachRow) {
    EXPECT_DOUBLE_EQ(attentionPairs(4, 4, 2, true), 7);  // 1 + 2 + 2 + 2
    // S = 8192 with W = 4096: sum min(i, W) = W(W+1)/2 + (S - W) W.
    EXPECT_DOUBLE_EQ(attentionPairs(8192, 8192, 4096, true), 4096.0 * 4097 / 2 + 4096.0 * 4096);
}

TEST(AttentionPairs, DecodeRowSeesContextOrWindow) {
    EXPECT_DOUBLE_EQ(attentionPairs(1, 100, 0, true), 100);
    EXPECT_DOUBLE_EQ(attentionPairs(1, 100, 10, true), 10);
    EXPECT_DOUBLE_EQ(attentionPairs(2, 100, 0, true), 99 + 100);
}

TEST(AttentionPairs, NonCausalIsRectangle) {
    EXPECT_DOUBLE_EQ(attentionPairs(3, 5, 0, false), 15);
}

TEST(FusedKeyReads, EachQueryBlockRereadsVisibleKeys) {
    AttentionShape s;
    s.queries = 8;
    s.keys = 8;
    EXPECT_DOUBLE_EQ(fusedKeyReads(s, 4), 4 + 8);
    EXPECT_DOUBLE_EQ(fusedKeyReads(s, 8), 8);
    EXPECT_DOUBLE_EQ(fusedKeyReads(s, 2), 2 + 4 + 6 + 8);
    s.window = 3;  // block [4,8) starts at query 4, whose window starts at key 2
    EXPECT_DOUBLE_EQ(fusedKeyReads(s, 4), 4 + 6);
}

TEST(FusedKeyReads, DecodeReadsTheCacheOnce) {
    AttentionShape s;
    s.queries = 1;
    s.keys = 100;
    EXPECT_DOUBLE_EQ(fusedKeyReads(s, 128), 100);
    s.window = 10;
    EXPECT_DOUBLE_EQ(fusedKeyReads(s, 128), 10);
}

Workload fusedWorkload() {
    AttentionShape s;
    s.batch = 1;
    s.queryHeads = 4;
    s.kvHeads = 2;
    s.headDim = 16;
    s.queries = 8;
    s.keys = 8;
    Workload w;
    w.attentionShapes.push_back(s);
    Layer layer;
    layer.op = "attention";
    layer.kind = LayerKind::attention;
    layer.attentionShape = 0;
    layer.ops = 1;
    w.layers.push_back(layer);
    return w;
}

TEST(FusedAttention, KvBytesUseKvHeadsAndTheDevicesSram) {
    Hardware hw = testing::roundDevice();
    // 64 KiB / 2 B = 32768 elements; ceil(32768 / (4 * 16)) = 512 capped at d = 16 rows: one
    // block covers all 8 queries, so K and V are read once: 2 * 2 heads * 16 * 2 B * 8 keys.
    Report r = analyze(fusedWorkload(), hw);
    EXPECT_DOUBLE_EQ(r.results[0].bytes.kvRead, 2.0 * 2 * 16 * 2 * 8);
    // 256 B of SRAM: 128 elements / 64 = 2 rows per block -> keys read 2 + 4 + 6 + 8 = 20.
    hw.sramPerCoreBytes = 256;
    r = analyze(fusedWorkload(), hw);
    EXPECT_DOUBLE_EQ(r.results[0].bytes.kvRead, 2.0 * 2 * 16 * 2 * 20);
}

}  // namespace
}  // namespace rooflens::core

namespace rooflens::core {
namespace {

TEST(Gather, ReuseFromOnChipCapacity) {
    // 1000 rows of 256 B = 256 kB table, 10000 gathers.
    GatherShape s{1000, 10000, 256, 32};
    EXPECT_DOUBLE_EQ(gatherReuse(s, 0), 0.0);
    EXPECT_DOUBLE_EQ(gatheredBytes(s, 0), 10000.0 * 256);  // worst case: every gather from DRAM
    EXPECT_DOUBLE_EQ(gatherReuse(s, 1e9), 1.0);
    EXPECT_DOUBLE_EQ(gatheredBytes(s, 1e9), 1000.0 * 256);  // best case: each row once
    EXPECT_DOUBLE_EQ(gatheredBytes(s, 128000), 0.5 * 10000 * 256 + 0.5 * 1000 * 256);
}

TEST(Gather, NarrowRowsCostASector) {
    GatherShape s{1000, 10000, 8, 32};  // 2 fp32 features per row
    EXPECT_DOUBLE_EQ(gatheredBytes(s, 0), 10000.0 * 32);
}

}  // namespace
}  // namespace rooflens::core
