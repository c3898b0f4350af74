// The scenario engine: effective bits of every preset, the file format's errors, and what each
// compression does to a hand-sized workload.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "core/analysis.h"
#include "core/scenario.h"
#include "test_device.h"

namespace rooflens::core {
namespace {

Scenario preset(const std::string& name) {
    auto s = resolveScenario(name);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.value();
}

TEST(Scenario, PresetsExistAndCiteTheirPapers) {
    // 34 presets: the 17 of issue 3 plus LPViT, EoRA, GEAR, Energon, two Sub-MoE, PTQ4ViT x2,
    // I&S-ViT x2, RPTQ x2, OliVe, OstQuant and three token reductions (R-MeeTo, Vim pruning,
    // Zero-TPrune) (issue 16).
    const std::vector<std::string> expected = {"asvd-20",
                                               "awq-w4a16-g128",
                                               "energon-int4-25",
                                               "eora-w4-r64",
                                               "fp16",
                                               "fp8-block-w8a8",
                                               "fp8-kv",
                                               "fp8-w8a8",
                                               "gear-kv4",
                                               "gptq-w3a16-g128",
                                               "isvit-w3a3",
                                               "isvit-w4a4",
                                               "kivi-kv2",
                                               "layer-prune-25",
                                               "lpvit-block32-50",
                                               "mxfp4-w4a16",
                                               "nf4-double-quant",
                                               "nvfp4-w4a4",
                                               "olive-w4a4",
                                               "ostquant-w4a4kv4",
                                               "ptq4vit-w6a6",
                                               "ptq4vit-w8a8",
                                               "qserve-w4a8kv4",
                                               "rmeeto-r11-every2",
                                               "rptq-w4a3",
                                               "rptq-w4a4",
                                               "smoothquant-w8a8",
                                               "sparse-2of4",
                                               "spqr-3bit",
                                               "sub-moe-4of8",
                                               "sub-moe-6of8",
                                               "unstructured-50",
                                               "vim-prune-r11-every2",
                                               "zerotprune-keep70"};
    EXPECT_EQ(listScenarioPresets(), expected);
    for (const auto& name : expected) {
        const Scenario s = preset(name);
        EXPECT_EQ(s.name, name);
        EXPECT_FALSE(s.citation.empty()) << name;
        if (name != "fp16") {
            EXPECT_NE(s.citation.find("arXiv:"), std::string::npos) << name;
        }
    }
}

TEST(Scenario, EffectiveBitsOfEveryPreset) {
    // AWQ: 4 + (16 + 4) / 128.
    EXPECT_DOUBLE_EQ(preset("awq-w4a16-g128").weights->effectiveBits(4096), 4.15625);
    // GPTQ 3-bit: 3 + (16 + 3) / 128.
    EXPECT_DOUBLE_EQ(preset("gptq-w3a16-g128").weights->effectiveBits(4096), 3.1484375);
    // SmoothQuant: 8 + 16 / K per-channel weight scale, 8 + 16 / K per-token activation scale.
    EXPECT_DOUBLE_EQ(preset("smoothquant-w8a8").weights->effectiveBits(4096), 8 + 16.0 / 4096);
    EXPECT_DOUBLE_EQ(preset("smoothquant-w8a8").activations->effectiveBits(4096), 8 + 16.0 / 4096);
    EXPECT_DOUBLE_EQ(preset("fp8-w8a8").weights->effectiveBits(4096), 8);
    // QServe: 4 + (8 + 4) / 128 + 16 / K; KV 4 + 32 / 128 = 4.25 (formulas.md 4.4).
    const Scenario qserve = preset("qserve-w4a8kv4");
    EXPECT_DOUBLE_EQ(qserve.weights->effectiveBits(4096), 4 + 12.0 / 128 + 16.0 / 4096);
    EXPECT_DOUBLE_EQ(qserve.kvCache->format.effectiveBits(), 4.25);
    // NF4 double quantization: 4 + 8/64 + 32/(64 * 256) = 4.127 (QLoRA paper).
    EXPECT_DOUBLE_EQ(preset("nf4-double-quant").weights->effectiveBits(),
                     4 + 8.0 / 64 + 32.0 / (64 * 256));
    EXPECT_NEAR(preset("nf4-double-quant").weights->effectiveBits(), 4.127, 5e-4);
    // KIVI: 2 + 32 / 32 = 3 bits, 128 recent tokens in 16 bits.
    const Scenario kivi = preset("kivi-kv2");
    EXPECT_DOUBLE_EQ(kivi.kvCache->format.effectiveBits(), 3);
    EXPECT_EQ(kivi.kvCache->fullPrecisionWindow, 128);
    // SpQR: 3 + 6/16 + 2 * 32/256 + 32 * 0.01 = 3.945 (formulas.md 4.7).
    EXPECT_NEAR(preset("spqr-3bit").weights->effectiveBits(), 3.945, 1e-12);
    // RPTQ: 3 + 32 clusters x 16 bits / K per token row = 3.125 at K = 4096; OliVe exactly 4
    // (no outlier storage); OstQuant 4 + 16 / K, KV 4.25; PTQ4ViT W6A6 6 + 16 / K.
    EXPECT_DOUBLE_EQ(preset("rptq-w4a3").activations->effectiveBits(4096), 3.125);
    EXPECT_DOUBLE_EQ(preset("rptq-w4a4").activations->effectiveBits(4096), 4.125);
    EXPECT_DOUBLE_EQ(preset("olive-w4a4").weights->effectiveBits(4096), 4);
    EXPECT_DOUBLE_EQ(preset("olive-w4a4").activations->effectiveBits(4096), 4);
    EXPECT_DOUBLE_EQ(preset("ostquant-w4a4kv4").weights->effectiveBits(4096), 4 + 16.0 / 4096);
    EXPECT_DOUBLE_EQ(preset("ostquant-w4a4kv4").kvCache->format.effectiveBits(), 4.25);
    EXPECT_EQ(preset("ostquant-w4a4kv4").rotation->downProj, 1);
    EXPECT_DOUBLE_EQ(preset("ptq4vit-w6a6").weights->effectiveBits(4096), 6 + 16.0 / 4096);
    EXPECT_EQ(preset("ptq4vit-w6a6").attention->type, DataType::int6);
    EXPECT_EQ(preset("isvit-w3a3").attention->type, DataType::int3);
    // Presets without a weight format keep the native 16-bit weights.
    for (const char* name : {"fp16", "sparse-2of4", "unstructured-50", "asvd-20", "layer-prune-25",
                             "kivi-kv2", "lpvit-block32-50"}) {
        EXPECT_FALSE(preset(name).weights.has_value()) << name;
    }
}

TEST(Scenario, PresetsRoundTrip) {
    for (const auto& name : listScenarioPresets()) {
        const Scenario s = preset(name);
        auto again = parseScenario(Json::parse(serializeScenario(s)), name);
        ASSERT_TRUE(again.ok()) << again.error().message;
        EXPECT_EQ(again.value(), s) << name;
    }
}

TEST(Scenario, Patterns) {
    EXPECT_TRUE(matchesPattern("lm_head", "lm_head"));
    EXPECT_TRUE(matchesPattern("blocks.0.*", "blocks.0.q_proj"));
    EXPECT_FALSE(matchesPattern("blocks.0.*", "blocks.10.q_proj"));
    EXPECT_TRUE(matchesPattern("blocks.*.mlp*", "blocks.7.mlp_residual"));
    EXPECT_TRUE(matchesPattern("*proj", "blocks.3.k_proj"));
    EXPECT_TRUE(matchesPattern("blocks.?.q_proj", "blocks.3.q_proj"));
    EXPECT_FALSE(matchesPattern("blocks.?.q_proj", "blocks.31.q_proj"));
    EXPECT_FALSE(matchesPattern("q_proj", "blocks.0.q_proj"));
}

struct BadCase {
    const char* file;
    const char* fragment;  // includes the JSON path
};

class BadScenario : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadScenario, NamesTheFileAndTheField) {
    const std::string path =
        std::string(ROOFLENS_TEST_DATA_DIR) + "/scenarios/bad/" + GetParam().file + ".json";
    auto s = loadScenario(path);
    ASSERT_FALSE(s.ok()) << GetParam().file << " was accepted";
    EXPECT_NE(s.error().message.find(std::string(GetParam().file) + ".json"), std::string::npos)
        << s.error().message;
    EXPECT_NE(s.error().message.find(GetParam().fragment), std::string::npos) << s.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Files, BadScenario,
    ::testing::Values(
        BadCase{"invalid_json", "invalid JSON"},
        BadCase{"missing_name", "/name: missing required field"},
        BadCase{"missing_version", "/schema_version: missing required field"},
        BadCase{"future_version", "/schema_version: expected schema_version 1"},
        BadCase{"unknown_field", "/wieghts: unknown field"},
        BadCase{"unknown_type", "/weights/type: expected a data type"},
        BadCase{"type_not_string", "/weights/type: expected a string, got 4"},
        BadCase{"negative_group", "/weights/group_size: expected an integer"},
        BadCase{"fractional_group", "/weights/group_size: expected an integer"},
        BadCase{"scale_without_group", "/weights/group_size: missing required field"},
        BadCase{"unknown_scale_type", "/weights/scale: expected a data type"},
        BadCase{"density_above_one", "/sparsity/density: expected a number in (0, 1"},
        BadCase{"density_zero", "/sparsity/density: expected a positive finite number"},
        BadCase{"unknown_sparsity", "/sparsity/kind: expected dense, 2:4 or unstructured"},
        BadCase{"unknown_index", "/sparsity/index: expected csr16, csr32 or bitmap"},
        BadCase{"low_rank_both", "/low_rank: expected exactly one of"},
        BadCase{"low_rank_negative", "/low_rank/rank_ratio: expected a positive"},
        BadCase{"kept_ratio_above_one", "/kv_cache/kept_ratio: expected a number in (0, 1"},
        BadCase{"negative_window", "/kv_cache/full_precision_window: expected an integer"},
        BadCase{"drop_blocks_negative", "/depth/drop_blocks: expected an integer"},
        BadCase{"drop_both", "/depth/drop_fraction: give drop_blocks or drop_fraction"},
        BadCase{"overrides_not_array", "/overrides: expected an array"},
        BadCase{"override_without_pattern", "/overrides/0/pattern: missing required field"},
        BadCase{"override_bad_format", "/overrides/0/weights/type: expected a data type"},
        BadCase{"outlier_fraction_above_one", "/weights/outliers/fraction: expected a number"},
        BadCase{"not_an_object", ": /: expected an object"},
        BadCase{"compensation_rank_zero", "/compensation/rank: expected an integer in [1,"},
        BadCase{"compensation_type_int4", "/compensation/type: expected fp16 or bf16"},
        BadCase{"residual_outlier_fraction_above_one",
                "/kv_cache/residual/outlier_fraction: expected a number in [0, 1]"},
        BadCase{"residual_outlier_fraction_negative",
                "/kv_cache/residual/outlier_fraction: expected a number in [0, 1]"},
        BadCase{"residual_rank_above_group",
                "/kv_cache/residual/rank: expected at most group_tokens = 32"},
        BadCase{"residual_without_group",
                "/kv_cache/residual/group_tokens: missing required field"},
        BadCase{"kept_fraction_above_one",
                "/sparse_attention/kept_fraction: expected a number in (0, 1]"},
        BadCase{"kept_fraction_zero",
                "/sparse_attention/kept_fraction: expected a positive finite number"},
        BadCase{"filter_type_float", "/sparse_attention/filter_type: expected an integer type"},
        BadCase{"merged_experts_zero", "/expert_merging/experts: expected an integer in [1,"},
        BadCase{"merging_unknown_field", "/expert_merging/basis: unknown field"},
        BadCase{"attention_type_float", "/attention/type: expected an integer type"},
        BadCase{"rotation_count_negative", "/rotation/down_proj: expected an integer in [0,"},
        BadCase{"rotation_unknown_transform",
                "/rotation/transform: expected hadamard or orthogonal"},
        BadCase{"rotation_without_transforms", "/rotation: expected at least one online transform"},
        BadCase{"clusters_zero", "/activations/clusters: expected an integer in [1,"},
        BadCase{"olive_not_int4", "/weights/type: expected int4"},
        BadCase{"olive_in_override",
                "/overrides/0/weights/encoding: expected the olive encoding in the top-level"}));

TEST(BadScenario, EveryFixtureIsListed) {
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(
             std::string(ROOFLENS_TEST_DATA_DIR) + "/scenarios/bad")) {
        files += entry.path().extension() == ".json" ? 1 : 0;
    }
    // 26 + 11 for the compression paths + 7 for attention, rotation, clusters, OliVe (issue 16)
    EXPECT_EQ(files, 44U);
}

