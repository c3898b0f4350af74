// LPViT block-structured sparsity (arXiv:2407.02068): block-CSR weight bytes, the math skipping
// zero tiles only where the device's matrix tile fits in a block, and the difference from plain
// quantization at the same bits.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "core/analysis.h"
#include "core/scenario.h"
#include "hwdb/hwdb.h"
#include "models/vit.h"
#include "test_device.h"

namespace rooflens::core {
namespace {

// One [8 x 1024] x [1024 x 4096] fp16 GEMM (4,194,304 weights, 4096 output rows).
Workload oneGemm() {
    Workload w;
    w.model.id = "gemm";
    w.model.parameters = 1024.0 * 4096;
    Layer l;
    l.op = "fc";
    l.kind = LayerKind::gemm;
    l.unit = ExecUnit::matrix;
    l.m = 8;
    l.k = 1024;
    l.n = 4096;
    l.weightElements = 1024.0 * 4096;
    l.ops = 2 * l.m * l.k * l.n;
    l.bytes.weights = l.weightElements * 2;
    l.bytes.activationsIn = 8 * 1024 * 2;
    l.bytes.activationsOut = 8 * 4096 * 2;
    w.layers.push_back(l);
    w.weightTensors.push_back({"fc", -1, 1024.0 * 4096, 1024, 4096, 0, DataType::fp16});
    w.memory.weights = l.bytes.weights;
    return w;
}

Workload apply(const std::string& json, const Workload& w = oneGemm()) {
    auto s = parseScenario(Json::parse(json), "test");
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    auto out = applyScenario(s.value(), w);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.ok() ? out.value() : Workload{};
}

const char* kQuarter = R"({"schema_version": 1, "name": "b",
    "sparsity": {"kind": "block", "density": 0.25, "block": 32}})";

// Density 0.25, 32 x 32 tiles: 1,048,576 kept values x 2 B = 2,097,152; 1,024 kept tiles x 2 B
// column index = 2,048; (4096 / 32 + 1) = 129 tile-row pointers x 2 B = 258: 2,099,458 bytes
// (4.004 bits per dense weight).
TEST(BlockSparsity, BlockCsrBytes) {
    const Workload w = apply(kQuarter);
    const Layer& l = w.layers[0];
    EXPECT_DOUBLE_EQ(l.bytes.weights, 2097152.0);
    EXPECT_DOUBLE_EQ(l.bytes.metadata, 2048.0 + 258.0);
    EXPECT_DOUBLE_EQ(w.memory.weights, 2097152.0 + 2048.0 + 258.0);
    EXPECT_DOUBLE_EQ(l.blockDensity, 0.25);
    EXPECT_EQ(l.blockSize, 32);
    EXPECT_DOUBLE_EQ(l.ops, 2.0 * 8 * 1024 * 4096);  // the layer's OPs stay the dense count
}

// On a GPU (tile 16 | 32) the zero tiles are skipped: the effective peak is 100 T / 0.25 = 400 T;
// on a CPU, or with blocks smaller than the tile, the math is dense and only the bytes shrink.
TEST(BlockSparsity, SpeedUpOnlyWhereTheMatrixTileFits) {
    const Workload w = apply(kQuarter);
    Hardware gpu = testing::roundDevice();
    EXPECT_EQ(blockSparseTile(gpu), 16);
    Report r = analyze(w, gpu);
    EXPECT_TRUE(r.results[0].execution.sparse);
    EXPECT_DOUBLE_EQ(r.results[0].execution.peakOpsPerSecond, 400e12);
    // 67,108,864 OPs at 400 T = 0.168 us of compute.
    EXPECT_DOUBLE_EQ(r.results[0].computeSeconds, 2.0 * 8 * 1024 * 4096 / 400e12);

    Hardware cpu = gpu;
    cpu.kind = DeviceKind::cpu;
    r = analyze(w, cpu);
    EXPECT_FALSE(r.results[0].execution.sparse);
    EXPECT_DOUBLE_EQ(r.results[0].execution.peakOpsPerSecond, 100e12);
    EXPECT_DOUBLE_EQ(r.results[0].bytes.weights + r.results[0].bytes.metadata, 2099458.0);
    bool noted = false;
    for (const auto& note : r.notes) {
        noted |=
            note.find("block-sparse weights (block 32) run as dense math") != std::string::npos &&
            note.find("only the weight bytes shrink") != std::string::npos;
    }
    EXPECT_TRUE(noted);

    Hardware systolic = gpu;
    systolic.kind = DeviceKind::tpu;  // 128 x 128 arrays: a 32-block does not fill a tile
    EXPECT_FALSE(blockSparseExploited(systolic, 32));
    EXPECT_TRUE(blockSparseExploited(systolic, 128));
    EXPECT_FALSE(analyze(w, systolic).results[0].execution.sparse);
    EXPECT_FALSE(blockSparseExploited(gpu, 8));   // smaller than a 16 x 16 fragment
    EXPECT_FALSE(blockSparseExploited(gpu, 24));  // not a whole number of fragments
}

