// The compression paths of issue 16 (EoRA, GEAR, Energon, Sub-MoE) on hand-sized workloads:
// every number below is computed by hand in the comments, and each test shows what the path
// adds beyond plain quantization at the same bits.
#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "core/analysis.h"
#include "core/scenario.h"
#include "test_device.h"

namespace rooflens::core {
namespace {

Scenario parse(const std::string& json, const std::string& label = "test.json") {
    auto s = parseScenario(Json::parse(json), label);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.value();
}

Workload applyJson(const std::string& json, const Workload& w) {
    auto out = applyScenario(parse(json), w);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.value();
}

std::string applyError(const std::string& json, const Workload& w) {
    auto out = applyScenario(parse(json, "bad.json"), w);
    EXPECT_FALSE(out.ok());
    return out.ok() ? "" : out.error().message;
}

const Layer& layerNamed(const Workload& w, std::string_view name) {
    for (const Layer& layer : w.layers) {
        if (layer.name() == name) {
            return layer;
        }
    }
    ADD_FAILURE() << "no layer " << name;
    static const Layer none;
    return none;
}

// Decode, batch 1, context 100: per block one 8 x 1024 x 4096 GEMM, then unfused attention with
// 4 query heads and 2 KV heads of 64 (qk_matmul [4 x 64] x [64 x 100], softmax, sv_matmul),
// and an lm_head [1 x 1024] x [1024 x 1000]; fp16.
Workload toy() {
    Workload w;
    w.model.id = "toy";
    w.model.blocks = 2;
    w.model.headDim = 64;
    w.model.attentionHeads = 4;
    w.model.kvHeads = 2;
    w.model.parameters = 2 * 1024 * 4096 + 1024 * 1000;
    w.model.activeParameters = w.model.parameters;
    w.model.kvBytesPerToken = 2 * 2 * 2 * 64 * 2;  // K+V, 2 blocks, 2 heads, 64, fp16
    w.settings.phase = Phase::decode;
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
        qk.bytes.activationsIn = 4 * 64 * 2;
        qk.bytes.kvRead = 100 * 2 * 64 * 2;
        qk.bytes.activationsOut = 4 * 100 * 2;
        w.layers.push_back(qk);
        Layer sm;
        sm.op = "softmax";
        sm.kind = LayerKind::softmax;
        sm.unit = ExecUnit::vector;
        sm.block = block;
        sm.ops = 400;
        sm.bytes.activationsIn = 4 * 100 * 2;
        sm.bytes.activationsOut = 4 * 100 * 2;
        w.layers.push_back(sm);
        Layer sv;
        sv.op = "sv_matmul";
        sv.kind = LayerKind::matmul;
        sv.block = block;
        sv.m = 4;
        sv.k = 100;
        sv.n = 64;
        sv.ops = 2 * sv.m * sv.k * sv.n;
        sv.bytes.activationsIn = 4 * 100 * 2;
        sv.bytes.kvRead = 100 * 2 * 64 * 2;
        sv.bytes.activationsOut = 4 * 64 * 2;
        w.layers.push_back(sv);
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

const char* kW4 =
    R"("weights": {"type": "int4", "group_size": 128, "scale": "fp16", "zero": "int4"},
    "overrides": [{"pattern": "lm_head", "weights": {"type": "fp16"}}])";

TEST(Eora, ThinGemmPairBesideEachQuantizedWeight) {
    const Workload plain =
        applyJson(std::string(R"({"schema_version": 1, "name": "w4", )") + kW4 + "}", toy());
    const Workload eora = applyJson(std::string(R"({"schema_version": 1, "name": "eora", )") + kW4 +
                                        R"(, "compensation": {"rank": 64}})",
                                    toy());
    // Same weight bits (4 + 20/128 = 4.15625): the quantized GEMM itself is unchanged.
    EXPECT_DOUBLE_EQ(eora.bits.weights, plain.bits.weights);
    EXPECT_DOUBLE_EQ(layerNamed(eora, "blocks.0.mlp").bytes.weights,
                     layerNamed(plain, "blocks.0.mlp").bytes.weights);
    // x A: [8 x 1024] x [1024 x 64]: 2 * 8 * 1024 * 64 = 1,048,576 OPs; A = 1024 * 64 * 2 B =
    // 131,072 B; reads x (8 * 1024 * 2 = 16,384 B), writes x A (8 * 64 * 2 = 1,024 B).
    const Layer& a = layerNamed(eora, "blocks.0.mlp.eora_a");
    EXPECT_DOUBLE_EQ(a.ops, 1048576);
    EXPECT_DOUBLE_EQ(a.bytes.weights, 131072);
    EXPECT_DOUBLE_EQ(a.bytes.activationsIn, 16384);
    EXPECT_DOUBLE_EQ(a.bytes.activationsOut, 1024);
    EXPECT_EQ(a.weightType, DataType::fp16);
    EXPECT_EQ(a.computeType, DataType::fp16);
    // (x A) B accumulated into y: 2 * 8 * 64 * 4096 + 8 * 4096 = 4,227,072 OPs; B = 64 * 4096 *
    // 2 = 524,288 B; reads x A (1,024 B) and y (65,536 B), writes y (65,536 B).
    const Layer& b = layerNamed(eora, "blocks.0.mlp.eora_b");
    EXPECT_DOUBLE_EQ(b.ops, 4227072);
    EXPECT_DOUBLE_EQ(b.bytes.weights, 524288);
    EXPECT_DOUBLE_EQ(b.bytes.activationsIn, 66560);
    EXPECT_DOUBLE_EQ(b.bytes.activationsOut, 65536);
    // lm_head stays fp16: no compensation beside it.
    EXPECT_EQ(eora.layers.size(), plain.layers.size() + 4);
    // Weights: + 2 matrices * 64 * (1024 + 4096) * 2 B = 1,310,720 B; parameters + 655,360.
    EXPECT_DOUBLE_EQ(eora.memory.weights - plain.memory.weights, 1310720);
    EXPECT_DOUBLE_EQ(eora.model.parameters - plain.model.parameters, 655360);
    // On the round device (1 TB/s) the pair is memory-bound: (131,072 + 16,384 + 1,024) B =
    // 148.48 ns and (524,288 + 66,560 + 65,536) B = 656.384 ns per block.
    const Report pr = analyze(plain, testing::roundDevice());
    const Report er = analyze(eora, testing::roundDevice());
    EXPECT_NEAR(er.totals.timeSeconds - pr.totals.timeSeconds, 2 * (148.48e-9 + 656.384e-9), 1e-15);
}

TEST(Eora, RankAboveTheMatrixRankIsALocatedError) {
    const std::string message = applyError(std::string(R"({"schema_version": 1, "name": "e", )") +
                                               kW4 + R"(, "compensation": {"rank": 1025}})",
                                           toy());
    EXPECT_NE(message.find("bad.json: /compensation/rank: expected at most min(k, n) = 1024 of "
                           "blocks.0.mlp [1024 x 4096]"),
              std::string::npos)
        << message;
}

const char* kGear = R"({"schema_version": 1, "name": "gear",
    "kv_cache": {"type": "int4", "group_size": 64, "scale": "fp16", "zero": "fp16",
                 "residual": {"rank": 4, "group_tokens": 128, "outlier_fraction": 0.02}}})";
