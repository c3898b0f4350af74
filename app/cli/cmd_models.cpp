// rooflens models: list the built-in presets, show one model's facts, its layer plan (which
// layers are MoE, windowed, latent or SSM), KV bytes per token and fixed per-sequence bytes.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "core/units.h"
#include "models/gnn.h"
#include "models/graph.h"
#include "models/onnx.h"
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
// The layers of `w` (those of blocks up to `lastBlock`; -1: every layer) as JSON entries and as
// table lines: name, kind, unit.
void listLayers(const core::Workload& w, std::int32_t lastBlock, core::Json& layers,
                std::ostringstream& table) {
    char line[256];
    for (const auto& layer : w.layers) {
        if (lastBlock >= 0 && layer.block > lastBlock) {
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
}

void showVit(const models::VitConfig& c, core::ReportFormat format) {
    core::RunSettings settings;
    auto workload = models::buildVit(c, settings);
    if (!workload) {
        throw CliError{kBadInput, workload.error().message};
    }
    const auto counts = models::countVitParameters(c);
    core::Json layers = core::Json::array();
    std::ostringstream table;
    listLayers(*workload, 0, layers, table);
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

// `models show` for an ONNX graph: its layers at batch 1 and the default 1024-token sequence
// (symbolic image dimensions need analyze's --image-size), the notes and warnings.
void showOnnx(const std::string& path, core::ReportFormat format) {
    auto builder = models::bindOnnx(path, {});
    if (!builder) {
        throw CliError{kBadInput, builder.error().message};
    }
    core::RunSettings settings;
    settings.promptLength = 1024;
    auto workload = builder.value()->build(settings, {});
    if (!workload) {
        throw CliError{kBadInput, workload.error().message};
    }
    core::Json layers = core::Json::array();
    std::ostringstream table;
    listLayers(*workload, -1, layers, table);
    if (format == core::ReportFormat::json) {
        core::Json doc{{"id", workload->model.id},
                       {"family", "onnx"},
                       {"source", path},
                       {"parameters", workload->model.parameters},
                       {"layers", layers},
                       {"notes", workload->notes},
                       {"warnings", workload->warnings}};
        emit(doc.dump(2) + "\n", "");
        return;
    }
    std::ostringstream out;
    out << workload->model.id << " (onnx)\n"
        << "  parameters: " << grouped(workload->model.parameters) << '\n'
        << "  source: " << path << "\n\nlayers (batch 1):\n"
        << table.str();
    for (const auto& note : workload->notes) {
        out << "note: " << note << '\n';
    }
    for (const auto& warning : workload->warnings) {
        out << "warning: " << warning << '\n';
    }
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
    std::snprintf(line, sizeof line, "%-20s %-11s %18s %18s %18s %7s\n", "id", "type", "parameters",
                  "active", "active excl. emb.", "blocks");
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
                        {"active_parameters_excl_embedding", counts.activeExclEmbedding},
                        {"blocks", config->numLayers}});
        std::snprintf(line, sizeof line, "%-20s %-11s %18s %18s %18s %7lld\n", id.c_str(),
                      config->modelType.c_str(), grouped(counts.total).c_str(),
                      grouped(counts.active).c_str(), grouped(counts.activeExclEmbedding).c_str(),
                      static_cast<long long>(config->numLayers));
        out << line;
    }
    listVisionAndGraphModels(json, out);
    emit(format == core::ReportFormat::json ? json.dump(2) + "\n" : out.str(), "");
    return kOk;
}

// Layers of the plan with the same descriptor, in order of first appearance.
struct PlanGroup {
    models::LayerSpec spec;
    std::vector<std::int64_t> layers;
};

std::vector<PlanGroup> planGroups(const models::LlmConfig& c) {
    std::vector<PlanGroup> groups;
    const auto plan = models::layerPlan(c);
    for (std::size_t i = 0; i < plan.size(); ++i) {
        auto it = std::find_if(groups.begin(), groups.end(),
                               [&](const PlanGroup& g) { return g.spec == plan[i]; });
        if (it == groups.end()) {
            groups.push_back({plan[i], {}});
            it = groups.end() - 1;
        }
        it->layers.push_back(static_cast<std::int64_t>(i));
    }
    return groups;
}

