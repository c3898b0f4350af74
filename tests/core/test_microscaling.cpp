// Microscaling (block-scaled) formats: their bit accounting, the scenario format rules, the
// four presets of issue 10, and the execution rule on devices that do or do not take them.
#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/analysis.h"
#include "core/chart.h"
#include "core/scenario.h"
#include "test_device.h"

namespace rooflens::core {
namespace {

using D = DataType;

TEST(Microscaling, BlockScalingOfEachFormat) {
    // OCP MX v1.0: 32 elements share one E8M0 scale; NVFP4: 16 share one E4M3 scale, plus FP32
    // per tensor.
    const auto nv = blockScalingOf(D::nvfp4);
    ASSERT_TRUE(nv);
    EXPECT_EQ(nv->element, D::fp4_e2m1);
    EXPECT_EQ(nv->blockSize, 16);
    EXPECT_EQ(nv->scale, D::fp8_e4m3);
    EXPECT_EQ(nv->tensorScaleBits, 32);
    const struct {
        DataType type;
        DataType element;
    } mx[] = {{D::mxfp4, D::fp4_e2m1},
              {D::mxfp6_e2m3, D::fp6_e2m3},
              {D::mxfp6_e3m2, D::fp6_e3m2},
              {D::mxfp8_e4m3, D::fp8_e4m3},
              {D::mxfp8_e5m2, D::fp8_e5m2}};
    for (const auto& c : mx) {
        const auto b = blockScalingOf(c.type);
        ASSERT_TRUE(b) << nameOf(c.type);
        EXPECT_EQ(b->element, c.element);
        EXPECT_EQ(b->blockSize, 32);
        EXPECT_EQ(b->scale, D::e8m0);
        EXPECT_EQ(b->tensorScaleBits, 0);
        EXPECT_EQ(bitsOf(c.type), bitsOf(c.element));
    }
    for (auto plain : {D::fp4_e2m1, D::fp6_e2m3, D::fp8_e4m3, D::fp16, D::int4, D::nf4, D::e8m0}) {
        EXPECT_FALSE(isBlockScaled(plain)) << nameOf(plain);
    }
    EXPECT_EQ(bitsOf(D::e8m0), 8);
    EXPECT_TRUE(isScaleOnly(D::e8m0));
}

TEST(Microscaling, EffectiveBitsIncludeTheBlockScale) {
    EXPECT_DOUBLE_EQ(blockBitsOf(D::nvfp4), 4 + 8.0 / 16);  // 4.5
    EXPECT_DOUBLE_EQ(blockBitsOf(D::mxfp4), 4 + 8.0 / 32);  // 4.25
    EXPECT_DOUBLE_EQ(blockBitsOf(D::mxfp6_e2m3), 6.25);
    EXPECT_DOUBLE_EQ(blockBitsOf(D::mxfp6_e3m2), 6.25);
    EXPECT_DOUBLE_EQ(blockBitsOf(D::mxfp8_e4m3), 8.25);
    EXPECT_DOUBLE_EQ(blockBitsOf(D::mxfp8_e5m2), 8.25);
    EXPECT_DOUBLE_EQ(blockBitsOf(D::fp4_e2m1), 4);
    TensorFormat f;
    f.type = D::nvfp4;
    EXPECT_DOUBLE_EQ(f.effectiveBits(8192), 4.5);  // before the per-tensor scale
    EXPECT_DOUBLE_EQ(f.tensorScaleBytes(), 4);
    f.type = D::mxfp4;
    EXPECT_DOUBLE_EQ(f.effectiveBits(), 4.25);
    EXPECT_DOUBLE_EQ(f.tensorScaleBytes(), 0);
    // 2-D blocks: one FP32 scale per 128 x 128 FP8 weights (DeepSeek-V3).
    TensorFormat block;
    block.type = D::fp8_e4m3;
    block.groupSize = 128;
    block.groupRows = 128;
    block.scale = D::fp32;
    EXPECT_DOUBLE_EQ(block.effectiveBits(), 8 + 32.0 / (128 * 128));
}

TEST(Microscaling, NamesAndAliases) {
    for (auto type : {D::nvfp4, D::mxfp4, D::mxfp6_e2m3, D::mxfp6_e3m2, D::mxfp8_e4m3,
                      D::mxfp8_e5m2, D::fp4_e2m1, D::fp6_e2m3, D::fp6_e3m2, D::e8m0}) {
        EXPECT_EQ(parseDataType(nameOf(type)), type) << nameOf(type);
    }
    EXPECT_EQ(parseDataType("fp4"), D::fp4_e2m1);
    EXPECT_EQ(parseDataType("fp6"), D::fp6_e2m3);
    EXPECT_EQ(parseDataType("mxfp6"), D::mxfp6_e2m3);
    EXPECT_EQ(parseDataType("mxfp8"), D::mxfp8_e4m3);
    EXPECT_EQ(parseDataType("ue8m0"), D::e8m0);
    EXPECT_EQ(parseDataType("fp8"), D::fp8_e4m3);
    EXPECT_FALSE(parseDataType("fp5"));
    EXPECT_EQ(kAllDataTypes.size(), kDataTypeCount);
    for (std::size_t i = 0; i < kAllDataTypes.size(); ++i) {
        EXPECT_EQ(indexOf(kAllDataTypes[i]), i);
    }
}

Scenario preset(const std::string& name) {
    auto s = resolveScenario(name);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.value();
}

const LayerOverride* overrideFor(const Scenario& s, const std::string& name) {
    const LayerOverride* found = nullptr;
    for (const auto& o : s.overrides) {
        if (matchesPattern(o.pattern, name)) {
            found = &o;
        }
    }
    return found;
}

TEST(Microscaling, PresetsOfIssue10) {
    const Scenario nv = preset("nvfp4-w4a4");
    EXPECT_EQ(nv.weights->type, D::nvfp4);
    EXPECT_DOUBLE_EQ(nv.weights->effectiveBits(8192), 4.5);
    EXPECT_DOUBLE_EQ(nv.activations->effectiveBits(8192), 4.5);
    ASSERT_NE(overrideFor(nv, "lm_head"), nullptr);
    EXPECT_EQ(overrideFor(nv, "lm_head")->weights->type, D::fp16);
    EXPECT_EQ(overrideFor(nv, "blocks.0.q_proj"), nullptr);

    const Scenario mx = preset("mxfp4-w4a16");
    EXPECT_DOUBLE_EQ(mx.weights->effectiveBits(2880), 4.25);
    EXPECT_FALSE(mx.activations.has_value());
    for (const char* kept : {"blocks.3.q_proj", "blocks.3.k_proj", "blocks.3.v_proj",
                             "blocks.3.o_proj", "blocks.3.router", "lm_head"}) {
        ASSERT_NE(overrideFor(mx, kept), nullptr) << kept;
        EXPECT_EQ(overrideFor(mx, kept)->weights->type, D::bf16) << kept;
    }
    for (const char* quantized : {"blocks.3.experts.gate_proj", "blocks.3.experts.down_proj",
                                  "blocks.3.gate_proj", "blocks.3.down_proj"}) {
        EXPECT_EQ(overrideFor(mx, quantized), nullptr) << quantized;
    }

    const Scenario kv = preset("fp8-kv");
    EXPECT_FALSE(kv.weights.has_value());
    EXPECT_EQ(kv.kvCache->format.type, D::fp8_e4m3);
    EXPECT_DOUBLE_EQ(kv.kvCache->format.effectiveBits(), 8);

    const Scenario ds = preset("fp8-block-w8a8");
    EXPECT_DOUBLE_EQ(ds.weights->effectiveBits(7168), 8.001953125);  // 8 + 32 / (128 x 128)
    EXPECT_DOUBLE_EQ(ds.activations->effectiveBits(7168), 8.25);     // 8 + 32 / 128
    EXPECT_EQ(ds.weights->groupRows, 128);
    for (const char* name : {"nvfp4-w4a4", "mxfp4-w4a16", "fp8-kv", "fp8-block-w8a8"}) {
        EXPECT_NE(preset(name).citation.find("arXiv:"), std::string::npos) << name;
    }
}

Result<Scenario> parse(const std::string& json) {
    return parseScenario(Json::parse(json), "s.json");
}

TEST(Microscaling, FormatErrorsAreLocated) {
    const struct {
        const char* json;
        const char* fragment;
    } cases[] = {
        {R"({"schema_version": 1, "name": "x", "weights": {"type": "nvfp4", "group_size": 32}})",
         "s.json: /weights/group_size: nvfp4 carries its own scale (one fp8_e4m3 per 16 "
         "elements)"},
        {R"({"schema_version": 1, "name": "x", "weights": {"type": "mxfp4", "scale": "fp16"}})",
         "s.json: /weights/scale: mxfp4 carries its own scale (one e8m0 per 32 elements)"},
        {R"({"schema_version": 1, "name": "x", "activations": {"type": "e8m0"}})",
         "s.json: /activations/type: expected an element type (e8m0 is a scale type"},
        {R"({"schema_version": 1, "name": "x",
             "weights": {"type": "int4", "group_size": 32, "scale": "nvfp4"}})",
         "s.json: /weights/scale: expected a scalar scale type"},
        {R"({"schema_version": 1, "name": "x", "weights": {"type": "fp8", "group_rows": 128}})",
         "s.json: /weights/group_size: missing required field (group_rows needs a group size)"},
        {R"({"schema_version": 1, "name": "x",
             "weights": {"type": "fp8", "group_size": 128, "group_rows": 0}})",
         "s.json: /weights/group_rows: expected an integer in [1, 16777216], got 0"},
    };
    for (const auto& c : cases) {
        auto s = parse(c.json);
        ASSERT_FALSE(s.ok()) << c.json;
        EXPECT_NE(s.error().message.find(c.fragment), std::string::npos) << s.error().message;
    }
    // The MX scale type and 2-D blocks are fine where they belong, and round-trip.
    auto ok = parse(R"({"schema_version": 1, "name": "x",
        "weights": {"type": "int4", "group_size": 32, "scale": "e8m0"},
        "activations": {"type": "fp8_e4m3", "group_size": 128, "group_rows": 128, "scale": "fp32"}})");
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_DOUBLE_EQ(ok->weights->effectiveBits(), 4 + 8.0 / 32);
    auto again = parseScenario(Json::parse(serializeScenario(ok.value())), "again");
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again.value(), ok.value());
}