const char* kInt4Kv = R"({"schema_version": 1, "name": "kv4",
    "kv_cache": {"type": "int4", "group_size": 64, "scale": "fp16", "zero": "fp16"}})";

TEST(Gear, BytesPerTokenAndReconstructionOps) {
    const Workload plain = applyJson(kInt4Kv, toy());
    const Workload gear = applyJson(kGear, toy());
    // Quantized part 4 + 32/64 = 4.5 bits; low rank 16 * 4 * (128 + 64) / (128 * 64) = 1.5 bits;
    // outliers 0.02 * (16 + 32) = 0.96 bits: 6.96 bits per cached element at d_h = 64.
    EXPECT_DOUBLE_EQ(plain.bits.kv, 4.5);
    EXPECT_NEAR(gear.bits.kv, 6.96, 1e-12);
    // K read of one block: 100 keys * 2 heads * 64 * 2 B = 25,600 B at 16 bits -> x 6.96 / 16.
    EXPECT_NEAR(layerNamed(gear, "blocks.0.qk_matmul").bytes.kvRead, 11136, 1e-9);
    EXPECT_NEAR(layerNamed(plain, "blocks.0.qk_matmul").bytes.kvRead, 7200, 1e-9);
    EXPECT_NEAR(gear.memory.kvCache, toy().memory.kvCache * 6.96 / 16, 1e-9);
    EXPECT_NEAR(gear.model.kvBytesPerToken, 1024 * 6.96 / 16, 1e-9);
    // Decode rebuilds the 100 * 2 * 64 = 12,800 K elements read: 2 * 4 + 0.02 = 8.02 OPs each,
    // 102,656 OPs beside QK^T's 2 * 4 * 64 * 100 = 51,200.
    EXPECT_NEAR(layerNamed(gear, "blocks.0.qk_matmul").ops, 51200 + 102656, 1e-9);
    EXPECT_DOUBLE_EQ(layerNamed(plain, "blocks.0.qk_matmul").ops, 51200);
    EXPECT_NEAR(layerNamed(gear, "blocks.0.sv_matmul").ops, 51200 + 102656, 1e-9);
    // Prefill computes attention on the fresh K and V: no reconstruction.
    Workload prefill = toy();
    prefill.settings.phase = Phase::prefill;
    EXPECT_DOUBLE_EQ(layerNamed(applyJson(kGear, prefill), "blocks.0.qk_matmul").ops, 51200);
}

