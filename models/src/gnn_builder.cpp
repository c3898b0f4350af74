// GNN workload builder: per layer an aggregation (formulas.md 2.2, 2.4) and a combination
// (2.3), in the cheaper order where the model allows it; sampled mini-batches (2.4, GraphSAGE);
// BlockGNN block-circulant weights (2.5). Decisions: docs/gnn.md.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "models/gnn.h"
#include "models/layer_sink.h"

namespace rooflens::models {

namespace {

using core::ByteBreakdown;
using core::ExecUnit;
using core::LayerKind;

constexpr double kFftOpsPerPoint = 2.5;  // real-input FFT: half of 5 N log2 N (formulas.md 2.5)
constexpr double kBatchNormOps = 4;      // (x - mean) * rsqrt(var) * gamma + beta
constexpr double kEluOps = 3;            // exp, subtract, select
constexpr std::int64_t kMaxWidth = std::int64_t{1} << 20;

// The node and edge counts one GNN layer works on.
struct Level {
    double dst = 0;    // nodes whose output the layer computes
    double src = 0;    // nodes whose input rows it reads (the gathered table)
    double edges = 0;  // stored adjacency entries aggregated (incl. added self-loops)
};

class GnnBuilder {
public:
    GnnBuilder(const GnnConfig& c, const GraphStats& g)
        : m_c(c), m_g(g), m_sink(nativePrecision(c.floatType)) {
        m_b = m_sink.precision().bytes;
    }

    core::Result<core::Workload> build() {
        const double features = static_cast<double>(m_c.features > 0 ? m_c.features : m_g.features);
        const double classes = static_cast<double>(m_c.classes > 0 ? m_c.classes : m_g.classes);
        const std::vector<Level> levels = plan();
        const double nnzMax = m_g.storedEdges + m_g.nodes;
        m_bi = std::max<double>(m_g.nodes, nnzMax) < 2147483648.0 ? 4 : 8;
        if (!m_c.fanouts.empty()) {
            m_sink.setBlock(-1);
            addFeatureLoad(levels.front().src, features);
        }
        double fin = features;
        for (std::size_t l = 0; l < levels.size(); ++l) {
            const bool last = l + 1 == levels.size();
            const double fout = last ? classes : static_cast<double>(m_c.hidden);
            m_sink.setBlock(static_cast<std::int32_t>(l));
            addLayer(levels[l], fin, fout, last, static_cast<int>(l));
            fin = fout;
        }
        core::Workload w;
        w.model.id = std::string(nameOf(m_c.model)) + "-" + m_g.id;
        w.model.family = core::ModelFamily::gnn;
        w.model.blocks = static_cast<std::int32_t>(levels.size());
        w.gatherShapes = std::move(m_gathers);
        finishWorkload(m_sink, w);
        w.memory.activations = peakLiveBytes(w);
        if (!m_order.empty()) {
            w.notes.push_back(std::string(nameOf(m_c.model)) + " on " + m_g.id + ": " + m_order);
        }
        for (auto& note : m_notes) {
            w.notes.push_back(std::move(note));
        }
        return w;
    }

private:
    // Full graph: every layer over all V nodes and E (+ self-loops) entries. Sampled: hop k
    // holds n_k = B_t S_1 ... S_k nodes (no deduplication, formulas.md 2.4); layer l computes
    // hops 0..L-1-l from hops 0..L-l.
    std::vector<Level> plan() {
        const auto layers = static_cast<std::size_t>(m_c.layers);
        const bool loops = m_c.model == GnnModel::gcn || m_c.model == GnnModel::gat;
        std::vector<Level> levels(layers);
        const double v = static_cast<double>(m_g.nodes);
        if (m_c.fanouts.empty()) {
            const double e = static_cast<double>(m_g.storedEdges);
            for (auto& level : levels) {
                level.dst = level.src = v;
                // GCN/GAT add a self-loop to every node that lacks one (add_remaining_self_loops).
                level.edges = e + (loops ? v - static_cast<double>(m_g.selfLoops) : 0);
            }
            return levels;
        }
        std::vector<double> hop{static_cast<double>(m_c.sampleBatch)};
        const double mean = m_g.meanDegree();
        for (std::size_t k = 0; k < layers; ++k) {
            const double fanout = static_cast<double>(m_c.fanouts[k]);
            if (fanout > mean) {
                char text[200];
                std::snprintf(text, sizeof text,
                              "fan-out %.0f at hop %zu exceeds the mean degree %.1f of %s: "
                              "sampled neighbours capped at the mean degree",
                              fanout, k + 1, mean, m_g.id.c_str());
                m_notes.push_back(text);
            }
            hop.push_back(hop.back() * std::min(fanout, mean));
        }
        for (std::size_t l = 0; l < layers; ++l) {
            Level& level = levels[l];
            for (std::size_t k = 0; k + l < layers; ++k) {
                level.dst += hop[k];
                level.edges += hop[k + 1];
            }
            level.src = level.dst + hop[layers - l];
            level.edges += loops ? level.dst : 0;
        }
        if (levels.front().src > v) {
            m_notes.push_back("the sampled mini-batch lists " +
                              std::to_string(static_cast<long long>(levels.front().src)) +
                              " input nodes, more than the graph's " + std::to_string(m_g.nodes) +
                              ": duplicates are not removed, so this is an upper bound");
        }
        return levels;
    }

