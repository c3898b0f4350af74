#pragma once
// Engine workloads of bare-dimension reference models (calibrate's kernel-class passes,
// calibrate/kernel_classes.h): a Llama-style decoder (RMSNorm, rotary GQA attention, SwiGLU,
// untied lm_head) or a ViT with one class token, at FP32 with fused attention, blocks not
// folded, batch 1: the passes the whole-model kernels run.
#include <cstdint>

#include "core/result.h"
#include "core/workload.h"

namespace rooflens::models {

struct ReferenceDecoder {
    std::int64_t hidden = 0;
    std::int64_t intermediate = 0;
    std::int64_t layers = 0;
    std::int64_t heads = 0;
    std::int64_t kvHeads = 0;
    std::int64_t headDim = 0;
    std::int64_t vocab = 0;
};

struct ReferenceVit {
    std::int64_t image = 224;
    std::int64_t patch = 16;
    std::int64_t channels = 3;
    std::int64_t dim = 0;
    std::int64_t depth = 0;
    std::int64_t heads = 0;
    std::int64_t mlp = 0;
    std::int64_t classes = 1000;
};

// Prefill of `prompt` tokens, or the decode step after them (prompt + 1 keys).
core::Result<core::Workload> referenceDecoderPass(const ReferenceDecoder& dims, core::Phase phase,
                                                  std::int64_t prompt);
core::Result<core::Workload> referenceVitPass(const ReferenceVit& dims);

}  // namespace rooflens::models