TEST(Gear, ResidualRankAboveTheHeadDimensionIsALocatedError) {
    const std::string message = applyError(R"({"schema_version": 1, "name": "g",
        "kv_cache": {"type": "int4", "residual": {"rank": 100, "group_tokens": 128}}})",
                                           toy());
    EXPECT_NE(message.find("bad.json: /kv_cache/residual/rank: expected at most the head "
                           "dimension d_h = 64"),
              std::string::npos)
        << message;
}

TEST(Energon, FilterPassThenAttentionOnTheKeptPairs) {
    const Workload w = applyJson(R"({"schema_version": 1, "name": "energon",
        "sparse_attention": {"filter_type": "int4", "kept_fraction": 0.25}})",
                                 toy());
    const Layer& f = w.layers[1];
    ASSERT_EQ(f.op, "attention_filter");
    EXPECT_EQ(f.computeType, DataType::int4);
    // 4 query rows x 100 keys = 400 pairs, 2 * 64 OPs each at INT4: 51,200 OPs.
    EXPECT_DOUBLE_EQ(f.ops, 51200);
    // INT4 queries 4 * 64 / 2 = 128 B, INT4 keys 100 * 2 * 64 / 2 = 6,400 B, the new token's INT4
    // keys 2 * 64 / 2 = 64 B, one int32 index per kept pair 0.25 * 400 * 4 = 400 B.
    EXPECT_DOUBLE_EQ(f.bytes.activationsIn, 128);
    EXPECT_DOUBLE_EQ(f.bytes.kvRead, 6400);
    EXPECT_DOUBLE_EQ(f.bytes.kvWrite, 64);
    EXPECT_DOUBLE_EQ(f.bytes.activationsOut, 400);
    // Attention on 25% of the pairs; in decode each query reads only its kept keys and values.
    const Layer& qk = layerNamed(w, "blocks.0.qk_matmul");
    EXPECT_DOUBLE_EQ(qk.ops, 12800);
    EXPECT_DOUBLE_EQ(qk.bytes.kvRead, 6400);
    EXPECT_DOUBLE_EQ(qk.bytes.activationsOut, 200);
    EXPECT_DOUBLE_EQ(layerNamed(w, "blocks.0.softmax").ops, 100);
    EXPECT_DOUBLE_EQ(layerNamed(w, "blocks.0.sv_matmul").ops, 12800);
    EXPECT_DOUBLE_EQ(layerNamed(w, "blocks.0.sv_matmul").bytes.kvRead, 6400);
    // The INT4 key copy beside the cache: 1 + 4 / (2 * 16) = 1.125 of the KV bytes.
    EXPECT_DOUBLE_EQ(w.memory.kvCache, toy().memory.kvCache * 1.125);
    EXPECT_DOUBLE_EQ(w.attentionKeptFraction, 0.25);
    // Round device with INT4 matrix units, all memory-bound at 1 TB/s, per block:
    //   filter 128 + 6,400 + 64 + 400 = 6,992 B -> 6.992 ns
    //   qk 512 + 6,400 + 200 = 7,112 B -> 7.112 ns; softmax 200 + 200 B -> 0.4 ns;
    //   sv 200 + 6,400 + 512 = 7,112 B -> 7.112 ns; kept 14.624 ns, dense 14.624 / 0.25 = 58.496.
    //   break-even rho* = 1 - 6.992 / 58.496 = 0.880470...
    Hardware hw = testing::roundDevice();
    hw.matrixDense.set(DataType::int4, 400e12);
    const Report r = analyze(w, hw);
    ASSERT_TRUE(r.sparseAttention.has_value());
    EXPECT_NEAR(r.sparseAttention->filterSeconds, 2 * 6.992e-9, 1e-18);
    EXPECT_NEAR(r.sparseAttention->keptAttentionSeconds, 2 * 14.624e-9, 1e-18);
    EXPECT_NEAR(r.sparseAttention->denseAttentionSeconds, 2 * 58.496e-9, 1e-18);
    EXPECT_NEAR(r.sparseAttention->breakEvenKeptFraction, 1 - 6.992 / 58.496, 1e-9);
    EXPECT_NEAR(r.sparseAttention->breakEvenKeptFraction, 0.880470, 1e-6);
    bool noted = false;
    for (const auto& note : r.notes) {
        noted = noted || note.find("break-even kept fraction 0.88") != std::string::npos;
    }
    EXPECT_TRUE(noted);
    // Plain INT4 KV at the same bits never changes the attention's OPs and has no summary.
    const Workload kv4 = applyJson(R"({"schema_version": 1, "name": "kv4",
        "kv_cache": {"type": "int4"}})",
                                   toy());
    EXPECT_DOUBLE_EQ(layerNamed(kv4, "blocks.0.qk_matmul").ops, 51200);
    EXPECT_FALSE(analyze(kv4, hw).sparseAttention.has_value());
}