// "0-2", "3, 7, ..., 47 (every 4)", "1, 5, 9".
std::string layerRanges(const std::vector<std::int64_t>& layers) {
    if (layers.size() == 1) {
        return std::to_string(layers.front());
    }
    const std::int64_t step = layers[1] - layers[0];
    bool arithmetic = true;
    for (std::size_t i = 2; i < layers.size(); ++i) {
        arithmetic = arithmetic && layers[i] - layers[i - 1] == step;
    }
    if (arithmetic) {
        const std::string range =
            std::to_string(layers.front()) + "-" + std::to_string(layers.back());
        return step == 1 ? range : range + " every " + std::to_string(step);
    }
    std::string text;
    for (std::size_t i = 0; i < layers.size();) {
        std::size_t j = i;
        while (j + 1 < layers.size() && layers[j + 1] == layers[j] + 1) {
            ++j;
        }
        text += (text.empty() ? "" : ",") + std::to_string(layers[i]);
        if (j > i) {
            text += "-" + std::to_string(layers[j]);
        }
        i = j + 1;
    }
    return text;
}

std::string describeSpec(const models::LlmConfig& c, const models::LayerSpec& spec) {
    using models::AttentionKind;
    std::string text;
    switch (spec.attention) {
        case AttentionKind::none:
            break;
        case AttentionKind::full:
            text = spec.rope ? "full attention" : "full attention (NoPE)";
            break;
        case AttentionKind::sliding:
            text = "sliding-window attention W=" + std::to_string(spec.window);
            break;
        case AttentionKind::chunked:
            text = "chunked attention C=" + std::to_string(spec.window);
            break;
        case AttentionKind::latent:
            text = "latent attention (MLA)";
            break;
    }
    if (spec.ssm != models::SsmKind::none) {
        text +=
            std::string(text.empty() ? "" : " + ") + std::string(models::nameOf(spec.ssm)) + " SSM";
    }
    if (spec.ffn == models::FfnKind::dense) {
        text +=
            ", dense MLP " + std::to_string(spec.ffnWidth > 0 ? spec.ffnWidth : c.intermediateSize);
    } else if (spec.ffn == models::FfnKind::moe) {
        text += ", MoE " + std::to_string(c.numExperts) + " experts top-" +
                std::to_string(c.expertsPerToken);
        if (c.sharedExpertSize > 0) {
            text += " + shared " + std::to_string(c.sharedExpertSize);
        }
    }
    return text;
}

core::Json planJson(const models::LlmConfig& c, const std::vector<PlanGroup>& groups) {
    core::Json plan = core::Json::array();
    for (const PlanGroup& g : groups) {
        plan.push_back({{"layers", g.layers},
                        {"attention", models::nameOf(g.spec.attention)},
                        {"window", g.spec.window},
                        {"rope", g.spec.rope},
                        {"ssm", models::nameOf(g.spec.ssm)},
                        {"ffn", models::nameOf(g.spec.ffn)},
                        {"description", describeSpec(c, g.spec)}});
    }
    return plan;
}

// The KV and SSM-state lines of `models show`.
std::string memoryText(const models::LlmConfig& c, const models::KvFootprint& kv) {
    std::ostringstream out;
    const std::string type(core::nameOf(c.floatType));
    out << "  KV cache:          " << grouped(static_cast<std::uint64_t>(kv.bytesPerToken()))
        << " bytes per token (" << type << ")";
    if (kv.cappedBytesPerToken > 0) {
        out << "\n                     of which "
            << grouped(static_cast<std::uint64_t>(kv.growingBytesPerToken))
            << " grow with the context and "
            << grouped(static_cast<std::uint64_t>(kv.cappedBytesPerToken))
            << " stop at the window: at most "
            << grouped(static_cast<std::uint64_t>(kv.cappedBytesPerSequence))
            << " bytes per sequence";
    }
    if (kv.stateBytesPerSequence > 0) {
        out << "\n  SSM state:         "
            << grouped(static_cast<std::uint64_t>(kv.stateBytesPerSequence))
            << " bytes per sequence, fixed (" << type << ")";
    }
    return out.str() + "\n";
}

