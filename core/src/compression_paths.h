#pragma once
// Compression paths beside the compressed tensors, called by applyScenario() (compression.cpp):
// expert merging (Sub-MoE) before quantization; EoRA's low-rank compensation GEMMs, GEAR's
// reconstruction OPs and Energon's filtering passes after it. docs/scenarios.md has the formulas.
#include "core/scenario.h"

namespace rooflens::core {

// E routed experts -> E' (expert layers' touched weights, router n = E', the inventory, the
// parameter counts); with a shared basis, each expert GEMM becomes [k x r] per expert, then the
// layer's shared [r x n] basis.
Status mergeExperts(const Scenario& scenario, Workload& w);

// After quantization and the weight inventory: EoRA, GEAR's reconstruction, Energon.
Status addPaths(const Scenario& scenario, Workload& w, DataType native);

// After the paths: PTQ4ViT's quantized attention matmuls, OliVe's decode and the online
// rotations of QuaRot/OstQuant (compression_quant.cpp).
void addQuantMechanisms(const Scenario& scenario, Workload& w, DataType native);

}  // namespace rooflens::core
