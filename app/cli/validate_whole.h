#pragma once
// rooflens validate --whole: a real FP32 forward pass of a whole model on this machine
// (calibrate/whole_model.h) against the engine's roofline and expected times, layer by layer.
#include <cstdint>
#include <string>
#include <vector>

#include "calibrate/kernel_classes.h"
#include "calibrate/whole_model.h"

namespace rooflens::cli {

struct WholeRequest {
    std::string hwArg;  // --hw
    std::string model;  // --model ("" = validate-tiny)
    std::int64_t prompt = 256;
    std::vector<int> threadCounts;  // empty: 1 and every physical core
    int repeats = 3;
    bool perLayer = false;  // the table lists every layer, not one row per op
    std::string format;     // table|json|csv|md
    std::string output;
};

int runValidateWhole(const WholeRequest& request);

// The engine's prediction of calibrate's kernel-class reference passes (kernel_classes.h) through
// models/reference_passes.h (FP32, fused attention, like validate --whole).
calibrate::PassPredictor referencePassPredictor();

}  // namespace rooflens::cli