    // Gathers the input features of the sampled nodes from the full feature table.
    void addFeatureLoad(double rows, double features) {
        const double rowBytes = features * m_b;
        ByteBreakdown bytes;
        bytes.activationsOut = rows * rowBytes;
        bytes.metadata = rows * m_bi;  // node ids
        core::Layer& layer =
            m_sink.add("load_features", LayerKind::gather, ExecUnit::vector, 0, bytes);
        setGather(layer, static_cast<double>(m_g.nodes), rows, rowBytes);
    }

    void setGather(core::Layer& layer, double tableRows, double gathers, double rowBytes) {
        core::GatherShape shape;
        shape.tableRows = tableRows;
        shape.gathers = gathers;
        shape.rowBytes = rowBytes;
        layer.gatherShape = static_cast<std::int32_t>(m_gathers.size());
        // Hardware-free value (no on-chip reuse); analyze() replaces it per device.
        layer.bytes.activationsIn = core::gatheredBytes(shape, 0);
        m_gathers.push_back(shape);
    }

    // Aggregation over `level`: `width` features per row, `gathers` row reads, `ops` OPs.
    // CSR metadata: row pointers, column indices and `valueBytes` per entry.
    core::Layer& addAggregate(std::string_view op, LayerKind kind, const Level& level, double width,
                              double gathers, double ops, double valueBytes) {
        ByteBreakdown bytes;
        bytes.activationsOut = level.dst * width * m_b;
        bytes.metadata = (level.dst + 1) * m_bi + level.edges * (m_bi + valueBytes);
        core::Layer& layer = m_sink.add(op, kind, ExecUnit::vector, ops, bytes);
        setGather(layer, level.src, gathers, width * m_b);
        return layer;
    }

    // A combination y = x W (+ b); block-circulant weights replace the GEMM by FFT layers.
    void addLinear(std::string_view op, double rows, double in, double out, bool bias) {
        if (m_c.blockCirculant <= 0) {
            m_sink.gemm(op, rows, in, out, bias);
            return;
        }
        const double b = static_cast<double>(m_c.blockCirculant);
        const double p = std::ceil(out / b);
        const double q = std::ceil(in / b);
        const double spectrum = b + 2;  // b/2 + 1 complex bins of a real FFT, in reals
        const CirculantCost cost = blockCirculantCost(in, out, b);
        const std::string name(op);
        ByteBreakdown fft;
        fft.activationsIn = rows * in * m_b;
        fft.activationsOut = rows * q * spectrum * m_b;
        m_sink.add(core::internName(name + ".fft"), LayerKind::fft, ExecUnit::vector,
                   rows * kFftOpsPerPoint * q * b * std::log2(b), fft);
        ByteBreakdown mac;
        mac.weights = (cost.storedWeights + (bias ? out : 0)) * m_b;
        mac.activationsIn = fft.activationsOut;
        mac.activationsOut = rows * p * spectrum * m_b;
        m_sink.add(core::internName(name + ".circulant"), LayerKind::elementwise, ExecUnit::vector,
                   rows * cost.macOpsPerVector, mac);
        ByteBreakdown ifft;
        ifft.activationsIn = mac.activationsOut;
        ifft.activationsOut = rows * out * m_b;
        m_sink.add(core::internName(name + ".ifft"), LayerKind::fft, ExecUnit::vector,
                   rows * kFftOpsPerPoint * p * b * std::log2(b) + (bias ? rows * out : 0), ifft);
    }

