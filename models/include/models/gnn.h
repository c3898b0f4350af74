#pragma once
// GNN cost models (formulas.md section 2): GCN, GraphSAGE (mean, pool), GAT and GIN, full-graph
// or sampled mini-batch, each layer split into aggregation (spmm/gather on the vector unit, with
// a core::GatherShape so analyze() applies the on-chip reuse estimate) and combination (GEMM
// m = nodes, k = F_in, n = F_out). Where the model allows it the builder picks the cheaper order
// of aggregate and combine and says so in a workload warning. Optional BlockGNN block-circulant
// weights (formulas.md 2.5) replace the combination GEMMs by FFT layers. Hardware-free.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/workload.h"
#include "models/graph.h"

namespace rooflens::models {

enum class GnnModel : std::uint8_t { gcn, sage, gat, gin };
std::string_view nameOf(GnnModel model);  // "gcn", "graphsage", "gat", "gin"
// Accepts gcn, graphsage (or sage), gat, gin.
std::optional<GnnModel> parseGnnModel(std::string_view name);
std::vector<std::string> gnnModelNames();

enum class SageAggregator : std::uint8_t { mean, pool };
enum class GnnOrder : std::uint8_t { automatic, aggregateFirst, combineFirst };

struct GnnConfig {
    GnnModel model = GnnModel::gcn;
    std::int64_t layers = 2;
    std::int64_t hidden = 256;  // hidden width (GAT: all heads together, heads x F')
    std::int64_t heads = 8;     // GAT hidden layers; the output layer has one head
    SageAggregator aggregator = SageAggregator::mean;
    // Sampled mini-batch: neighbours sampled per node at hop 1, 2, ... (one per layer; the
    // GraphSAGE paper's S1 = 25, S2 = 10). Empty: full-graph inference.
    std::vector<std::int64_t> fanouts;
    std::int64_t sampleBatch = 1024;  // target nodes per mini-batch
    std::int64_t blockCirculant = 0;  // BlockGNN block size b (a power of two); 0 = dense
    GnnOrder order = GnnOrder::automatic;
    std::int64_t features = 0;                        // input features; 0 = the graph's
    std::int64_t classes = 0;                         // output classes; 0 = the graph's
    core::DataType floatType = core::DataType::fp32;  // features, weights (PyG/DGL default)
};

// Block-circulant W (m = out x n = in, blocks of b x b, dimensions padded up to multiples of b):
// storage m n / b weights; per input vector 2.5 (m + n) log2 b FFT OPs and 4 m n / b OPs of
// elementwise complex multiply-accumulate (formulas.md 2.5).
struct CirculantCost {
    double storedWeights = 0;
    double fftOpsPerVector = 0;
    double macOpsPerVector = 0;
};
CirculantCost blockCirculantCost(double in, double out, double block);

// One inference pass over the graph (settings.phase prefill, batch 1). Errors for settings or
// options the model cannot use, and when the graph has no feature or class count.
core::Result<core::Workload> buildGnn(const GnnConfig& config, const GraphStats& graph,
                                      const core::RunSettings& settings);

}  // namespace rooflens::models
