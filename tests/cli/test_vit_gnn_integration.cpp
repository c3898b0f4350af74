// ViT and GNN workloads priced on the built-in devices: GCN aggregation is memory-bound on every
// device with the cache-reuse estimate applied; small-batch ViT GEMMs are memory-bound on H100
// (formulas.md 1.1), so token reduction cuts time by less than MACs; the scenario engine's
// transform acts on the ViT and GNN GEMM layers.
#include <gtest/gtest.h>

#include <string>

#include "core/analysis.h"
#include "core/scenario.h"
#include "hwdb/hwdb.h"
#include "models/gnn.h"
#include "models/vit.h"

namespace rooflens {
namespace {

const hwdb::Database& db() {
    static const hwdb::Database database = hwdb::Database::load();
    return database;
}

core::Hardware device(const std::string& id) {
    auto hw = db().resolve(id);
    EXPECT_TRUE(hw.ok()) << (hw.ok() ? "" : hw.error().message);
    return hw.value();
}

core::Workload gcnOnCora() {
    models::GnnConfig c;
    c.hidden = 16;  // Kipf & Welling's Cora setting (arXiv:1609.02907)
    auto graph = models::resolveGraph("cora");
    EXPECT_TRUE(graph.ok());
    auto w = models::buildGnn(c, graph.value(), core::RunSettings{});
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
    return w.value();
}

core::Workload vit(const std::string& id, std::int64_t batch,
                   const models::TokenReduction& reduction = {}) {
    auto config = models::resolveVit(id);
    EXPECT_TRUE(config.ok());
    core::RunSettings s;
    s.batch = batch;
    models::VitOptions o;
    o.reduction = reduction;
    auto w = models::buildVit(config.value(), s, o);
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
    return w.value();
}

// formulas.md 2.2: aggregation AI <= 2 / b_f, far below every ridge point. Cora layer 0 by hand:
// 424,448 OPs over the CSR (116,948 B), the output (173,312 B) and the gathered rows: the
// 173,312-byte table once where it fits on chip, 13,264 rows x 64 B where nothing is on chip.
TEST(VitGnnIntegration, GcnAggregationIsMemoryBoundOnEveryDevice) {
    const core::Workload w = gcnOnCora();
    ASSERT_FALSE(db().visibleEntries().empty());
    for (const hwdb::Entry* entry : db().visibleEntries()) {
        const core::Hardware& hw = entry->hardware;
        const core::Report r = core::analyze(w, hw);
        for (std::size_t i = 0; i < r.layers.size(); ++i) {
            const core::Layer& layer = r.layers[i];
            if (layer.kind != core::LayerKind::spmm) {
                continue;
            }
            EXPECT_EQ(r.results[i].bound, core::Bound::memory) << hw.id << " " << layer.name();
            const auto& shape = w.gatherShapes.at(static_cast<std::size_t>(layer.gatherShape));
            EXPECT_DOUBLE_EQ(r.results[i].bytes.activationsIn,
                             core::gatheredBytes(shape, hw.onChipBytes()))
                << hw.id;
            if (layer.block == 0) {
                const double gathered = hw.onChipBytes() >= 173312 ? 173312 : 848896;
                EXPECT_DOUBLE_EQ(r.results[i].bytes.activationsIn, gathered) << hw.id;
                EXPECT_LT(r.results[i].intensity, 1.0);  // formulas.md 2.6: "AI < 1"
            }
        }
    }
}

// formulas.md 1.1 roofline caution: ViT-B QKV at B = 1, T = 197, fp16 has AI ~147 OPs/B (with
// the bias: 697,625,856 OPs / 4,753,920 B = 146.7), below H100 SXM's ridge of ~295.
TEST(VitGnnIntegration, SmallBatchVitGemmsAreMemoryBoundOnH100) {
    const core::Workload w = vit("vit-base-16", 1);
    const core::Report r = core::analyze(w, device("h100-sxm"));
    for (std::size_t i = 0; i < r.layers.size(); ++i) {
        if (r.layers[i].name() == "blocks.0.qkv") {
            EXPECT_NEAR(r.results[i].intensity, 146.7, 0.1);
            EXPECT_EQ(r.results[i].bound, core::Bound::memory);
        }
    }
    // So token reduction cuts time by less than it cuts MACs at batch 1.
    models::TokenReduction tome;
    tome.method = models::TokenMethod::tome;
    tome.mergeR = {16};
    const auto effect =
        models::measureTokenReduction(vit("vit-base-16", 1, tome), w, device("h100-sxm"));
    EXPECT_NEAR(effect.macsCut(), 1 - 8774680064.0 / 17563828224.0, 1e-12);  // by hand
    EXPECT_LT(effect.timeCut(), effect.macsCut());
    EXPECT_GT(effect.timeCut(), 0);
}

double macs(const core::Workload& w) {
    double total = 0;
    for (const auto& layer : w.layers) {
        total += core::matrixMacs(layer, w) * layer.repeat;
    }
    return total;
}

TEST(VitGnnIntegration, EveryPresetRunsOnEveryDevice) {
    for (const auto& id : models::listVitPresets()) {
        const core::Workload w = vit(id, 8);
        const double perImage = macs(vit(id, 1));
        for (const hwdb::Entry* entry : db().visibleEntries()) {
            const core::Report r = core::analyze(w, entry->hardware);
            EXPECT_GT(r.totals.timeSeconds, 0) << id << " " << entry->hardware.id;
            EXPECT_DOUBLE_EQ(r.totals.macs, 8 * perImage) << id;  // every product is per image
        }
    }
}

// Item 3 of issue 4 goes through the scenario engine: its W8A8 transform must find the ViT and
// GNN GEMMs (kind gemm, m/k/n, weightElements) and halve their fp16 weight bytes.
TEST(VitGnnIntegration, ScenarioTransformActsOnVitAndGnnGemms) {
    const core::Workload w = vit("deit-small", 1);
    auto compressed = core::applyScenario(core::scenarioFromBits(8, 8, 16), w);
    ASSERT_TRUE(compressed.ok()) << compressed.error().message;
    for (std::size_t i = 0; i < w.layers.size(); ++i) {
        const core::Layer& before = w.layers[i];
        const core::Layer& after = compressed->layers[i];
        if (before.op == "qkv" && before.block == 0) {
            EXPECT_EQ(after.weightType, core::DataType::int8);
            EXPECT_EQ(after.computeType, core::DataType::int8);
            // 384 x 1152 weights from 2 to 1 byte; the fp16 bias stays.
            EXPECT_DOUBLE_EQ(after.bytes.weights, 384 * 1152 + 1152 * 2.0);
        }
    }
    EXPECT_LT(compressed->memory.weights, 0.55 * w.memory.weights);
    // Parameters survive the transform (DeiT-S: 22,050,664).
    EXPECT_DOUBLE_EQ(compressed->model.parameters, 22050664);

    auto gnn = core::applyScenario(core::scenarioFromBits(8, 8, 16), gcnOnCora());
    ASSERT_TRUE(gnn.ok()) << gnn.error().message;
    for (const auto& layer : gnn->layers) {
        if (layer.kind == core::LayerKind::gemm) {
            EXPECT_EQ(layer.weightType, core::DataType::int8) << layer.name();
        }
    }
}

}  // namespace
}  // namespace rooflens