    // Bias (if not in the GEMM), activation or, after the last layer, log-softmax.
    void addOutput(double rows, double width, bool last, double activationOps, bool bias) {
        const double ops = (bias ? 1 : 0) + (last ? kSoftmaxOpsPerElement : activationOps);
        core::Layer& layer =
            m_sink.elementwise(last ? "log_softmax" : "activation", rows * width, ops, 1);
        layer.bytes.weights = bias ? width * m_b : 0;
    }

    // Chooses the order for a layer whose first linear map commutes with the aggregation.
    bool combineFirst(double aggregateFirstOps, double combineFirstOps) const {
        if (m_c.order != GnnOrder::automatic) {
            return m_c.order == GnnOrder::combineFirst;
        }
        return combineFirstOps < aggregateFirstOps;
    }

    // "layer 0 (1433 -> 16): combine before aggregate, aggregating 16 features"
    void noteOrder(int layer, double fin, double fout, bool first) {
        char text[200];
        std::snprintf(text, sizeof text,
                      "%slayer %d (%.0f -> %.0f): %s, aggregating %.0f features%s",
                      m_order.empty() ? "" : "; ", layer, fin, fout,
                      first ? "combine before aggregate" : "aggregate before combine",
                      first ? fout : fin, m_c.order == GnnOrder::automatic ? "" : " (as asked)");
        m_order += text;
    }

    void noteFixed(const char* text) {
        if (m_order.find(text) == std::string::npos) {
            m_order += m_order.empty() ? "" : "; ";
            m_order += text;
        }
    }

    void addLayer(const Level& lv, double fin, double fout, bool last, int index) {
        switch (m_c.model) {
            case GnnModel::gcn: {
                // OPs = 2 V F_in F_out + 2 nnz min(F_in, F_out) with the cheaper order.
                const bool first = combineFirst(2 * lv.edges * fin + 2 * lv.dst * fin * fout,
                                                2 * lv.src * fin * fout + 2 * lv.edges * fout);
                const double width = first ? fout : fin;
                noteOrder(index, fin, fout, first);
                if (first) {
                    addLinear("combine", lv.src, fin, fout, false);
                }
                // Weighted sum with the normalisation precomputed into the edge values.
                addAggregate("aggregate", LayerKind::spmm, lv, width, lv.edges,
                             2 * lv.edges * width, m_b);
                if (!first) {
                    addLinear("combine", lv.dst, fin, fout, false);
                }
                addOutput(lv.dst, fout, last, kReluOpsPerElement, true);
                return;
            }
            case GnnModel::sage:
                addSage(lv, fin, fout, last, index);
                return;
            case GnnModel::gat:
                addGat(lv, fin, fout, last);
                return;
            case GnnModel::gin:
                addGin(lv, fin, fout, last, index);
                return;
        }
    }

    void addSage(const Level& lv, double fin, double fout, bool last, int index) {
        if (m_c.aggregator == SageAggregator::pool) {
            // max(ReLU(W_pool h_u + b)) with F_pool = F_in (DGL's fc_pool), then W [h_v || pool].
            addLinear("pool_mlp", lv.src, fin, fin, true);
            m_sink.elementwise("pool_activation", lv.src * fin, kReluOpsPerElement, 1);
            addAggregate("aggregate", LayerKind::gather, lv, fin, lv.edges, lv.edges * fin, 0);
            addLinear("combine", lv.dst, 2 * fin, fout, true);
            addOutput(lv.dst, fout, last, kReluOpsPerElement, false);
            noteFixed(
                "pool aggregator: aggregate before combine in every layer (max is not linear)");
            return;
        }
        // Mean: E F adds + V F divides. Aggregate first: W [h_v || mean h_u]. Combine first
        // (DGL's lin_before_mp): mean(W_n h_u) + W_s h_v.
        const bool first = combineFirst(
            lv.edges * fin + lv.dst * fin + 2 * lv.dst * 2 * fin * fout,
            2 * lv.src * fin * fout + lv.edges * fout + lv.dst * fout + 2 * lv.dst * fin * fout);
        noteOrder(index, fin, fout, first);
        const double width = first ? fout : fin;
        if (first) {
            addLinear("combine", lv.src, fin, fout, false);
        }
        addAggregate("aggregate", LayerKind::gather, lv, width, lv.edges,
                     lv.edges * width + lv.dst * width, 0);
        if (first) {
            addLinear("combine_self", lv.dst, fin, fout, true);
            m_sink.elementwise("self_add", lv.dst * fout, 1, 2);
        } else {
            addLinear("combine", lv.dst, 2 * fin, fout, true);
        }
        addOutput(lv.dst, fout, last, kReluOpsPerElement, false);
    }

