// The quantization presets of issue 16 items 3-4 (PTQ4ViT, I&S-ViT, RPTQ, OliVe, OstQuant) as a
// user runs them: compare and analyze on real models against hand calculations, and a located
// error per new field.
#include <gtest/gtest.h>

#include <cmath>

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
    return l.value("ops", 0.0) - l.value("conversion_ops", 0.0);
}

TEST(CliQuant, CompareFp16RptqOstquantQserveOnLlama3) {
    const json doc =
        run("compare --model llama-3-8b --scenario fp16 --scenario rptq-w4a3 --scenario "
            "ostquant-w4a4kv4 --scenario qserve-w4a8kv4 --hw h100-sxm");
    ASSERT_EQ(doc["rows"].size(), 4U);
    EXPECT_EQ(doc["rows"][1]["scenario"], "rptq-w4a3");
    // Llama-3-8B: per block q 4096^2, k and v 4096 x 1024, o 4096^2, gate/up/down 4096 x 14,336:
    // 218,103,808 linear weights, 6,979,321,856 over 32 blocks. INT4 saves 1.5 B of the 2 each:
    // 10,468,982,784 B; the fp16 scale per output channel costs 2 B per output row, (4096 +
    // 1024 + 1024 + 4096 + 3 x 14,336 ... ) = 43,008 rows per block: 2,752,512 B. lm_head fp16.
    EXPECT_NEAR(
        doc["rows"][0]["weight_bytes"].get<double>() - doc["rows"][1]["weight_bytes"].get<double>(),
        10468982784.0 - 2752512.0, 1.0);
    // OstQuant and QServe both cache K and V in INT4 g128 with fp16 scale and zero: 4 + 32/128 =
    // 4.25 bits against 16.
    const double kv16 = doc["rows"][0]["kv_cache_bytes"].get<double>();
    EXPECT_NEAR(doc["rows"][2]["kv_cache_bytes"].get<double>(), kv16 * 4.25 / 16, kv16 * 1e-12);
    EXPECT_NEAR(doc["rows"][3]["kv_cache_bytes"].get<double>(), kv16 * 4.25 / 16, kv16 * 1e-12);
}

TEST(CliQuant, OstquantChargesTheOnlineHadamards) {
    const json r =
        run("analyze --model llama-3-8b --hw h100-sxm --phase decode --batch 1 --context-len 1024 "
            "--scenario ostquant-w4a4kv4");
    // Before down_proj: one token, d_ff = 14,336: 14,336 log2 14,336 = 197,942.2 OPs; the
    // vector read and written in fp16, 28,672 B each way.
    const json& down = layer(r, "blocks.0.down_proj.rotation");
    EXPECT_NEAR(opsOf(down), 14336 * std::log2(14336.0), 1e-6);
    EXPECT_DOUBLE_EQ(down["bytes"]["activations_in"].get<double>(), 28672);
    EXPECT_DOUBLE_EQ(down["bytes"]["activations_out"].get<double>(), 28672);
    // Attention path: 2 transforms x 32 query heads x 128 log2 128 = 57,344 OPs, 2 * 32 * 128 *
    // 2 = 16,384 B each way.
    const json& att = layer(r, "blocks.0.qk_matmul.rotation");
    EXPECT_DOUBLE_EQ(opsOf(att), 57344);
    EXPECT_DOUBLE_EQ(att["bytes"]["activations_in"].get<double>(), 16384);
}

