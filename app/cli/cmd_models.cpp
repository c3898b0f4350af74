// rooflens models: list the built-in presets, show one model's facts and layers.
#include <cstdio>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "core/units.h"
#include "models/gnn.h"
#include "models/graph.h"
#include "models/presets.h"
#include "models/vit.h"

namespace rooflens::cli {

namespace {

const char* kModelsUsage =
    "usage: rooflens models list [--format table|json]\n"
    "       rooflens models show ID|config.json [--format table|json]";

std::string grouped(std::uint64_t n) {
    std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += ',';
        }
        out += digits[i];
    }
    return out;
}

// ViT presets (exact parameter counts) and the GNN model names, whose parameters depend on the
// graph and the layer options.
void listVisionAndGraphModels(core::Json& json, std::ostringstream& out) {
    char line[256];
    for (const auto& id : models::listVitPresets()) {
        auto config = models::resolveVit(id);
        if (!config) {
            std::cerr << "warning: skipped " << config.error().message << '\n';
            continue;
        }
        const auto counts = models::countVitParameters(config.value());
        json.push_back({{"id", id},
                        {"model_type", config->modelType},
                        {"family", "vit"},
                        {"parameters", counts.total},
                        {"active_parameters", counts.total},
                        {"blocks", config->depth}});
        std::snprintf(line, sizeof line, "%-16s %-9s %18s %18s %7lld\n", id.c_str(),
                      config->modelType.c_str(), grouped(counts.total).c_str(),
                      grouped(counts.total).c_str(), static_cast<long long>(config->depth));
        out << line;
    }
    for (const auto& id : models::gnnModelNames()) {
        json.push_back({{"id", id}, {"model_type", "gnn"}, {"family", "gnn"}});
        std::snprintf(line, sizeof line, "%-16s %-9s %18s %18s %7s\n", id.c_str(), "gnn",
                      "per --graph", "per --graph", "-");
        out << line;
    }
    std::string graphs;
    for (const auto& id : models::listBuiltinGraphs()) {
        graphs += (graphs.empty() ? "" : ", ") + id;
    }
    out << "\nGNN graphs (--graph): " << graphs << ", or an edge list / .mtx file\n";
}

// `models show` for a ViT preset or config: facts and the layers of block 0.
void showVit(const models::VitConfig& c, core::ReportFormat format) {
    core::RunSettings settings;
    auto workload = models::buildVit(c, settings);
    if (!workload) {
        throw CliError{kBadInput, workload.error().message};
    }
    const auto counts = models::countVitParameters(c);
    core::Json layers = core::Json::array();
    std::ostringstream table;
    char line[256];
    for (const auto& layer : workload->layers) {
        if (layer.block > 0) {
            continue;
        }
        layers.push_back({{"name", layer.name()},
                          {"kind", core::nameOf(layer.kind)},
                          {"unit", core::nameOf(layer.unit)}});
        std::snprintf(line, sizeof line, "  %-32s %-12s %s\n", layer.name().c_str(),
                      std::string(core::nameOf(layer.kind)).c_str(),
                      std::string(core::nameOf(layer.unit)).c_str());
        table << line;
    }
    if (format == core::ReportFormat::json) {
        core::Json doc{{"id", c.id},
                       {"model_type", c.modelType},
                       {"family", "vit"},
                       {"source", c.source},
                       {"parameters", counts.total},
                       {"image_size", c.imageSize},
                       {"patch_size", c.patchSize},
                       {"embed_dim", c.embedDim},
                       {"blocks", c.depth},
                       {"tokens", workload->settings.promptLength},
                       {"block_layers", layers}};
        emit(doc.dump(2) + "\n", "");
        return;
    }
    std::ostringstream out;
    out << c.id << " (" << c.modelType << ")\n"
        << "  parameters: " << grouped(counts.total) << '\n'
        << "  image " << c.imageSize << "x" << c.imageSize << ", patch " << c.patchSize
        << ", embed dim " << c.embedDim << ", blocks " << c.depth << ", tokens "
        << workload->settings.promptLength << '\n'
        << "  source: " << c.source << "\n\nlayers (block 0):\n"
        << table.str();
    emit(out.str(), "");
}

int list(const std::vector<std::string>& args) {
    po::options_description options("models list options");
    options.add_options()("format", po::value<std::string>()->default_value("table"), "table|json");
    auto vm = parseOptions(args, options, "usage: rooflens models list [--format table|json]");
    if (!vm) {
        return kOk;
    }
    const auto format = parseFormat((*vm)["format"].as<std::string>(),
                                    {core::ReportFormat::table, core::ReportFormat::json});
    core::Json json = core::Json::array();
    std::ostringstream out;
    char line[256];
    std::snprintf(line, sizeof line, "%-16s %-9s %18s %18s %7s\n", "id", "type", "parameters",
                  "active", "blocks");
    out << line;
    for (const auto& id : models::listPresets()) {
        auto config = models::resolveLlm(id);
        if (!config) {
            std::cerr << "warning: skipped " << config.error().message << '\n';
            continue;
        }
        const auto counts = models::countParameters(config.value());
        json.push_back({{"id", id},
                        {"model_type", config->modelType},
                        {"parameters", counts.total},
                        {"active_parameters", counts.active},
                        {"blocks", config->numLayers}});
        std::snprintf(line, sizeof line, "%-16s %-9s %18s %18s %7lld\n", id.c_str(),
                      config->modelType.c_str(), grouped(counts.total).c_str(),
                      grouped(counts.active).c_str(), static_cast<long long>(config->numLayers));
        out << line;
    }
    listVisionAndGraphModels(json, out);
    emit(format == core::ReportFormat::json ? json.dump(2) + "\n" : out.str(), "");
    return kOk;
}