// One MoE block: a router over E = 8 experts for T = 4 tokens (d = 64), then one expert GEMM
// experts.gate_proj over the T k = 8 token-expert pairs (top-2), [8 x 64] x [64 x 256].
Workload moe() {
    Workload w;
    w.model.id = "toy-moe";
    w.model.blocks = 1;
    w.model.experts = 8;
    w.model.expertsPerToken = 2;
    w.settings.phase = Phase::prefill;
    w.settings.batch = 1;
    w.settings.promptLength = 4;
    Layer router;
    router.op = "router";
    router.kind = LayerKind::router;
    router.block = 0;
    router.m = 4;
    router.k = 64;
    router.n = 8;
    router.weightElements = 64 * 8;
    router.ops = 2 * 4 * 64 * 8 + 5 * 4 * 8;  // gating GEMM + softmax/top-k over E logits
    router.bytes.weights = 64 * 8 * 2;
    router.bytes.activationsIn = 4 * 64 * 2;
    router.bytes.activationsOut = 4 * 8 * 2;
    w.layers.push_back(router);
    // Experts touched by 4 tokens: 8 (1 - (1 - 2/8)^4) = 5.46875.
    Layer e;
    e.op = "experts.gate_proj";
    e.block = 0;
    e.m = 8;
    e.k = 64;
    e.n = 256;
    e.weightElements = 5.46875 * 64 * 256;
    e.ops = 2 * 8 * 64 * 256;
    e.bytes.weights = e.weightElements * 2;
    e.bytes.activationsIn = 8 * 64 * 2;
    e.bytes.activationsOut = 8 * 256 * 2;
    w.layers.push_back(e);
    w.weightTensors.push_back({"router", 0, 64.0 * 8, 64, 8, 0, DataType::fp16});
    w.weightTensors.push_back({"experts.gate_proj", 0, 8.0 * 64 * 256, 64, 256, 0, DataType::fp16});
    w.model.parameters = 64 * 8 + 8 * 64 * 256;        // 131,584
    w.model.activeParameters = 64 * 8 + 2 * 64 * 256;  // 33,280
    w.memory.weights = w.model.parameters * 2;
    return w;
}