// Devices with round numbers: one with every microscaling format (Blackwell-like), one with the
// OCP MX formats only (MI355X-like), one with neither (Hopper-like: FP8 and 16-bit).
Hardware hopperLike() {
    Hardware hw = testing::roundDevice();
    hw.id = "hopper-like";
    hw.matrixDense.set(D::fp8_e4m3, 200e12);
    hw.matrixDense.set(D::fp8_e5m2, 200e12);
    return hw;
}

Hardware mxOnly() {
    Hardware hw = hopperLike();
    hw.id = "mx-only";
    for (auto t : {D::mxfp8_e4m3, D::mxfp8_e5m2}) {
        hw.matrixDense.set(t, 200e12);
    }
    for (auto t : {D::mxfp6_e2m3, D::mxfp6_e3m2, D::mxfp4}) {
        hw.matrixDense.set(t, 400e12);
    }
    return hw;
}

Hardware blackwellLike() {
    Hardware hw = mxOnly();
    hw.id = "blackwell-like";
    hw.matrixDense.set(D::nvfp4, 400e12);
    hw.matrixDense.set(D::mxfp6_e2m3, 0);  // no FP6 rate published: MXFP6 runs as MXFP8
    hw.matrixDense.set(D::mxfp6_e3m2, 0);
    return hw;
}