TEST(Scenario, UnknownPresetListsTheAvailableOnes) {
    auto s = resolveScenario("awq-w2");
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("awq-w4a16-g128"), std::string::npos);
}

// A two-block toy: one 1024 x 4096 GEMM per block over 8 tokens, an attention read of 100 keys
// with 2 KV heads x 64, and an lm_head, at fp16.
Workload toy(Phase phase = Phase::decode) {
    Workload w;
    w.model.id = "toy";
    w.model.blocks = 2;
    w.model.parameters = 2 * 1024 * 4096 + 1024 * 1000;
    w.model.activeParameters = w.model.parameters;
    w.model.kvBytesPerToken = 2 * 2 * 2 * 64 * 2;  // K+V, 2 blocks, 2 heads, 64, fp16
    w.settings.phase = phase;
    w.settings.batch = 1;
    w.settings.contextLength = 100;
    for (int block = 0; block < 2; ++block) {
        Layer g;
        g.op = "mlp";
        g.block = block;
        g.m = 8;
        g.k = 1024;
        g.n = 4096;
        g.weightElements = g.k * g.n;
        g.ops = 2 * g.m * g.k * g.n;
        g.bytes.weights = g.weightElements * 2;
        g.bytes.activationsIn = g.m * g.k * 2;
        g.bytes.activationsOut = g.m * g.n * 2;
        w.layers.push_back(g);
        Layer qk;
        qk.op = "qk_matmul";
        qk.kind = LayerKind::matmul;
        qk.block = block;
        qk.m = 4;
        qk.k = 64;
        qk.n = 100;
        qk.ops = 2 * qk.m * qk.k * qk.n;
        qk.bytes.kvRead = 100 * 2 * 64 * 2;
        w.layers.push_back(qk);
        w.weightTensors.push_back({"mlp", block, 1024.0 * 4096, 1024, 4096, 0, DataType::fp16});
    }
    Layer head;
    head.op = "lm_head";
    head.m = 1;
    head.k = 1024;
    head.n = 1000;
    head.weightElements = 1024 * 1000;
    head.ops = 2 * head.k * head.n;
    head.bytes.weights = head.weightElements * 2;
    w.layers.push_back(head);
    w.weightTensors.push_back({"lm_head", -1, 1024.0 * 1000, 1024, 1000, 0, DataType::fp16});
    w.memory.weights = w.model.parameters * 2;
    w.memory.kvCache = w.model.kvBytesPerToken * 100;
    return w;
}