TEST(SubMoe, MergedExpertsTouchedRouterAndBytes) {
    EXPECT_DOUBLE_EQ(expectedDistinctExperts(8, 2, 4), 5.46875);
    EXPECT_DOUBLE_EQ(expectedDistinctExperts(4, 2, 4), 3.75);  // 4 (1 - 0.5^4)
    EXPECT_DOUBLE_EQ(expectedDistinctExperts(4, 9, 1), 4);     // top-k clamped to E
    const Workload w = applyJson(R"({"schema_version": 1, "name": "m",
        "expert_merging": {"experts": 4}})",
                                 moe());
    // Router: n = E' = 4; OPs, weights and logits x 4/8.
    const Layer& router = w.layers[0];
    EXPECT_DOUBLE_EQ(router.n, 4);
    EXPECT_DOUBLE_EQ(router.ops, (2 * 4 * 64 * 8 + 5 * 4 * 8) / 2.0);
    EXPECT_DOUBLE_EQ(router.bytes.weights, 512);
    EXPECT_DOUBLE_EQ(router.bytes.activationsOut, 32);
    // Experts touched 4 (1 - (1 - 2/4)^4) = 3.75 instead of 5.46875: weight bytes 3.75 * 64 *
    // 256 * 2 = 122,880 B, x 0.6857 rather than the storage ratio 0.5. Same OPs (top-2 kept).
    const Layer& e = w.layers[1];
    EXPECT_NEAR(e.weightElements, 61440, 1e-6);
    EXPECT_NEAR(e.bytes.weights, 122880, 1e-6);
    EXPECT_DOUBLE_EQ(e.ops, 2.0 * 8 * 64 * 256);
    // Stored: router 64 * 4 + experts 4 * 64 * 256 = 65,792 parameters, 131,584 B; active per
    // token: 256 + 2 * 64 * 256 = 33,024.
    EXPECT_NEAR(w.model.parameters, 65792, 1e-6);
    EXPECT_NEAR(w.memory.weights, 131584, 1e-6);
    EXPECT_NEAR(w.model.activeParameters, 33024, 1e-6);
    EXPECT_EQ(w.model.experts, 4);
}

TEST(SubMoe, SharedSubspaceBasis) {
    const Workload w = applyJson(R"({"schema_version": 1, "name": "m",
        "expert_merging": {"experts": 4, "shared_basis_rank": 16}})",
                                 moe());
    ASSERT_EQ(w.layers.size(), 3U);
    // Per merged expert [8 x 64] x [64 x 16]: 2 * 8 * 64 * 16 = 16,384 OPs, 3.75 * 64 * 16 =
    // 3,840 weights; then the shared basis [8 x 16] x [16 x 256]: 65,536 OPs, 4,096 weights.
    EXPECT_EQ(w.layers[1].op, "experts.gate_proj.sub_expert");
    EXPECT_DOUBLE_EQ(w.layers[1].ops, 16384);
    EXPECT_NEAR(w.layers[1].weightElements, 3840, 1e-9);
    EXPECT_EQ(w.layers[2].op, "experts.gate_proj.sub_basis");
    EXPECT_DOUBLE_EQ(w.layers[2].ops, 65536);
    EXPECT_DOUBLE_EQ(w.layers[2].bytes.weights, 8192);
    // Stored: 256 + 4 * 64 * 16 + 16 * 256 = 8,448; active 256 + 2 * 64 * 16 + 16 * 256 = 6,400.
    EXPECT_NEAR(w.model.parameters, 8448, 1e-6);
    EXPECT_NEAR(w.model.activeParameters, 6400, 1e-6);
}

