// `rooflens models list|show` and `rooflens analyze` on the frontier families, run as a process.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "test_support/cli_process.h"

namespace {

using rooflens::testing::Outcome;
using rooflens::testing::rooflens;

TEST(CliModels, ListShowsTheNewPresets) {
    const Outcome r = rooflens("models list --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    for (const char* id :
         {"qwen3-8b", "qwen3-30b-a3b", "qwen3-235b-a22b", "deepseek-v3", "deepseek-v2-lite",
          "llama-4-scout", "gemma-3-27b", "phi-3-mini", "gpt-oss-120b", "gpt-oss-20b", "mamba-2.8b",
          "jamba-v0.1", "llama-3.1-8b", "llama-3.1-405b", "qwen2.5-72b"}) {
        bool found = false;
        for (const auto& model : doc) {
            if (model["id"] == id) {
                found = true;
                if (std::string(id) == "gpt-oss-120b") {
                    EXPECT_EQ(model["active_parameters_excl_embedding"], 5132849472ULL);
                }
            }
        }
        EXPECT_TRUE(found) << id;
    }
}

TEST(CliModels, ShowListsThePlanKvAndFixedBytes) {
    Outcome r = rooflens("models show gemma-3-27b --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["parameters"], 27432406640ULL);
    EXPECT_DOUBLE_EQ(doc["kv_growing_bytes_per_token"].get<double>(), 81920);
    EXPECT_DOUBLE_EQ(doc["kv_capped_bytes_per_sequence"].get<double>(), 436207616);
    ASSERT_EQ(doc["layer_plan"].size(), 2U);
    EXPECT_EQ(doc["layer_plan"][0]["attention"], "sliding");
    EXPECT_EQ(doc["layer_plan"][0]["window"], 1024);
    EXPECT_EQ(doc["layer_plan"][1]["layers"].size(), 10U);

    r = rooflens("models show mamba-2.8b --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    doc = nlohmann::json::parse(r.out);
    EXPECT_DOUBLE_EQ(doc["state_bytes_per_sequence"].get<double>(), 13107200);
    EXPECT_DOUBLE_EQ(doc["kv_bytes_per_token"].get<double>(), 0);
    EXPECT_EQ(doc["layer_plan"][0]["ssm"], "mamba");

    r = rooflens("models show deepseek-v3");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("layers 3-60 (58): latent attention (MLA), MoE 256 experts top-8 + "
                         "shared 2048"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("70,272 bytes per token"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("checkpoint: fp8 e4m3 w8a8 block 128x128"), std::string::npos);
}

TEST(CliModels, AnalyzeAFrontierModel) {
    const Outcome r = rooflens(
        "analyze --model deepseek-v3 --hw h100-sxm --phase decode --context-len 4096 "
        "--flash-attention --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_DOUBLE_EQ(doc["model"]["kv_bytes_per_token"].get<double>(), 70272);
    EXPECT_DOUBLE_EQ(doc["model"]["active_parameters_excl_embedding"].get<double>(), 36625618432.0);
    bool absorbed = false;
    for (const auto& layer : doc["layers"]) {
        absorbed |= layer["name"] == "blocks.3.q_absorb";
    }
    EXPECT_TRUE(absorbed);
    const Outcome mamba = rooflens(
        "analyze --model mamba-2.8b --hw h100-sxm --phase decode --context-len 100000 "
        "--batch 8 --format json");
    ASSERT_EQ(mamba.exitCode, 0) << mamba.err;
    const auto m = nlohmann::json::parse(mamba.out);
    EXPECT_DOUBLE_EQ(m["totals"]["memory_bytes"]["kv_cache"].get<double>(), 0);
    EXPECT_DOUBLE_EQ(m["totals"]["memory_bytes"]["state"].get<double>(), 8 * 13107200.0);
}

}  // namespace
