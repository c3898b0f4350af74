// `rooflens` with --model x.onnx, run as a process: the same totals as the built-in builder for
// the same ViT, compression flags, `models show`, and exit codes of bad files and flags.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "test_support/cli_process.h"

namespace rooflens::testing {
namespace {

const std::string kData = ROOFLENS_TEST_DATA_DIR;

nlohmann::json analyze(const std::string& args) {
    const Outcome o = rooflens("analyze --hw h100-sxm --format json " + args);
    EXPECT_EQ(o.exitCode, 0) << o.err;
    return o.exitCode == 0 ? nlohmann::json::parse(o.out) : nlohmann::json::object();
}

void expectSameTotals(const nlohmann::json& a, const nlohmann::json& b) {
    for (const char* key : {"ops", "macs", "bytes", "time_s"}) {
        EXPECT_DOUBLE_EQ(a["totals"][key].get<double>(), b["totals"][key].get<double>()) << key;
    }
    for (const char* key : {"weights", "activations", "total"}) {
        EXPECT_DOUBLE_EQ(a["totals"]["memory_bytes"][key].get<double>(),
                         b["totals"]["memory_bytes"][key].get<double>())
            << key;
    }
}

TEST(OnnxCli, AnalyzeMatchesTheBuiltinViT) {
    const std::string onnx = "--model " + kData + "/onnx/tiny_vit.onnx";
    const std::string builtin = "--model " + kData + "/vit/tiny-vit.json";
    for (const std::string flags : {"--batch 2", "--batch 8 --flash-attention", "--wbits 4"}) {
        const auto a = analyze(onnx + " " + flags);
        const auto b = analyze(builtin + " " + flags);
        expectSameTotals(a, b);
        EXPECT_EQ(a["model"]["family"], "onnx");
        EXPECT_EQ(a["model"]["id"], "tiny_vit");
        EXPECT_EQ(a["totals"]["items"], "samples");
        EXPECT_EQ(a["layers"].size(), b["layers"].size());
    }
}

TEST(OnnxCli, ModelsShow) {
    const Outcome o = rooflens("models show " + kData + "/onnx/tiny_cnn.onnx --format json");
    ASSERT_EQ(o.exitCode, 0) << o.err;
    const auto doc = nlohmann::json::parse(o.out);
    // 432 + 64 (BN) + 160 (depthwise + bias) + 256 + 1024 + 90 = 2,026.
    EXPECT_DOUBLE_EQ(doc["parameters"].get<double>(), 2'026);
    EXPECT_EQ(doc["layers"].size(), 10U);
}

TEST(OnnxCli, BadInputAndUsageExitCodes) {
    Outcome o = rooflens("analyze --hw h100-sxm --model " + kData + "/onnx/missing_external.onnx");
    EXPECT_EQ(o.exitCode, 2);
    EXPECT_NE(o.err.find("'missing_weights.bin', which is missing"), std::string::npos) << o.err;
    o = rooflens("analyze --hw h100-sxm --model " + kData + "/onnx/tiny_vit.onnx --tome-r 16");
    EXPECT_EQ(o.exitCode, 1);
    EXPECT_NE(o.err.find("--tome-r applies to ViT models"), std::string::npos) << o.err;
    o = rooflens("analyze --hw h100-sxm --model " + kData + "/onnx/symbolic_image.onnx");
    EXPECT_EQ(o.exitCode, 1);
    EXPECT_NE(o.err.find("'height'"), std::string::npos) << o.err;
    o = rooflens("analyze --hw h100-sxm --format json --image-size 64x32 --model " + kData +
                 "/onnx/symbolic_image.onnx");
    EXPECT_EQ(o.exitCode, 0) << o.err;
}

}  // namespace
}  // namespace rooflens::testing
