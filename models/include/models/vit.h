#pragma once
// Vision Transformer cost models: ViT / DeiT (pre-LN encoder, class and distillation tokens),
// Swin (window attention, shifted windows, patch merging) and Vision Mamba (Vim: bidirectional
// Mamba blocks over the patch tokens and a middle class token), from a config JSON (docs/vit.md)
// or a preset in models/presets/vit/. buildVit() turns a config plus run settings into a Workload
// with the layers of formulas.md section 1; token reduction (explicit schedule, DynamicViT, ToMe,
// DiffRate; formulas.md 1.3) replaces the token count T by a per-block schedule. Hardware-free
// except measureTokenReduction(), which prices a reduced and a baseline workload on a device.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/derived.h"
#include "core/hardware.h"
#include "core/json_io.h"
#include "core/result.h"
#include "core/workload.h"

namespace rooflens::models {

enum class VitArch : std::uint8_t { vit, swin, vim };

struct VitConfig {
    std::string id;         // preset id or file stem
    std::string modelType;  // "vit", "deit", "swin" or "vim"
    std::string source;     // the paper the numbers come from (_source)
    VitArch arch = VitArch::vit;
    std::int64_t imageSize = 224;  // default input resolution (square)
    std::int64_t patchSize = 16;   // P (Swin: 4)
    std::int64_t inChannels = 3;
    std::int64_t embedDim = 0;   // D (Swin: C of stage 1)
    std::int64_t depth = 0;      // L blocks (Swin: sum of depths)
    std::int64_t numHeads = 0;   // h (ViT)
    std::int64_t mlpHidden = 0;  // D * mlp_ratio (Swin: per stage, C_s * mlp_ratio)
    double mlpRatio = 4;
    std::int64_t numClasses = 1000;
    std::int64_t classTokens = 1;         // 1 for ViT/DeiT, 0 for Swin (average pooling)
    std::int64_t distillationTokens = 0;  // DeiT-distilled: 1
    bool qkvBias = true;
    // The float type weights and activations are priced in: fp16 (the vision literature's
    // inference precision), or --dtype / an all-fp32 scenario (fp32).
    core::DataType floatType = core::DataType::fp16;
    // Swin
    std::int64_t windowSize = 7;           // M
    std::vector<std::int64_t> depths;      // blocks per stage, e.g. (2, 2, 6, 2)
    std::vector<std::int64_t> stageHeads;  // heads per stage, e.g. (3, 6, 12, 24)
    // Vim (bimamba v2): E = expand D inner channels, N states, K conv taps, R = ceil(D / 16).
    std::int64_t dState = 16;
    std::int64_t dConv = 4;
    std::int64_t expand = 2;
    std::int64_t dtRank = 0;

    std::int64_t innerSize() const { return expand * embedDim; }