    // GAT: linear, attention logits e_ij = LeakyReLU(a_l' W h_i + a_r' W h_j), edge softmax,
    // weighted aggregation (formulas.md 2.4). Hidden layers K heads of hidden/K; output 1 head.
    void addGat(const Level& lv, double fin, double fout, bool last) {
        const double heads = last ? 1 : static_cast<double>(m_c.heads);
        const double width = fout;  // heads x F'
        addLinear("linear", lv.src, fin, width, false);
        ByteBreakdown node;
        node.weights = 2 * width * m_b;  // a_l and a_r
        node.activationsIn = lv.src * width * m_b;
        node.activationsOut = 2 * lv.src * heads * m_b;
        m_sink.add("attn_node", LayerKind::elementwise, ExecUnit::vector,
                   2 * (lv.src + lv.dst) * width, node);
        // er_j gathered per edge, el_i read once per destination row.
        core::Layer& logits = addAggregate("edge_logits", LayerKind::gather, lv, heads,
                                           lv.edges + lv.dst, 2 * lv.edges * heads, 0);
        logits.bytes.activationsOut = lv.edges * heads * m_b;
        ByteBreakdown softmax;
        softmax.activationsIn = lv.edges * heads * m_b;
        softmax.activationsOut = lv.edges * heads * m_b;
        softmax.metadata = (lv.dst + 1) * m_bi;
        m_sink.add("edge_softmax", LayerKind::softmax, ExecUnit::vector, 4 * lv.edges * heads,
                   softmax);
        // Attention coefficients alpha are read with the CSR (counted as edge values).
        addAggregate("aggregate", LayerKind::spmm, lv, width, lv.edges, 2 * lv.edges * width,
                     heads * m_b);
        addOutput(lv.dst, width, last, kEluOps, true);
        noteFixed("combine before aggregate in every layer (the attention needs W h)");
    }

    // GIN: h' = MLP((1 + eps) h_v + sum h_u), MLP = Linear, BN, ReLU, Linear. The first Linear
    // commutes with the sum, so it may run before the aggregation.
    void addGin(const Level& lv, double fin, double fout, bool last, int index) {
        const double hidden = static_cast<double>(m_c.hidden);
        const bool first =
            combineFirst(lv.edges * fin + 2 * lv.dst * fin + 2 * lv.dst * fin * hidden,
                         2 * lv.src * fin * hidden + lv.edges * hidden + 2 * lv.dst * hidden);
        noteOrder(index, fin, hidden, first);
        const double width = first ? hidden : fin;
        if (first) {
            addLinear("mlp1", lv.src, fin, hidden, false);
        }
        // Self rows are read alongside the neighbours: E + V gathers, E F + 2 V F OPs.
        addAggregate("aggregate", LayerKind::gather, lv, width, lv.edges + lv.dst,
                     lv.edges * width + 2 * lv.dst * width, 0);
        if (!first) {
            addLinear("mlp1", lv.dst, fin, hidden, true);
        }
        // Inference BatchNorm folded into a scale and shift (gamma, beta), plus the first
        // Linear's bias when that ran before the aggregation.
        core::Layer& bn =
            m_sink.elementwise("mlp_bn_relu", lv.dst * hidden,
                               kBatchNormOps + kReluOpsPerElement + (first ? 1 : 0), 1);
        bn.bytes.weights = (2 + (first ? 1 : 0)) * hidden * m_b;
        addLinear("mlp2", lv.dst, hidden, fout, true);
        addOutput(lv.dst, fout, last, kReluOpsPerElement, false);
    }

    // Largest live set of one layer: its input table (not the gathered bytes), output and CSR.
    double peakLiveBytes(const core::Workload& w) const {
        double peak = 0;
        for (const auto& layer : w.layers) {
            double in = layer.bytes.activationsIn;
            if (layer.gatherShape >= 0) {
                const auto& s = w.gatherShapes[static_cast<std::size_t>(layer.gatherShape)];
                in = s.tableRows * s.rowBytes;
            }
            peak = std::max(peak, in + layer.bytes.activationsOut + layer.bytes.metadata);
        }
        return peak;
    }

