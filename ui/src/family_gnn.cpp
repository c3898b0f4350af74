// The GNN family (GCN, GraphSAGE, GAT, GIN) on a built-in graph or an imported edge list /
// Matrix Market file, with the layer parameters as spin boxes.
#include <map>
#include <mutex>

#include "models/gnn.h"
#include "models/graph.h"
#include "models/workload_spec.h"
#include "ui/workload_family.h"

namespace rooflens::ui {

namespace {

// Statistics of imported graphs by path: importing streams the whole file once (on a worker
// thread), prepare() then reuses the numbers.
class GraphCache {
public:
    void put(const std::string& path, models::GraphStats stats) {
        std::lock_guard lock(m_mutex);
        m_graphs[path] = std::make_shared<const models::GraphStats>(std::move(stats));
    }
    std::shared_ptr<const models::GraphStats> get(const std::string& path) const {
        std::lock_guard lock(m_mutex);
        auto it = m_graphs.find(path);
        return it == m_graphs.end() ? nullptr : it->second;
    }

private:
    mutable std::mutex m_mutex;
    std::map<std::string, std::shared_ptr<const models::GraphStats>> m_graphs;
};

GraphCache& graphCache() {
    static GraphCache cache;
    return cache;
}

std::int64_t param(const WorkloadChoice& c, const std::string& key, std::int64_t fallback) {
    auto it = c.parameters.find(key);
    return it == c.parameters.end() ? fallback : it->second;
}

class GnnFamily final : public WorkloadFamily {
public:
    std::string id() const override { return "gnn"; }
    QString displayName() const override { return QObject::tr("GNN"); }
    std::vector<std::string> presets() const override { return models::gnnModelNames(); }
    std::string defaultPreset() const override { return "gcn"; }
    bool usesBatch() const override { return false; }
    bool usesLengths() const override { return false; }
    bool usesGraph() const override { return true; }
    std::vector<std::string> graphs() const override { return models::listBuiltinGraphs(); }
    QString graphFileFilter() const override {
        return QObject::tr("Graphs (*.mtx *.txt *.edges *.el *.tsv *.csv *.json);;All files (*)");
    }
    std::vector<FamilyParameter> parameters() const override {
        const models::GnnConfig d;
        return {
            {"layers", QObject::tr("Layers"), 1, 64, d.layers, QObject::tr("GNN layers"), {}},
            {"hidden",
             QObject::tr("Hidden width"),
             1,
             1 << 20,
             d.hidden,
             QObject::tr("Hidden features (GAT: all heads together)"),
             {}},
            {"heads",
             QObject::tr("GAT heads"),
             1,
             256,
             d.heads,
             QObject::tr("Attention heads of GAT's hidden layers"),
             {}},
            {"features", QObject::tr("Input features"), 0, 1 << 24, 0,
             QObject::tr("Input feature width; needed for imported graphs"),
             QObject::tr("from the graph")},
            {"classes", QObject::tr("Classes"), 0, 1 << 20, 0,
             QObject::tr("Output classes; needed for imported graphs"),
             QObject::tr("from the graph")},
            {"block_circulant", QObject::tr("Block-circulant b"), 0, 1 << 12, 0,
             QObject::tr("BlockGNN block size (a power of two); 0 = dense weights"),
             QObject::tr("dense")},
        };
    }
    core::Status importGraph(const std::string& path, const core::ProgressCallback& progress,
                             const core::CancelToken& cancel) const override {
        models::GraphImportOptions options;
        options.progress = progress;
        options.cancel = &cancel;
        auto stats = models::resolveGraph(path, options);
        if (!stats) {
            return stats.error();
        }
        graphCache().put(path, std::move(stats).value());
        return core::Ok{};
    }
    core::Result<PreparedWorkload> prepare(const WorkloadChoice& choice) const override {
        if (!models::parseGnnModel(choice.model)) {
            return core::makeError("unknown GNN model \"" + choice.model +
                                   "\" (expected gcn, graphsage, gat or gin)");
        }
        if (choice.graph.empty()) {
            return core::usageError("choose a graph for the GNN");
        }
        models::WorkloadSpec spec;
        spec.family = core::ModelFamily::gnn;
        spec.model = choice.model;
        spec.graph = choice.graph;
        spec.gnn.layers = param(choice, "layers", spec.gnn.layers);
        spec.gnn.hidden = param(choice, "hidden", spec.gnn.hidden);
        spec.gnn.heads = param(choice, "heads", spec.gnn.heads);
        spec.gnn.features = param(choice, "features", 0);
        spec.gnn.classes = param(choice, "classes", 0);
        spec.gnn.blockCirculant = param(choice, "block_circulant", 0);
        models::BindOptions options;
        options.graph = graphCache().get(choice.graph);  // imported on a worker thread
        ROOFLENS_TRY(auto builder, models::bindWorkload(spec, options));
        // Validate now, so a bad combination shows in the panel instead of in every series.
        core::RunSettings probe;
        probe.phase = core::Phase::prefill;
        ROOFLENS_CHECK(builder->build(probe, {}));
        return PreparedWorkload{"gnn", builder->id(), false, std::move(builder)};
    }
};

}  // namespace

namespace detail {
std::unique_ptr<WorkloadFamily> makeGnnFamily() {
    return std::make_unique<GnnFamily>();
}
}  // namespace detail

}  // namespace rooflens::ui
