// ONNX import: OPs and bytes of the test graphs (scripts/make-onnx-models.py) against hand counts,
// the published ResNet-18 MACs, the built-in ViT builder for the same shapes (tiny ViT, ViT-B/16),
// compression applied as to built-in workloads, unsupported operators listed, and bad files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "core/evaluate.h"
#include "core/scenario.h"
#include "hwdb/hwdb.h"
#include "models/onnx.h"
#include "models/vit.h"
#include "models/workload_spec.h"

namespace rooflens::models {
namespace {

namespace fs = std::filesystem;

std::string data(const std::string& name) {
    return std::string(ROOFLENS_TEST_DATA_DIR) + "/onnx/" + name;
}
std::string generated(const std::string& name) {
    return std::string(ROOFLENS_ONNX_GENERATED_DIR) + "/" + name;
}

core::RunSettings pass(std::int64_t batch, bool flash = false) {
    core::RunSettings s;
    s.batch = batch;
    s.flashAttention = flash;
    return s;
}

core::Result<core::Workload> import(const std::string& path, const core::RunSettings& s,
                                    const OnnxOptions& options = {}) {
    ROOFLENS_TRY(auto builder, bindOnnx(path, options));
    return builder->build(s, {});
}

core::Workload build(const std::string& path, const core::RunSettings& s) {
    auto w = import(path, s);
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
    return w.ok() ? w.value() : core::Workload{};
}

core::Workload builtinVit(const std::string& id, const core::RunSettings& s) {
    auto config = resolveVit(id);
    EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error().message);
    auto w = buildVit(config.value(), s, {});
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
    return w.ok() ? w.value() : core::Workload{};
}

struct Sums {
    double ops = 0;
    double weights = 0;
    double activations = 0;  // in + out
    double kv = 0;
    double macs = 0;
};

std::map<core::LayerKind, Sums> byKind(const core::Workload& w) {
    std::map<core::LayerKind, Sums> sums;
    for (const auto& layer : w.layers) {
        Sums& s = sums[layer.kind];
        s.ops += layer.ops * layer.repeat;
        s.weights += layer.bytes.weights * layer.repeat;
        s.activations += (layer.bytes.activationsIn + layer.bytes.activationsOut) * layer.repeat;
        s.kv += (layer.bytes.kvRead + layer.bytes.kvWrite) * layer.repeat;
        s.macs += core::matrixMacs(layer, w) * layer.repeat;
    }
    return sums;
}

Sums total(const core::Workload& w) {
    Sums t;
    for (const auto& [kind, s] : byKind(w)) {
        t.ops += s.ops;
        t.weights += s.weights;
        t.activations += s.activations;
        t.kv += s.kv;
        t.macs += s.macs;
    }
    return t;
}

// The same OPs and bytes, kind by kind, and the same parameters and weight memory.
void expectSameCosts(const core::Workload& onnx, const core::Workload& builtin) {
    const auto a = byKind(onnx);
    const auto b = byKind(builtin);
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [kind, s] : b) {
        ASSERT_TRUE(a.contains(kind)) << core::nameOf(kind);
        const Sums& o = a.at(kind);
        EXPECT_DOUBLE_EQ(o.ops, s.ops) << core::nameOf(kind);
        EXPECT_DOUBLE_EQ(o.weights, s.weights) << core::nameOf(kind);
        EXPECT_DOUBLE_EQ(o.activations, s.activations) << core::nameOf(kind);
        EXPECT_DOUBLE_EQ(o.kv, s.kv) << core::nameOf(kind);
    }
    EXPECT_DOUBLE_EQ(onnx.model.parameters, builtin.model.parameters);
    EXPECT_DOUBLE_EQ(onnx.memory.weights, builtin.memory.weights);
    EXPECT_DOUBLE_EQ(onnx.memory.activations, builtin.memory.activations);
}

// --- models ----------------------------------------------------------------------------------