Workload apply(const std::string& json, const Workload& w = toy()) {
    auto s = parseScenario(Json::parse(json), "test");
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    auto out = applyScenario(s.value(), w);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.value();
}

TEST(Compression, GroupQuantizedWeightsAndTheirMetadata) {
    const Workload w = apply(R"({"schema_version": 1, "name": "w4",
        "weights": {"type": "int4", "group_size": 128, "scale": "fp16", "zero": "int4"}})");
    const Layer& mlp = w.layers[0];
    EXPECT_DOUBLE_EQ(mlp.bytes.weights, 1024.0 * 4096 * 0.5);
    EXPECT_DOUBLE_EQ(mlp.bytes.metadata, 1024.0 * 4096 * 20 / 128 / 8);
    EXPECT_EQ(mlp.weightType, DataType::int4);
    EXPECT_EQ(mlp.computeType, DataType::fp16);  // weight-only: math stays 16-bit
    EXPECT_DOUBLE_EQ(mlp.ops, 2.0 * 8 * 1024 * 4096);
    EXPECT_DOUBLE_EQ(w.memory.weights, (2 * 1024.0 * 4096 + 1024.0 * 1000) * 4.15625 / 8);
    // The runtime dequantization is counted on the vector units: 2 OPs per weight element.
    const Report r = analyze(w, testing::roundDevice());
    EXPECT_DOUBLE_EQ(r.results[0].conversionOps, 2.0 * 1024 * 4096);
}