TEST(CliQuant, Ptq4vitQuantizesTheAttentionMatmulsOfVit) {
    const std::string base = "analyze --model vit-base-16 --hw h100-sxm --batch 1 --scenario ";
    const json plain = run(base + "fp16");
    const json ptq = run(base + "ptq4vit-w8a8");
    const json& qk = layer(ptq, "blocks.0.qk_matmul");
    EXPECT_EQ(qk["math_type"], "int8");
    EXPECT_EQ(layer(ptq, "blocks.0.pv_matmul")["math_type"], "int8");
    // 12 heads x 197^2 = 465,708 scores: written as INT8 (465,708 B instead of 931,416), and the
    // softmax pays 2 x 3 OPs per score more: 2,794,248.
    EXPECT_DOUBLE_EQ(qk["bytes"]["activations_out"].get<double>(), 465708);
    EXPECT_DOUBLE_EQ(layer(plain, "blocks.0.qk_matmul")["bytes"]["activations_out"].get<double>(),
                     931416);
    EXPECT_DOUBLE_EQ(
        opsOf(layer(ptq, "blocks.0.softmax")) - opsOf(layer(plain, "blocks.0.softmax")), 2794248);
}

TEST(CliQuant, FusedAttentionGetsIntegerMathAndTheRequantOps) {
    const std::string base =
        "analyze --model vit-base-16 --hw h100-sxm --batch 1 --flash-attention --scenario ";
    const json plain = run(base + "fp16");
    const json ptq = run(base + "ptq4vit-w8a8");
    const json& att = layer(ptq, "blocks.0.attention");
    EXPECT_EQ(att["math_type"], "int8");
    // 12 heads x 197 x 197 pairs, 2 x 3 requant OPs each: 2,794,248 OPs more than fp16.
    EXPECT_DOUBLE_EQ(opsOf(att) - opsOf(layer(plain, "blocks.0.attention")), 2794248);
    // With rotations on the fused path (OstQuant on Llama-3-8B decode): 32 query-head rows of
    // d_h = 128, 2 x 32 x 128 x 7 = 57,344 OPs.
    const json r =
        run("analyze --model llama-3-8b --hw h100-sxm --phase decode --batch 1 --context-len 1024 "
            "--flash-attention --scenario ostquant-w4a4kv4");
    EXPECT_DOUBLE_EQ(opsOf(layer(r, "blocks.0.attention.rotation")), 57344);
}

TEST(CliQuant, ScenariosListNamesThePapers) {
    const Outcome r = rooflens("scenarios list");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    for (const char* text : {"ptq4vit-w8a8", "arXiv:2111.12293", "isvit-w3a3", "arXiv:2311.17965",
                             "rptq-w4a3", "arXiv:2304.01089", "olive-w4a4", "arXiv:2304.07493",
                             "ostquant-w4a4kv4", "arXiv:2501.16612", "arXiv:2404.00456"}) {
        EXPECT_NE(r.out.find(text), std::string::npos) << text;
    }
}

struct Bad {
    const char* args;
    const char* fragment;
};

class CliQuantBadInput : public ::testing::TestWithParam<Bad> {};

TEST_P(CliQuantBadInput, NamesTheFileAndTheField) {
    const Outcome r = rooflens(GetParam().args);
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find(GetParam().fragment), std::string::npos) << r.err;
}

#define BAD(file) "'" ROOFLENS_TEST_DATA_DIR "/scenarios/bad/" file ".json'"

INSTANTIATE_TEST_SUITE_P(
    Cases, CliQuantBadInput,
    ::testing::Values(
        Bad{"analyze --model vit-base-16 --hw h100-sxm --scenario " BAD("attention_type_float"),
            "attention_type_float.json: /attention/type: expected an integer type of at most 8 "
            "bits"},
        Bad{"analyze --model llama-3-8b --hw h100-sxm --scenario " BAD("rotation_count_negative"),
            "rotation_count_negative.json: /rotation/down_proj: expected an integer in [0,"},
        Bad{"analyze --model llama-3-8b --hw h100-sxm --scenario " BAD("clusters_zero"),
            "clusters_zero.json: /activations/clusters: expected an integer in [1,"},
        Bad{"compare --model llama-3-8b --hw h100-sxm --scenario fp16 --scenario " BAD(
                "olive_not_int4"),
            "olive_not_int4.json: /weights/type: expected int4"}));

}  // namespace
