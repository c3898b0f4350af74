// Hand-computed OPs and bytes for every layer kind of the LLM builder, on a tiny model:
// d = 64, 4 query heads, 2 KV heads, head dim 16, FFN 128, vocab 100, 2 blocks, fp16.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/scenario.h"
#include "models/llm.h"

namespace rooflens::models {
namespace {

LlmConfig tiny() {
    LlmConfig c;
    c.id = "tiny";
    c.modelType = "llama";
    c.hiddenSize = 64;
    c.intermediateSize = 128;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = 2;
    c.headDim = 16;
    c.vocabSize = 100;
    c.maxPositions = 1000;
    return c;
}

core::RunSettings prefill(std::int64_t batch, std::int64_t prompt, bool flash = false) {
    core::RunSettings s;
    s.phase = core::Phase::prefill;
    s.batch = batch;
    s.promptLength = prompt;
    s.flashAttention = flash;
    return s;
}

core::RunSettings decode(std::int64_t batch, std::int64_t context, bool flash = false) {
    core::RunSettings s;
    s.phase = core::Phase::decode;
    s.batch = batch;
    s.contextLength = context;
    s.flashAttention = flash;
    return s;
}

std::map<std::string, core::Layer> byName(const core::Workload& w) {
    std::map<std::string, core::Layer> layers;
    for (const auto& layer : w.layers) {
        layers[layer.name()] = layer;
    }
    return layers;
}

core::Workload build(const LlmConfig& c, const core::RunSettings& s) {
    auto w = buildLlm(c, s);
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
    return w.value();
}

// Prefill, batch 2, 8 tokens: T = 16 tokens.
TEST(LlmBuilder, PrefillLayersByHand) {
    const auto layers = byName(build(tiny(), prefill(2, 8)));
    const auto& embed = layers.at("embed_tokens");
    EXPECT_EQ(embed.kind, core::LayerKind::embedding);
    EXPECT_DOUBLE_EQ(embed.ops, 0);
    EXPECT_DOUBLE_EQ(embed.bytes.weights, 16 * 64 * 2);   // gather 16 rows, not the table
    EXPECT_DOUBLE_EQ(embed.bytes.activationsIn, 16 * 4);  // int32 token ids
    EXPECT_DOUBLE_EQ(embed.bytes.activationsOut, 16 * 64 * 2);

    const auto& norm = layers.at("blocks.0.input_norm");
    EXPECT_EQ(norm.kind, core::LayerKind::norm);
    EXPECT_DOUBLE_EQ(norm.ops, 4 * 16 * 64);  // RMSNorm: 4 OPs per element
    EXPECT_DOUBLE_EQ(norm.bytes.weights, 64 * 2);
    EXPECT_DOUBLE_EQ(norm.bytes.activationsIn, 2048);
    EXPECT_DOUBLE_EQ(norm.bytes.activationsOut, 2048);

    const auto& q = layers.at("blocks.0.q_proj");
    EXPECT_EQ(q.kind, core::LayerKind::gemm);
    EXPECT_DOUBLE_EQ(q.ops, 2.0 * 16 * 64 * 64);
    EXPECT_DOUBLE_EQ(q.bytes.weights, 64 * 64 * 2);
    EXPECT_DOUBLE_EQ(q.bytes.activationsIn, 16 * 64 * 2);
    EXPECT_DOUBLE_EQ(q.bytes.activationsOut, 16 * 64 * 2);

    const auto& k = layers.at("blocks.0.k_proj");  // GQA: 2 KV heads x 16 = 32 outputs
    EXPECT_DOUBLE_EQ(k.ops, 2.0 * 16 * 64 * 32);
    EXPECT_DOUBLE_EQ(k.bytes.weights, 64 * 32 * 2);
    EXPECT_DOUBLE_EQ(k.bytes.activationsOut, 0);
    EXPECT_DOUBLE_EQ(k.bytes.kvWrite, 16 * 32 * 2);

    // Unfused attention: scores = B h S S = 2 * 4 * 8 * 8 = 512.
    const auto& qk = layers.at("blocks.0.qk_matmul");
    EXPECT_EQ(qk.kind, core::LayerKind::matmul);
    EXPECT_DOUBLE_EQ(qk.ops, 2.0 * 512 * 16);
    EXPECT_DOUBLE_EQ(qk.bytes.activationsIn, 16 * 64 * 2);
    EXPECT_DOUBLE_EQ(qk.bytes.kvRead, 2 * 8 * 32 * 2);  // K read with the KV heads
    EXPECT_DOUBLE_EQ(qk.bytes.activationsOut, 512 * 2);
    const auto& softmax = layers.at("blocks.0.softmax");
    EXPECT_DOUBLE_EQ(softmax.ops, 5.0 * 512);
    EXPECT_DOUBLE_EQ(softmax.bytes.activationsIn, 1024);
    EXPECT_DOUBLE_EQ(softmax.bytes.activationsOut, 1024);
    const auto& sv = layers.at("blocks.0.sv_matmul");
    EXPECT_DOUBLE_EQ(sv.ops, 2.0 * 512 * 16);
    EXPECT_DOUBLE_EQ(sv.bytes.kvRead, 1024);
    EXPECT_DOUBLE_EQ(sv.bytes.activationsOut, 2048);

    EXPECT_DOUBLE_EQ(layers.at("blocks.0.o_proj").ops, 2.0 * 16 * 64 * 64);
    const auto& residual = layers.at("blocks.0.attn_residual");
    EXPECT_DOUBLE_EQ(residual.ops, 16 * 64);
    EXPECT_DOUBLE_EQ(residual.bytes.activationsIn, 2 * 2048);
    EXPECT_DOUBLE_EQ(residual.bytes.activationsOut, 2048);

    EXPECT_DOUBLE_EQ(layers.at("blocks.1.gate_proj").ops, 2.0 * 16 * 64 * 128);
    EXPECT_DOUBLE_EQ(layers.at("blocks.1.up_proj").bytes.weights, 64 * 128 * 2);
    const auto& act = layers.at("blocks.1.act_mul");
    EXPECT_DOUBLE_EQ(act.ops, 5.0 * 16 * 128);  // SiLU(gate) * up
    EXPECT_DOUBLE_EQ(act.bytes.activationsIn, 2 * 16 * 128 * 2);
    EXPECT_DOUBLE_EQ(act.bytes.activationsOut, 16 * 128 * 2);
    EXPECT_DOUBLE_EQ(layers.at("blocks.1.down_proj").ops, 2.0 * 16 * 128 * 64);

    EXPECT_DOUBLE_EQ(layers.at("final_norm").ops, 4 * 16 * 64);
    const auto& head = layers.at("lm_head");  // last position of each sequence only
    EXPECT_DOUBLE_EQ(head.ops, 2.0 * 2 * 64 * 100);
    EXPECT_DOUBLE_EQ(head.bytes.weights, 64 * 100 * 2);
    EXPECT_DOUBLE_EQ(head.bytes.activationsIn, 2 * 64 * 2);
    EXPECT_DOUBLE_EQ(head.bytes.activationsOut, 2 * 100 * 2);

    EXPECT_EQ(layers.size(), 1 + 2 * 15 + 2U);  // 15 layers per block
}

TEST(LlmBuilder, FusedAttentionOpsAndShape) {
    const auto w = build(tiny(), prefill(2, 8, true));
    const auto layers = byName(w);
    EXPECT_EQ(layers.count("blocks.0.qk_matmul"), 0U);
    const auto& attention = layers.at("blocks.0.attention");
    EXPECT_EQ(attention.kind, core::LayerKind::attention);
    // Causal pairs per sequence and head: 8 * 9 / 2 = 36; per pair 4 d_h + 5 softmax OPs.
    EXPECT_DOUBLE_EQ(attention.ops, 2.0 * 4 * 36 * (4 * 16 + 5));
    ASSERT_GE(attention.attentionShape, 0);
    const auto& shape = w.attentionShapes.at(static_cast<std::size_t>(attention.attentionShape));
    EXPECT_DOUBLE_EQ(shape.kvHeads, 2);
    EXPECT_DOUBLE_EQ(shape.queries, 8);
    EXPECT_DOUBLE_EQ(shape.keys, 8);
}

TEST(LlmBuilder, DecodeReadsTheCache) {
    const auto layers = byName(build(tiny(), decode(2, 10)));
    const auto& qk = layers.at("blocks.0.qk_matmul");
    EXPECT_DOUBLE_EQ(qk.ops, 2.0 * (2 * 4 * 1 * 10) * 16);
    EXPECT_DOUBLE_EQ(qk.bytes.kvRead, 2 * 10 * 32 * 2);
    EXPECT_DOUBLE_EQ(layers.at("blocks.0.q_proj").ops, 2.0 * 2 * 64 * 64);
    EXPECT_DOUBLE_EQ(layers.at("blocks.0.v_proj").bytes.kvWrite, 2 * 32 * 2);
}

TEST(LlmBuilder, SlidingWindowCapsDecodeKeys) {
    LlmConfig c = tiny();
    c.slidingWindow = 4;
    const auto w = build(c, decode(2, 10));
    const auto layers = byName(w);
    EXPECT_DOUBLE_EQ(layers.at("blocks.0.qk_matmul").ops, 2.0 * (2 * 4 * 4) * 16);
    EXPECT_DOUBLE_EQ(w.memory.kvCache, 2.0 * 2 * 2 * 16 * 2 * 2 * 4);
}

TEST(LlmBuilder, MemoryFootprintByHand) {
    // Parameters: embed 6400, per block 4096 + 2048 + 2048 + 4096 + 24576 + 128 = 36992,
    // final norm 64, lm_head 6400: 86848.
    auto w = build(tiny(), decode(2, 10));
    EXPECT_DOUBLE_EQ(w.model.parameters, 86848);
    EXPECT_DOUBLE_EQ(w.memory.weights, 86848.0 * 2);
    // KV: 2 (K, V) * 2 blocks * 2 heads * 16 * 2 B = 256 B/token, x batch 2 x 10 tokens.
    EXPECT_DOUBLE_EQ(w.model.kvBytesPerToken, 256);
    EXPECT_DOUBLE_EQ(w.memory.kvCache, 256.0 * 2 * 10);
    // The inventory covers every parameter: native bytes are parameters x 2.
    double inventory = 0;
    for (const auto& t : w.weightTensors) {
        inventory += t.elements + t.otherBytes / 2;
    }
    EXPECT_DOUBLE_EQ(inventory, 86848);
}

TEST(LlmBuilder, BitsShorthandCompressesThroughTheScenarioEngine) {
    // W4: linear weights (2 x 36864 + lm_head 6400 = 80128) at 0.5 B, the rest (6720) at 2 B;
    // KV at 8 bits: 128 B per token.
    auto w = core::applyScenario(core::scenarioFromBits(4, 16, 8), build(tiny(), decode(2, 10)));
    ASSERT_TRUE(w.ok()) << w.error().message;
    EXPECT_DOUBLE_EQ(w->memory.weights, 80128 * 0.5 + 6720 * 2);
    EXPECT_DOUBLE_EQ(w->memory.kvCache, 128.0 * 2 * 10);
    EXPECT_DOUBLE_EQ(w->model.kvBytesPerToken, 128);
}

TEST(LlmBuilder, PrecisionSetsTheMathType) {
    auto layersWith = [](int w, int a) {
        auto compressed =
            core::applyScenario(core::scenarioFromBits(w, a, 16), build(tiny(), prefill(1, 4)));
        EXPECT_TRUE(compressed.ok());
        return byName(compressed.value());
    };
    EXPECT_EQ(layersWith(8, 8).at("blocks.0.q_proj").computeType, core::DataType::int8);
    EXPECT_EQ(layersWith(4, 4).at("blocks.0.q_proj").computeType, core::DataType::int4);
    EXPECT_EQ(layersWith(4, 8).at("blocks.0.q_proj").computeType, core::DataType::int8);
    const auto weightOnly = layersWith(4, 16);  // bytes shrink, math stays fp16
    EXPECT_EQ(weightOnly.at("blocks.0.q_proj").computeType, core::DataType::fp16);
    EXPECT_DOUBLE_EQ(weightOnly.at("blocks.0.q_proj").bytes.weights, 64 * 64 * 0.5);
    EXPECT_EQ(weightOnly.at("blocks.0.q_proj").weightType, core::DataType::int4);
}

TEST(LlmBuilder, PlainMlpWithBiasesAndLearnedPositions) {
    LlmConfig c = tiny();
    c.modelType = "opt";
    c.mlp = MlpKind::plain;
    c.norm = NormKind::layer;
    c.activation = Activation::relu;
    c.attentionBias = c.outputBias = c.mlpBias = true;
    c.learnedPositions = 1002;
    c.tieEmbeddings = true;
    const auto layers = byName(build(c, prefill(1, 4)));
    EXPECT_EQ(layers.count("blocks.0.gate_proj"), 0U);
    EXPECT_DOUBLE_EQ(layers.at("blocks.0.fc1").ops, 2.0 * 4 * 64 * 128 + 4 * 128);
    EXPECT_DOUBLE_EQ(layers.at("blocks.0.fc1").bytes.weights, (64 * 128 + 128) * 2.0);
    EXPECT_DOUBLE_EQ(layers.at("blocks.0.act").ops, 4 * 128);            // ReLU: 1 OP per element
    EXPECT_DOUBLE_EQ(layers.at("blocks.0.input_norm").ops, 7 * 4 * 64);  // LayerNorm: 7
    EXPECT_DOUBLE_EQ(layers.at("blocks.0.input_norm").bytes.weights, 2 * 64 * 2);
    EXPECT_DOUBLE_EQ(layers.at("embed_positions").bytes.weights, 4 * 64 * 2);
    EXPECT_DOUBLE_EQ(layers.at("embed_positions").ops, 4 * 64);
}

TEST(LlmBuilder, MoeRoutesTopKAndReadsTouchedExperts) {
    LlmConfig c = tiny();
    c.modelType = "mixtral";
    c.numExperts = 4;
    c.expertsPerToken = 2;
    auto layers = byName(build(c, decode(1, 10)));
    const auto& router = layers.at("blocks.0.router");
    EXPECT_EQ(router.kind, core::LayerKind::router);
    EXPECT_DOUBLE_EQ(router.ops, 2.0 * 1 * 64 * 4 + 5 * 4);
    const auto& gate = layers.at("blocks.0.experts.gate_proj");
    EXPECT_DOUBLE_EQ(gate.ops, 2.0 * 2 * 64 * 128);            // 1 token x top-2
    EXPECT_DOUBLE_EQ(gate.bytes.weights, 2 * 64 * 128 * 2.0);  // 2 experts touched
    // Batch 3: E(1 - (1 - k/E)^3) = 4 (1 - 0.125) = 3.5 experts.
    layers = byName(build(c, decode(3, 10)));
    EXPECT_DOUBLE_EQ(layers.at("blocks.0.experts.down_proj").bytes.weights, 3.5 * 128 * 64 * 2);
}

TEST(LlmBuilder, CollapsedBlocksHaveTheSameTotals) {
    BuildOptions collapse;
    collapse.collapseBlocks = true;
    const auto full = build(tiny(), prefill(2, 8));
    auto collapsed = buildLlm(tiny(), prefill(2, 8), collapse);
    ASSERT_TRUE(collapsed.ok());
    double fullOps = 0;
    double collapsedOps = 0;
    for (const auto& l : full.layers) {
        fullOps += l.ops * l.repeat;
    }
    for (const auto& l : collapsed->layers) {
        collapsedOps += l.ops * l.repeat;
    }
    EXPECT_DOUBLE_EQ(fullOps, collapsedOps);
    EXPECT_LT(collapsed->layers.size(), full.layers.size());
}

struct BadSettings {
    core::RunSettings settings;
    const char* fragment;
};

TEST(LlmBuilder, RejectsBadSettings) {
    core::RunSettings s = prefill(0, 8);
    std::vector<BadSettings> cases = {{prefill(0, 8), "batch"},
                                      {prefill(-3, 8), "batch"},
                                      {prefill(1, 0), "prompt length"},
                                      {decode(1, 0), "context length"}};
    for (const auto& c : cases) {
        auto w = buildLlm(tiny(), c.settings);
        ASSERT_FALSE(w.ok()) << c.fragment;
        EXPECT_NE(w.error().message.find(c.fragment), std::string::npos) << w.error().message;
    }
}

}  // namespace
}  // namespace rooflens::models