TEST(Compression, OverridesKeepLayersAtHigherPrecision) {
    const Workload w = apply(R"({"schema_version": 1, "name": "w4",
        "weights": {"type": "int4"},
        "overrides": [{"pattern": "lm_head", "weights": {"type": "fp16"}},
                      {"pattern": "blocks.0.*", "weights": {"type": "int8"}}]})");
    EXPECT_EQ(w.layers[0].weightType, DataType::int8);
    EXPECT_EQ(w.layers[2].weightType, DataType::int4);
    EXPECT_EQ(w.layers[4].weightType, DataType::fp16);
    EXPECT_DOUBLE_EQ(w.memory.weights, 1024.0 * 4096 * (1 + 0.5) + 1024.0 * 1000 * 2);
}

TEST(Compression, W8A8RunsIntegerMath) {
    const Workload w = apply(R"({"schema_version": 1, "name": "w8a8",
        "weights": {"type": "int8"}, "activations": {"type": "int8"}})");
    EXPECT_EQ(w.layers[0].computeType, DataType::int8);
    EXPECT_DOUBLE_EQ(w.layers[0].bytes.activationsIn, 8.0 * 1024);
    const Report r = analyze(w, testing::roundDevice());
    EXPECT_EQ(r.results[0].execution.mathType, DataType::int8);
    EXPECT_DOUBLE_EQ(r.results[0].execution.peakOpsPerSecond, 200e12);
    EXPECT_DOUBLE_EQ(r.results[0].conversionOps, 2.0 * 8 * 4096);  // epilogue per output
}