TEST(Microscaling, ExecutionRuleUsesOnlyThePeakTables) {
    const struct {
        DataType requested;
        const Hardware hw;
        DataType math;
        double peak;
    } cases[] = {
        {D::nvfp4, blackwellLike(), D::nvfp4, 400e12},  // native
        {D::nvfp4, mxOnly(), D::fp16, 100e12},          // no NVFP4 units: 16-bit math
        {D::nvfp4, hopperLike(), D::fp16, 100e12},      // not FP8: E2M1 x E4M3 needs 6 bits
        {D::mxfp4, mxOnly(), D::mxfp4, 400e12},         // native
        {D::mxfp4, hopperLike(), D::bf16, 100e12},      // MX widens to bf16, never to plain FP8
        {D::mxfp6_e3m2, blackwellLike(), D::mxfp8_e5m2, 200e12},  // no FP6 rate: MXFP8
        {D::mxfp8_e4m3, hopperLike(), D::bf16, 100e12},
        {D::fp4_e2m1, hopperLike(), D::fp8_e4m3, 200e12},  // plain E2M1 fits E4M3
    };
    for (const auto& c : cases) {
        const Execution e = resolveExecution(c.requested, ExecUnit::matrix, c.hw);
        EXPECT_EQ(e.mathType, c.math) << nameOf(c.requested) << " on " << c.hw.id;
        EXPECT_EQ(e.peakOpsPerSecond, c.peak) << nameOf(c.requested) << " on " << c.hw.id;
        EXPECT_EQ(e.promoted, c.math != c.requested);
    }
}