int show(const std::vector<std::string>& args) {
    po::options_description options("models show options");
    options.add_options()("model", po::value<std::string>()->required(), "preset id or config")(
        "format", po::value<std::string>()->default_value("table"), "table|json");
    po::positional_options_description positional;
    positional.add("model", 1);
    auto vm = parseOptions(args, options, kModelsUsage, &positional);
    if (!vm) {
        return kOk;
    }
    const auto format = parseFormat((*vm)["format"].as<std::string>(),
                                    {core::ReportFormat::table, core::ReportFormat::json});
    if (const auto& id = (*vm)["model"].as<std::string>(); models::isVitPreset(id)) {
        auto vit = models::resolveVit(id);
        if (!vit) {
            throw CliError{kBadInput, vit.error().message};
        }
        showVit(vit.value(), format);
        return kOk;
    }
    const models::LlmConfig c = resolveModel((*vm)["model"].as<std::string>());
    const auto counts = models::countParameters(c);
    const double kvPerToken = models::kvBytesPerToken(c, core::bytesOf(c.floatType));

    // One decode step at batch 1 lists every layer; its weight bytes at 16 bits give the
    // parameters each layer reads.
    core::RunSettings settings;
    settings.phase = core::Phase::decode;
    settings.contextLength = 1;
    auto workload = models::buildLlm(c, settings);
    if (!workload) {
        throw CliError{kBadInput, workload.error().message};
    }
    core::Json layers = core::Json::array();
    std::ostringstream table;
    char line[256];
    for (const auto& layer : workload->layers) {
        if (layer.block > 0) {
            continue;  // every block has the same layers
        }
        layers.push_back({{"name", layer.name()},
                          {"kind", core::nameOf(layer.kind)},
                          {"unit", core::nameOf(layer.unit)}});
        std::snprintf(line, sizeof line, "  %-32s %-12s %s\n", layer.name().c_str(),
                      std::string(core::nameOf(layer.kind)).c_str(),
                      std::string(core::nameOf(layer.unit)).c_str());
        table << line;
    }
    if (format == core::ReportFormat::json) {
        core::Json doc{{"id", c.id},
                       {"model_type", c.modelType},
                       {"parameters", counts.total},
                       {"active_parameters", counts.active},
                       {"kv_bytes_per_token", kvPerToken},
                       {"kv_dtype", core::nameOf(c.floatType)},
                       {"blocks", c.numLayers},
                       {"hidden_size", c.hiddenSize},
                       {"heads", c.numHeads},
                       {"kv_heads", c.numKvHeads},
                       {"head_dim", c.headDim},
                       {"intermediate_size", c.intermediateSize},
                       {"vocab_size", c.vocabSize},
                       {"sliding_window", c.slidingWindow},
                       {"experts", c.numExperts},
                       {"experts_per_token", c.expertsPerToken},
                       {"block_layers", layers}};
        emit(doc.dump(2) + "\n", "");
        return kOk;
    }
    std::ostringstream out;
    out << c.id << " (" << c.modelType << ")\n"
        << "  parameters:        " << grouped(counts.total) << '\n'
        << "  active parameters: " << grouped(counts.active) << " per token\n"
        << "  KV cache:          " << grouped(static_cast<std::uint64_t>(kvPerToken))
        << " bytes per token (" << core::nameOf(c.floatType) << ")\n"
        << "  blocks " << c.numLayers << ", hidden " << c.hiddenSize << ", heads " << c.numHeads
        << " (KV heads " << c.numKvHeads << ", head dim " << c.headDim << "), FFN "
        << c.intermediateSize << ", vocab " << c.vocabSize;
    if (c.numExperts > 0) {
        out << ", experts " << c.numExperts << " (top-" << c.expertsPerToken << ")";
    }
    if (c.slidingWindow > 0) {
        out << ", sliding window " << c.slidingWindow;
    }
    out << "\n\nlayers (block 0 shown; all " << c.numLayers << " blocks are alike):\n"
        << table.str();
    emit(out.str(), "");
    return kOk;
}

}  // namespace

int runModels(const std::vector<std::string>& args) {
    return dispatchVerb(args, {{"list", list}, {"show", show}}, kModelsUsage);
}

}  // namespace rooflens::cli