TEST(Compression, TwoFourSparsityHalvesValuesAndUsesSparseUnits) {
    const Workload w = apply(R"({"schema_version": 1, "name": "24", "sparsity": {"kind": "2:4"}})");
    const Layer& mlp = w.layers[0];
    // fp16: (2 * 16 + 4) / 64 = 0.5625 of the dense bytes.
    EXPECT_DOUBLE_EQ(mlp.bytes.weights + mlp.bytes.metadata, 1024.0 * 4096 * 2 * 0.5625);
    EXPECT_TRUE(mlp.structuredSparse);
    Hardware hw = testing::roundDevice();
    Report r = analyze(w, hw);
    EXPECT_TRUE(r.results[0].execution.sparse);
    EXPECT_DOUBLE_EQ(r.results[0].execution.peakOpsPerSecond, 200e12);
    hw.matrixSparse = {};  // no sparse units: dense math, bytes still shrink
    r = analyze(w, hw);
    EXPECT_FALSE(r.results[0].execution.sparse);
    EXPECT_DOUBLE_EQ(r.results[0].execution.peakOpsPerSecond, 100e12);
}

TEST(Compression, UnstructuredSparsityIndexFormats) {
    const double e = 1024.0 * 4096;
    Workload w = apply(R"({"schema_version": 1, "name": "u",
        "sparsity": {"kind": "unstructured", "density": 0.25, "index": "csr16"}})");
    // nnz (2 B value + 2 B index) + (rows + 1) 2 B row pointers; rows = 4096 outputs.
    EXPECT_DOUBLE_EQ(w.layers[0].bytes.weights + w.layers[0].bytes.metadata,
                     0.25 * e * 4 + (4096 + 1) * 2);
    EXPECT_DOUBLE_EQ(w.layers[0].ops, 2.0 * 8 * 1024 * 4096);  // dense math
    w = apply(R"({"schema_version": 1, "name": "u",
        "sparsity": {"kind": "unstructured", "density": 0.25, "index": "bitmap",
                     "sparse_kernel": true}})");
    EXPECT_DOUBLE_EQ(w.layers[0].bytes.weights + w.layers[0].bytes.metadata, 0.25 * e * 2 + e / 8);
    EXPECT_DOUBLE_EQ(w.layers[0].ops, 0.25 * 2 * 8 * 1024 * 4096);
}

TEST(Compression, LowRankSplitsTheGemm) {
    // rank_ratio 0.25 of min(1024, 4096) = 256: [8 x 1024] x [1024 x 256], [8 x 256] x [256 x
    // 4096].
    const Workload w =
        apply(R"({"schema_version": 1, "name": "lr", "low_rank": {"rank_ratio": 0.25},
        "overrides": [{"pattern": "lm_head", "low_rank": false}]})");
    ASSERT_EQ(w.layers[0].op, "mlp.lr_a");
    ASSERT_EQ(w.layers[1].op, "mlp.lr_b");
    EXPECT_DOUBLE_EQ(w.layers[0].ops, 2.0 * 8 * 1024 * 256);
    EXPECT_DOUBLE_EQ(w.layers[1].ops, 2.0 * 8 * 256 * 4096);
    EXPECT_DOUBLE_EQ(w.layers[0].bytes.weights, 1024.0 * 256 * 2);
    EXPECT_DOUBLE_EQ(w.layers[1].bytes.activationsOut, 8.0 * 4096 * 2);
    EXPECT_TRUE(w.warnings.empty());
    EXPECT_DOUBLE_EQ(w.model.parameters, 2 * 256.0 * (1024 + 4096) + 1024 * 1000);
}

