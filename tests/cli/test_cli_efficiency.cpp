// `--time expected|roofline` and `--threads N` (issue 14) run as a process: the JSON report
// carries both times, a profile with a GEMM efficiency of 0.5 doubles the compute-bound GEMMs'
// expected time, "efficiency": "none" gives the roofline exactly, and bad flags name themselves.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "test_support/cli_process.h"

namespace {

using rooflens::testing::Outcome;
using rooflens::testing::rooflens;
using rooflens::testing::scratch;

// A datasheet-style GPU (fp16 100 TFLOPS, 1 TB/s) with the given efficiency section.
std::string deviceFile(const std::string& name, const nlohmann::json& efficiency) {
    nlohmann::json doc = nlohmann::json::parse(R"({
      "schema_version": 2, "id": "half", "name": "Half efficiency", "vendor": "Test", "kind": "gpu",
      "sources": {"sheet": "https://example.com/half.pdf"},
      "compute": {"matrix": {"fp16": {"dense": {"value": 100, "unit": "TFLOPS", "source": "sheet",
                                                "status": "datasheet"}}},
                  "vector": {"fp32": {"dense": {"value": 10, "unit": "TFLOPS", "source": "sheet",
                                                "status": "datasheet"}}}},
      "memory": [{"name": "HBM",
                  "capacity": {"value": 80, "unit": "GiB", "source": "sheet", "status": "datasheet"},
                  "bandwidth": {"value": 1000, "unit": "GB/s", "source": "sheet",
                                "status": "datasheet"}}]
    })");
    doc["efficiency"] = efficiency;
    const auto path = scratch() / name;
    std::ofstream(path) << doc.dump(2);
    return path.string();
}

nlohmann::json halfGemm() {
    return nlohmann::json::parse(R"({"origin": "file", "source": "test: a constant 0.5",
      "gemm": [{"unit": "matrix", "type": "any", "m": [1], "k": [1], "n": [1],
                "efficiency": [0.5]}]})");
}

TEST(CliEfficiency, HalfGemmEfficiencyDoublesComputeBoundGemms) {
    const std::string hw = deviceFile("half.json", halfGemm());
    Outcome r = rooflens("analyze --model llama-2-7b --hw " + hw +
                         " --phase prefill --prompt-len 512 --format json --time expected");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["totals"]["time_basis"], "expected");
    EXPECT_EQ(doc["hardware"]["efficiency"], "file");
    int computeBoundGemms = 0;
    for (const auto& layer : doc["layers"]) {
        const double roof = layer["time_s"].get<double>();
        const double expected = layer["expected_s"].get<double>();
        EXPECT_GE(expected, roof) << layer["name"];
        if (layer["kind"] == "gemm" && layer["bound"] == "compute") {
            // 512 x 4096 x 4096 (q_proj): 17.2 GOP at 100 TOP/s = 172 us roofline, 344 us at 0.5
            // (its 33.6 MB take 34 us of memory).
            EXPECT_NEAR(expected, 2 * roof, 1e-12 * roof) << layer["name"];
            ++computeBoundGemms;
        }
    }
    EXPECT_GT(computeBoundGemms, 100);  // 7 projections x 32 blocks
    EXPECT_GT(doc["totals"]["expected_s"].get<double>(), doc["totals"]["time_s"].get<double>());
    // The headline of the table follows --time.
    r = rooflens("analyze --model llama-2-7b --hw " + hw + " --phase prefill --time expected");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto expectedLine = r.out.find("time (expected, file efficiency)");
    const auto roofLine = r.out.find("time (roofline bound)");
    ASSERT_NE(expectedLine, std::string::npos) << r.out;
    ASSERT_NE(roofLine, std::string::npos);
    EXPECT_LT(expectedLine, roofLine);
}

TEST(CliEfficiency, NoneIsTheRooflineExactly) {
    const std::string hw = deviceFile("none.json", "none");
    Outcome r = rooflens("analyze --model llama-2-7b --hw " + hw +
                         " --phase request --prompt-len 128 --gen-len 16 --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["hardware"]["efficiency"], "none");
    EXPECT_EQ(doc["totals"]["time_basis"], "roofline");
    for (const auto& layer : doc["layers"]) {
        EXPECT_EQ(layer["expected_s"], layer["time_s"]) << layer["name"];
    }
    EXPECT_EQ(doc["totals"]["expected_e2e_s"], doc["totals"]["e2e_s"]);
    EXPECT_EQ(doc["totals"]["expected_tpot_s"], doc["totals"]["tpot_s"]);
}

TEST(CliEfficiency, CompareSpeedupsFollowTheTimeBasis) {
    const std::string hw = deviceFile("half.json", halfGemm());
    Outcome r =
        rooflens("compare --model llama-2-7b --hw " + hw +
                 " --scenario fp16 --scenario awq-w4a16-g128 --format json --time expected");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["time_basis"], "expected");
    const auto& rows = doc["rows"];
    ASSERT_EQ(rows.size(), 2U);
    const double speedup =
        rows[0]["expected_prefill_s"].get<double>() / rows[1]["expected_prefill_s"].get<double>();
    EXPECT_NEAR(rows[1]["speedup_prefill"].get<double>(), speedup, 1e-9 * speedup);
}

TEST(CliEfficiency, BadFlagsNameThemselves) {
    Outcome r = rooflens("analyze --model llama-2-7b --hw h100-sxm --time fast");
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("--time: expected \"expected\" or \"roofline\", got \"fast\""),
              std::string::npos)
        << r.err;
    r = rooflens("analyze --model llama-2-7b --hw h100-sxm --threads 1");
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("--threads: device h100-sxm has no ceilings at 1 thread(s)"),
              std::string::npos)
        << r.err;
}

}  // namespace