    const GnnConfig& m_c;
    const GraphStats& m_g;
    LayerSink m_sink;
    std::vector<core::GatherShape> m_gathers;
    std::string m_order;
    std::vector<std::string> m_notes;
    double m_b = 4;
    double m_bi = 4;
};

core::Status checkConfig(const GnnConfig& c, const GraphStats& g, const core::RunSettings& s) {
    if (s.phase != core::Phase::prefill) {
        return core::usageError("a GNN runs one inference pass; use phase prefill, not " +
                               std::string(core::nameOf(s.phase)));
    }
    if (s.batch != 1) {
        return core::usageError(
            "a GNN pass covers the whole graph or one sampled mini-batch: "
            "batch must be 1 (use --sample-batch for mini-batch targets), "
            "got " +
            std::to_string(s.batch));
    }
    if (c.layers < 1 || c.layers > 64) {
        return core::usageError("layers must be in [1, 64], got " + std::to_string(c.layers));
    }
    if (c.hidden < 1 || c.hidden > kMaxWidth) {
        return core::usageError("hidden must be in [1, 2^20], got " + std::to_string(c.hidden));
    }
    if (c.model == GnnModel::gat && (c.heads < 1 || c.hidden % c.heads != 0)) {
        return core::usageError("GAT: hidden " + std::to_string(c.hidden) +
                               " must be a multiple of the head count " + std::to_string(c.heads));
    }
    if (!c.fanouts.empty()) {
        if (c.fanouts.size() != static_cast<std::size_t>(c.layers)) {
            return core::usageError("fan-out: expected one value per layer (" +
                                   std::to_string(c.layers) + "), got " +
                                   std::to_string(c.fanouts.size()));
        }
        for (auto f : c.fanouts) {
            if (f < 1 || f > kMaxWidth) {
                return core::usageError("fan-out values must be in [1, 2^20], got " +
                                       std::to_string(f));
            }
        }
        if (c.sampleBatch < 1 || c.sampleBatch > g.nodes) {
            return core::usageError("sample batch must be in [1, " + std::to_string(g.nodes) +
                                   "] (the graph's nodes), got " + std::to_string(c.sampleBatch));
        }
    }
    const std::int64_t b = c.blockCirculant;
    if (b < 0 || b == 1 || b > 65536 || (b & (b - 1)) != 0) {
        return core::usageError(
            "block-circulant block size must be a power of two in [2, 65536] "
            "(or 0 for dense weights), got " +
            std::to_string(b));
    }
    const std::int64_t features = c.features > 0 ? c.features : g.features;
    const std::int64_t classes = c.classes > 0 ? c.classes : g.classes;
    if (features < 1 || classes < 1 || features > kMaxWidth || classes > kMaxWidth) {
        return core::usageError("graph " + g.id +
                               " has no feature or class count: give the input features and "
                               "output classes (--features, --classes)");
    }
    if (g.nodes < 1) {
        return core::usageError("graph " + g.id + " has no nodes");
    }
    return core::Ok{};
}

}  // namespace

std::string_view nameOf(GnnModel model) {
    switch (model) {
        case GnnModel::gcn:
            return "gcn";
        case GnnModel::sage:
            return "graphsage";
        case GnnModel::gat:
            return "gat";
        case GnnModel::gin:
            return "gin";
    }
    return "?";
}

std::optional<GnnModel> parseGnnModel(std::string_view name) {
    if (name == "sage") {
        return GnnModel::sage;
    }
    for (GnnModel m : {GnnModel::gcn, GnnModel::sage, GnnModel::gat, GnnModel::gin}) {
        if (nameOf(m) == name) {
            return m;
        }
    }
    return std::nullopt;
}

std::vector<std::string> gnnModelNames() {
    return {"gcn", "graphsage", "gat", "gin"};
}

CirculantCost blockCirculantCost(double in, double out, double block) {
    const double p = std::ceil(out / block);
    const double q = std::ceil(in / block);
    CirculantCost cost;
    cost.storedWeights = p * q * block;  // one length-b vector per b x b block
    cost.fftOpsPerVector = kFftOpsPerPoint * (p + q) * block * std::log2(block);
    cost.macOpsPerVector = 4 * p * q * block;
    return cost;
}

core::Result<core::Workload> buildGnn(const GnnConfig& config, const GraphStats& graph,
                                      const core::RunSettings& settings) {
    if (auto ok = checkConfig(config, graph, settings); !ok) {
        return ok.error();
    }
    auto workload = GnnBuilder(config, graph).build();
    if (workload) {
        workload.value().settings = settings;
        workload.value().settings.promptLength =
            config.fanouts.empty() ? graph.nodes : config.sampleBatch;
        workload.value().settings.contextLength = 0;
        workload.value().settings.generateLength = 0;
    }
    return workload;
}

}  // namespace rooflens::models
