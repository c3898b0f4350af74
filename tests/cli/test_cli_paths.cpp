// The compression-path presets of issue 16 (EoRA, GEAR, Energon, Sub-MoE) as a user runs them:
// analyze and compare on real models against hand calculations, scenarios list, and one
// located error per new field.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support/cli_process.h"

namespace {

using nlohmann::json;
using rooflens::testing::Outcome;
using rooflens::testing::rooflens;

json run(const std::string& args) {
    const Outcome r = rooflens(args + " --format json");
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return r.exitCode == 0 ? json::parse(r.out) : json::object();
}

const json& layer(const json& report, const std::string& name) {
    for (const auto& l : report["layers"]) {
        if (l["name"] == name) {
            return l;
        }
    }
    ADD_FAILURE() << "no layer " << name;
    static const json none = json::object();
    return none;
}

double opsOf(const json& l) {
    return l["ops"].get<double>() - l["conversion_ops"].get<double>();
}

const std::string kDecode =
    "analyze --model llama-2-7b --hw h100-sxm --phase decode --batch 1 --context-len 1024 ";

TEST(CliPaths, EoraAddsTheThinGemmPair) {
    const json r = run(kDecode + "--scenario eora-w4-r64");
    // q_proj [1 x 4096] x [4096 x 4096] at INT4, then x A [1 x 4096] x [4096 x 64]:
    // 2 * 4096 * 64 = 524,288 OPs, A = 4096 * 64 * 2 B = 524,288 B; (x A) B [1 x 64] x [64 x
    // 4096] accumulated into y: 2 * 64 * 4096 + 4096 = 528,384 OPs, B = 524,288 B.
    const json& a = layer(r, "blocks.0.q_proj.eora_a");
    EXPECT_DOUBLE_EQ(opsOf(a), 524288);
    EXPECT_DOUBLE_EQ(a["bytes"]["weights"].get<double>(), 524288);
    EXPECT_EQ(a["weight_type"], "fp16");
    const json& b = layer(r, "blocks.0.q_proj.eora_b");
    EXPECT_DOUBLE_EQ(opsOf(b), 528384);
    EXPECT_DOUBLE_EQ(b["bytes"]["weights"].get<double>(), 524288);
    EXPECT_EQ(layer(r, "blocks.0.q_proj")["weight_type"], "int4");
}

TEST(CliPaths, CompareEoraWithPlainW4AtTheSameBits) {
    // awq-w4a16-g128 and eora-w4-r64 store the same INT4 g128 weights (4.15625 bits); EoRA adds
    // 64 (k + n) fp16 weights per quantized linear. Per Llama-2-7B block: q, k, v, o 64 * 8192 *
    // 2 B = 1,048,576 B each, gate, up, down 64 * 15,104 * 2 = 1,933,312 B each: 9,994,240 B;
    // 32 blocks: 319,815,680 B.
    const json doc =
        run("compare --model llama-2-7b --hw h100-sxm --gen-len 8 --scenario awq-w4a16-g128 "
            "--scenario eora-w4-r64");
    ASSERT_EQ(doc["rows"].size(), 2U);
    EXPECT_DOUBLE_EQ(
        doc["rows"][1]["weight_bytes"].get<double>() - doc["rows"][0]["weight_bytes"].get<double>(),
        319815680);
    EXPECT_LT(doc["rows"][1]["speedup_decode"].get<double>(), 1.0);  // the path costs time
}

TEST(CliPaths, GearBytesPerTokenAndReconstruction) {
    const json r = run(kDecode + "--scenario gear-kv4");
    // 4 + 32/64 = 4.5 bits, + 16 * 4 * (128 + 128) / (128 * 128) = 1.0, + 0.02 * 48 = 0.96:
    // 6.46 bits; KV per token 2 * 32 layers * 32 heads * 128 * 6.46 / 8 = 211,681.28 B.
    EXPECT_NEAR(r["model"]["kv_bytes_per_token"].get<double>(), 211681.28, 1e-6);
    EXPECT_NEAR(r["settings"]["scenario"]["kv_bits"].get<double>(), 6.46, 1e-12);
    // QK^T 2 * 32 * 128 * 1024 = 8,388,608 OPs plus the rebuild of 32 * 1024 * 128 = 4,194,304
    // K elements at 2 * 4 + 0.02 = 8.02 OPs: 33,638,318.08; total 42,026,926.08.
    EXPECT_NEAR(opsOf(layer(r, "blocks.0.qk_matmul")), 42026926.08, 1e-3);
    // Plain quantized KV (KIVI, 3 bits): QK^T OPs unchanged.
    const json kv4 = run(kDecode + "--scenario kivi-kv2");
    EXPECT_DOUBLE_EQ(opsOf(layer(kv4, "blocks.0.qk_matmul")), 8388608);
}

TEST(CliPaths, EnergonReportsTheBreakEvenKeptFraction) {
    const json r = run(kDecode + "--scenario energon-int4-25");
    // Filter: 32 heads x 1024 keys = 32,768 pairs, 2 * 128 OPs each: 8,388,608 OPs at INT4;
    // bytes: INT4 queries 32 * 128 / 2 = 2,048, INT4 keys 32 * 1024 * 128 / 2 = 2,097,152, the
    // new token's INT4 keys 2,048, int32 indices 0.25 * 32,768 * 4 = 32,768: 2,134,016 B.
    const json& f = layer(r, "blocks.0.attention_filter");
    EXPECT_DOUBLE_EQ(opsOf(f), 8388608);
    EXPECT_DOUBLE_EQ(f["bytes"]["total"].get<double>(), 2134016);
    // Kept attention (25%): qk 8,192 + 2,097,152 + 16,384 = 2,121,728 B, softmax 2 * 16,384 B,
    // sv 16,384 + 2,097,152 + 8,192 = 2,121,728 B: 4,276,224 B, dense 17,104,896 B. All
    // memory-bound on one bandwidth: rho* = 1 - 2,134,016 / 17,104,896 = 0.875239...
    EXPECT_DOUBLE_EQ(opsOf(layer(r, "blocks.0.qk_matmul")), 8388608 * 0.25);
    ASSERT_TRUE(r.contains("sparse_attention"));
    EXPECT_NEAR(r["sparse_attention"]["break_even_kept_fraction"].get<double>(),
                1 - 2134016.0 / 17104896.0, 1e-9);
    EXPECT_NEAR(r["sparse_attention"]["break_even_kept_fraction"].get<double>(), 0.875239, 1e-6);
    EXPECT_DOUBLE_EQ(r["sparse_attention"]["kept_fraction"].get<double>(), 0.25);
    // Plain FP16 has no filter and no summary.
    EXPECT_FALSE(run(kDecode + "--scenario fp16").contains("sparse_attention"));
}

TEST(CliPaths, SubMoeMergesExperts) {
    const std::string mixtral =
        "analyze --model mixtral-8x7b --hw h100-sxm --phase decode --batch 4 --context-len 512 ";
    const json fp16 = run(mixtral + "--scenario fp16");
    const json merged = run(mixtral + "--scenario sub-moe-4of8");
    // 4 tokens, top-2: 8 (1 - (6/8)^4) = 5.46875 experts touched of 8, 4 (1 - (2/4)^4) = 3.75 of
    // 4: gate_proj weights 5.46875 (3.75) * 4096 * 14336 * 2 B.
    EXPECT_NEAR(layer(fp16, "blocks.0.experts.gate_proj")["bytes"]["weights"].get<double>(),
                642252800, 1e-3);
    EXPECT_NEAR(layer(merged, "blocks.0.experts.gate_proj")["bytes"]["weights"].get<double>(),
                440401920, 1e-3);
    // Same OPs per token: 2 * 8 pairs * 4096 * 14336.
    EXPECT_DOUBLE_EQ(opsOf(layer(merged, "blocks.0.experts.gate_proj")),
                     opsOf(layer(fp16, "blocks.0.experts.gate_proj")));
    // Router n = 4: weights 4096 * 4 * 2 B = 32,768 B.
    EXPECT_DOUBLE_EQ(layer(merged, "blocks.0.router")["bytes"]["weights"].get<double>(), 32768);
    // Stored weights: 32 blocks x 3 projections x 4 experts fewer x 4096 x 14336 x 2 B =
    // 45,097,156,608 B, router 32 x 4096 x 4 x 2 B = 1,048,576 B.
    const json doc =
        run("compare --model mixtral-8x7b --hw h100-sxm --gen-len 8 --scenario fp16 "
            "--scenario sub-moe-6of8 --scenario sub-moe-4of8");
    ASSERT_EQ(doc["rows"].size(), 3U);
    EXPECT_NEAR(
        doc["rows"][0]["weight_bytes"].get<double>() - doc["rows"][2]["weight_bytes"].get<double>(),
        45097156608.0 + 1048576.0, 1e-3);
    // 6 of 8: half of that.
    EXPECT_NEAR(
        doc["rows"][0]["weight_bytes"].get<double>() - doc["rows"][1]["weight_bytes"].get<double>(),
        (45097156608.0 + 1048576.0) / 2, 1e-3);
}

TEST(CliPaths, ScenariosListShowsMechanismsAndPapers) {
    Outcome r = rooflens("scenarios list");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    for (const char* text :
         {"eora-w4-r64",
          "EoRA: Training-free Compensation for Compressed LLM with Eigenspace "
          "Low-Rank Approximation (arXiv:2410.21271)",
          "gear-kv4", "arXiv:2403.05527", "energon-int4-25", "arXiv:2110.09310", "sub-moe-4of8",
          "arXiv:2506.23266", "compensation GEMM pair", "routed experts merged to 4",
          "AWQ: Activation-aware Weight Quantization"}) {
        EXPECT_NE(r.out.find(text), std::string::npos) << text;
    }
    const json doc = run("scenarios list");
    ASSERT_GE(doc["scenarios"].size(), 22U);
    for (const auto& s : doc["scenarios"]) {
        EXPECT_FALSE(s["mechanism"].get<std::string>().empty()) << s["name"];
        if (s["name"] != "fp16") {
            EXPECT_FALSE(s["papers"].empty()) << s["name"];
            EXPECT_FALSE(s["papers"][0]["title"].get<std::string>().empty()) << s["name"];
        }
    }
    r = rooflens("scenarios list --format yaml");
    EXPECT_EQ(r.exitCode, 1);
    EXPECT_NE(r.err.find("--format: expected table or json"), std::string::npos) << r.err;
}

struct Bad {
    const char* args;
    const char* fragment;
};

class CliPathsBadInput : public ::testing::TestWithParam<Bad> {};

TEST_P(CliPathsBadInput, NamesTheFileAndTheField) {
    const Outcome r = rooflens(GetParam().args);
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find(GetParam().fragment), std::string::npos) << r.err;
}

