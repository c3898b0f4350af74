#pragma once
// Kernel-class efficiency (issue 14 item 5, docs/calibration.md "Kernel classes"): the norms,
// softmax, attention, elementwise kernels and GEMVs of a real forward pass reach a fraction of
// their roof that depends on how many bytes they move. `rooflens calibrate` runs small reference
// passes with the whole-model kernels (whole_model.h), joins every layer with the engine's
// roofline on the new profile, and fits one efficiency curve per layer kind (bytes -> fraction;
// core::KindEfficiency) that the expected time divides by.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "calibrate/calibration.h"
#include "calibrate/machine.h"
#include "calibrate/whole_model.h"
#include "core/efficiency.h"
#include "core/hardware.h"

namespace rooflens::calibrate {

// Fits one curve per kind from joined rows: every measured row of a fitted kind gives the
// efficiency e = base / (measured - overhead), clamped to [0.01, 1], where base is the roofline
// time for kinds without a GEMM shape (norm, softmax, attention, elementwise) and the roofline
// memory time for memory-bound GEMMs whose expected math fits in the measured time. Rows are
// sorted by bytes and clustered (a cluster spans at most 1.25x in bytes); each cluster is one
// point: the geometric mean of its bytes and the median of its efficiencies. Kinds with no row
// get no curve.
std::vector<core::KindEfficiency> fitKindEfficiency(const std::vector<WholeLayerRow>& rows);

// One reference pass of the fit: a decoder (prefill of `prompt` tokens and one decode step) or
// a ViT's forward pass.
struct KernelClassPass {
    bool vit = false;
    DecoderShape decoder;
    VitShape vitShape;
    std::int64_t prompt = 0;
};

// The reference passes: a one-block decoder of hidden 1024 (16 heads, 2 KV heads, head dim 64,
// intermediate 2816, vocabulary 2048) at prompts 32 and 512, and one DeiT-S block (dim 384,
// 6 heads, 197 tokens). Their tensors span 4 KB to 12 MB per layer, the range of the small models
// `validate --whole` runs, at other widths and lengths than those.
std::vector<KernelClassPass> kernelClassPasses();

// The engine's analysis of one reference pass on `hw` (FP32, fused attention, blocks not folded);
// supplied by the front end, which owns the model builders.
using PassPredictor = std::function<core::Result<core::Report>(
    const KernelClassPass& pass, core::Phase phase, const core::Hardware& hw)>;

struct KernelClassFit {
    int threads = 0;
    std::vector<core::KindEfficiency> kinds;
    double seconds = 0;  // wall time of the runs
};

// Runs the passes at every thread count the profile has ceilings for (the top-level count when
// it has none), fits, and writes the curves into those ceilings' efficiency models and the
// top-level one. Errors: built without oneDNN, "cancelled", a predictor error.
core::Result<std::vector<KernelClassFit>> addKernelClassEfficiency(
    core::Hardware& hw, const MachineContext& machine, const PassPredictor& predict, Mode mode,
    const core::CancelToken& cancel, const WholeProgress& progress = {});

}  // namespace rooflens::calibrate