// One 1024 x 4096 GEMM over 8 tokens plus an lm_head (the toy of test_scenario.cpp, shortened).
Workload gemmToy() {
    Workload w;
    w.model.id = "toy";
    w.model.blocks = 1;
    w.settings.phase = Phase::prefill;
    Layer g;
    g.op = "mlp";
    g.block = 0;
    g.m = 8;
    g.k = 1024;
    g.n = 4096;
    g.weightElements = g.k * g.n;
    g.ops = 2 * g.m * g.k * g.n;
    g.bytes.weights = g.weightElements * 2;
    g.bytes.activationsIn = g.m * g.k * 2;
    g.bytes.activationsOut = g.m * g.n * 2;
    w.layers.push_back(g);
    w.weightTensors.push_back({"mlp", 0, 1024.0 * 4096, 1024, 4096, 0, D::fp16});
    w.memory.weights = 1024.0 * 4096 * 2;
    return w;
}

Workload compress(const std::string& weights, const std::string& activations) {
    auto s = parse(R"({"schema_version": 1, "name": "t", "weights": {"type": ")" + weights +
                   R"("}, "activations": {"type": ")" + activations + R"("}})");
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    auto w = applyScenario(s.value(), gemmToy());
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
    return w.value();
}

TEST(Microscaling, Nvfp4BytesAndMathOnEachDevice) {
    const Workload w = compress("nvfp4", "nvfp4");
    const Layer& g = w.layers.front();
    EXPECT_EQ(g.computeType, D::nvfp4);
    const double elements = 1024.0 * 4096;
    EXPECT_DOUBLE_EQ(g.bytes.weights, elements * 4 / 8);
    // Block scales (8 bits per 16 weights, per 16 activations) and two FP32 tensor scales.
    EXPECT_DOUBLE_EQ(g.bytes.metadata, elements * 0.5 / 8 + 4 + 8 * 1024 * 0.5 / 8 + 4);
    EXPECT_DOUBLE_EQ(g.bytes.activationsIn, 8 * 1024 * 4.0 / 8);
    EXPECT_DOUBLE_EQ(w.memory.weights, elements * 4.5 / 8 + 4);

    const Report native = analyze(w, blackwellLike());
    EXPECT_EQ(native.results[0].execution.mathType, D::nvfp4);
    EXPECT_EQ(native.results[0].conversionOps, 0.0);
    const Report dequantized = analyze(w, mxOnly());
    EXPECT_EQ(dequantized.results[0].execution.mathType, D::fp16);
    // 2 OPs per weight element and per input activation element on the vector units.
    EXPECT_DOUBLE_EQ(dequantized.results[0].conversionOps, 2 * elements + 2 * 8 * 1024);
}

