#pragma once
// Graph statistics for the GNN cost model: the built-in benchmark graphs (models/presets/graphs/,
// formulas.md 2.6) and a streaming importer for a user's edge list or Matrix Market file that
// computes the statistics without holding the edges (docs/gnn.md). Used by buildGnn() and the
// CLI's --graph option.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/progress.h"
#include "core/result.h"

namespace rooflens::models {

// Out-degree distribution over all nodes (isolated nodes count with degree 0). Percentiles are
// nearest-rank: p-th = the ceil(p/100 * V)-th smallest degree.
struct DegreeSummary {
    std::int64_t min = 0;
    std::int64_t max = 0;
    double mean = 0;
    std::int64_t p50 = 0;
    std::int64_t p99 = 0;
};

struct GraphStats {
    std::string id;      // built-in id or the file name
    std::string source;  // citation (built-in) or the path (imported)
    std::string note;
    std::int64_t nodes = 0;        // V
    std::int64_t storedEdges = 0;  // E = nnz(A): an undirected edge counts twice
    std::int64_t features = 0;     // F of the input features; 0 = unknown (imported graphs)
    std::int64_t classes = 0;      // output classes; 0 = unknown
    std::int64_t selfLoops = 0;
    bool symmetric = false;                  // A = A^T (as a multiset of entries)
    bool weighted = false;                   // edge values given in the file
    std::optional<DegreeSummary> outDegree;  // imported graphs; built-ins publish only the mean
    std::int64_t isolatedNodes = 0;          // imported graphs: ids with no edge at all
    double meanDegree() const {
        return nodes > 0 ? static_cast<double>(storedEdges) / static_cast<double>(nodes) : 0;
    }
};

std::filesystem::path graphPresetDir();        // core::builtinDataDir() / "models/presets/graphs"
std::vector<std::string> listBuiltinGraphs();  // ids, sorted
core::Result<GraphStats> loadGraphStatsFile(const std::filesystem::path& path);  // JSON

enum class GraphFormat : std::uint8_t { automatic, edgeList, matrixMarket };

struct GraphImportOptions {
    GraphFormat format = GraphFormat::automatic;  // automatic: .mtx is Matrix Market
    core::ProgressCallback progress;              // optional; called about every 16 MiB
    const core::CancelToken* cancel = nullptr;    // optional; polled with the progress
    // Largest accepted node id + 1 (edge lists) or matrix dimension (.mtx): the importer keeps
    // two 4-byte degree counters per node id, so this bounds its memory (2^28 ids = 2 GiB).
    std::int64_t maxNodes = std::int64_t{1} << 28;
};

// Streams an edge list ("src dst [weight]" per line, 0-based non-negative ids, '#' or '%'
// comments, blank lines) or a Matrix Market coordinate file (pattern/real/integer,
// general/symmetric; 1-based). Errors name the file and line: "edges.txt:17: expected two
// non-negative integer node ids, got 'a b'". Memory is O(max node id), never O(edges).
core::Result<GraphStats> importGraph(const std::filesystem::path& path,
                                     const GraphImportOptions& options = {});

// A built-in id, a statistics .json, or an edge list / .mtx path (anything with '/' or a '.').
core::Result<GraphStats> resolveGraph(const std::string& idOrPath,
                                      const GraphImportOptions& options = {});

}  // namespace rooflens::models
