// The bare-dimension reference models calibrate's kernel-class passes are priced with
// (models/reference_passes.h): layer names as the whole-model kernels name them, FP32 bytes by
// hand.
#include <gtest/gtest.h>

#include <string>

#include "models/reference_passes.h"

namespace rooflens::models {
namespace {

const core::Layer* find(const core::Workload& w, const std::string& name) {
    for (const auto& layer : w.layers) {
        if (layer.name() == name) {
            return &layer;
        }
    }
    return nullptr;
}

double bytes(const core::Layer& layer) {
    return layer.bytes.total();
}

TEST(ReferencePasses, DecoderPrefillAndDecodeInFp32) {
    const ReferenceDecoder d{1024, 2816, 1, 16, 2, 64, 2048};
    auto prefill = referenceDecoderPass(d, core::Phase::prefill, 32);
    ASSERT_TRUE(prefill) << prefill.error().message;
    // input_norm of 32 x 1024 FP32: in 131,072 B + out 131,072 B + weight 4,096 B = 266,240 B.
    const core::Layer* norm = find(*prefill, "blocks.0.input_norm");
    ASSERT_NE(norm, nullptr);
    EXPECT_DOUBLE_EQ(bytes(*norm), 266240);
    // k_proj: a 32 x 1024 x 128 GEMM; weight 1024 x 128 x 4 B = 524,288 B.
    const core::Layer* k = find(*prefill, "blocks.0.k_proj");
    ASSERT_NE(k, nullptr);
    EXPECT_DOUBLE_EQ(k->m, 32);
    EXPECT_DOUBLE_EQ(k->n, 128);
    EXPECT_DOUBLE_EQ(k->bytes.weights, 524288);
    auto decode = referenceDecoderPass(d, core::Phase::decode, 32);
    ASSERT_TRUE(decode) << decode.error().message;
    // down_proj GEMV: weight 2816 x 1024 x 4 B = 11,534,336 B.
    const core::Layer* down = find(*decode, "blocks.0.down_proj");
    ASSERT_NE(down, nullptr);
    EXPECT_DOUBLE_EQ(down->m, 1);
    EXPECT_DOUBLE_EQ(down->bytes.weights, 11534336);
    EXPECT_NE(find(*decode, "lm_head"), nullptr);
}

TEST(ReferencePasses, VitBlockInFp32) {
    auto vit = referenceVitPass({224, 16, 3, 384, 1, 6, 1536, 1000});
    ASSERT_TRUE(vit) << vit.error().message;
    // norm1 over 197 tokens x 384: in + out 2 x 302,592 B + gamma and beta 3,072 B = 608,256 B.
    const core::Layer* norm = find(*vit, "blocks.0.norm1");
    ASSERT_NE(norm, nullptr);
    EXPECT_DOUBLE_EQ(bytes(*norm), 608256);
    const core::Layer* fc1 = find(*vit, "blocks.0.fc1");
    ASSERT_NE(fc1, nullptr);
    EXPECT_DOUBLE_EQ(fc1->n, 1536);
    EXPECT_DOUBLE_EQ(fc1->m, 197);
}

}  // namespace
}  // namespace rooflens::models
