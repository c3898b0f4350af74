// Costs of the frontier families, through buildLlm -> applyScenario -> analyze: MLA in both
// forms, windowed and chunked KV caps, SSM state, MoE with shared experts, and the rule that
// decode costs are affine in the context between Workload::contextBreaks.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/analysis.h"
#include "models/llm.h"
#include "models/presets.h"

namespace rooflens::models {
namespace {

LlmConfig preset(const std::string& id) {
    auto config = resolveLlm(id);
    EXPECT_TRUE(config.ok()) << config.error().message;
    return config.ok() ? *config : LlmConfig{};
}

core::RunSettings decode(std::int64_t batch, std::int64_t context, bool flash = true) {
    core::RunSettings s;
    s.phase = core::Phase::decode;
    s.batch = batch;
    s.contextLength = context;
    s.flashAttention = flash;
    return s;
}

core::RunSettings prefill(std::int64_t batch, std::int64_t prompt, bool flash = true) {
    core::RunSettings s;
    s.phase = core::Phase::prefill;
    s.batch = batch;
    s.promptLength = prompt;
    s.flashAttention = flash;
    return s;
}

core::Workload build(const LlmConfig& c, const core::RunSettings& s,
                     const BuildOptions& options = {}) {
    auto w = buildLlm(c, s, options);
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
    return w.ok() ? *w : core::Workload{};
}

const core::Layer& layer(const core::Workload& w, const std::string& name) {
    for (const auto& l : w.layers) {
        if (l.name() == name) {
            return l;
        }
    }
    ADD_FAILURE() << "no layer " << name;
    static const core::Layer none;
    return none;
}

// An H100-like device: 989 TFLOP/s bf16 dense, 3.35 TB/s, 80 GB.
core::Hardware h100() {
    core::Hardware hw;
    hw.id = "h100-like";
    hw.matrixDense.set(core::DataType::bf16, 989e12);
    hw.matrixDense.set(core::DataType::fp16, 989e12);
    hw.vector.set(core::DataType::fp32, 67e12);
    hw.memory = {{"L2", 50e6, 0, false}, {"HBM3", 80e9, 3.35e12, false}};
    hw.sramPerCoreBytes = 228 * 1024;
    return hw;
}

std::size_t indexOf(const core::Workload& w, const std::string& name) {
    for (std::size_t i = 0; i < w.layers.size(); ++i) {
        if (w.layers[i].name() == name) {
            return i;
        }
    }
    ADD_FAILURE() << "no layer " << name;
    return 0;
}

TEST(Mla, AbsorbedDecodeAttentionRunsNearTheRidge) {
    // Per cached token and layer: OPs 2 h (d_c + d_R) + 2 h d_c (+ 5 h softmax) = 278,528 +
    // 640; bytes (d_c + d_R) x 2 = 1,152: about 242 OP/B (next-wave.md A.4).
    const auto w = build(preset("deepseek-v3"), decode(1, 32768));
    const core::Report r = core::analyze(w, h100());
    const std::size_t i = indexOf(w, "blocks.3.attention");
    EXPECT_DOUBLE_EQ(w.layers[i].ops, 128.0 * 32768 * (2 * 576 + 2 * 512 + 5));
    EXPECT_DOUBLE_EQ(r.results[i].bytes.kvRead, 576.0 * 2 * 32768);  // the latent, read once
    // OPs per cached byte 279,168 / 1,152 = 242.3; with the query in and the output out
    // (h x 576 and h x 512 elements) the layer's intensity at 32k context is 240.6.
    EXPECT_NEAR(w.layers[i].ops / r.results[i].bytes.kvRead, 242.33, 0.01);
    EXPECT_NEAR(r.results[i].intensity, 242, 2.0);
    EXPECT_GT(r.results[i].intensity, 240);
    EXPECT_FALSE(w.notes.empty());
    EXPECT_NE(w.notes.front().find("absorbed"), std::string::npos) << w.notes.front();
}

TEST(Mla, NaiveDecodeIsMemoryBoundLikeMha) {
    // Per-head K (d_n + d_R = 192) and V (128) cached: 40,960 elements per token and layer,
    // OPs 128 x (2 x 192 + 2 x 128 + 5) = 82,560: about 1 OP/B.
    BuildOptions naive;
    naive.mla = MlaMode::naive;
    const auto w = build(preset("deepseek-v3"), decode(1, 32768), naive);
    const core::Report r = core::analyze(w, h100());
    const std::size_t i = indexOf(w, "blocks.3.attention");
    EXPECT_DOUBLE_EQ(r.results[i].bytes.kvRead, 40960.0 * 2 * 32768);
    EXPECT_NEAR(r.results[i].intensity, 82560.0 / 81920.0, 0.01);
    EXPECT_DOUBLE_EQ(w.model.kvBytesPerToken, 61.0 * 40960 * 2);  // 71x the latent cache
}

TEST(Mla, PrefillDecompressesByDefault) {
    const auto w = build(preset("deepseek-v3"), prefill(1, 1024));
    const auto& attention = layer(w, "blocks.0.attention");
    ASSERT_GE(attention.attentionShape, 0);
    const auto& shape = w.attentionShapes[static_cast<std::size_t>(attention.attentionShape)];
    EXPECT_DOUBLE_EQ(shape.kvHeads, 128);
    EXPECT_DOUBLE_EQ(shape.headDim, 192);
    EXPECT_DOUBLE_EQ(shape.valueDim, 128);
    EXPECT_FALSE(shape.sharedKv);
    // kv_b_proj expands the 1024 new latents: 2 x 1024 x 512 x 128 x 256 OPs.
    EXPECT_DOUBLE_EQ(layer(w, "blocks.0.kv_b_proj").ops, 2.0 * 1024 * 512 * 128 * 256);
    // The cache still receives the latent: d_c + d_R per token.
    EXPECT_DOUBLE_EQ(
        layer(w, "blocks.0.kv_a_proj").bytes.kvWrite + layer(w, "blocks.0.kv_a_norm").bytes.kvWrite,
        1024.0 * 576 * 2);
    EXPECT_NE(w.notes.front().find("decompressed"), std::string::npos);
}

// A tiny MLA model by hand: d 64, 4 heads, d_c 16, d_R 8, d_n 8, d_v 8, plain q_proj.
LlmConfig tinyMla() {
    LlmConfig c;
    c.id = "tiny-mla";
    c.modelType = "deepseek_v3";
    c.hiddenSize = 64;
    c.intermediateSize = 128;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = 4;
    c.headDim = 16;
    c.vocabSize = 100;
    c.maxPositions = 1000;
    c.mla = {0, 16, 8, 8, 8};
    return c;
}

TEST(Mla, TinyAbsorbedDecodeByHand) {
    const auto w = build(tinyMla(), decode(2, 10));
    EXPECT_DOUBLE_EQ(layer(w, "blocks.0.q_proj").ops, 2.0 * 2 * 64 * 64);  // h (d_n + d_R) = 64
    const auto& kvA = layer(w, "blocks.0.kv_a_proj");
    EXPECT_DOUBLE_EQ(kvA.ops, 2.0 * 2 * 64 * 24);
    EXPECT_DOUBLE_EQ(kvA.bytes.kvWrite, 2.0 * 8 * 2);          // k_R
    EXPECT_DOUBLE_EQ(kvA.bytes.activationsOut, 2.0 * 16 * 2);  // c_KV to its norm
    EXPECT_DOUBLE_EQ(layer(w, "blocks.0.kv_a_norm").bytes.kvWrite, 2.0 * 16 * 2);
    const auto& qAbsorb = layer(w, "blocks.0.q_absorb");
    EXPECT_DOUBLE_EQ(qAbsorb.ops, 2.0 * (2 * 4) * 8 * 16);
    EXPECT_DOUBLE_EQ(qAbsorb.bytes.weights, 4.0 * 8 * 16 * 2);
    const auto& attention = layer(w, "blocks.0.attention");
    EXPECT_DOUBLE_EQ(attention.ops, 2.0 * 4 * 10 * (2 * 24 + 2 * 16 + 5));
    EXPECT_DOUBLE_EQ(attention.bytes.kvRead, 2.0 * 24 * 10 * 2);
    EXPECT_DOUBLE_EQ(core::matrixMacs(attention, w), 2.0 * 4 * (24 + 16) * 10);
    const auto& vAbsorb = layer(w, "blocks.0.v_absorb");
    EXPECT_DOUBLE_EQ(vAbsorb.ops, 2.0 * 8 * 16 * 8);
    EXPECT_DOUBLE_EQ(vAbsorb.bytes.weights, 4.0 * 16 * 8 * 2);
    EXPECT_DOUBLE_EQ(layer(w, "blocks.0.o_proj").ops, 2.0 * 2 * 32 * 64);
    EXPECT_DOUBLE_EQ(w.model.kvBytesPerToken, 2.0 * 24 * 2);
    EXPECT_DOUBLE_EQ(w.memory.kvCache, 2.0 * 24 * 2 * 2 * 10);
    // analyze() prices the latent once per cached token (K and V share it).
    const core::Report r = core::analyze(w, h100());
    EXPECT_DOUBLE_EQ(r.results[indexOf(w, "blocks.0.attention")].bytes.kvRead, 2.0 * 24 * 2 * 10);
    // Unfused: QK reads the 24-wide latent, PV its first 16 elements.
    const auto unfused = build(tinyMla(), decode(2, 10, false));
    EXPECT_DOUBLE_EQ(layer(unfused, "blocks.0.qk_matmul").bytes.kvRead, 2.0 * 10 * 24 * 2);
    EXPECT_DOUBLE_EQ(layer(unfused, "blocks.0.sv_matmul").bytes.kvRead, 2.0 * 10 * 16 * 2);
    EXPECT_DOUBLE_EQ(layer(unfused, "blocks.0.sv_matmul").ops, 2.0 * (2 * 4 * 10) * 16);
}

TEST(Windows, Gemma3At128kFitsWhereFullBillingWouldNot) {
    const LlmConfig gemma = preset("gemma-3-27b");
    const auto w = build(gemma, decode(1, 131072));
    // 10 global layers at 81,920 B/token for 128k tokens + 52 local layers capped at 1024.
    EXPECT_DOUBLE_EQ(w.memory.kvCache, 81920.0 * 131072 + 436'207'616.0);
    EXPECT_DOUBLE_EQ(w.model.kvGrowingBytesPerToken, 81920);
    EXPECT_DOUBLE_EQ(w.model.kvCappedBytesPerSequence, 436'207'616);
    const core::Report fits = core::analyze(w, h100());
    EXPECT_TRUE(fits.totals.fitsInMemory) << fits.totals.memory.total();
    // The same model billed as if every layer were global: 62 x 8,192 B/token.
    LlmConfig global = gemma;
    for (LayerSpec& spec : global.layers) {
        spec.attention = AttentionKind::full;
        spec.window = 0;
    }
    const auto full = build(global, decode(1, 131072));
    EXPECT_DOUBLE_EQ(full.memory.kvCache, 62.0 * 8192 * 131072);
    EXPECT_FALSE(core::analyze(full, h100()).totals.fitsInMemory);
}

TEST(Windows, SlidingAndChunkedDecodeKeysAndBreaks) {
    // gpt-oss: every other layer attends to the last 128 tokens.
    const auto oss = build(preset("gpt-oss-120b"), decode(1, 1000, false));
    EXPECT_DOUBLE_EQ(layer(oss, "blocks.0.qk_matmul").n, 128);
    EXPECT_DOUBLE_EQ(layer(oss, "blocks.1.qk_matmul").n, 1000);
    EXPECT_EQ(oss.contextBreaks, (std::vector<core::ContextBreak>{{128, false}}));
    EXPECT_DOUBLE_EQ(oss.memory.kvCache, 36864.0 * 1000 + 36864.0 * 128);
    // Llama 4: the chunk restarts every 8192 tokens; NoPE layers see everything.
    const LlmConfig scout = preset("llama-4-scout");
    for (std::int64_t t : {8192, 8193, 20000}) {
        const auto w = build(scout, decode(1, t, false));
        EXPECT_DOUBLE_EQ(layer(w, "blocks.0.qk_matmul").n, static_cast<double>((t - 1) % 8192 + 1))
            << t;
        EXPECT_DOUBLE_EQ(layer(w, "blocks.3.qk_matmul").n, static_cast<double>(t)) << t;
        EXPECT_EQ(w.contextBreaks, (std::vector<core::ContextBreak>{{8192, true}}));
    }
    // Prefill of 10,000 tokens: chunks of 8192 and 1808 attend within themselves.
    const auto pf = build(scout, prefill(1, 10000));
    const double pairs = 8192.0 * 8193 / 2 + 1808.0 * 1809 / 2;
    EXPECT_DOUBLE_EQ(layer(pf, "blocks.0.attention").ops, 40 * pairs * (4 * 128 + 5));
    EXPECT_DOUBLE_EQ(layer(pf, "blocks.3.attention").ops,
                     40 * (10000.0 * 10001 / 2) * (4 * 128 + 5));
}

double totalOps(const core::Workload& w) {
    double ops = 0;
    for (const auto& l : w.layers) {
        ops += l.ops * l.repeat;
    }
    return ops;
}

double totalBytes(const core::Workload& w) {
    double bytes = 0;
    for (const auto& l : w.layers) {
        bytes += l.bytes.total() * l.repeat;
    }
    return bytes;
}

// Between breaks every decode cost is affine in t: equal steps give equal differences, for
// every preset, fused and unfused, and through analyze() (the fused K/V reads).
TEST(Affinity, DecodeCostsAreAffineBetweenContextBreaks) {
    for (const std::string& id : listPresets()) {
        const LlmConfig c = preset(id);
        for (bool flash : {false, true}) {
            std::int64_t start = 1000;
            const auto probe = build(c, decode(2, 1000, flash));
            for (const auto& brk : probe.contextBreaks) {
                start = std::max(start, brk.tokens * (brk.periodic ? 2 : 1) + 1);
            }
            std::vector<double> ops;
            std::vector<double> bytes;
            std::vector<double> priced;
            for (std::int64_t t : {start, start + 10, start + 20}) {
                const auto w = build(c, decode(2, t, flash));
                ops.push_back(totalOps(w));
                bytes.push_back(totalBytes(w));
                priced.push_back(core::analyze(w, h100()).totals.bytes);
            }
            for (const auto* f : {&ops, &bytes, &priced}) {
                const double first = (*f)[1] - (*f)[0];
                const double second = (*f)[2] - (*f)[1];
                EXPECT_NEAR(first, second, 1e-9 * std::abs((*f)[2]) + 1e-6)
                    << id << (flash ? " flash" : " unfused");
            }
        }
    }
}

TEST(Ssm, MambaDecodeBytesDoNotDependOnTheContext) {
    const LlmConfig mamba = preset("mamba-2.8b");
    const auto short_ = build(mamba, decode(4, 1000));
    const auto long_ = build(mamba, decode(4, 100000));
    EXPECT_DOUBLE_EQ(totalBytes(short_), totalBytes(long_));
    EXPECT_DOUBLE_EQ(totalOps(short_), totalOps(long_));
    EXPECT_DOUBLE_EQ(core::analyze(long_, h100()).totals.bytes,
                     core::analyze(short_, h100()).totals.bytes);
    EXPECT_DOUBLE_EQ(long_.memory.kvCache, 0);
    EXPECT_DOUBLE_EQ(long_.memory.state, 4 * 64.0 * (5120 * 16 + 5120 * 4) * 2);
    EXPECT_TRUE(long_.contextBreaks.empty());
    // Per layer by hand, batch 4: the scan reads and writes E x N state per sequence.
    const auto& scan = layer(long_, "blocks.0.ssm_scan");
    EXPECT_EQ(scan.kind, core::LayerKind::ssm_scan);
    EXPECT_DOUBLE_EQ(scan.ops, 4.0 * (7 * 5120 * 16 + 11 * 5120));
    EXPECT_DOUBLE_EQ(scan.bytes.kvRead, 4.0 * 5120 * 16 * 2);
    EXPECT_DOUBLE_EQ(scan.bytes.kvWrite, 4.0 * 5120 * 16 * 2);
    EXPECT_DOUBLE_EQ(scan.bytes.weights, (5120.0 * 16 + 5120) * 2);  // A_log, D
    const auto& conv = layer(long_, "blocks.0.conv1d");
    EXPECT_EQ(conv.kind, core::LayerKind::ssm_conv);
    EXPECT_DOUBLE_EQ(conv.ops, 4.0 * 5120 * (2 * 4 + 1 + 4));
    EXPECT_DOUBLE_EQ(conv.bytes.kvRead, 4.0 * 5120 * 4 * 2);
    EXPECT_DOUBLE_EQ(layer(long_, "blocks.0.in_proj").ops, 2.0 * 4 * 2560 * 10240);
    EXPECT_DOUBLE_EQ(layer(long_, "blocks.0.x_proj").ops, 2.0 * 4 * 5120 * 192);
    EXPECT_DOUBLE_EQ(layer(long_, "blocks.0.dt_proj").ops, 2.0 * 4 * 160 * 5120 + 4 * 5120);
}

TEST(Ssm, KvCompressionLeavesTheStateAlone) {
    core::Scenario kv8;
    kv8.name = "kv8";
    kv8.kvCache = core::KvCompression{};
    kv8.kvCache->format.type = core::DataType::int8;
    const auto jamba = build(preset("jamba-v0.1"), decode(1, 4096));
    auto compressed = core::applyScenario(kv8, jamba);
    ASSERT_TRUE(compressed.ok()) << compressed.error().message;
    EXPECT_DOUBLE_EQ(layer(*compressed, "blocks.0.ssm_scan").bytes.kvRead,
                     layer(jamba, "blocks.0.ssm_scan").bytes.kvRead);
    EXPECT_DOUBLE_EQ(compressed->memory.state, jamba.memory.state);
    EXPECT_DOUBLE_EQ(compressed->memory.kvCache, jamba.memory.kvCache / 2);
    EXPECT_DOUBLE_EQ(compressed->model.kvGrowingBytesPerToken, 16384.0 / 2);
}

TEST(Ssm, FalconH1LayersCarryKvAndState) {
    const auto w = build(preset("falcon-h1-0.5b"), decode(1, 100));
    EXPECT_GT(layer(w, "blocks.0.k_proj").bytes.kvWrite, 0);
    EXPECT_DOUBLE_EQ(layer(w, "blocks.0.ssm_scan").bytes.kvWrite, 1536.0 * 128 * 2);
    EXPECT_DOUBLE_EQ(layer(w, "blocks.0.conv1d").bytes.kvWrite, 1792.0 * 4 * 2);
    EXPECT_EQ(layer(w, "blocks.0.mixer_add").kind, core::LayerKind::elementwise);
    EXPECT_DOUBLE_EQ(w.memory.kvCache, 36.0 * 512 * 100);
    EXPECT_DOUBLE_EQ(w.memory.state, 36.0 * (1536 * 128 + 1792 * 4) * 2);
}

TEST(Moe, DecodeWeightBytesGrowWithBatchWhileSharedExpertsAreAlwaysRead) {
    const LlmConfig v3 = preset("deepseek-v3");
    const double expert = 7168.0 * 2048 * 2;  // one expert's gate_proj at bf16
    double previous = 0;
    for (std::int64_t batch : {1, 4, 16, 64, 256, 4096}) {
        const auto w = build(v3, decode(batch, 1024));
        const double routed = layer(w, "blocks.3.experts.gate_proj").bytes.weights;
        const double touched = 256 * (1 - std::pow(1 - 8.0 / 256, static_cast<double>(batch)));
        EXPECT_DOUBLE_EQ(routed, touched * expert) << batch;
        EXPECT_GT(routed, previous) << batch;
        previous = routed;
        EXPECT_DOUBLE_EQ(layer(w, "blocks.3.shared_experts.gate_proj").bytes.weights, expert)
            << batch;
        EXPECT_DOUBLE_EQ(layer(w, "blocks.0.gate_proj").bytes.weights, 7168.0 * 18432 * 2);
    }
    EXPECT_NEAR(previous / expert, 256, 1e-6);
}

TEST(Moe, Qwen2MoeSharedExpertWithSigmoidGate) {
    const auto w = build(preset("qwen1.5-moe-a2.7b"), decode(1, 100));
    EXPECT_DOUBLE_EQ(layer(w, "blocks.0.shared_experts.up_proj").bytes.weights, 2048.0 * 5632 * 2);
    const auto& gate = layer(w, "blocks.0.shared_expert_gate");
    EXPECT_DOUBLE_EQ(gate.bytes.weights, 2048.0 * 2);
    EXPECT_DOUBLE_EQ(gate.ops, 2.0 * 2048 + 4 + 2048);  // GEMV, sigmoid, scale
    // Routed: 4 of 60 experts for one token.
    EXPECT_DOUBLE_EQ(layer(w, "blocks.0.experts.up_proj").bytes.weights, 4.0 * 2048 * 1408 * 2);
}

TEST(Attention, GemmaNormsSoftcapsAndGptOssSinks) {
    const auto g2 = build(preset("gemma-2-9b"), decode(1, 100));
    for (const char* op : {"post_attention_norm", "pre_ffn_norm", "post_ffn_norm"}) {
        EXPECT_EQ(layer(g2, std::string("blocks.0.") + op).kind, core::LayerKind::norm) << op;
    }
    // Soft-capped scores: 3 more OPs per (query, key) pair; logits capped over the vocabulary.
    EXPECT_DOUBLE_EQ(layer(g2, "blocks.1.attention").ops, 16.0 * 100 * (4 * 256 + 5 + 3));
    EXPECT_DOUBLE_EQ(layer(g2, "logit_softcap").ops, 3.0 * 256000);
    const auto g3 = build(preset("gemma-3-27b"), decode(1, 100));
    // Gemma 3: per-head RMSNorm of q and k (32 + 16 heads x 128), no soft-capping.
    EXPECT_DOUBLE_EQ(layer(g3, "blocks.0.qk_norm").ops, 4.0 * 48 * 128);
    EXPECT_DOUBLE_EQ(layer(g3, "blocks.5.attention").ops, 32.0 * 100 * (4 * 128 + 5));
    const auto oss = build(preset("gpt-oss-120b"), decode(2, 100));
    // One sink logit per head and query row: 2 OPs, 64 weights.
    EXPECT_DOUBLE_EQ(layer(oss, "blocks.1.attention").ops,
                     2.0 * 64 * 100 * (4 * 64 + 5) + 2.0 * 2 * 64);
    EXPECT_DOUBLE_EQ(layer(oss, "blocks.1.attention").bytes.weights, 64.0 * 2);
}

TEST(Collapse, PlannedModelsKeepTheirTotals) {
    BuildOptions collapse;
    collapse.collapseBlocks = true;
    for (const char* id : {"deepseek-v3", "gemma-3-27b", "jamba-v0.1", "llama-4-maverick"}) {
        for (const auto& s : {decode(8, 5000), prefill(1, 2048)}) {
            const auto full = build(preset(id), s);
            const auto runs = build(preset(id), s, collapse);
            EXPECT_NEAR(totalOps(runs), totalOps(full), 1e-12 * totalOps(full)) << id;
            EXPECT_NEAR(totalBytes(runs), totalBytes(full), 1e-12 * totalBytes(full)) << id;
            EXPECT_DOUBLE_EQ(runs.memory.weights, full.memory.weights) << id;
            EXPECT_DOUBLE_EQ(runs.memory.kvCache, full.memory.kvCache) << id;
            EXPECT_LE(runs.layers.size(), full.layers.size()) << id;
        }
    }
    // Runs of identical consecutive blocks collapse: DeepSeek-V3 has two (3 dense, 58 MoE),
    // Gemma 3 21 (five sliding, one global); alternating plans (Jamba, Maverick) have none.
    EXPECT_LT(build(preset("gemma-3-27b"), decode(1, 100), collapse).layers.size(),
              build(preset("gemma-3-27b"), decode(1, 100)).layers.size() / 2);
    const auto runs = build(preset("deepseek-v3"), decode(1, 100), collapse);
    EXPECT_EQ(layer(runs, "blocks.0.gate_proj").repeat, 3U);
    EXPECT_EQ(layer(runs, "blocks.3.router").repeat, 58U);
    // Dropping the last 10 blocks keeps 48 of the MoE run.
    core::Scenario prune;
    prune.name = "prune";
    prune.depth.dropBlocks = 10;
    auto pruned = core::applyScenario(prune, runs);
    ASSERT_TRUE(pruned.ok()) << pruned.error().message;
    EXPECT_EQ(layer(*pruned, "blocks.3.router").repeat, 48U);
    EXPECT_EQ(layer(*pruned, "blocks.0.gate_proj").repeat, 3U);
}

}  // namespace
}  // namespace rooflens::models