// tests/data/onnx/tiny_vit.onnx is tests/data/vit/tiny-vit.json exported as timm would: 32x32,
// patch 8 (N = 16, T = 17 tokens), D = 64, 4 heads of 16, MLP 256, 2 blocks, 10 classes.
// MACs at batch 1: patch 16*192*64 = 196,608; per block qkv 17*64*192 = 208,896, QK^T and PV
// 4*17*16*17 = 18,496 each, proj 17*64*64 = 69,632, fc1 and fc2 17*64*256 = 278,528 each
// (872,576); head 64*10 = 640. Total 196,608 + 2*872,576 + 640 = 1,942,400.
TEST(OnnxImport, TinyVitHandCountAndBuiltinBuilder) {
    const std::string vitConfig = std::string(ROOFLENS_TEST_DATA_DIR) + "/vit/tiny-vit.json";
    for (bool flash : {false, true}) {
        const auto onnx = build(data("tiny_vit.onnx"), pass(1, flash));
        EXPECT_DOUBLE_EQ(total(onnx).macs, 1'942'400) << "flash " << flash;
        expectSameCosts(onnx, builtinVit(vitConfig, pass(1, flash)));
        const auto batch4 = build(data("tiny_vit.onnx"), pass(4, flash));
        expectSameCosts(batch4, builtinVit(vitConfig, pass(4, flash)));
        EXPECT_DOUBLE_EQ(total(batch4).macs, 4 * 1'942'400);
    }
    const auto flash = build(data("tiny_vit.onnx"), pass(2, true));
    ASSERT_EQ(flash.attentionShapes.size(), 2U);  // one per block: MatMul-Div-Softmax-MatMul
    const core::AttentionShape& a = flash.attentionShapes.front();
    EXPECT_DOUBLE_EQ(a.batch, 2);
    EXPECT_DOUBLE_EQ(a.queryHeads, 4);
    EXPECT_DOUBLE_EQ(a.headDim, 16);
    EXPECT_DOUBLE_EQ(a.queries, 17);
    EXPECT_DOUBLE_EQ(a.keys, 17);
    EXPECT_FALSE(a.causal);
    EXPECT_EQ(flash.model.family, core::ModelFamily::onnx);
    EXPECT_EQ(flash.model.id, "tiny_vit");
}

// ViT-B/16 (made at test time, 173 MB of zero fp16 weights) against the vit-base-16 preset.
TEST(OnnxImport, VitB16MatchesTheBuiltinPreset) {
    if (!fs::exists(generated("vit_b16.onnx"))) {
        GTEST_SKIP() << "vit_b16.onnx not generated (needs python3-onnx and python3-numpy)";
    }
    for (bool flash : {false, true}) {
        const auto onnx = build(generated("vit_b16.onnx"), pass(1, flash));
        const auto builtin = builtinVit("vit-base-16", pass(1, flash));
        expectSameCosts(onnx, builtin);
        EXPECT_DOUBLE_EQ(total(onnx).ops, total(builtin).ops);
        // 86.6M parameters (Dosovitskiy et al. Table 1: 86M; timm: 86,567,656).
        EXPECT_DOUBLE_EQ(onnx.model.parameters, 86'567'656);
    }
}

