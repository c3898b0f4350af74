#pragma once
// WorkloadSpec: what to analyse, in one form for every front end (CLI flags, GUI panels, Python):
// the model family, a preset id or a file, and the family's options. The family is decided once,
// from the preset lists or the file's contents (familyOf), never by trying builders in turn.
// bindWorkload() reads and validates everything and returns the family's core::WorkloadBuilder,
// which the evaluation pipeline (core/evaluate.h) calls for every pass.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/evaluate.h"
#include "core/result.h"
#include "models/gnn.h"
#include "models/graph.h"
#include "models/vit.h"

namespace rooflens::models {

using core::ModelFamily;

struct WorkloadSpec {
    ModelFamily family = ModelFamily::llm;
    std::string model;  // preset id or path to a config (LLM, ViT); gcn|graphsage|gat|gin (GNN)
    // ViT: input resolution (0 = the config's) and a token reduction ("tome r=16"; see
    // parseTokenReduction) applied to every scenario that does not set its own.
    std::int64_t imageHeight = 0;
    std::int64_t imageWidth = 0;
    std::string tokenReduction;
    // GNN: a built-in graph id or an edge-list / Matrix Market file, and the layer options
    // (GnnConfig::model is set from `model`).
    std::string graph;
    GnnConfig gnn;
    // --dtype: the float type weights and activations are priced in (LLM, ViT, GNN); nullopt:
    // the model's (an LLM's torch_dtype, float32 served at fp16 as vLLM's dtype "auto"; ViT
    // fp16; GNN gnn.floatType). An all-fp32 scenario builds its passes at fp32 regardless.
    std::optional<core::DataType> floatType;
};

// The family of a --model argument: a preset id of some family, a GNN architecture name, or a
// file whose contents say (a ViT config by its model_type, else an LLM config.json). Unknown ids
// get an error listing every family's ids and the nearest ones ("did you mean deit-small?").
core::Result<ModelFamily> familyOf(const std::string& model);

// Every model id a family offers (presets; GNN architecture names).
std::vector<std::string> modelIds(ModelFamily family);

// Up to `count` ids from `candidates` closest to `id` (edit distance), best first.
std::vector<std::string> nearestIds(std::string_view id, const std::vector<std::string>& candidates,
                                    std::size_t count = 3);

// The token-reduction grammar shared by the CLI and the GUI:
//   "none" | "tome R[,R2,...]" (also "tome r=16") | "dynamicvit RHO [at L1,L2,...]"
//   | "schedule T1,T2,..." | "diffrate PRUNE[,...] MERGE[,...]"
//   | "rmeeto r=R [every=K] [prune]" (Vision Mamba: R-MeeTo merge, or plain pruning)
//   | "zerotprune keep=RHO [at L1,L2,...] [iters=K]" (ViT: Zero-TPrune)
core::Result<TokenReduction> parseTokenReduction(std::string_view text);
// The canonical text of a reduction in that grammar ("" for none).
std::string formatTokenReduction(const TokenReduction& reduction);

// Progress of a graph import (large edge lists take seconds), or the graph already imported.
struct BindOptions {
    core::ProgressCallback progress;
    const core::CancelToken* cancel = nullptr;
    std::shared_ptr<const GraphStats> graph;  // used instead of reading spec.graph when set
};

// Reads the config, graph and options of the spec and returns its builder (immutable, safe to
// share between threads). Errors name the file and field, or the option.
core::Result<std::shared_ptr<const core::WorkloadBuilder>> bindWorkload(
    const WorkloadSpec& spec, const BindOptions& options = {});

}  // namespace rooflens::models