    std::int64_t protectedTokens() const { return classTokens + distillationTokens; }
};

core::Result<VitConfig> parseVitConfig(const core::Json& document, const std::string& label,
                                       const std::string& id);
core::Result<VitConfig> loadVitConfig(const std::filesystem::path& path);

// True when the JSON document is a ViT-family config (model_type vit, deit, swin or vim).
bool isVitDocument(const core::Json& document);

std::filesystem::path vitPresetDir();       // core::builtinDataDir() / "models/presets/vit"
std::vector<std::string> listVitPresets();  // ids, sorted
bool isVitPreset(const std::string& id);
// A preset id, or a path to a ViT config .json.
core::Result<VitConfig> resolveVit(const std::string& idOrPath);

struct VitParameterCounts {
    std::uint64_t total = 0;
    std::uint64_t linear = 0;  // GEMM weights (quantizable); the rest stays in float
};
VitParameterCounts countVitParameters(const VitConfig& config);

// Token reduction (formulas.md 1.3). Counts include the protected class/distillation tokens.
enum class TokenMethod : std::uint8_t {
    none,
    schedule,
    dynamicVit,
    tome,
    diffRate,
    rmeeto,      // Vim: R-MeeTo merging (or plain pruning) before every `interval`-th block
    zeroTPrune,  // ViT: Zero-TPrune, importance from the attention graph (weighted PageRank)
};

struct TokenReduction {
    TokenMethod method = TokenMethod::none;
    // schedule: tokens entering each block (one entry per block), pruned before the block.
    std::vector<std::int64_t> tokens;
    // DynamicViT: keep ratio rho; patch tokens kept before block pruneLocations[i] are
    // floor(N rho^(i+1)) (DynamicViT's int(N * rho^i)); PredictorLG runs at each location.
    double keepRatio = 0.7;
    std::vector<std::int64_t> pruneLocations = {3, 6, 9};
    // ToMe: r tokens merged per block between attention and MLP (one entry = every block).
    std::vector<std::int64_t> mergeR;
    bool proportionalAttention = true;  // log(size) added to the scores after the first merge
    // DiffRate: per-block prune and merge rates as fractions of the patch tokens entering the
    // block (merge >= prune; one entry = every block).
    std::vector<double> pruneRate;
    std::vector<double> mergeRate;
    // R-MeeTo (Vim): mergeR.front() tokens merged before blocks i > 0 with i % interval == 0;
    // pruneOnly drops the matched tokens instead of averaging them (plain token pruning).
    std::int64_t interval = 2;
    bool pruneOnly = false;
    // Zero-TPrune (ViT): keepRatio and pruneLocations as for DynamicViT, pruned after the
    // attention of each location; the weighted PageRank runs `iterations` times per head.
    std::int64_t iterations = 5;
};

// "ToMe r=16", "DynamicViT rho=0.7 at blocks 3,6,9", ...
std::string describe(const TokenReduction& reduction);

// Tokens of one block: attention sees `attention`, the MLP sees `mlp` (less after a ToMe or
// DiffRate merge, or a Zero-TPrune prune); `pruned` and `merged` say how many tokens the block
// removes after attention, predictorTokens > 0 when DynamicViT's predictor runs before the block
// on that many tokens. Vim blocks have no attention: `attention` = `mlp` is the tokens the
// block's scans run on, and `merged` / `pruned` the tokens R-MeeTo removed before the block.
struct BlockTokens {
    std::int64_t attention = 0;
    std::int64_t mlp = 0;
    std::int64_t pruned = 0;
    std::int64_t merged = 0;
    std::int64_t predictorTokens = 0;
    std::int64_t keptBefore = 0;  // tokens kept by a prune before the block (DynamicViT, schedule)
};

// The per-block token schedule for `tokens` initial tokens (patches + protected tokens). Errors
// name the offending entry.
core::Result<std::vector<BlockTokens>> tokenSchedule(const VitConfig& config, std::int64_t tokens,
                                                     const TokenReduction& reduction);

struct VitOptions {
    std::int64_t imageHeight = 0;  // 0 = the config's image_size
    std::int64_t imageWidth = 0;
    TokenReduction reduction;
};

// One forward pass of settings.batch images (settings.phase must be prefill). Unfused attention
// has qk_matmul, softmax and pv_matmul layers; settings.flashAttention gives one fused
// `attention` layer with a non-causal AttentionShape.
core::Result<core::Workload> buildVit(const VitConfig& config, const core::RunSettings& settings,
                                      const VitOptions& options = {});

namespace detail {
// The Swin part of buildVit, called by it after the settings and image size were validated.
core::Result<core::Workload> buildSwin(const VitConfig& config, const core::RunSettings& settings,
                                       std::int64_t imageHeight, std::int64_t imageWidth);
// The Vision Mamba part of buildVit (vim_builder.cpp), on the schedule tokenSchedule gave.
core::Result<core::Workload> buildVim(const VitConfig& config, const core::RunSettings& settings,
                                      std::int64_t imageHeight, std::int64_t imageWidth,
                                      const std::vector<BlockTokens>& schedule,
                                      const TokenReduction& reduction);
}  // namespace detail

// How much of a token reduction's MAC cut turns into time on a device (core/derived.h).
using core::ReductionEffect;
using core::summarizeTokenReduction;
ReductionEffect measureTokenReduction(const core::Workload& reduced, const core::Workload& baseline,
                                      const core::Hardware& hw);

}  // namespace rooflens::models
