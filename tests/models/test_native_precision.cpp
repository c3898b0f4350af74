// Native precision (issue 14, 7a): an all-FP32 pass prices every tensor at 4 bytes and every
// matrix product in FP32, whether it comes from --dtype fp32 or from W32A32KV32; a float32
// checkpoint is served at fp16 by default (vLLM's dtype "auto") and says so; nothing else moves.
#include <gtest/gtest.h>

#include <string>

#include "core/evaluate.h"
#include "core/scenario.h"
#include "models/llm.h"
#include "models/vit.h"
#include "models/workload_spec.h"

namespace rooflens::models {
namespace {

core::RunSettings prefill(std::int64_t tokens) {
    core::RunSettings s;
    s.phase = core::Phase::prefill;
    s.promptLength = tokens;
    s.contextLength = tokens;
    s.flashAttention = true;
    return s;
}

std::shared_ptr<const core::WorkloadBuilder> bind(const std::string& model,
                                                  std::optional<core::DataType> dtype = {}) {
    WorkloadSpec spec;
    spec.family = familyOf(model).value();
    spec.model = model;
    spec.floatType = dtype;
    auto builder = bindWorkload(spec);
    EXPECT_TRUE(builder) << builder.error().message;
    return builder.value();
}

const core::Layer& layerNamed(const core::Workload& w, const std::string& name) {
    for (const auto& layer : w.layers) {
        if (layer.name() == name) {
            return layer;
        }
    }
    ADD_FAILURE() << "no layer " << name;
    return w.layers.front();
}

TEST(NativePrecision, DtypeFp32PricesEveryTensorAtFourBytes) {
    // llama-3-8b: d 4096, 8 KV heads x 128, d_ff 14336. Prefill of 16 tokens.
    const auto fp16 = core::buildPass(*bind("llama-3-8b"), prefill(16), std::nullopt).value();
    const auto fp32 =
        core::buildPass(*bind("llama-3-8b", core::DataType::fp32), prefill(16), std::nullopt)
            .value();
    ASSERT_EQ(fp16.layers.size(), fp32.layers.size());
    const core::Layer& q = layerNamed(fp32, "blocks.0.q_proj");
    EXPECT_EQ(q.computeType, core::DataType::fp32);
    EXPECT_DOUBLE_EQ(q.bytes.weights, 4096.0 * 4096 * 4);
    EXPECT_DOUBLE_EQ(q.bytes.activationsIn, 16.0 * 4096 * 4);
    EXPECT_DOUBLE_EQ(q.bytes.activationsOut, 16.0 * 4096 * 4);  // GEMM outputs at 4 bytes too
    const core::Layer& k = layerNamed(fp32, "blocks.0.k_proj");
    EXPECT_DOUBLE_EQ(k.bytes.kvWrite, 16.0 * 1024 * 4);
    const core::Layer& attention = layerNamed(fp32, "blocks.0.attention");
    EXPECT_EQ(attention.computeType, core::DataType::fp32);  // QK^T and PV in FP32
    EXPECT_EQ(attention.kvType, core::DataType::fp32);
    const auto& shape = fp32.attentionShapes[static_cast<std::size_t>(attention.attentionShape)];
    EXPECT_DOUBLE_EQ(shape.kvBytesPerElement, 4);
    EXPECT_DOUBLE_EQ(shape.activationBytesPerElement, 4);
    for (const char* op : {"blocks.0.input_norm", "blocks.0.attn_residual", "blocks.0.act_mul"}) {
        const core::Layer& l = layerNamed(fp32, op);
        EXPECT_EQ(l.computeType, core::DataType::fp32) << op;
        EXPECT_DOUBLE_EQ(l.bytes.activationsOut, 2 * layerNamed(fp16, op).bytes.activationsOut)
            << op;
    }
    // Every byte doubles, no OP changes; only the embedding's token ids stay 4-byte integers:
    // 16 rows gathered and written, 16 x (2 x 4096 x 4 + 4) against 16 x (2 x 4096 x 2 + 4).
    EXPECT_DOUBLE_EQ(layerNamed(fp32, "embed_tokens").bytes.total(), 16.0 * (2 * 4096 * 4 + 4));
    EXPECT_DOUBLE_EQ(layerNamed(fp16, "embed_tokens").bytes.total(), 16.0 * (2 * 4096 * 2 + 4));
    for (std::size_t i = 0; i < fp32.layers.size(); ++i) {
        if (fp32.layers[i].kind == core::LayerKind::embedding) {
            continue;
        }
        EXPECT_DOUBLE_EQ(fp32.layers[i].bytes.total(), 2 * fp16.layers[i].bytes.total())
            << fp32.layers[i].name();
        EXPECT_DOUBLE_EQ(fp32.layers[i].ops, fp16.layers[i].ops) << fp32.layers[i].name();
    }
    EXPECT_DOUBLE_EQ(fp32.bits.weights, 32);
    EXPECT_DOUBLE_EQ(fp32.bits.activations, 32);
}

TEST(NativePrecision, W32A32Kv32IsTheFp32PassNotAQuantizedFp16One) {
    const auto builder = bind("llama-3-8b");
    const core::Scenario all32 = core::scenarioFromBits(32, 32, 32);
    ASSERT_EQ(core::passFloatType(all32), core::DataType::fp32);
    const auto viaBits = core::buildPass(*builder, prefill(16), all32).value();
    const auto viaDtype =
        core::buildPass(*bind("llama-3-8b", core::DataType::fp32), prefill(16), std::nullopt)
            .value();
    ASSERT_EQ(viaBits.layers.size(), viaDtype.layers.size());
    for (std::size_t i = 0; i < viaBits.layers.size(); ++i) {
        const auto& a = viaBits.layers[i];
        const auto& b = viaDtype.layers[i];
        EXPECT_DOUBLE_EQ(a.bytes.total(), b.bytes.total()) << a.name();
        EXPECT_DOUBLE_EQ(a.bytes.metadata, 0) << a.name();
        EXPECT_EQ(a.computeType, b.computeType) << a.name();
    }
    // Anything short of all three at 32 bits keeps the native pass (llama-3-8b: bf16):
    // W32A32KV16 only widens the GEMMs' weights and inputs; attention stays bf16.
    const core::Scenario w32a32 = core::scenarioFromBits(32, 32, 16);
    EXPECT_FALSE(core::passFloatType(w32a32));
    const auto mixed = core::buildPass(*builder, prefill(16), w32a32).value();
    EXPECT_EQ(layerNamed(mixed, "blocks.0.attention").computeType, core::DataType::bf16);
    EXPECT_EQ(layerNamed(mixed, "blocks.0.q_proj").computeType, core::DataType::fp32);
}

TEST(NativePrecision, Float32CheckpointsAreServedAtFp16UnlessAsked) {
    // gemma-2-9b's config says torch_dtype float32; served at fp16 (vLLM's dtype auto).
    const auto served = core::buildPass(*bind("gemma-2-9b"), prefill(4), std::nullopt).value();
    EXPECT_EQ(layerNamed(served, "blocks.0.q_proj").weightType, core::DataType::fp16);
    bool warned = false;
    for (const auto& w : served.warnings) {
        warned |= w.find("torch_dtype float32 priced at fp16") != std::string::npos;
    }
    EXPECT_TRUE(warned);
    const auto own =
        core::buildPass(*bind("gemma-2-9b", core::DataType::fp32), prefill(4), std::nullopt)
            .value();
    EXPECT_EQ(layerNamed(own, "blocks.0.q_proj").weightType, core::DataType::fp32);
    for (const auto& w : own.warnings) {
        EXPECT_EQ(w.find("torch_dtype float32"), std::string::npos) << w;
    }
    // A bf16 checkpoint has no such warning and keeps bf16.
    const auto bf16 = core::buildPass(*bind("llama-3-8b"), prefill(4), std::nullopt).value();
    EXPECT_EQ(layerNamed(bf16, "blocks.0.q_proj").weightType, core::DataType::bf16);
    EXPECT_TRUE(bf16.warnings.empty());
}

TEST(NativePrecision, VitAndOnnxFollowTheSameSwitch) {
    // ViT-B/16 fc1: 768 x 3072 weights.
    const auto fp32 =
        core::buildPass(*bind("vit-base-16", core::DataType::fp32), prefill(1), std::nullopt)
            .value();
    const core::Layer& fc1 = layerNamed(fp32, "blocks.0.fc1");
    EXPECT_EQ(fc1.computeType, core::DataType::fp32);
    EXPECT_DOUBLE_EQ(fc1.bytes.weights, (768.0 * 3072 + 3072) * 4);
    const auto viaBits =
        core::buildPass(*bind("vit-base-16"), prefill(1), core::scenarioFromBits(32, 32, 32))
            .value();
    EXPECT_DOUBLE_EQ(layerNamed(viaBits, "blocks.0.fc1").bytes.total(), fc1.bytes.total());
    WorkloadSpec onnx;
    onnx.family = core::ModelFamily::onnx;
    onnx.model = "x.onnx";
    onnx.floatType = core::DataType::fp32;
    auto refused = bindWorkload(onnx);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("--dtype applies to LLM, ViT and GNN"),
              std::string::npos)
        << refused.error().message;
}

}  // namespace
}  // namespace rooflens::models