TEST(SubMoe, MergedCountOutsideTopKToEIsALocatedError) {
    EXPECT_NE(
        applyError(R"({"schema_version": 1, "name": "m", "expert_merging": {"experts": 9}})", moe())
            .find("bad.json: /expert_merging/experts: expected at most the 8 routed "
                  "experts of toy-moe, got 9"),
        std::string::npos);
    EXPECT_NE(
        applyError(R"({"schema_version": 1, "name": "m", "expert_merging": {"experts": 1}})", moe())
            .find("bad.json: /expert_merging/experts: expected at least the 2 experts per "
                  "token (top-k) of toy-moe, got 1"),
        std::string::npos);
    EXPECT_NE(
        applyError(R"({"schema_version": 1, "name": "m", "expert_merging": {"experts": 4}})", toy())
            .find("expected a mixture-of-experts model"),
        std::string::npos);
}

TEST(Catalog, PapersAndMechanisms) {
    const auto papers = papersOf(
        "Lin et al., AWQ: Activation-aware Weight Quantization for LLM Compression and "
        "Acceleration, MLSys 2024, arXiv:2306.00978");
    ASSERT_EQ(papers.size(), 1U);
    EXPECT_EQ(papers[0].title,
              "AWQ: Activation-aware Weight Quantization for LLM Compression and Acceleration");
    EXPECT_EQ(papers[0].arxivId, "2306.00978");
    EXPECT_EQ(papersOf("Baseline (no compression).").size(), 0U);
    EXPECT_EQ(papersOf("A, T1, arXiv:1.2; B, T2 (blog, 2025), arXiv:3.4").size(), 2U);
    auto doc = scenarioCatalogJson();
    ASSERT_TRUE(doc.ok()) << doc.error().message;
    const Json catalog = Json::parse(doc.value());
    ASSERT_EQ(catalog["scenarios"].size(), listScenarioPresets().size());
    const std::map<std::string, std::pair<std::string, std::string>> expected = {
        {"eora-w4-r64", {"2410.21271", "compensation GEMM pair"}},
        {"gear-kv4", {"2403.05527", "low-rank residual r=4"}},
        {"energon-int4-25", {"2110.09310", "int4 QK^T filter"}},
        {"sub-moe-4of8", {"2506.23266", "routed experts merged to 4"}},
        {"sub-moe-6of8", {"2506.23266", "routed experts merged to 6"}}};
    int found = 0;
    for (const auto& entry : catalog["scenarios"]) {
        const auto it = expected.find(entry["name"].get<std::string>());
        if (it == expected.end()) {
            continue;
        }
        ++found;
        EXPECT_EQ(entry["papers"][0]["arxiv_id"], it->second.first);
        EXPECT_NE(entry["mechanism"].get<std::string>().find(it->second.second), std::string::npos)
            << entry["mechanism"];
    }
    EXPECT_EQ(found, 5);
}

TEST(Catalog, NewPresetsRoundTripWithTheirPaths) {
    for (const char* name :
         {"eora-w4-r64", "gear-kv4", "energon-int4-25", "sub-moe-4of8", "sub-moe-6of8"}) {
        auto s = resolveScenario(name);
        ASSERT_TRUE(s.ok()) << s.error().message;
        EXPECT_TRUE(s->compresses()) << name;
        auto again = parseScenario(Json::parse(serializeScenario(s.value())), name);
        ASSERT_TRUE(again.ok()) << again.error().message;
        EXPECT_EQ(again.value(), s.value()) << name;
    }
    EXPECT_EQ(resolveScenario("eora-w4-r64")->compensation->rank, 64);
    EXPECT_NEAR(kvEffectiveBits(*resolveScenario("gear-kv4")->kvCache, 128), 6.46, 1e-12);
    EXPECT_DOUBLE_EQ(resolveScenario("energon-int4-25")->sparseAttention->keptFraction, 0.25);
    EXPECT_EQ(resolveScenario("sub-moe-6of8")->expertMerging->experts, 6);
}

}  // namespace
}  // namespace rooflens::core