// Layers of the first block of each kind of layer.
std::string blockTable(const core::Workload& w, const std::vector<PlanGroup>& groups,
                       core::Json& json) {
    std::ostringstream table;
    char line[256];
    for (const core::Layer& layer : w.layers) {
        const bool first = std::any_of(groups.begin(), groups.end(), [&](const PlanGroup& g) {
            return g.layers.front() == layer.block;
        });
        if (layer.block >= 0 && !first) {
            continue;
        }
        json.push_back({{"name", layer.name()},
                        {"kind", core::nameOf(layer.kind)},
                        {"unit", core::nameOf(layer.unit)}});
        std::snprintf(line, sizeof line, "  %-40s %-12s %s\n", layer.name().c_str(),
                      std::string(core::nameOf(layer.kind)).c_str(),
                      std::string(core::nameOf(layer.unit)).c_str());
        table << line;
    }
    return table.str();
}

void showLlmJson(const models::LlmConfig& c, const models::ParameterCounts& counts,
                 const models::KvFootprint& kv, const std::vector<PlanGroup>& groups,
                 core::Json layers) {
    core::Json doc{
        {"id", c.id},
        {"model_type", c.modelType},
        {"architecture", c.architecture},
        {"parameters", counts.total},
        {"active_parameters", counts.active},
        {"active_parameters_excl_embedding", counts.activeExclEmbedding},
        {"vision_parameters", counts.vision},
        {"mtp_parameters", counts.mtp},
        {"kv_bytes_per_token", kv.bytesPerToken()},
        {"kv_growing_bytes_per_token", kv.growingBytesPerToken},
        {"kv_capped_bytes_per_sequence", kv.cappedBytesPerSequence},
        {"state_bytes_per_sequence", kv.stateBytesPerSequence},
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
        {"layer_plan", planJson(c, groups)},
        {"checkpoint_scenario",
         c.checkpointScenario ? core::Json(c.checkpointScenario->name) : core::Json(nullptr)},
        {"notes", c.notes},
        {"block_layers", std::move(layers)}};
    emit(doc.dump(2) + "\n", "");
}

void showLlm(const models::LlmConfig& c, core::ReportFormat format) {
    const auto counts = models::countParameters(c);
    const models::KvFootprint kv = models::kvFootprint(c, core::bytesOf(c.floatType));
    // One decode step at batch 1 lists every layer.
    core::RunSettings settings;
    settings.phase = core::Phase::decode;
    settings.contextLength = 1;
    auto workload = models::buildLlm(c, settings);
    if (!workload) {
        throw CliError{kBadInput, workload.error().message};
    }
    const std::vector<PlanGroup> groups = planGroups(c);
    core::Json layers = core::Json::array();
    const std::string table = blockTable(*workload, groups, layers);
    if (format == core::ReportFormat::json) {
        showLlmJson(c, counts, kv, groups, std::move(layers));
        return;
    }
    std::ostringstream out;
    out << c.id << " (" << c.modelType << ")\n"
        << "  parameters:        " << grouped(counts.total) << '\n'
        << "  active parameters: " << grouped(counts.active) << " per token ("
        << grouped(counts.activeExclEmbedding) << " without the input embedding)\n"
        << memoryText(c, kv) << "  blocks " << c.numLayers << ", hidden " << c.hiddenSize;
    if (c.numHeads > 0) {
        out << ", heads " << c.numHeads << " (KV heads " << c.numKvHeads << ", head dim "
            << c.headDim << ")";
    }
    out << ", vocab " << c.vocabSize << '\n';
    if (c.checkpointScenario) {
        out << "  checkpoint:        " << c.checkpointScenario->name << '\n';
    }
    for (const std::string& note : c.notes) {
        out << "  note: " << note << '\n';
    }
    out << "\nlayer plan:\n";
    for (const PlanGroup& g : groups) {
        out << "  layers " << layerRanges(g.layers) << " (" << g.layers.size()
            << "): " << describeSpec(c, g.spec) << '\n';
    }
    out << "\nlayers (the first block of each kind):\n" << table;
    emit(out.str(), "");
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
    if (const auto& id = (*vm)["model"].as<std::string>(); models::isOnnxPath(id)) {
        showOnnx(id, format);
        return kOk;
    }
    if (const auto& id = (*vm)["model"].as<std::string>(); models::isVitPreset(id)) {
        auto vit = models::resolveVit(id);
        if (!vit) {
            throw CliError{kBadInput, vit.error().message};
        }
        showVit(vit.value(), format);
        return kOk;
    }
    showLlm(resolveModel((*vm)["model"].as<std::string>()), format);
    return kOk;
}

}  // namespace

int runModels(const std::vector<std::string>& args) {
    return dispatchVerb(args, {{"list", list}, {"show", show}}, kModelsUsage);
}

}  // namespace rooflens::cli
