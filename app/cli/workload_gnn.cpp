// GNN workloads for analyze, compare and sweep: --model gcn|graphsage|gat|gin on a built-in
// graph or an imported edge list / .mtx file (--graph), with the layer options. Imports that take
// longer than half a second draw a progress bar on stderr (when it is a terminal).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cli_common.h"
#include "models/gnn.h"
#include "models/graph.h"
#include "progress_bar.h"
#include "workload_sources.h"

namespace rooflens::cli {

namespace {

std::vector<std::int64_t> parseFanouts(const std::string& text) {
    std::vector<std::int64_t> values;
    std::string item;
    for (char c : text + ",") {
        if (c != ',') {
            item += c;
            continue;
        }
        std::size_t used = 0;
        long long value = 0;
        try {
            value = std::stoll(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (item.empty() || used != item.size() || value < 1) {
            throw CliError{kUsage,
                           "--fanout: expected positive integers like 25,10, got '" + text + "'"};
        }
        values.push_back(value);
        item.clear();
    }
    return values;
}

template <typename T>
T get(const po::variables_map& vm, const char* name, T fallback) {
    return vm.count(name) != 0U ? vm[name].as<T>() : fallback;
}

models::GraphStats loadGraph(const std::string& idOrPath) {
    if (idOrPath.empty()) {
        std::string ids;
        for (const auto& id : models::listBuiltinGraphs()) {
            ids += (ids.empty() ? "" : ", ") + id;
        }
        throw CliError{kUsage, "--graph is required for GNN models (built-in: " + ids +
                                   "; or an edge list / .mtx file)"};
    }
    ProgressBar bar;
    const auto start = std::chrono::steady_clock::now();
    models::GraphImportOptions options;
    options.progress = [&](double fraction, std::string_view label, double left) {
        if (std::chrono::steady_clock::now() - start > std::chrono::milliseconds(500)) {
            bar.update(fraction, label, left);
        }
    };
    auto graph = models::resolveGraph(idOrPath, options);
    bar.finish();
    if (!graph) {
        throw CliError{kBadInput, graph.error().message};
    }
    return std::move(graph).value();
}

models::GnnConfig parseConfig(models::GnnModel model, const po::variables_map& vm) {
    models::GnnConfig c;
    c.model = model;
    c.layers = get<std::int64_t>(vm, "layers", c.layers);
    c.hidden = get<std::int64_t>(vm, "hidden", c.hidden);
    c.heads = get<std::int64_t>(vm, "heads", c.heads);
    c.sampleBatch = get<std::int64_t>(vm, "sample-batch", c.sampleBatch);
    c.blockCirculant = get<std::int64_t>(vm, "block-circulant", c.blockCirculant);
    c.features = get<std::int64_t>(vm, "features", c.features);
    c.classes = get<std::int64_t>(vm, "classes", c.classes);
    if (const auto fanout = get<std::string>(vm, "fanout", ""); !fanout.empty()) {
        c.fanouts = parseFanouts(fanout);
    }
    const auto aggregator = get<std::string>(vm, "aggregator", "mean");
    if (aggregator != "mean" && aggregator != "pool") {
        throw CliError{kUsage, "--aggregator: expected mean|pool, got '" + aggregator + "'"};
    }
    if (aggregator == "pool" && model != models::GnnModel::sage) {
        throw CliError{kUsage, "--aggregator applies to graphsage only"};
    }
    c.aggregator =
        aggregator == "pool" ? models::SageAggregator::pool : models::SageAggregator::mean;
    const auto order = get<std::string>(vm, "gnn-order", "auto");
    if (order == "auto") {
        c.order = models::GnnOrder::automatic;
    } else if (order == "aggregate-first") {
        c.order = models::GnnOrder::aggregateFirst;
    } else if (order == "combine-first") {
        c.order = models::GnnOrder::combineFirst;
    } else {
        throw CliError{kUsage, "--gnn-order: expected auto|aggregate-first|combine-first, got '" +
                                   order + "'"};
    }
    const auto dtype = get<std::string>(vm, "gnn-dtype", "fp32");
    const auto type = core::parseDataType(dtype);
    if (!type || (*type != core::DataType::fp32 && *type != core::DataType::fp16 &&
                  *type != core::DataType::bf16)) {
        throw CliError{kUsage, "--gnn-dtype: expected fp32|fp16|bf16, got '" + dtype + "'"};
    }
    c.floatType = *type;
    return c;
}

}  // namespace

void addGnnOptions(po::options_description& options) {
    po::options_description gnn("graph neural network options (gcn, graphsage, gat, gin)");
    // clang-format off
    gnn.add_options()
        ("graph", po::value<std::string>()->default_value(""),
         "built-in graph (cora, citeseer, pubmed, ogbn-arxiv, ogbn-products, reddit) or an edge "
         "list / .mtx file")
        ("hidden", po::value<std::int64_t>()->default_value(256),
         "hidden width (GAT: all heads together)")
        ("layers", po::value<std::int64_t>()->default_value(2), "GNN layers")
        ("heads", po::value<std::int64_t>()->default_value(8), "GAT heads in hidden layers")
        ("fanout", po::value<std::string>()->default_value(""),
         "sampled mini-batch: neighbours per hop, one per layer (e.g. 25,10)")
        ("sample-batch", po::value<std::int64_t>()->default_value(1024),
         "sampled mini-batch: target nodes")
        ("aggregator", po::value<std::string>()->default_value("mean"), "graphsage: mean|pool")
        ("block-circulant", po::value<std::int64_t>()->default_value(0),
         "BlockGNN block-circulant weights with block size B (a power of two)")
        ("gnn-order", po::value<std::string>()->default_value("auto"),
         "auto|aggregate-first|combine-first")
        ("features", po::value<std::int64_t>()->default_value(0),
         "input features (default: the graph's; needed for imported graphs)")
        ("classes", po::value<std::int64_t>()->default_value(0),
         "output classes (default: the graph's; needed for imported graphs)")
        ("gnn-dtype", po::value<std::string>()->default_value("fp32"),
         "native float type of features and weights: fp32|fp16|bf16");
    // clang-format on
    options.add(gnn);
}

std::optional<WorkloadSource> gnnSource(const std::string& model, const po::variables_map& vm) {
    const auto kind = models::parseGnnModel(model);
    if (!kind) {
        return std::nullopt;
    }
    const models::GnnConfig config = parseConfig(*kind, vm);
    auto graph =
        std::make_shared<const models::GraphStats>(loadGraph(get<std::string>(vm, "graph", "")));
    auto shared = std::make_shared<const models::GnnConfig>(config);
    WorkloadSource source;
    source.family = "gnn";
    source.id = std::string(models::nameOf(*kind)) + "-" + graph->id;
    // One inference pass: without an explicit --phase (compare builds every phase, sweep
    // defaults to decode) every pass asked for is that pass.
    const bool defaultPhase = vm.count("phase") == 0U || vm["phase"].defaulted();
    source.build = [shared, graph, defaultPhase](const core::RunSettings& settings) {
        core::RunSettings s = settings;
        if (defaultPhase) {
            s.phase = core::Phase::prefill;
        }
        return models::buildGnn(*shared, *graph, s);
    };
    return source;
}

}  // namespace rooflens::cli