TEST(Microscaling, MixedOperandsMeetInOneFormatOrInSixteenBits) {
    // MXFP4 weights x MXFP8 activations: one MXFP8 MMA reading the MXFP4 operand as it is.
    Workload w = compress("mxfp4", "mxfp8_e4m3");
    EXPECT_EQ(w.layers.front().computeType, D::mxfp8_e4m3);
    Report r = analyze(w, mxOnly());
    EXPECT_EQ(r.results[0].execution.mathType, D::mxfp8_e4m3);
    EXPECT_EQ(r.results[0].conversionOps, 0.0);
    // The two MXFP6 variants meet in MXFP8 E4M3.
    EXPECT_EQ(compress("mxfp6_e2m3", "mxfp6_e3m2").layers.front().computeType, D::mxfp8_e4m3);
    // NVFP4 pairs only with NVFP4; MXFP4 with BF16 activations is weight-only.
    EXPECT_EQ(compress("nvfp4", "mxfp8_e4m3").layers.front().computeType, D::fp16);
    EXPECT_EQ(compress("mxfp4", "fp16").layers.front().computeType, D::fp16);
    EXPECT_EQ(compress("nvfp4", "fp8_e4m3").layers.front().computeType, D::fp16);
}

TEST(Microscaling, MissingPeakWarningsNameTheTypeAndUnit) {
    // A device with FP4 matrix units and an FP32 vector rate only (DGX Spark publishes no 16-bit
    // peak): 16-bit GEMMs fall back to the vector units.
    Hardware fp4Only;
    fp4Only.id = "fp4-only";
    fp4Only.matrixDense.set(D::nvfp4, 500e12);
    fp4Only.vector.set(D::fp32, 31e12);
    fp4Only.memory = {{"LPDDR5X", 128e9, 273e9, false}};
    const Report r = analyze(gemmToy(), fp4Only);
    // A choice of the execution rule, so a note rather than a warning.
    ASSERT_EQ(r.notes.size(), 1u);
    EXPECT_NE(r.notes[0].find("device fp4-only publishes no matrix peak"), std::string::npos)
        << r.notes[0];
    EXPECT_NE(r.notes[0].find("(fp16 as fp32 vector)"), std::string::npos) << r.notes[0];
    // No peak at all for the type and its wider types: the time is memory time only.
    Hardware int8Only = fp4Only;
    int8Only.id = "int8-only";
    int8Only.vector = {};
    int8Only.matrixDense = {};
    int8Only.matrixDense.set(D::int8, 100e12);
    const Report none = analyze(gemmToy(), int8Only);
    ASSERT_EQ(none.warnings.size(), 1u);
    EXPECT_NE(none.warnings[0].find("publishes no compute peak for fp16 matrix"), std::string::npos)
        << none.warnings[0];
    EXPECT_EQ(none.results[0].bound, Bound::memory);
}

TEST(Microscaling, ChartDrawsTheFp4AndFp6Ceilings) {
    Hardware hw = mxOnly();
    hw.matrixDense.set(D::nvfp4, 400e12);
    const Report report = analyze(compress("nvfp4", "nvfp4"), hw);
    const ChartInput input{&report, &hw, "nvfp4"};
    ChartOptions options;
    options.ceilings = CeilingSet::all;
    const RooflineChartSpec all = buildRooflineChart({&input, 1}, options);
    std::vector<std::string> labels;
    for (const auto& roof : all.roofs) {
        if (roof.kind == RoofKind::compute) {
            labels.push_back(roof.label);
        }
    }
    // Types sharing a peak share a roof; the MX pairs are named once like fp8.
    EXPECT_EQ(labels, (std::vector<std::string>{
                          "mxfp6/mxfp4/nvfp4 matrix 400 TOP/s", "fp8/mxfp8/int8 matrix 200 TOP/s",
                          "fp16/bf16 matrix 100 TOP/s", "fp32 vector 10 TOP/s"}));
    // Only the roof the layers run on when the ceilings are the used ones.
    const RooflineChartSpec used = buildRooflineChart({&input, 1});
    ASSERT_FALSE(used.roofs.empty());
    EXPECT_EQ(used.roofs.front().label, "nvfp4 matrix 400 TOP/s");
}

}  // namespace
}  // namespace rooflens::core
