// Measured runs (core/measured.h): the points of `validate` and `validate --whole` JSON files,
// computed by hand from small fixtures, the chart ranges they widen, and one bad file per defect.
#include <gtest/gtest.h>

#include <cctype>
#include <functional>

#include <nlohmann/json.hpp>

#include "core/measured.h"

namespace rooflens::core {
namespace {

std::string fixture(const char* name) {
    return std::string(ROOFLENS_TEST_DATA_DIR) + "/measured/" + name;
}

TEST(MeasuredRun, KernelValidationPointsByHand) {
    auto run = loadMeasuredRun(fixture("validate-small.json"));
    ASSERT_TRUE(run.ok()) << run.error().message;
    EXPECT_EQ(run->kind, "rooflens-validation");
    EXPECT_EQ(run->model, "validate-tiny");
    EXPECT_EQ(run->profile, "xeon-8480");
    EXPECT_EQ(run->label(), "validate: validate-tiny on xeon-8480");
    ASSERT_EQ(run->points.size(), 3U);
    EXPECT_EQ(run->skipped, 1U);  // the kernel without OPs or bytes
    const MeasuredPoint& gemm = run->points[0];
    EXPECT_EQ(gemm.name, "prefill q_proj,o_proj");
    EXPECT_EQ(gemm.kind, LayerKind::gemm);
    EXPECT_DOUBLE_EQ(gemm.intensity(), 200);              // 2e9 OP / 1e7 B
    EXPECT_DOUBLE_EQ(gemm.measuredOpsPerSecond(), 1e11);  // 2e9 OP / 0.02 s
    EXPECT_DOUBLE_EQ(gemm.rooflineOpsPerSecond(), 2e11);  // 2e9 OP / 0.01 s
    EXPECT_DOUBLE_EQ(gemm.rooflineError(), -0.5);         // (0.01 - 0.02) / 0.02
    EXPECT_DOUBLE_EQ(gemm.expectedError(), -0.375);       // (0.0125 - 0.02) / 0.02
    EXPECT_DOUBLE_EQ(gemm.p10Seconds, 0.019);
    EXPECT_DOUBLE_EQ(gemm.p90Seconds, 0.022);
    const MeasuredPoint& gemv = run->points[1];
    EXPECT_EQ(gemv.kind, LayerKind::gemm);  // the gemv class is a GEMM layer
    EXPECT_DOUBLE_EQ(gemv.intensity(), 0.5);
    EXPECT_DOUBLE_EQ(gemv.measuredOpsPerSecond(), 5e9);  // 8e6 / 1.6e-3
    EXPECT_DOUBLE_EQ(gemv.rooflineError(), -0.375);      // (1e-3 - 1.6e-3) / 1.6e-3
    EXPECT_DOUBLE_EQ(gemv.expectedError(), -0.21875);    // (1.25e-3 - 1.6e-3) / 1.6e-3
    const MeasuredPoint& norm = run->points[2];
    EXPECT_EQ(norm.kind, LayerKind::norm);
    EXPECT_DOUBLE_EQ(norm.intensity(), 0.125);
    EXPECT_DOUBLE_EQ(norm.measuredOpsPerSecond(), 1.25e10);  // 1e6 / 8e-5
    EXPECT_DOUBLE_EQ(norm.rooflineError(), 0.25);            // faster than the roof
}

TEST(MeasuredRun, WholeModelPointsByHandWithRepeats) {
    auto run = loadMeasuredRun(fixture("whole-small.json"));
    ASSERT_TRUE(run.ok()) << run.error().message;
    EXPECT_EQ(run->label(), "validate --whole: validate-tiny on xeon-8480");
    ASSERT_EQ(run->points.size(), 2U);
    EXPECT_EQ(run->skipped, 1U);  // lm_head was not measured
    const MeasuredPoint& q = run->points[0];
    EXPECT_EQ(q.run, "prefill, 8 threads");
    EXPECT_DOUBLE_EQ(q.intensity(), 200);              // 4e9 / 2e7
    EXPECT_DOUBLE_EQ(q.measuredOpsPerSecond(), 8e10);  // 4e9 / 0.05
    EXPECT_DOUBLE_EQ(q.rooflineError(), -0.6);         // (0.02 - 0.05) / 0.05
    EXPECT_DOUBLE_EQ(q.expectedError(), -0.5);         // (0.025 - 0.05) / 0.05
    const MeasuredPoint& attention = run->points[1];
    EXPECT_EQ(attention.kind, LayerKind::attention);
    // Two instances of 1e9 OP and 1e8 B in the 0.01 s measured.
    EXPECT_DOUBLE_EQ(attention.ops, 2e9);
    EXPECT_DOUBLE_EQ(attention.intensity(), 10);
    EXPECT_DOUBLE_EQ(attention.measuredOpsPerSecond(), 2e11);
}

TEST(MeasuredRun, IncludeMeasuredWidensRangesAndRoofs) {
    RooflineChartSpec spec;
    spec.x = {1, 1000};
    spec.y = {1e12, 1e15};
    RoofSegment memory;
    memory.kind = RoofKind::memory;
    memory.value = 1e12;
    memory.x0 = 1;
    memory.y0 = 1e12;
    memory.x1 = 100;
    memory.y1 = 1e14;
    RoofSegment compute;
    compute.kind = RoofKind::compute;
    compute.value = 1e14;
    compute.x0 = 100;
    compute.x1 = 1000;
    compute.y0 = compute.y1 = 1e14;
    spec.roofs = {memory, compute};
    auto run = loadMeasuredRun(fixture("validate-small.json"));
    ASSERT_TRUE(run.ok());
    includeMeasured(spec, *run);
    EXPECT_DOUBLE_EQ(spec.x.min, 0.01);  // the norm at 0.125 OP/B, halved, to its decade
    EXPECT_DOUBLE_EQ(spec.x.max, 1000);  // 200 OP/B * 2 fits
    EXPECT_DOUBLE_EQ(spec.y.min, 1e9);   // the gemv at 5 GOP/s, halved
    EXPECT_DOUBLE_EQ(spec.y.max, 1e15);
    EXPECT_DOUBLE_EQ(spec.roofs[0].x0, 0.01);
    EXPECT_DOUBLE_EQ(spec.roofs[0].y0, 1e10);  // still on y = 1e12 x
    EXPECT_DOUBLE_EQ(spec.roofs[1].x1, 1000);
}

struct BadCase {
    const char* name;
    const char* file;
    std::function<void(nlohmann::json&)> edit;
    const char* fragment;  // the JSON path (and what was expected)
};

class BadMeasuredRun : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadMeasuredRun, NamesTheFileAndTheField) {
    const BadCase& c = GetParam();
    auto text = readFile(fixture(c.file));
    ASSERT_TRUE(text.ok());
    nlohmann::json doc = nlohmann::json::parse(*text);
    c.edit(doc);
    auto run = parseMeasuredRun(doc, "bad.json");
    ASSERT_FALSE(run.ok()) << c.name;
    EXPECT_EQ(run.error().message.rfind("bad.json: ", 0), 0U) << run.error().message;
    EXPECT_NE(run.error().message.find(c.fragment), std::string::npos) << run.error().message;
}

const BadCase kBadCases[] = {
    {"not an object", "validate-small.json", [](auto& j) { j = nlohmann::json::array(); },
     "/: expected an object"},
    {"a session", "validate-small.json", [](auto& j) { j["kind"] = "rooflens-session"; },
     "/kind: expected \"rooflens-validation\""},
    {"no kind", "validate-small.json", [](auto& j) { j.erase("kind"); },
     "/kind: missing required field"},
    {"future schema", "validate-small.json", [](auto& j) { j["schema_version"] = 2; },
     "/schema_version: unsupported schema_version 2"},
    {"no kernels", "validate-small.json", [](auto& j) { j.erase("kernels"); },
     "/kernels: missing required field"},
    {"kernels not a list", "validate-small.json", [](auto& j) { j["kernels"] = 3; },
     "/kernels: expected an array"},
    {"zero measured time", "validate-small.json",
     [](auto& j) { j["kernels"][1]["measured_median_seconds"] = 0; },
     "/kernels/1/measured_median_seconds: expected a positive"},
    {"negative OPs", "validate-small.json", [](auto& j) { j["kernels"][0]["ops"] = -5; },
     "/kernels/0/ops: expected"},
    {"OPs as text", "validate-small.json", [](auto& j) { j["kernels"][0]["ops"] = "2e9"; },
     "/kernels/0/ops: expected"},
    {"unknown class", "validate-small.json", [](auto& j) { j["kernels"][2]["class"] = "conv"; },
     "/kernels/2/class: expected a kernel class"},
    {"no roofline time", "validate-small.json",
     [](auto& j) { j["kernels"][0].erase("calibrated_seconds"); },
     "/kernels/0/calibrated_seconds: missing required field"},
    {"nothing drawable", "validate-small.json",
     [](auto& j) {
         for (auto& k : j["kernels"]) {
             k["ops"] = 0;
         }
     },
     "/kernels: no measured layer"},
    {"no runs", "whole-small.json", [](auto& j) { j.erase("runs"); },
     "/runs: missing required field"},
    {"runs not a list", "whole-small.json", [](auto& j) { j["runs"] = nlohmann::json::object(); },
     "/runs: expected an array"},
    {"whole layer without OPs (an old file)", "whole-small.json",
     [](auto& j) { j["runs"][0]["layers"][1].erase("ops"); },
     "/runs/0/layers/1/ops: missing required field"},
    {"whole layer kind unknown", "whole-small.json",
     [](auto& j) { j["runs"][0]["layers"][0]["kind"] = "allreduce"; },
     "/runs/0/layers/0/kind: expected a compute layer kind"},
    {"measured not a flag", "whole-small.json",
     [](auto& j) { j["runs"][0]["layers"][0]["measured"] = "yes"; },
     "/runs/0/layers/0/measured: expected"},
    {"zero repeat", "whole-small.json", [](auto& j) { j["runs"][0]["layers"][1]["repeat"] = 0; },
     "/runs/0/layers/1/repeat: expected"},
    {"threads missing", "whole-small.json", [](auto& j) { j["runs"][0].erase("threads"); },
     "/runs/0/threads: missing required field"},
};

INSTANTIATE_TEST_SUITE_P(Defects, BadMeasuredRun, ::testing::ValuesIn(kBadCases),
                         [](const auto& info) {
                             std::string name;
                             for (const char* c = info.param.name; *c; ++c) {
                                 name += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
                             }
                             return name;
                         });

TEST(MeasuredRun, UnreadableFileNamesIt) {
    auto missing = loadMeasuredRun(fixture("no-such-run.json"));
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("no-such-run.json"), std::string::npos);
}

}  // namespace
}  // namespace rooflens::core