#define BAD(file) "'" ROOFLENS_TEST_DATA_DIR "/scenarios/bad/" file ".json'"
#define BAD_FOR_MODEL(file) "'" ROOFLENS_TEST_DATA_DIR "/scenarios/bad_apply/" file ".json'"

INSTANTIATE_TEST_SUITE_P(
    Cases, CliPathsBadInput,
    ::testing::Values(
        Bad{"analyze --model llama-2-7b --hw h100-sxm --scenario " BAD("compensation_rank_zero"),
            "compensation_rank_zero.json: /compensation/rank: expected an integer in [1,"},
        Bad{"analyze --model llama-2-7b --hw h100-sxm --phase decode --scenario " BAD_FOR_MODEL(
                "compensation_rank_above_matrix"),
            "compensation_rank_above_matrix.json: /compensation/rank: expected at most min(k, "
            "n) = 4096 of blocks.0.q_proj [4096 x 4096] in llama-2-7b, got 5000"},
        Bad{"analyze --model llama-2-7b --hw h100-sxm --scenario " BAD(
                "residual_outlier_fraction_above_one"),
            "residual_outlier_fraction_above_one.json: /kv_cache/residual/outlier_fraction: "
            "expected a number in [0, 1]"},
        Bad{"analyze --model llama-2-7b --hw h100-sxm --phase decode --scenario " BAD_FOR_MODEL(
                "residual_rank_above_head_dim"),
            "residual_rank_above_head_dim.json: /kv_cache/residual/rank: expected at most the "
            "head dimension d_h = 128 of llama-2-7b"},
        Bad{"analyze --model llama-2-7b --hw h100-sxm --scenario " BAD("kept_fraction_above_one"),
            "kept_fraction_above_one.json: /sparse_attention/kept_fraction: expected a number in "
            "(0, 1]"},
        Bad{"analyze --model llama-2-7b --hw h100-sxm --scenario " BAD("filter_type_float"),
            "filter_type_float.json: /sparse_attention/filter_type: expected an integer type"},
        Bad{"analyze --model mixtral-8x7b --hw h100-sxm --scenario " BAD_FOR_MODEL(
                "merged_experts_above_original"),
            "merged_experts_above_original.json: /expert_merging/experts: expected at most the 8 "
            "routed experts of mixtral-8x7b, got 16"},
        Bad{"analyze --model mixtral-8x7b --hw h100-sxm --scenario " BAD_FOR_MODEL(
                "merged_experts_below_top_k"),
            "merged_experts_below_top_k.json: /expert_merging/experts: expected at least the 2 "
            "experts per token (top-k) of mixtral-8x7b, got 1"},
        Bad{"compare --model llama-2-7b --hw h100-sxm --scenario fp16 --scenario sub-moe-4of8",
            "sub-moe-4of8.json: /expert_merging/experts: expected a mixture-of-experts model"}));

}  // namespace