TEST(Compression, LowRankAboveBreakEvenIsALoss) {
    // Break-even r = 1024 * 4096 / 5120 = 819.2; rank_ratio 0.9 gives r = 922.
    const Workload w = apply(R"({"schema_version": 1, "name": "lr", "low_rank": {"rank_ratio": 0.9},
        "overrides": [{"pattern": "lm_head", "low_rank": false}]})");
    ASSERT_FALSE(w.warnings.empty());
    EXPECT_NE(w.warnings.front().find("is a loss"), std::string::npos) << w.warnings.front();
    EXPECT_GT(w.model.parameters, toy().model.parameters);
}

TEST(Compression, KvQuantizationWithAFullPrecisionWindow) {
    // 100 keys: 20 in fp16, 80 at 2 + 32/32 = 3 bits -> (20 * 16 + 80 * 3) / (100 * 16) = 0.35.
    const Workload w = apply(R"({"schema_version": 1, "name": "kv",
        "kv_cache": {"type": "int2", "group_size": 32, "scale": "fp16", "zero": "fp16",
                     "full_precision_window": 20}})");
    EXPECT_DOUBLE_EQ(w.layers[1].bytes.kvRead, 100.0 * 2 * 64 * 2 * 0.35);
    EXPECT_DOUBLE_EQ(w.memory.kvCache, toy().memory.kvCache * 0.35);
    EXPECT_EQ(w.layers[1].kvType, DataType::int2);
    const Report r = analyze(w, testing::roundDevice());
    EXPECT_GT(r.results[1].conversionOps, 0);  // dequantized in attention
}

TEST(Compression, TokenEvictionKeepsAFractionOfOlderTokens) {
    // Decode, 100 keys, window 20 kept, 50% of the other 80: 60 keys attended.
    const Workload w = apply(R"({"schema_version": 1, "name": "kv",
        "kv_cache": {"type": "fp16", "full_precision_window": 20, "kept_ratio": 0.5}})");
    EXPECT_DOUBLE_EQ(w.layers[1].ops, 2.0 * 4 * 64 * 60);
    EXPECT_DOUBLE_EQ(w.layers[1].bytes.kvRead, 60.0 * 2 * 64 * 2);
    EXPECT_DOUBLE_EQ(w.memory.kvCache, toy().memory.kvCache * 0.6);
}

TEST(Compression, LayerPruningAndEarlyExit) {
    Workload w = apply(R"({"schema_version": 1, "name": "p", "depth": {"drop_blocks": 1}})");
    EXPECT_EQ(w.model.blocks, 1);
    EXPECT_EQ(w.layers.size(), 3U);
    EXPECT_DOUBLE_EQ(w.memory.kvCache, toy().memory.kvCache / 2);
    EXPECT_DOUBLE_EQ(w.memory.weights, (1024.0 * 4096 + 1024.0 * 1000) * 2);
    // Early exit at 1.5 blocks with a check after every block: block 1 at half cost, one exit
    // head (lm_head-sized) charged.
    w = apply(R"({"schema_version": 1, "name": "e", "depth": {"exit_depth": 1.5}})");
    double exitHeads = 0;
    for (const auto& l : w.layers) {
        if (l.op == "exit_head") {
            exitHeads += l.repeat;
            EXPECT_DOUBLE_EQ(l.ops, 2.0 * 1024 * 1000);
        }
        if (l.op == "mlp" && l.block == 1) {
            EXPECT_DOUBLE_EQ(l.ops, 0.5 * 2 * 8 * 1024 * 4096);
        }
    }
    EXPECT_DOUBLE_EQ(exitHeads, 1);
}

TEST(Compression, DepthErrors) {
    auto s = parseScenario(
        Json::parse(R"({"schema_version": 1, "name": "p", "depth": {"drop_blocks": 2}})"), "t");
    ASSERT_TRUE(s.ok());
    auto w = applyScenario(s.value(), toy());
    ASSERT_FALSE(w.ok());
    EXPECT_NE(w.error().message.find("less than the model's 2 blocks"), std::string::npos);
    auto again = applyScenario(scenarioFromBits(8, 8, 8), toy());
    ASSERT_TRUE(again.ok());
    EXPECT_FALSE(applyScenario(scenarioFromBits(8, 8, 8), again.value()).ok());
}

}  // namespace
}  // namespace rooflens::core