// ResNet-18 at 224x224 (torchvision shapes). Conv MACs = Ho*Wo*Cout*Cin*k^2:
//   conv1 112*112*64*3*49 = 118,013,952; layer1 4 x 56*56*64*64*9 = 462,422,016;
//   layers 2-4 each 57,802,752 (first conv) + 3 x 115,605,504 + 6,422,528 (1x1 downsample)
//   = 411,041,792; fc 512*1000 = 512,000. Total 1,814,073,344: the published 1.82 GMACs.
// Parameters: torchvision's 11,689,512 plus the 2 x 4,800 BatchNorm running statistics, which
// the graph stores as initializers.
TEST(OnnxImport, ResNet18IsThePublished182Gmacs) {
    if (!fs::exists(generated("resnet18.onnx"))) {
        GTEST_SKIP() << "resnet18.onnx not generated (needs python3-onnx and python3-numpy)";
    }
    const auto w = build(generated("resnet18.onnx"), pass(1));
    EXPECT_DOUBLE_EQ(total(w).macs, 1'814'073'344);
    EXPECT_NEAR(total(w).macs / 1e9, 1.82, 0.01);
    EXPECT_DOUBLE_EQ(w.model.parameters, 11'689'512 + 9'600);
    EXPECT_DOUBLE_EQ(total(build(generated("resnet18.onnx"), pass(8))).macs, 8 * 1'814'073'344.0);
    EXPECT_TRUE(w.warnings.empty());
}

// tiny_cnn at batch 1 (scripts/make-onnx-models.py), OPs per layer by hand:
//   conv 3->16 k3 on 32x32: 2 * 32*32*16*27 = 884,736 (no bias); BN 2 * 16,384 = 32,768;
//   ReLU 16,384; MaxPool 2x2: 4,096 outputs * 4 = 16,384;
//   depthwise 16 k3 on 16x16: 2 * 4,096*9 + 4,096 (bias) = 77,824;
//   grouped 1x1 16->32, 2 groups: 2 * 256*32*8 = 131,072;
//   ConvTranspose 32->8 k2 s2: 256 positions * 32 in * 32 out taps = 262,144 MACs -> 524,288;
//   AveragePool 2x2: 2,048 outputs * (4 + 1) = 10,240; GlobalAveragePool 8 * (256 + 1) = 2,056;
//   Gemm 8->10 + bias 170. Total 1,695,922 OPs, 806,992 MACs.
TEST(OnnxImport, TinyCnnHandCount) {
    const auto w = build(data("tiny_cnn.onnx"), pass(1));
    ASSERT_EQ(w.layers.size(), 10U);  // Flatten is free
    EXPECT_DOUBLE_EQ(total(w).ops, 1'695'922);
    EXPECT_DOUBLE_EQ(total(w).macs, 806'992);
    const double ops[] = {884'736, 32'768,  16'384, 16'384, 77'824,
                          131'072, 524'288, 10'240, 2'056,  170};
    for (std::size_t i = 0; i < w.layers.size(); ++i) {
        EXPECT_DOUBLE_EQ(w.layers[i].ops, ops[i]) << w.layers[i].op;
    }
    // Bytes at fp16: the depthwise conv reads its 16x16x16 input once and 16*9 + 16 weights.
    const core::Layer& depthwise = w.layers[4];
    EXPECT_DOUBLE_EQ(depthwise.bytes.activationsIn, 4'096 * 2);
    EXPECT_DOUBLE_EQ(depthwise.bytes.activationsOut, 4'096 * 2);
    EXPECT_DOUBLE_EQ(depthwise.bytes.weights, (144 + 16) * 2);
    EXPECT_DOUBLE_EQ(depthwise.k, 9);                          // Cin/g * kernel
    EXPECT_DOUBLE_EQ(w.layers[6].weightElements, 32 * 8 * 4);  // ConvTranspose [Cin, Cout, 2, 2]
    EXPECT_DOUBLE_EQ(w.layers[1].bytes.weights, 4 * 16 * 2);   // BN scale, shift, mean, variance
}

// gcn2: relu(A (X W1) + b1), softmax(A (H W2) + b2) over 100 nodes, 16 -> 32 -> 7 features.
//   X W1: 2*100*16*32 = 102,400; A (X W1): 2*100*100*32 = 640,000; + b1 3,200; ReLU 3,200;
//   H W2: 2*100*32*7 = 44,800; A (H W2): 2*100*100*7 = 140,000; + b2 700; softmax 5*700 = 3,500.
//   Total 937,800. A (X W1) reads A (100*100) and X W1 (100*32) at 2 bytes: 26,400; writes 6,400.
TEST(OnnxImport, TwoLayerGcnHandCount) {
    const auto w = build(data("gcn2.onnx"), pass(1));
    ASSERT_EQ(w.layers.size(), 8U);
    EXPECT_DOUBLE_EQ(total(w).ops, 937'800);
    const core::Layer& aggregate = w.layers[1];
    EXPECT_EQ(aggregate.kind, core::LayerKind::matmul);
    EXPECT_DOUBLE_EQ(aggregate.bytes.activationsIn, 26'400);
    EXPECT_DOUBLE_EQ(aggregate.bytes.activationsOut, 6'400);
    EXPECT_DOUBLE_EQ(aggregate.bytes.weights, 0);
    EXPECT_EQ(w.layers.back().kind, core::LayerKind::softmax);
    // Parameters: 16*32 + 32 + 32*7 + 7 = 775.
    EXPECT_DOUBLE_EQ(w.model.parameters, 775);
}

// patterns.onnx at batch 1: x [1, 4, 8]; q = x W, k = x W (one tied [8, 8] weight); scores =
// q k^T * 0.35 + mask [4, 4]; softmax; P x; + a bias from a Constant node. By hand, unfused:
//   q, k: 2*4*8*8 = 512 OPs each, 128 weight bytes each (the inventory holds W once);
//   QK^T: 2*4*8*4 = 256, reads q and k^T (64 + 64 bytes), writes 16 scores (32 bytes);
//   the scale folds into the softmax; mask Add 16 OPs, reads the scores and the 32-byte mask;
//   softmax 5*16 = 80; PV: 2*4*4*8 = 256, reads P (32) and x (64); bias Add 32 OPs, 16 bytes.
//   Total 1,664 OPs; parameters 64 + 16 + 8 = 88 (176 bytes at fp16).
// Fused: one attention layer of 16 scores * (2*8 + 2*8 + 5) + 16 (mask) = 608 OPs, reading q
// (64) and the mask (32) and K, V once (kvRead 128), writing 64: the same 1,664 OPs in all.
TEST(OnnxImport, AttentionWithScaleMaskTiedWeightsAndConstants) {
    const auto unfused = build(data("patterns.onnx"), pass(1));
    ASSERT_EQ(unfused.layers.size(), 7U);
    EXPECT_DOUBLE_EQ(total(unfused).ops, 1'664);
    const double ops[] = {512, 512, 256, 16, 80, 256, 32};
    for (std::size_t i = 0; i < 7; ++i) {
        EXPECT_DOUBLE_EQ(unfused.layers[i].ops, ops[i]) << unfused.layers[i].op;
    }
    EXPECT_DOUBLE_EQ(unfused.layers[1].bytes.weights, 128);  // the tied weight is read again
    EXPECT_DOUBLE_EQ(unfused.layers[3].bytes.weights, 32);   // the mask
    EXPECT_DOUBLE_EQ(unfused.layers[3].bytes.activationsIn, 32);
    EXPECT_EQ(unfused.layers[4].kind, core::LayerKind::softmax);
    EXPECT_DOUBLE_EQ(unfused.layers[5].bytes.activationsIn, 96);
    EXPECT_DOUBLE_EQ(unfused.layers[6].bytes.weights, 16);  // Constant node bias
    EXPECT_DOUBLE_EQ(unfused.model.parameters, 88);
    EXPECT_DOUBLE_EQ(unfused.memory.weights, 176);

    const auto fused = build(data("patterns.onnx"), pass(1, true));
    ASSERT_EQ(fused.layers.size(), 4U);
    const core::Layer& attention = fused.layers[2];
    EXPECT_EQ(attention.kind, core::LayerKind::attention);
    EXPECT_DOUBLE_EQ(attention.ops, 608);
    EXPECT_DOUBLE_EQ(attention.bytes.activationsIn, 64);
    EXPECT_DOUBLE_EQ(attention.bytes.weights, 32);
    EXPECT_DOUBLE_EQ(attention.bytes.kvRead, 128);
    EXPECT_DOUBLE_EQ(attention.bytes.activationsOut, 64);
    EXPECT_DOUBLE_EQ(total(fused).ops, 1'664);
    const core::AttentionShape& shape = fused.attentionShapes.at(0);
    EXPECT_DOUBLE_EQ(shape.batch, 1);  // [batch, T, d]: one head
    EXPECT_DOUBLE_EQ(shape.queryHeads, 1);
    EXPECT_DOUBLE_EQ(shape.queries, 4);
    EXPECT_DOUBLE_EQ(shape.keys, 4);
    EXPECT_DOUBLE_EQ(shape.headDim, 8);
}

// A compression scenario rewrites an ONNX workload as it does the built-in one.
TEST(OnnxImport, CompressionAppliesAsToBuiltinWorkloads) {
    const std::string vitConfig = std::string(ROOFLENS_TEST_DATA_DIR) + "/vit/tiny-vit.json";
    const core::Scenario w4 = core::scenarioFromBits(4, 16, 16);
    auto onnx = core::applyScenario(w4, build(data("tiny_vit.onnx"), pass(2)));
    auto builtin = core::applyScenario(w4, builtinVit(vitConfig, pass(2)));
    ASSERT_TRUE(onnx.ok() && builtin.ok());
    expectSameCosts(onnx.value(), builtin.value());
    EXPECT_LT(onnx.value().memory.weights,
              build(data("tiny_vit.onnx"), pass(2)).memory.weights / 3);
}

// The pipeline path of the CLI, GUI and Python: --model x.onnx through bindWorkload and evaluate;
// unsupported operators are listed in the report with their counts.
TEST(OnnxImport, EvaluateListsUnsupportedOperators) {
    auto family = familyOf(data("unsupported_ops.onnx"));
    ASSERT_TRUE(family.ok());
    EXPECT_EQ(family.value(), core::ModelFamily::onnx);
    WorkloadSpec spec;
    spec.family = core::ModelFamily::onnx;
    spec.model = data("unsupported_ops.onnx");
    auto builder = bindWorkload(spec);
    ASSERT_TRUE(builder.ok()) << builder.error().message;
    auto hw = hwdb::Database::load().resolve("h100-sxm");
    ASSERT_TRUE(hw.ok());
    core::EvaluationInput input;
    input.settings = pass(3);
    input.devices = std::span(&hw.value(), 1);
    auto evaluation = core::evaluate(*builder.value(), input);
    ASSERT_TRUE(evaluation.ok()) << evaluation.error().message;
    const auto& series = evaluation.value().series.front();
    ASSERT_TRUE(series.report.has_value()) << (series.error ? series.error->message : "");
    const core::Report& report = *series.report;
    ASSERT_EQ(report.layers.size(), 2U);  // MatMul, Relu
    EXPECT_DOUBLE_EQ(report.layers[0].ops, 2 * 3 * 16 * 16);
    std::string warnings;
    for (const auto& w : report.warnings)
        warnings += w + "\n";
    EXPECT_NE(warnings.find("2 ONNX node(s) of unsupported operators"), std::string::npos)
        << warnings;
    EXPECT_NE(warnings.find("LpNormalization x1"), std::string::npos) << warnings;
    EXPECT_NE(warnings.find("TopK x1"), std::string::npos) << warnings;
}

// --- bad input -------------------------------------------------------------------------------

std::string errorOf(const std::string& path, const core::RunSettings& s = pass(1)) {
    auto w = import(path, s);
    EXPECT_FALSE(w.ok()) << path;
    return w.ok() ? std::string() : w.error().message;
}

class BadOnnx : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() / ("rooflens-onnx-" + std::to_string(::getpid()));
        fs::create_directories(m_dir);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }
    std::string write(const std::string& name, const std::string& bytes) {
        const fs::path path = m_dir / name;
        std::ofstream(path, std::ios::binary) << bytes;
        return path.string();
    }
    fs::path m_dir;
};

TEST_F(BadOnnx, TruncatedFile) {
    std::ifstream in(data("tiny_vit.onnx"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string path = write("truncated.onnx", bytes.substr(0, bytes.size() / 2));
    const std::string message = errorOf(path);
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("not an ONNX model"), std::string::npos) << message;
}

TEST_F(BadOnnx, NotOnnx) {
    for (const std::string& text :
         {std::string("{\"model_type\": \"vit\"}\n"), std::string(), std::string("\x08\x07", 2)}) {
        const std::string path = write("config.onnx", text);
        const std::string message = errorOf(path);
        EXPECT_NE(message.find(path + ": not an ONNX model"), std::string::npos) << message;
    }
    EXPECT_NE(errorOf((m_dir / "absent.onnx").string()).find("cannot open"), std::string::npos);
}

TEST_F(BadOnnx, UnknownOpset) {
    const std::string message = errorOf(data("bad_opset.onnx"));
    EXPECT_NE(message.find(data("bad_opset.onnx")), std::string::npos) << message;
    EXPECT_NE(message.find("opset 99 of domain 'ai.onnx'"), std::string::npos) << message;
    EXPECT_NE(message.find("node 'relu' (Relu)"), std::string::npos) << message;
}

TEST_F(BadOnnx, ShapeInferenceFails) {
    // MatMul [batch, 8] x [5, 4]: the inner dimensions differ.
    const std::string message = errorOf(data("bad_shapes.onnx"));
    EXPECT_NE(message.find(data("bad_shapes.onnx") + ": ONNX shape inference failed"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("fc"), std::string::npos) << message;  // the node
}

// The fuzz_onnx finding of CI (stop 26): a MatMul with one input reached the mapper, whose
// n.input(1) tripped protobuf's index CHECK. Every standard node is now checked against its
// operator's schema at the model's opset when the file is bound.
TEST_F(BadOnnx, NodeThatDoesNotMatchItsSchema) {
    const std::string path = data("bad_arity.onnx");
    const std::string message = errorOf(path);
    EXPECT_NE(message.find(path + ": node 'fc' (MatMul) does not match the operator's schema at "
                                  "opset 17"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("input"), std::string::npos) << message;  // what is wrong
}

TEST_F(BadOnnx, OperatorNotDefinedAtTheModelsOpset) {
    const std::string path = data("below_opset.onnx");
    const std::string message = errorOf(path);
    EXPECT_NE(message.find(path + ": node 'norm' (LayerNormalization): operator "
                                  "LayerNormalization is not defined at opset 13"),
              std::string::npos)
        << message;
}

// Custom-domain nodes are not checked (ONNX has no schema for them) and are listed as
// unsupported; one named like a standard operator, without outputs, joins no pattern: the MatMul
// they read is priced on its own, 2 * 4 * 8 * 4 = 256 OPs per batch row.
TEST(OnnxImport, CustomDomainNodesJoinNoPattern) {
    auto w = import(data("custom_nodes.onnx"), pass(1));
    ASSERT_TRUE(w.ok()) << w.error().message;
    ASSERT_EQ(w.value().layers.size(), 2U);  // qk, relu
    EXPECT_DOUBLE_EQ(w.value().layers[0].ops, 2 * 4 * 8 * 4);
    std::string warnings;
    for (const auto& text : w.value().warnings)
        warnings += text + "\n";
    EXPECT_NE(warnings.find("com.example.Constant x1, com.example.Softmax x1"), std::string::npos)
        << warnings;
}

TEST_F(BadOnnx, MissingExternalData) {
    const std::string message = errorOf(data("missing_external.onnx"));
    EXPECT_NE(message.find("initializer 'huge_w' (input of node 'huge_fc' (Gemm))"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("10.0 GB"), std::string::npos) << message;
    EXPECT_NE(message.find("'missing_weights.bin', which is missing"), std::string::npos)
        << message;
}

TEST_F(BadOnnx, ShortExternalData) {
    // The same graph beside a 1 kB data file: present but shorter than the 10 GB it declares.
    fs::copy_file(data("missing_external.onnx"), m_dir / "model.onnx");
    write("missing_weights.bin", std::string(1000, '\0'));
    const std::string message = errorOf((m_dir / "model.onnx").string());
    EXPECT_NE(message.find("holds 1000 bytes, fewer than the 10000000000 it needs"),
              std::string::npos)
        << message;
}

TEST_F(BadOnnx, SymbolicDimensionWithoutSetting) {
    std::string message = errorOf(data("symbolic_image.onnx"));
    EXPECT_NE(message.find("input 'image' dimension 2 'height'"), std::string::npos) << message;
    EXPECT_NE(message.find("--image-size"), std::string::npos) << message;
    message = errorOf(data("odd_dim.onnx"));
    EXPECT_NE(message.find("input 'x' dimension 0 'n_items'"), std::string::npos) << message;
    core::RunSettings decode = pass(1);
    decode.phase = core::Phase::decode;
    EXPECT_NE(errorOf(data("tiny_vit.onnx"), decode).find("one forward pass"), std::string::npos);
}

// --- symbolic dimensions ---------------------------------------------------------------------

// [batch, 3, height, width] at batch 2 and 64x32: GlobalAveragePool reads 2*3*64*32 = 12,288
// elements, 6 outputs of 2,048 adds + 1 divide = 12,294 OPs.
TEST(OnnxImport, ImageSizeBindsHeightAndWidth) {
    OnnxOptions image;
    image.imageHeight = 64;
    image.imageWidth = 32;
    auto w = import(data("symbolic_image.onnx"), pass(2), image);
    ASSERT_TRUE(w.ok()) << w.error().message;
    ASSERT_EQ(w.value().layers.size(), 1U);
    EXPECT_DOUBLE_EQ(w.value().layers[0].ops, 12'294);
    EXPECT_DOUBLE_EQ(w.value().layers[0].bytes.activationsIn, 12'288 * 2);
}

// Issue 18, 3: a bound dimension past 2^40, or a tensor of more than 2^53 elements, is refused
// with the node and the tensor; 2^40 x 3 x 64 x 32 = 6.8e15 elements is still priced.
TEST(OnnxImport, AbsurdDimensionsAreRefusedWithTheNodeAndTensor) {
    OnnxOptions image;
    image.imageHeight = 64;
    image.imageWidth = 32;
    const std::int64_t batch = std::int64_t{1} << 40;
    auto most = import(data("symbolic_image.onnx"), pass(batch), image);
    ASSERT_TRUE(most.ok()) << most.error().message;
    EXPECT_DOUBLE_EQ(most.value().layers[0].bytes.activationsIn, 2.0 * batch * 3 * 64 * 32);
    auto wide = import(data("symbolic_image.onnx"), pass(batch * 2), image);
    ASSERT_FALSE(wide.ok());
    EXPECT_NE(wide.error().message.find("symbolic_image.onnx: node"), std::string::npos)
        << wide.error().message;
    EXPECT_NE(wide.error().message.find("tensor 'image' dimension 0 is 2199023255552; expected a "
                                        "size in [0, 2^40]"),
              std::string::npos)
        << wide.error().message;
    image.imageHeight = image.imageWidth = 16384;
    auto many = import(data("symbolic_image.onnx"), pass(batch), image);
    ASSERT_FALSE(many.ok());
    EXPECT_NE(many.error().message.find("tensor 'image' has 8.85e+20 elements; expected at most "
                                        "2^53"),
              std::string::npos)
        << many.error().message;
}

// [batch, sequence] ids into a [1000, 8] table at batch 2, prompt 5: 10 rows of 8 gathered
// (160 bytes at fp16), int64 ids read (80 bytes); the whole table is in the inventory.
TEST(OnnxImport, SequenceLengthBindsAndGatherIsAnEmbedding) {
    core::RunSettings s = pass(2);
    s.promptLength = 5;
    const auto w = build(data("embed_seq.onnx"), s);
    ASSERT_EQ(w.layers.size(), 1U);
    const core::Layer& embed = w.layers[0];
    EXPECT_EQ(embed.kind, core::LayerKind::embedding);
    EXPECT_DOUBLE_EQ(embed.bytes.weights, 2 * 5 * 8 * 2);
    EXPECT_DOUBLE_EQ(embed.bytes.activationsIn, 2 * 5 * 8);
    EXPECT_DOUBLE_EQ(embed.bytes.activationsOut, 2 * 5 * 8 * 2);
    EXPECT_DOUBLE_EQ(w.model.parameters, 8'000);
    EXPECT_DOUBLE_EQ(w.memory.weights, 16'000);
}

}  // namespace
}  // namespace rooflens::models