namespace rooflens::models {
namespace {

TEST(LlmBuilder, GemmLayersCarryTheirShape) {
    const auto layers = byName(build(tiny(), prefill(2, 8)));
    const auto& q = layers.at("blocks.0.q_proj");
    EXPECT_DOUBLE_EQ(q.m, 16);
    EXPECT_DOUBLE_EQ(q.k, 64);
    EXPECT_DOUBLE_EQ(q.n, 64);
    EXPECT_DOUBLE_EQ(q.ops, 2 * q.m * q.k * q.n);
    const auto& down = layers.at("blocks.1.down_proj");
    EXPECT_DOUBLE_EQ(down.k, 128);
    EXPECT_DOUBLE_EQ(down.n, 64);
    const auto& qk = layers.at("blocks.0.qk_matmul");
    EXPECT_DOUBLE_EQ(qk.ops, 2 * qk.m * qk.k * qk.n);
}

}  // namespace
}  // namespace rooflens::models

namespace rooflens::models {
namespace {

TEST(LlmBuilder, MatrixMacsCountGemmsAndAttention) {
    // Unfused and fused attention have the same matrix MACs up to causal skipping: unfused
    // computes the full 8 x 8 rectangle (64 pairs), fused the 36 causal pairs.
    const auto unfused = build(tiny(), prefill(2, 8));
    const auto fused = build(tiny(), prefill(2, 8, true));
    auto macs = [](const core::Workload& w, std::string_view op) {
        double sum = 0;
        for (const auto& l : w.layers) {
            if (l.block == 0 && l.op == op) {
                sum += core::matrixMacs(l, w);
            }
        }
        return sum;
    };
    EXPECT_DOUBLE_EQ(macs(unfused, "q_proj"), 16.0 * 64 * 64);
    EXPECT_DOUBLE_EQ(macs(unfused, "qk_matmul") + macs(unfused, "sv_matmul"),
                     2.0 * 2 * 4 * 64 * 16);
    EXPECT_DOUBLE_EQ(macs(fused, "attention"), 2.0 * 2 * 4 * 36 * 16);
    EXPECT_DOUBLE_EQ(macs(unfused, "softmax"), 0);
}

}  // namespace
}  // namespace rooflens::models
