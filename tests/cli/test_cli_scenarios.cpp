// compare, sweep and scenarios as a user runs them.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "test_support/cli_process.h"

namespace {

using rooflens::testing::Outcome;
using rooflens::testing::rooflens;
using rooflens::testing::scratch;
using rooflens::testing::slurp;

TEST(CliScenarios, ListAndShow) {
    Outcome r = rooflens("scenarios list");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    for (const char* name : {"awq-w4a16-g128", "qserve-w4a8kv4", "kivi-kv2", "layer-prune-25"}) {
        EXPECT_NE(r.out.find(name), std::string::npos) << name;
    }
    EXPECT_NE(r.out.find("4.156"), std::string::npos) << r.out;
    r = rooflens("scenarios show nf4-double-quant");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["weights"]["type"], "nf4");
}

TEST(CliScenarios, AnalyzeWithAScenarioFile) {
    const auto file = scratch() / "my-scenario.json";
    std::ofstream(file) << R"({"schema_version": 1, "name": "mine",
        "weights": {"type": "int4", "group_size": 64, "scale": "fp16"}})";
    const Outcome r = rooflens(
        "analyze --model llama-2-7b --hw a100-80gb-sxm --phase decode "
        "--scenario '" +
        file.string() + "' --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    // The report echoes the scenario applied, with its effective bits: 4 + 16/64 per weight.
    EXPECT_EQ(doc["settings"]["scenario"]["name"], "mine");
    EXPECT_DOUBLE_EQ(doc["settings"]["scenario"]["weight_bits"].get<double>(), 4.25);
    EXPECT_FALSE(doc["settings"].contains("wbits"));
    bool found = false;
    for (const auto& layer : doc["layers"]) {
        if (layer["name"] == "blocks.0.q_proj") {
            EXPECT_EQ(layer["weight_type"], "int4");
            // 4096 x 4096 x (4 + 16/64) bits.
            EXPECT_DOUBLE_EQ(
                layer["bytes"]["weights"].get<double>() + layer["bytes"]["metadata"].get<double>(),
                4096.0 * 4096 * 4.25 / 8);
            found = true;
        }
    }
    EXPECT_TRUE(found);
}

TEST(CliScenarios, CompareTableJsonCsvMarkdown) {
    const std::string base =
        "compare --model llama-2-7b --hw a100-40gb-sxm --hw h100-sxm "
        "--scenario fp16 --scenario awq-w4a16-g128 --gen-len 8 --format ";
    Outcome r = rooflens(base + "json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    ASSERT_EQ(doc["rows"].size(), 4U);
    EXPECT_EQ(doc["baseline"], "fp16");
    EXPECT_DOUBLE_EQ(doc["rows"][0]["speedup_decode"].get<double>(), 1.0);
    EXPECT_GT(doc["rows"][1]["speedup_decode"].get<double>(), 3.0);
    for (const char* key : {"prefill_s", "decode_step_s", "ttft_s", "tpot_s", "tokens_per_s",
                            "weight_bytes", "kv_cache_bytes", "fits_in_memory", "memory_saved"}) {
        EXPECT_TRUE(doc["rows"][1].contains(key)) << key;
    }
    EXPECT_FALSE(doc["per_layer"].empty());
    r = rooflens(base + "csv");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(r.out.rfind("hardware,scenario,prefill_s", 0), 0U);
    r = rooflens(base + "md");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("| device | scenario |"), std::string::npos);
    r = rooflens(base + "table");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("decode step per layer"), std::string::npos);
}

TEST(CliScenarios, SweepMarksOutOfMemoryPoints) {
    const Outcome r = rooflens(
        "sweep --model llama-2-7b --hw a100-40gb-sxm --phase decode "
        "--batch 1,64 --context-len 1024:4096:x4 --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto points = nlohmann::json::parse(r.out)["points"];
    ASSERT_EQ(points.size(), 4U);
    // batch 64 x 4096 tokens x 512 KiB = 137 GB of KV: out of memory on 40 GB.
    EXPECT_FALSE(points[3]["fits_in_memory"].get<bool>());
    EXPECT_TRUE(points[3]["out_of_memory"].get<bool>());
    EXPECT_TRUE(points[0]["fits_in_memory"].get<bool>());
    EXPECT_EQ(points[0]["bound"], "memory");
}

TEST(CliScenarios, SweepCsvOverDevicesAndScenarios) {
    const auto out = scratch() / "sweep.csv";
    const Outcome r = rooflens(
        "sweep --model mistral-7b --hw h100-sxm --hw mi300x --scenario fp16 "
        "--scenario fp8-w8a8 --phase prefill --batch 1:8:x2 "
        "--prompt-len 512 --format csv --output '" +
        out.string() + "'");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const std::string csv = slurp(out);
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 2 * 2 * 4);
}

struct Bad {
    const char* args;
    int exitCode;
    const char* fragment;
};

class CliScenarioBadInput : public ::testing::TestWithParam<Bad> {};

TEST_P(CliScenarioBadInput, SaysWhy) {
    const Outcome r = rooflens(GetParam().args);
    EXPECT_EQ(r.exitCode, GetParam().exitCode) << r.err;
    EXPECT_NE(r.err.find(GetParam().fragment), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliScenarioBadInput,
    ::testing::Values(
        Bad{"analyze --model llama-2-7b --hw h100-sxm --scenario awq-w2", 2,
            "unknown scenario 'awq-w2'"},
        Bad{"analyze --model llama-2-7b --hw h100-sxm --scenario fp16 --wbits 4", 1,
            "--scenario replaces --wbits"},
        Bad{"analyze --model llama-2-7b --hw h100-sxm --scenario '" ROOFLENS_TEST_DATA_DIR
            "/scenarios/bad/unknown_type.json'",
            2, "unknown_type.json: /weights/type: expected a data type"},
        Bad{"analyze --model llama-2-7b --hw h100-sxm --scenario /nonexistent/s.json", 2,
            "/nonexistent/s.json: cannot read"},
        Bad{"compare --model llama-2-7b --hw h100-sxm --scenario nope", 2, "unknown scenario"},
        Bad{"compare --model llama-2-7b", 1, "hw"},
        Bad{"sweep --model llama-2-7b --hw h100-sxm --batch 0:8:x2", 1, "--batch: range"},
        Bad{"sweep --model llama-2-7b --hw h100-sxm --context-len 1,two", 1,
            "--context-len: range '1,two'"},
        Bad{"sweep --model llama-2-7b --hw h100-sxm --format md", 1, "--format"},
        Bad{"sweep --model llama-2-7b --hw h100-sxm --batch 1:100000:+1 --context-len "
            "1:100000:+1",
            1, "at most 50,000,000"},
        Bad{"scenarios show", 1, "show needs one NAME"}));

}  // namespace
