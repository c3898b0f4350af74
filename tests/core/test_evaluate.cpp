// The evaluation pipeline (core::evaluate) and the derived metrics every front end shows: series
// order, per-series errors, the input checks, throughput and the compute-bound share, headline
// figures, speed-ups and memory saved, on toy workloads whose numbers are easy by hand.
#include <gtest/gtest.h>

#include "core/derived.h"
#include "core/evaluate.h"
#include "function_builder.h"
#include "test_device.h"

namespace rooflens::core {
namespace {

// One layer: 1 GB of weights, 2 GOP per sequence; the KV cache grows 1 MB per token.
Result<Workload> toy(const RunSettings& s, bool /*collapse*/) {
    Workload w;
    w.model.id = "toy";
    w.settings = s;
    Layer layer;
    layer.op = "x";
    layer.weightElements = 5e8;
    layer.m = static_cast<double>(s.batch);
    layer.k = 1e4;
    layer.n = 5e4;
    layer.bytes.weights = 1e9;
    layer.ops = 2e9 * static_cast<double>(s.batch);
    w.layers.push_back(layer);
    w.weightTensors.push_back({"x", -1, 5e8, 1e4, 5e4, 0, DataType::fp16});
    w.memory.weights = 1e9;
    w.memory.kvCache =
        1e6 * static_cast<double>(s.batch) *
        static_cast<double>(s.phase == Phase::decode ? s.contextLength : s.promptLength);
    return w;
}

Scenario halfWeights() {
    Scenario s;
    s.name = "w8";
    TensorFormat int8;
    int8.type = DataType::int8;
    s.weights = int8;
    return s;
}

TEST(Evaluate, OneSeriesPerDeviceAndScenarioDeviceMajor) {
    const testing::FunctionBuilder builder(toy);
    Hardware slow = testing::roundDevice();
    slow.id = "slow";
    slow.memory.back().bytesPerSecond = 0.5e12;
    const std::vector<Hardware> devices{testing::roundDevice(), slow};
    EvaluationInput in;
    in.settings.phase = Phase::decode;
    in.settings.contextLength = 10;
    in.devices = devices;
    in.scenarios = {std::nullopt, halfWeights()};
    auto e = evaluate(builder, in);
    ASSERT_TRUE(e.ok()) << e.error().message;
    ASSERT_EQ(e->series.size(), 4U);
    EXPECT_EQ(e->at(1, 0).device, 1U);
    EXPECT_EQ(e->at(1, 0).scenarioName, "uncompressed");
    EXPECT_EQ(e->at(0, 1).scenarioName, "w8");
    // 1 GB at 1 TB/s = 1 ms; at 0.5 TB/s 2 ms; int8 weights halve the bytes.
    EXPECT_DOUBLE_EQ(e->at(0, 0).report->totals.timeSeconds, 1e-3);
    EXPECT_DOUBLE_EQ(e->at(1, 0).report->totals.timeSeconds, 2e-3);
    EXPECT_DOUBLE_EQ(e->at(0, 1).report->totals.timeSeconds, 0.5e-3);
    EXPECT_EQ(e->at(0, 1).report->scenario, "w8");
    EXPECT_DOUBLE_EQ(e->at(0, 1).report->bits.weights, 8);
}

TEST(Evaluate, AScenarioThatDoesNotFitFailsOnlyItsSeries) {
    const testing::FunctionBuilder builder(toy);
    const std::vector<Hardware> devices{testing::roundDevice()};
    Scenario prune;
    prune.name = "prune";
    prune.depth.dropBlocks = 5;  // the toy has no blocks to drop
    EvaluationInput in;
    in.settings.promptLength = 4;
    in.devices = devices;
    in.scenarios = {std::nullopt, prune};
    auto e = evaluate(builder, in);
    ASSERT_TRUE(e.ok());
    EXPECT_TRUE(e->at(0, 0).report.has_value());
    EXPECT_FALSE(e->at(0, 1).report.has_value());
    ASSERT_TRUE(e->at(0, 1).error.has_value());
    EXPECT_NE(e->firstError()->message.find("dropping 5"), std::string::npos)
        << e->firstError()->message;
}

TEST(Evaluate, RefusesWhatTheInputCannotMean) {
    const testing::FunctionBuilder llm(toy);
    const testing::FunctionBuilder vit(toy, ModelFamily::vit);
    const std::vector<Hardware> devices{testing::roundDevice()};
    EvaluationInput in;
    in.settings.promptLength = 4;
    EXPECT_EQ(evaluate(llm, in).error().kind, ErrorKind::usage);  // no device
    in.devices = devices;
    in.deployment.tensorParallel = 2;
    auto multi = evaluate(llm, in);  // the toy has no attention heads to split
    ASSERT_TRUE(multi.ok());
    ASSERT_TRUE(multi->firstError().has_value());
    EXPECT_NE(multi->firstError()->message.find("modelled for LLMs"), std::string::npos)
        << multi->firstError()->message;
    in.deployment = {};
    in.settings.phase = Phase::decode;
    auto single = evaluate(vit, in);
    ASSERT_FALSE(single.ok());
    EXPECT_EQ(single.error().kind, ErrorKind::usage);
    EXPECT_NE(single.error().message.find("vit models have one forward pass"), std::string::npos);
}

TEST(Derived, ThroughputAndComputeBoundShare) {
    const testing::FunctionBuilder builder(toy);
    const std::vector<Hardware> devices{testing::roundDevice()};
    EvaluationInput in;
    in.settings.batch = 100;
    in.settings.promptLength = 8;
    in.devices = devices;
    auto e = evaluate(builder, in);
    ASSERT_TRUE(e.ok());
    const Totals& t = e->at(0, 0).report->totals;
    // 200 GOP at 100 TOP/s = 2 ms > 1 GB at 1 TB/s = 1 ms: compute bound throughout.
    EXPECT_DOUBLE_EQ(t.timeSeconds, 2e-3);
    EXPECT_DOUBLE_EQ(t.computeBoundShare(), 1.0);
    // Prefill of 100 x 8 tokens in 2 ms.
    EXPECT_DOUBLE_EQ(t.itemsPerSecond, 800 / 2e-3);
    const HeadlineFigures f = headlineFigures(*e->at(0, 0).report);
    EXPECT_EQ(f.itemsUnit, "tokens/s");
    EXPECT_DOUBLE_EQ(*f.ttftSeconds, 2e-3);
    EXPECT_FALSE(f.tpotSeconds.has_value());
    // A vision model's pass: images per second, no token metrics.
    const testing::FunctionBuilder vision(toy, ModelFamily::vit);
    auto v = evaluate(vision, in);
    ASSERT_TRUE(v.ok());
    v->series[0].report->model.family = ModelFamily::vit;
    const HeadlineFigures g = headlineFigures(*v->at(0, 0).report);
    EXPECT_EQ(g.itemsUnit, "images/s");
    EXPECT_FALSE(g.ttftSeconds.has_value());
}

TEST(Derived, SpeedupAndMemorySavedAgainstABaseline) {
    Report base;
    base.totals.timeSeconds = 3e-3;
    base.totals.memory.weights = 10e9;
    base.totals.memory.kvCache = 2e9;
    Report other = base;
    other.totals.timeSeconds = 1e-3;
    other.totals.memory.weights = 3e9;
    other.totals.memory.kvCache = 1e9;
    EXPECT_DOUBLE_EQ(speedup(base, other), 3.0);
    EXPECT_DOUBLE_EQ(memorySaved(base, other), 1 - 4.0 / 12.0);
    EXPECT_DOUBLE_EQ(speedup(base, base), 1.0);
    EXPECT_DOUBLE_EQ(memorySaved(base, base), 0.0);
}

TEST(Derived, RequestFootprintProvisionsTheLongestCacheAndTheLargestActivations) {
    MemoryFootprint prefill{10, 4, 9};
    MemoryFootprint last{10, 6, 1};
    const MemoryFootprint m = requestFootprint(prefill, last);
    EXPECT_DOUBLE_EQ(m.weights, 10);
    EXPECT_DOUBLE_EQ(m.kvCache, 6);
    EXPECT_DOUBLE_EQ(m.activations, 9);
}

}  // namespace
}  // namespace rooflens::core
