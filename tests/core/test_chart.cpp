// RooflineChartSpec: geometry, ceilings, labels and the golden file
// tests/golden/roofline_chart.json. Regenerate the golden file with ROOFLENS_UPDATE_GOLDEN=1 and
// review the diff like code.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/chart.h"
#include "test_device.h"

namespace rooflens::core {
namespace {

namespace fs = std::filesystem;

fs::path goldenDir() {
    return fs::path(ROOFLENS_TEST_DATA_DIR).parent_path() / "golden";
}

std::string readText(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Compares `actual` with the golden file; on mismatch writes <name>.actual and prints the first
// differing line. ROOFLENS_UPDATE_GOLDEN=1 rewrites the golden file instead.
void expectGolden(const std::string& name, const std::string& actual) {
    const fs::path path = goldenDir() / name;
    if (const char* update = std::getenv("ROOFLENS_UPDATE_GOLDEN"); update && *update == '1') {
        std::ofstream(path, std::ios::binary) << actual;
        return;
    }
    const std::string expected = readText(path);
    if (expected == actual) {
        return;
    }
    fs::path actualPath = path;
    actualPath += ".actual";
    std::ofstream(actualPath, std::ios::binary) << actual;
    std::istringstream e(expected);
    std::istringstream a(actual);
    std::string el;
    std::string al;
    int line = 1;
    while (std::getline(e, el) && std::getline(a, al) && el == al) {
        ++line;
    }
    ADD_FAILURE() << name << " differs from the golden file at line " << line << ":\n- " << el
                  << "\n+ " << al << "\nactual output written to " << actualPath << "\n(diff -u "
                  << path << ' ' << actualPath << "; ROOFLENS_UPDATE_GOLDEN=1 regenerates)";
}

Layer makeLayer(std::string_view op, std::int32_t block, LayerKind kind, ExecUnit unit,
                DataType math, double ops, double bytes) {
    Layer layer;
    layer.op = op;
    layer.block = block;
    layer.kind = kind;
    layer.unit = unit;
    layer.computeType = math;
    layer.ops = ops;
    layer.bytes.weights = bytes;
    return layer;
}

// Two blocks of a tiny transformer-like model plus an embedding without math.
Workload tinyWorkload(DataType gemmType, double weightScale) {
    Workload w;
    w.model.id = "tiny";
    w.model.family = ModelFamily::llm;
    w.settings.phase = Phase::prefill;
    w.settings.batch = 1;
    w.settings.promptLength = 512;
    w.layers.push_back(
        makeLayer("embed", -1, LayerKind::embedding, ExecUnit::vector, DataType::fp16, 0, 1e6));
    for (std::int32_t block = 0; block < 2; ++block) {
        w.layers.push_back(
            makeLayer("norm", block, LayerKind::norm, ExecUnit::vector, DataType::fp16, 5e6, 4e6));
        w.layers.push_back(makeLayer("qkv", block, LayerKind::gemm, ExecUnit::matrix, gemmType,
                                     2e11, 4e8 * weightScale));
        w.layers.push_back(makeLayer("scores", block, LayerKind::matmul, ExecUnit::matrix,
                                     DataType::fp16, 4e10, 2e7));
        w.layers.push_back(makeLayer("softmax", block, LayerKind::softmax, ExecUnit::vector,
                                     DataType::fp32, 1e8, 4e7));
        w.layers.push_back(makeLayer("mlp", block, LayerKind::gemm, ExecUnit::matrix, gemmType,
                                     4e12, 1.6e9 * weightScale));
    }
    w.memory.weights = 3e9;
    return w;
}

// A calibrated profile: measured HBM and fp16 matrix peak, datasheet L2 bandwidth.
Hardware calibratedDevice() {
    Hardware hw;
    hw.id = "calibrated";
    hw.name = "Calibrated box";
    hw.matrixDense.set(DataType::fp16, 80e12);
    hw.matrixDense.set(DataType::int8, 150e12);
    hw.vector.set(DataType::fp32, 8e12);
    hw.memory = {{"L2", 40e6, 5e12, false}, {"DRAM", 64e9, 0.8e12, true}};
    hw.provenance.push_back({"/compute/matrix/fp16/dense", Provenance::measured, "", ""});
    hw.provenance.push_back({"/compute/matrix/int8/dense", Provenance::datasheet, "x", ""});
    return hw;
}

struct Fixture {
    Hardware round = testing::roundDevice();
    Hardware calibrated = calibratedDevice();
    Report baseline = analyze(tinyWorkload(DataType::fp16, 1.0), round);
    Report w8a8 = analyze(tinyWorkload(DataType::int8, 0.5), round);
    Report onCalibrated = analyze(tinyWorkload(DataType::fp16, 1.0), calibrated);
    std::vector<ChartInput> inputs() const {
        return {{&baseline, &round, ""}, {&w8a8, &round, "w8a8"}, {&onCalibrated, &calibrated, ""}};
    }
};

TEST(Chart, GoldenSpec) {
    const Fixture f;
    const auto inputs = f.inputs();
    expectGolden("roofline_chart.json", serializeChartSpec(buildRooflineChart(inputs)));
}

// The GUI builds the series' points on several threads: the same spec as one thread, to the
// byte (the golden spec), with or without expected points and labels on every series.
TEST(Chart, SeveralThreadsGiveTheSameSpec) {
    const Fixture f;
    const auto inputs = f.inputs();
    for (const bool everySeries : {false, true}) {
        ChartOptions options;
        options.labelAllSeries = everySeries;
        options.expectedPoints = everySeries;
        const std::string serial = serializeChartSpec(buildRooflineChart(inputs, options, 1));
        for (const unsigned threads : {2U, 3U, 8U}) {
            EXPECT_EQ(serializeChartSpec(buildRooflineChart(inputs, options, threads)), serial)
                << threads << " threads";
        }
    }
    const auto spec = buildRooflineChart(inputs, {}, 4);
    expectGolden("roofline_chart.json", serializeChartSpec(spec));
    // Series indices, skipped layers (the embedding has no OPs) and point order by series.
    ASSERT_EQ(spec.series.size(), 3U);
    for (const auto& series : spec.series) {
        EXPECT_EQ(series.skippedLayers, 1U);
    }
    for (std::size_t i = 1; i < spec.points.size(); ++i) {
        EXPECT_LE(spec.points[i - 1].series, spec.points[i].series);
    }
    EXPECT_EQ(spec.points.size(), 3U * 10U);
}

// Titles follow the family: a ViT runs a forward pass over its tokens per image, an imported
// ONNX graph names no phase or tokens (its shapes come from the file), a GNN one inference.
TEST(Chart, TitleNamesWhatTheFamilyRuns) {
    Fixture f;
    const std::vector<ChartInput> inputs = {{&f.baseline, &f.round, ""}};
    EXPECT_EQ(buildRooflineChart(inputs).title,
              "tiny prefill (batch 1, 512 tokens) on Round numbers");
    f.baseline.model.family = ModelFamily::vit;
    f.baseline.settings.promptLength = 197;
    EXPECT_EQ(buildRooflineChart(inputs).title,
              "tiny forward pass (batch 1, 197 tokens per image) on Round numbers");
    f.baseline.model.family = ModelFamily::onnx;
    EXPECT_EQ(buildRooflineChart(inputs).title, "tiny forward pass on Round numbers");
    f.baseline.model.family = ModelFamily::gnn;
    EXPECT_EQ(buildRooflineChart(inputs).title, "tiny inference on Round numbers");
}

TEST(Chart, OnePointPerLayerWithMathOnTheRoof) {
    const Fixture f;
    const std::vector<ChartInput> inputs = {{&f.baseline, &f.round, ""}};
    const auto spec = buildRooflineChart(inputs);
    ASSERT_EQ(spec.series.size(), 1U);
    EXPECT_EQ(spec.series[0].skippedLayers, 1U);  // the embedding has no OPs
    ASSERT_EQ(spec.points.size(), f.baseline.layers.size() - 1);
    for (const auto& p : spec.points) {
        const LayerResult& r = f.baseline.results[p.layer];
        EXPECT_EQ(p.name, f.baseline.layers[p.layer].name());
        EXPECT_DOUBLE_EQ(p.intensity, r.intensity);
        EXPECT_DOUBLE_EQ(p.opsPerSecond,
                         std::min(r.execution.peakOpsPerSecond, r.intensity * 1e12));
        EXPECT_GE(p.intensity, spec.x.min);
        EXPECT_LE(p.intensity, spec.x.max);
        EXPECT_GE(p.opsPerSecond, spec.y.min);
        EXPECT_LE(p.opsPerSecond, spec.y.max);
    }
}

// Expected points: a device whose GEMMs reach half their peak and whose memory reaches 80 % of
// its bandwidth draws a compute-bound GEMM at half its roof rate and a memory-bound layer at
// 80 % of it; without the option no point has an expected rate and the JSON has no field.
TEST(Chart, ExpectedPointsSitAtTheEfficiencyUnderTheRoof) {
    Hardware hw = testing::roundDevice();
    EfficiencyModel e;
    GemmEfficiencyGrid half;
    half.unit = ExecUnit::matrix;
    half.m = half.k = half.n = {1};
    half.values = {0.5};
    e.gemm.push_back(half);
    e.memory = MemoryEfficiencyCurve{{1}, {0.8}};
    hw.efficiency = e;
    Workload w = tinyWorkload(DataType::fp16, 1.0);
    for (auto& layer : w.layers) {
        layer.m = layer.k = layer.n = layer.kind == LayerKind::gemm ? 64 : 0;
    }
    const Report report = analyze(w, hw);
    const std::vector<ChartInput> inputs = {{&report, &hw, ""}};
    ChartOptions options;
    options.expectedPoints = true;
    const auto spec = buildRooflineChart(inputs, options);
    bool sawCompute = false;
    bool sawMemory = false;
    for (const auto& p : spec.points) {
        const LayerResult& r = report.results[p.layer];
        EXPECT_NEAR(p.expectedOpsPerSecond, r.ops / r.expectedSeconds, 1e-9 * p.opsPerSecond);
        EXPECT_LE(p.expectedOpsPerSecond, p.opsPerSecond);
        EXPECT_GE(p.expectedOpsPerSecond, spec.y.min);
        if (p.name == "blocks.0.mlp") {  // 4e12 OPs on 1.6e9 B: compute bound on the round device
            ASSERT_EQ(r.bound, Bound::compute);
            EXPECT_NEAR(p.expectedOpsPerSecond, 0.5 * p.opsPerSecond, 1e-9 * p.opsPerSecond);
            sawCompute = true;
        }
        if (p.name == "blocks.0.norm") {  // 5e6 OPs on 4e6 B: memory bound
            ASSERT_EQ(r.bound, Bound::memory);
            EXPECT_NEAR(p.expectedOpsPerSecond, 0.8 * p.opsPerSecond, 1e-9 * p.opsPerSecond);
            sawMemory = true;
        }
    }
    EXPECT_TRUE(sawCompute);
    EXPECT_TRUE(sawMemory);
    EXPECT_NE(serializeChartSpec(spec).find("expected_ops_per_second"), std::string::npos);
    const auto plain = buildRooflineChart(inputs);
    for (const auto& p : plain.points) {
        EXPECT_EQ(p.expectedOpsPerSecond, 0);
    }
    EXPECT_EQ(serializeChartSpec(plain).find("expected_ops_per_second"), std::string::npos);
}

TEST(Chart, LabelsOnlyTheFirstOccurrenceOfAnOperationInTheFirstSeries) {
    const Fixture f;
    const auto inputs = f.inputs();
    const auto spec = buildRooflineChart(inputs);
    std::vector<std::string> labels;
    for (const auto& p : spec.points) {
        if (p.labelled) {
            EXPECT_EQ(p.series, 0);
            labels.push_back(p.label);
        }
    }
    EXPECT_EQ(labels, (std::vector<std::string>{"norm", "qkv", "scores", "softmax", "mlp"}));
}

TEST(Chart, ARepeatedOperationIsLabelledAgainWhereItSitsElsewhere) {
    Workload w = tinyWorkload(DataType::fp16, 1.0);
    // A third block whose mlp moves ten times more bytes: another place on the chart.
    w.layers.push_back(
        makeLayer("mlp", 2, LayerKind::gemm, ExecUnit::matrix, DataType::fp16, 4e12, 1.6e10));
    const Hardware round = testing::roundDevice();
    const Report report = analyze(w, round);
    const std::vector<ChartInput> inputs = {{&report, &round, ""}};
    int mlpLabels = 0;
    for (const auto& p : buildRooflineChart(inputs).points) {
        mlpLabels += p.labelled && p.label == "mlp" ? 1 : 0;
    }
    EXPECT_EQ(mlpLabels, 2);
}

TEST(Chart, UsedCeilingsByDefaultAllOnRequest) {
    const Fixture f;
    const std::vector<ChartInput> inputs = {{&f.baseline, &f.round, ""}};
    auto labels = [](const RooflineChartSpec& spec) {
        std::vector<std::string> out;
        for (const auto& r : spec.roofs) {
            out.push_back(r.label);
        }
        return out;
    };
    // fp16 matrix (gemm, matmul) and fp32 vector (norm promoted, softmax); only HBM has a
    // bandwidth, L2 publishes none.
    EXPECT_EQ(
        labels(buildRooflineChart(inputs)),
        (std::vector<std::string>{"fp16 matrix 100 TOP/s", "fp32 vector 10 TOP/s", "HBM 1 TB/s"}));
    ChartOptions all;
    all.ceilings = CeilingSet::all;
    all.sparseCeilings = true;
    EXPECT_EQ(labels(buildRooflineChart(inputs, all)),
              (std::vector<std::string>{"int8 matrix 200 TOP/s", "fp16 matrix 2:4 sparse 200 TOP/s",
                                        "fp16/bf16 matrix 100 TOP/s", "fp32 vector 10 TOP/s",
                                        "HBM 1 TB/s"}));
}

TEST(Chart, RoofGeometryAndRidges) {
    const Fixture f;
    const std::vector<ChartInput> inputs = {{&f.baseline, &f.round, ""}};
    const auto spec = buildRooflineChart(inputs);
    for (const auto& roof : spec.roofs) {
        if (roof.kind == RoofKind::memory) {
            EXPECT_DOUBLE_EQ(roof.x0, spec.x.min);
            EXPECT_DOUBLE_EQ(roof.y0, 1e12 * spec.x.min);
            EXPECT_DOUBLE_EQ(roof.x1, 100.0);  // meets the top ceiling, fp16 100 TOP/s
            EXPECT_DOUBLE_EQ(roof.y1, 100e12);
        } else {
            EXPECT_DOUBLE_EQ(roof.y0, roof.y1);
            EXPECT_DOUBLE_EQ(roof.x0, roof.value / 1e12);
            EXPECT_DOUBLE_EQ(roof.x1, spec.x.max);
        }
        EXPECT_FALSE(roof.measured);
    }
    ASSERT_EQ(spec.ridges.size(), 2U);
    EXPECT_DOUBLE_EQ(spec.ridges[0].intensity, 100.0);
    EXPECT_DOUBLE_EQ(spec.ridges[1].intensity, 10.0);
    // Decades, at least four wide in x and three in y.
    EXPECT_DOUBLE_EQ(std::log10(spec.x.min), std::round(std::log10(spec.x.min)));
    EXPECT_GE(spec.x.max / spec.x.min, 1e4 * 0.999);
    EXPECT_GE(spec.y.max / spec.y.min, 1e3 * 0.999);
}

TEST(Chart, CalibratedCeilingsAreMeasured) {
    const Fixture f;
    const std::vector<ChartInput> inputs = {{&f.onCalibrated, &f.calibrated, ""}};
    ChartOptions all;
    all.ceilings = CeilingSet::all;
    const auto spec = buildRooflineChart(inputs, all);
    for (const auto& roof : spec.roofs) {
        if (roof.kind == RoofKind::memory) {
            EXPECT_EQ(roof.measured, roof.level == "DRAM") << roof.label;
        } else {
            const bool fp16 = roof.types == std::vector<DataType>{DataType::fp16};
            EXPECT_EQ(roof.measured, fp16) << roof.label;
        }
    }
}

TEST(Chart, SeveralDevicesAndScenarios) {
    const Fixture f;
    const auto inputs = f.inputs();
    const auto spec = buildRooflineChart(inputs);
    ASSERT_EQ(spec.devices.size(), 2U);
    EXPECT_EQ(spec.scenarios, (std::vector<std::string>{"baseline", "w8a8"}));
    ASSERT_EQ(spec.series.size(), 3U);
    EXPECT_EQ(spec.series[1].label, "w8a8 @ Round numbers");
    EXPECT_EQ(spec.series[2].device, 1);
    EXPECT_EQ(spec.series[2].scenario, 0);
    EXPECT_NE(spec.title.find("on 2 devices"), std::string::npos);
    // int8 layers of the w8a8 series bring the int8 ceiling of the round device.
    bool int8 = false;
    for (const auto& roof : spec.roofs) {
        int8 |= roof.device == 0 && roof.types == std::vector<DataType>{DataType::int8};
    }
    EXPECT_TRUE(int8);
}

TEST(Chart, EmptyInputGivesDefaultAxes) {
    const auto spec = buildRooflineChart({});
    EXPECT_TRUE(spec.points.empty());
    EXPECT_TRUE(spec.roofs.empty());
    EXPECT_LT(spec.x.min, spec.x.max);
    EXPECT_LT(spec.y.min, spec.y.max);
}

TEST(Chart, TimeByKindSumsToTheTotal) {
    const Fixture f;
    const KindBreakdown b = timeByKind(f.baseline);
    EXPECT_NEAR(b.totalSeconds, f.baseline.totals.timeSeconds, 1e-15);
    double sum = 0;
    for (double s : b.seconds) {
        sum += s;
    }
    EXPECT_NEAR(sum, b.totalSeconds, 1e-15);
    EXPECT_GT(b.seconds[static_cast<std::size_t>(LayerKind::gemm)], 0);
    EXPECT_EQ(b.seconds[static_cast<std::size_t>(LayerKind::attention)], 0);
}

}  // namespace
}  // namespace rooflens::core
