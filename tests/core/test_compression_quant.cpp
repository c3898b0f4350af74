// Quantization mechanisms beyond bit widths (issue 16 items 3-4): PTQ4ViT / I&S-ViT quantized
// attention matmuls, RPTQ's per-cluster scales, OliVe's outlier-victim pair decode and the online
// rotations of QuaRot / OstQuant, on a hand-sized workload. Every number is computed by hand in
// the comments, against plain quantization at the same bits.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/analysis.h"
#include "core/scenario.h"
#include "test_device.h"

namespace rooflens::core {
namespace {

Scenario parse(const std::string& json) {
    auto s = parseScenario(Json::parse(json), "test.json");
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
    return s.value();
}

Workload applyJson(const std::string& body, const Workload& w) {
    auto out = applyScenario(parse(R"({"schema_version": 1, "name": "t", )" + body + "}"), w);
    EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().message);
    return out.value();
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

// Decode, batch 1, context 100, fp16: per block a down_proj [8 x 1024] x [1024 x 4096], then
// unfused attention with 4 query heads and 2 KV heads of 64 (qk_matmul [4 x 64] x [64 x 100],
// softmax over 400 scores, sv_matmul [4 x 100] x [100 x 64]); an lm_head [1 x 1024] x [1024 x
// 1000].
Workload toy() {
    Workload w;
    w.model.id = "toy";
    w.model.blocks = 2;
    w.model.headDim = 64;
    w.model.attentionHeads = 4;
    w.model.kvHeads = 2;
    w.model.parameters = 2 * 1024 * 4096 + 1024 * 1000;
    w.model.activeParameters = w.model.parameters;
    w.model.kvBytesPerToken = 2 * 2 * 2 * 64 * 2;
    w.settings.phase = Phase::decode;
    w.settings.batch = 1;
    w.settings.contextLength = 100;
    for (int block = 0; block < 2; ++block) {
        Layer g;
        g.op = "down_proj";
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
        w.weightTensors.push_back(
            {"down_proj", block, 1024.0 * 4096, 1024, 4096, 0, DataType::fp16});
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

double timeOf(const Report& r, std::string_view name) {
    for (std::size_t i = 0; i < r.layers.size() && i < r.results.size(); ++i) {
        if (r.layers[i].name() == name) {
            return r.results[i].timeSeconds;
        }
    }
    ADD_FAILURE() << "no layer " << name << " in the report";
    return -1;
}

const char* kLmHead = R"("overrides": [{"pattern": "lm_head", "weights": {"type": "fp16"}}])";

TEST(QuantizedAttention, Ptq4vitW8A8RunsQkAndPvInInt8) {
    const std::string w8a8 = R"("weights": {"type": "int8"}, "activations": {"type": "int8"})";
    const Workload plain = applyJson(w8a8, toy());
    const Workload ptq =
        applyJson(w8a8 + R"(, "attention": {"type": "int8", "requant_ops": 3})", toy());
    // Same weight and activation bits: the GEMMs are unchanged.
    EXPECT_DOUBLE_EQ(ptq.bits.weights, plain.bits.weights);
    EXPECT_DOUBLE_EQ(layerNamed(ptq, "blocks.0.down_proj").bytes.activationsIn,
                     layerNamed(plain, "blocks.0.down_proj").bytes.activationsIn);
    // Plain W8A8 leaves QK^T in fp16: Q 4 * 64 * 2 = 512 B in, scores 400 * 2 = 800 B out.
    const Layer& qk0 = layerNamed(plain, "blocks.0.qk_matmul");
    EXPECT_EQ(qk0.computeType, DataType::fp16);
    EXPECT_DOUBLE_EQ(qk0.bytes.activationsIn, 512);
    EXPECT_DOUBLE_EQ(qk0.bytes.activationsOut, 800);
    // PTQ4ViT: Q at 8 bits 256 B, scores requantized to 8 bits 400 B, INT8 math; K from the fp16
    // cache keeps its 100 * 2 * 64 * 2 = 25,600 B.
    const Layer& qk = layerNamed(ptq, "blocks.0.qk_matmul");
    EXPECT_EQ(qk.computeType, DataType::int8);
    EXPECT_DOUBLE_EQ(qk.bytes.activationsIn, 256);
    EXPECT_DOUBLE_EQ(qk.bytes.activationsOut, 400);
    EXPECT_DOUBLE_EQ(qk.bytes.kvRead, 25600);
    EXPECT_DOUBLE_EQ(qk.ops, 2 * 4 * 64 * 100);
    // Softmax: 400 + 2 * 3 * 400 = 2,800 OPs (dequant in, requant out), 400 B in and out.
    const Layer& sm = layerNamed(ptq, "blocks.0.softmax");
    EXPECT_DOUBLE_EQ(sm.ops, 2800);
    EXPECT_DOUBLE_EQ(sm.bytes.activationsIn, 400);
    EXPECT_DOUBLE_EQ(sm.bytes.activationsOut, 400);
    EXPECT_DOUBLE_EQ(layerNamed(plain, "blocks.0.softmax").ops, 400);
    // PV: probabilities at 8 bits, 400 B, INT8 math.
    const Layer& sv = layerNamed(ptq, "blocks.0.sv_matmul");
    EXPECT_EQ(sv.computeType, DataType::int8);
    EXPECT_DOUBLE_EQ(sv.bytes.activationsIn, 400);
    EXPECT_DOUBLE_EQ(layerNamed(plain, "blocks.0.sv_matmul").bytes.activationsIn, 800);
}

TEST(QuantizedAttention, SixAndThreeBitOperandsPickTheIntegerUnits) {
    // W6A6: 6-bit operands on INT8 units, Q 512 * 6/16 = 192 B. W3A3: INT4 units, 512 * 3/16 = 96.
    const Workload w6 = applyJson(R"("attention": {"type": "int6"})", toy());
    EXPECT_EQ(layerNamed(w6, "blocks.1.qk_matmul").computeType, DataType::int8);
    EXPECT_DOUBLE_EQ(layerNamed(w6, "blocks.1.qk_matmul").bytes.activationsIn, 192);
    const Workload w3 = applyJson(R"("attention": {"type": "int3"})", toy());
    EXPECT_EQ(layerNamed(w3, "blocks.1.sv_matmul").computeType, DataType::int4);
    EXPECT_DOUBLE_EQ(layerNamed(w3, "blocks.1.qk_matmul").bytes.activationsIn, 96);
    // Default requant: 2 OPs each way, 400 + 4 * 400 = 2,000.
    EXPECT_DOUBLE_EQ(layerNamed(w3, "blocks.1.softmax").ops, 2000);
    // On the round device (INT8 at 200 TOPS, fp16 at 100 TFLOPS) QK^T's 51,200 OPs take
    // 0.256 ns in INT8 against 0.512 ns in fp16; its 25,600 + 192 + 150 B take 25.942 ns at
    // 1 TB/s, so the step stays memory-bound: the gain is the bytes, 512 + 800 - 192 - 300 = 820 B.
    const Report r6 = analyze(w6, testing::roundDevice());
    const Report r0 = analyze(toy(), testing::roundDevice());
    EXPECT_NEAR(timeOf(r0, "blocks.0.qk_matmul") - timeOf(r6, "blocks.0.qk_matmul"), 820e-12,
                1e-15);
}

TEST(Rptq, PerClusterScalesPerTokenRowAndNoReorderPass) {
    const Workload plain = applyJson(R"("activations": {"type": "int3"})", toy());
    const Workload rptq =
        applyJson(R"("activations": {"type": "int3", "clusters": 32, "scale": "fp16"})", toy());
    // Both store 8 * 1024 activations at 3 bits: 3,072 B.
    EXPECT_DOUBLE_EQ(layerNamed(plain, "blocks.0.down_proj").bytes.activationsIn, 3072);
    EXPECT_DOUBLE_EQ(layerNamed(rptq, "blocks.0.down_proj").bytes.activationsIn, 3072);
    // RPTQ adds 32 clusters x 16 bits = 64 B per token row: 8 rows, 512 B of metadata.
    EXPECT_DOUBLE_EQ(layerNamed(rptq, "blocks.0.down_proj").bytes.metadata -
                         layerNamed(plain, "blocks.0.down_proj").bytes.metadata,
                     512);
    // 3 + 32 * 16 / 1024 = 3.5 bits per element at k = 1024, 3.125 at k = 4096.
    const Scenario s = parse(R"({"schema_version": 1, "name": "r",
        "activations": {"type": "int3", "clusters": 32, "scale": "fp16"}})");
    EXPECT_DOUBLE_EQ(s.activations->effectiveBits(1024), 3.5);
    EXPECT_DOUBLE_EQ(s.activations->effectiveBits(4096), 3.125);
    // The reorder is fused into the LayerNorm: no layer added.
    EXPECT_EQ(rptq.layers.size(), plain.layers.size());
}

TEST(Olive, FourBitsExactlyPlusADecodeOnTheVectorUnits) {
    const std::string w4a4 = std::string(R"("weights": {"type": "int4"},
        "activations": {"type": "int4"}, )") +
                             kLmHead;
    const std::string olive = std::string(R"("weights": {"type": "int4", "encoding": "olive"},
        "activations": {"type": "int4", "encoding": "olive"}, )") +
                              kLmHead;
    const Workload plain = applyJson(w4a4, toy());
    const Workload ovp = applyJson(olive, toy());
    // No outlier storage: 1024 * 4096 / 2 = 2,097,152 B of weights, no metadata, as plain INT4.
    EXPECT_DOUBLE_EQ(layerNamed(ovp, "blocks.0.down_proj").bytes.weights, 2097152);
    EXPECT_DOUBLE_EQ(layerNamed(ovp, "blocks.0.down_proj").bytes.metadata, 0);
    EXPECT_DOUBLE_EQ(ovp.memory.weights, plain.memory.weights);
    // Decode: 4 OPs per weight and activation element, 4 * (1024 * 4096 + 8 * 1024) =
    // 16,809,984 OPs per block. lm_head keeps fp16 weights but its input is OVP INT4:
    // 4 * 1 * 1024 = 4,096 OPs. 3 layers more.
    const Layer& d = layerNamed(ovp, "blocks.0.down_proj.olive_decode");
    EXPECT_DOUBLE_EQ(d.ops, 16809984);
    EXPECT_EQ(d.unit, ExecUnit::vector);
    EXPECT_DOUBLE_EQ(layerNamed(ovp, "lm_head.olive_decode").ops, 4096);
    EXPECT_EQ(ovp.layers.size(), plain.layers.size() + 3);
    // On the round device's 10 TFLOPS vector units: 1.6809984 us per block.
    const Report r = analyze(ovp, testing::roundDevice());
    EXPECT_NEAR(timeOf(r, "blocks.0.down_proj.olive_decode"), 1.6809984e-6, 1e-12);
}

TEST(Rotation, OnlineHadamardsBeforeDownProjAndOnTheAttentionPath) {
    const std::string w4a4kv4 = std::string(R"("weights": {"type": "int4"},
        "activations": {"type": "int4"}, "kv_cache": {"type": "int4"}, )") +
                                kLmHead;
    const Workload plain = applyJson(w4a4kv4, toy());
    const Workload rot = applyJson(
        w4a4kv4 + R"(, "rotation": {"transform": "hadamard", "down_proj": 1, "attention": 2})",
        toy());
    EXPECT_DOUBLE_EQ(rot.bits.weights, plain.bits.weights);
    EXPECT_DOUBLE_EQ(rot.bits.kv, plain.bits.kv);
    // Before down_proj: 8 tokens x 1024 log2 1024 = 81,920 OPs; reads and writes 8 * 1024 * 2 =
    // 16,384 B.
    const Layer& down = layerNamed(rot, "blocks.0.down_proj.rotation");
    EXPECT_DOUBLE_EQ(down.ops, 81920);
    EXPECT_DOUBLE_EQ(down.bytes.activationsIn, 16384);
    EXPECT_DOUBLE_EQ(down.bytes.activationsOut, 16384);
    EXPECT_EQ(down.unit, ExecUnit::vector);
    // Attention path: 2 transforms x 4 query-head rows x 64 log2 64 = 3,072 OPs; 2 * 4 * 64 * 2 =
    // 1,024 B each way.
    const Layer& att = layerNamed(rot, "blocks.0.qk_matmul.rotation");
    EXPECT_DOUBLE_EQ(att.ops, 3072);
    EXPECT_DOUBLE_EQ(att.bytes.activationsIn, 1024);
    EXPECT_EQ(rot.layers.size(), plain.layers.size() + 4);
    // A full orthogonal rotation instead: [8 x 1024] x [1024 x 1024], 2 * 8 * 1024^2 =
    // 16,777,216 OPs and its 1024^2 * 2 = 2,097,152 B matrix.
    const Workload full =
        applyJson(w4a4kv4 + R"(, "rotation": {"transform": "orthogonal", "down_proj": 1})", toy());
    const Layer& f = layerNamed(full, "blocks.0.down_proj.rotation");
    EXPECT_DOUBLE_EQ(f.ops, 16777216);
    EXPECT_DOUBLE_EQ(f.bytes.weights, 2097152);
    EXPECT_EQ(f.unit, ExecUnit::matrix);
    // Round device, fp16 vector ops at 10 TFLOPS: the down_proj Hadamard is memory-bound,
    // 32,768 B at 1 TB/s = 32.768 ns against 8.192 ns of OPs.
    const Report r = analyze(rot, testing::roundDevice());
    EXPECT_NEAR(timeOf(r, "blocks.0.down_proj.rotation"), 32.768e-9, 1e-15);
}

TEST(QuantScenario, RoundTripsThroughSerialization) {
    const Scenario s = parse(R"({"schema_version": 1, "name": "all",
        "weights": {"type": "int4", "encoding": "olive", "decode_ops": 5},
        "activations": {"type": "int4", "clusters": 16, "scale": "fp16"},
        "attention": {"type": "int4", "requant_ops": 3},
        "rotation": {"transform": "orthogonal", "down_proj": 1, "attention": 2}})");
    auto again = parseScenario(Json::parse(serializeScenario(s)), "again");
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again.value(), s);
    EXPECT_TRUE(s.weights->olive);
    EXPECT_DOUBLE_EQ(s.weights->decodeOps, 5);
    EXPECT_EQ(s.activations->clusters, 16);
    EXPECT_EQ(s.rotation->attention, 2);
    EXPECT_NE(mechanismOf(s).find("outlier-victim pairs"), std::string::npos);
    EXPECT_NE(mechanismOf(s).find("online orthogonal transforms (2 d^2 OPs each): 1 before "
                                  "down_proj, 2 per head on the attention path"),
              std::string::npos)
        << mechanismOf(s);
}

}  // namespace
}  // namespace rooflens::core