// Against int4 weight-only quantization at the same ~4 bits: the int4 weights move 2,097,152
// bytes too, but the math stays dense fp16 (100 T) and pays the dequantization on the vector
// units; the block-sparse layer needs no conversion and runs at 400 T.
TEST(BlockSparsity, DiffersFromQuantizationAtTheSameBits) {
    const Workload sparse = apply(kQuarter);
    const Workload int4 = apply(R"({"schema_version": 1, "name": "w4",
        "weights": {"type": "int4"}})");
    EXPECT_DOUBLE_EQ(int4.layers[0].bytes.weights, 2097152.0);
    const Hardware gpu = testing::roundDevice();
    const Report a = analyze(sparse, gpu);
    const Report b = analyze(int4, gpu);
    EXPECT_DOUBLE_EQ(a.results[0].conversionOps, 0);
    EXPECT_GT(b.results[0].conversionOps, 0);
    EXPECT_DOUBLE_EQ(b.results[0].execution.peakOpsPerSecond, 100e12);
    EXPECT_LT(a.results[0].computeSeconds, b.results[0].computeSeconds / 4 + 1e-18);
}

TEST(BlockSparsity, BadFieldsAreLocated) {
    for (const auto& [json, fragment] : {std::pair{R"({"schema_version": 1, "name": "b",
              "sparsity": {"kind": "block", "density": 1.5}})",
                                                   "/sparsity/density: expected a number in (0, 1"},
                                         std::pair{R"({"schema_version": 1, "name": "b",
              "sparsity": {"kind": "block", "density": 0.5, "block": 0}})",
                                                   "/sparsity/block: expected an integer"}}) {
        auto s = parseScenario(Json::parse(json), "lpvit.json");
        ASSERT_FALSE(s.ok()) << json;
        EXPECT_NE(s.error().message.find(fragment), std::string::npos) << s.error().message;
        EXPECT_NE(s.error().message.find("lpvit.json"), std::string::npos) << s.error().message;
    }
    auto round = parseScenario(Json::parse(R"({"schema_version": 1, "name": "b",
        "sparsity": {"kind": "block", "density": 0.5, "block": 64}})"),
                               "x");
    ASSERT_TRUE(round.ok());
    auto again = parseScenario(Json::parse(serializeScenario(round.value())), "x");
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again.value(), round.value());
    EXPECT_EQ(again->sparsity.blockSize, 64);
}

// The preset on DeiT-B: fc1 (768 x 3072, 2,359,296 weights) keeps 1,179,648 values (2,359,296
// B) + its bias (6,144 B), 1,152 tiles x 2 B + (3072 / 32 + 1) x 2 B = 2,498 B of index; the
// head and the patch embedding stay dense. On an H100 the fc1 math skips half the tiles (fp16
// peak doubled); on a Xeon 8480+ and a TPU v6e it does not.
TEST(BlockSparsity, LpvitPresetOnDeitBase) {
    auto preset = resolveScenario("lpvit-block32-50");
    ASSERT_TRUE(preset.ok()) << preset.error().message;
    EXPECT_NE(preset->citation.find("arXiv:2407.02068"), std::string::npos);
    auto config = models::resolveVit("deit-base");
    ASSERT_TRUE(config.ok());
    RunSettings s;
    s.batch = 64;
    auto base = models::buildVit(config.value(), s);
    ASSERT_TRUE(base.ok());
    auto w = applyScenario(preset.value(), base.value());
    ASSERT_TRUE(w.ok()) << w.error().message;
    std::size_t fc1 = 0;
    std::size_t head = 0;
    for (std::size_t i = 0; i < w->layers.size(); ++i) {
        if (w->layers[i].op == "fc1" && w->layers[i].block == 0) {
            fc1 = i;
        }
        if (w->layers[i].op == "head") {
            head = i;
        }
    }
    EXPECT_DOUBLE_EQ(w->layers[fc1].bytes.weights, 2359296.0 + 6144.0);
    EXPECT_DOUBLE_EQ(w->layers[fc1].bytes.metadata, 2304.0 + 194.0);
    EXPECT_EQ(w->layers[head].blockSize, 0);
    const hwdb::Database db = hwdb::Database::load();
    const Hardware& h100 = db.find("h100-sxm")->hardware;
    const Report r = analyze(w.value(), h100);
    EXPECT_TRUE(r.results[fc1].execution.sparse);
    EXPECT_DOUBLE_EQ(r.results[fc1].execution.peakOpsPerSecond,
                     2 * h100.matrixDense.at(DataType::fp16));
    EXPECT_FALSE(r.results[head].execution.sparse);
    for (const char* id : {"xeon-8480", "tpu-v6e"}) {
        const Report dense = analyze(w.value(), db.find(id)->hardware);
        EXPECT_FALSE(dense.results[fc1].execution.sparse) << id;
    }
}

}  // namespace
}  // namespace rooflens::core
