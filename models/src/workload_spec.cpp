// WorkloadSpec: family detection, the shared token-reduction grammar and the family builders
// behind core::WorkloadBuilder.
#include "models/workload_spec.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "models/llm.h"
#include "models/onnx.h"
#include "models/presets.h"

namespace rooflens::models {

namespace {

bool looksLikePath(const std::string& model) {
    return model.find('/') != std::string::npos || model.ends_with(".json") || isOnnxPath(model);
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        out += (out.empty() ? "" : ", ") + item;
    }
    return out;
}

std::size_t editDistance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

core::Error unknownModel(const std::string& model) {
    std::vector<std::string> all;
    std::string lists;
    for (ModelFamily family : {ModelFamily::llm, ModelFamily::vit, ModelFamily::gnn}) {
        const auto ids = modelIds(family);
        all.insert(all.end(), ids.begin(), ids.end());
        lists += std::string(lists.empty() ? "" : "; ") + std::string(core::nameOf(family)) + ": " +
                 joined(ids);
    }
    std::string message = "unknown model \"" + model + "\"";
    if (const auto near = nearestIds(model, all); !near.empty()) {
        message += " (did you mean " + joined(near) + "?)";
    }
    return core::makeError(message + ". Models: " + lists +
                           ". To load a config, give a path containing '/' or ending in .json; "
                           "to import a graph, a path ending in .onnx");
}

// --- token reduction grammar ------------------------------------------------------------

core::Result<std::vector<double>> numbers(std::string_view text, const std::string& what) {
    std::vector<double> out;
    std::string item;
    std::istringstream in{std::string(text)};
    while (std::getline(in, item, ',')) {
        const auto eq = item.find('=');
        if (eq != std::string::npos) {
            item = item.substr(eq + 1);
        }
        try {
            std::size_t used = 0;
            out.push_back(std::stod(item, &used));
            if (used != item.size()) {
                throw std::invalid_argument(item);
            }
        } catch (const std::exception&) {
            return core::usageError("token reduction: " + what + ": expected numbers, got '" +
                                    item + "'");
        }
    }
    if (out.empty()) {
        return core::usageError("token reduction: " + what + ": expected at least one number");
    }
    return out;
}

core::Result<std::vector<std::int64_t>> counts(std::string_view text, const std::string& what) {
    ROOFLENS_TRY(const auto values, numbers(text, what));
    std::vector<std::int64_t> out;
    for (double v : values) {
        if (v < 0 || v != std::floor(v) || v > 1e9) {
            return core::usageError("token reduction: " + what +
                                    ": expected non-negative integers, got " + std::to_string(v));
        }
        out.push_back(static_cast<std::int64_t>(v));
    }
    return out;
}

std::string joinNumbers(const std::vector<double>& values) {
    std::string out;
    for (double v : values) {
        std::ostringstream s;
        s << v;
        out += (out.empty() ? "" : ",") + s.str();
    }
    return out;
}

std::string joinCounts(const std::vector<std::int64_t>& values) {
    std::string out;
    for (auto v : values) {
        out += (out.empty() ? "" : ",") + std::to_string(v);
    }
    return out;
}

// key=value arguments of a method ("r=16", "every=2") and the plain words between them.
struct MethodArgs {
    std::vector<std::pair<std::string, std::string>> keyed;
    std::vector<std::string> plain;
};

MethodArgs splitArgs(const std::vector<std::string>& words) {
    MethodArgs out;
    for (const auto& word : words) {
        const auto eq = word.find('=');
        if (eq == std::string::npos) {
            out.plain.push_back(word);
        } else {
            std::string key = word.substr(0, eq);
            for (auto& c : key) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            out.keyed.emplace_back(key, word.substr(eq + 1));
        }
    }
    return out;
}

// "rmeeto r=R [every=K] [prune|merge]" (also "rmeeto R ...").
core::Status parseRmeeto(const std::vector<std::string>& words, const std::string& quoted,
                         TokenReduction& r) {
    r.method = TokenMethod::rmeeto;
    const MethodArgs args = splitArgs(words);
    bool haveR = false;
    for (const auto& [key, value] : args.keyed) {
        if (key == "r") {
            ROOFLENS_TRY(r.mergeR, counts(value, "rmeeto r"));
            haveR = true;
        } else if (key == "every") {
            ROOFLENS_TRY(const auto every, counts(value, "rmeeto every"));
            r.interval = every.front();
        } else {
            return core::usageError(quoted + "rmeeto: unknown argument '" + key +
                                    "=' (expected r=, every=, prune or merge)");
        }
    }
    for (const auto& word : args.plain) {
        if (word == "prune" || word == "merge") {
            r.pruneOnly = word == "prune";
        } else if (!haveR) {
            ROOFLENS_TRY(r.mergeR, counts(word, "rmeeto r"));
            haveR = true;
        } else {
            return core::usageError(quoted + "rmeeto: unexpected '" + word +
                                    "' (expected r=, every=, prune or merge)");
        }
    }
    if (!haveR) {
        return core::usageError(quoted + "rmeeto needs r= (tokens removed per merging block)");
    }
    if (r.mergeR.size() != 1) {
        return core::usageError(quoted + "rmeeto r: expected one count, got " +
                                std::to_string(r.mergeR.size()));
    }
    return core::Ok{};
}

// "zerotprune keep=RHO [at L1,L2,...] [iters=K]" (also "zerotprune RHO at L1,...").
core::Status parseZeroTPrune(const std::vector<std::string>& words, const std::string& quoted,
                             TokenReduction& r) {
    r.method = TokenMethod::zeroTPrune;
    const MethodArgs args = splitArgs(words);
    bool haveKeep = false;
    bool haveAt = false;
    for (const auto& [key, value] : args.keyed) {
        if (key == "keep") {
            ROOFLENS_TRY(const auto keep, numbers(value, "zerotprune keep"));
            r.keepRatio = keep.front();
            haveKeep = true;
        } else if (key == "at") {
            ROOFLENS_TRY(r.pruneLocations, counts(value, "zerotprune at"));
            haveAt = true;
        } else if (key == "iters") {
            ROOFLENS_TRY(const auto iters, counts(value, "zerotprune iters"));
            r.iterations = iters.front();
        } else {
            return core::usageError(quoted + "zerotprune: unknown argument '" + key +
                                    "=' (expected keep=, at L1,L2,... or iters=)");
        }
    }
    for (const auto& word : args.plain) {
        if (!haveKeep) {
            ROOFLENS_TRY(const auto keep, numbers(word, "zerotprune keep"));
            r.keepRatio = keep.front();
            haveKeep = true;
        } else if (!haveAt) {
            ROOFLENS_TRY(r.pruneLocations, counts(word, "zerotprune at"));
            haveAt = true;
        } else {
            return core::usageError(quoted + "zerotprune: unexpected '" + word +
                                    "' (expected keep=, at L1,L2,... or iters=)");
        }
    }
    if (!haveKeep) {
        return core::usageError(quoted + "zerotprune needs keep= (patch tokens kept per location)");
    }
    return core::Ok{};
}

// --- the family builders -----------------------------------------------------------------

class LlmBuilder final : public core::WorkloadBuilder {
public:
    explicit LlmBuilder(LlmConfig config) : m_config(std::move(config)) {}
    ModelFamily family() const override { return ModelFamily::llm; }
    const std::string& id() const override { return m_config.id; }
    std::optional<core::Scenario> checkpointScenario() const override {
        return m_config.checkpointScenario;
    }
    core::Result<core::Workload> build(const core::RunSettings& settings,
                                       const core::PassOptions& options) const override {
        if (!options.tokenReduction.empty() && options.tokenReduction != "none") {
            return core::usageError("token reduction (\"" + std::string(options.tokenReduction) +
                                    "\") applies to vision models, not to the LLM " + m_config.id);
        }
        BuildOptions build;
        build.collapseBlocks = options.collapseBlocks;
        if (options.floatType && *options.floatType != m_config.floatType) {
            LlmConfig config = m_config;
            config.floatType = *options.floatType;
            return buildLlm(config, settings, build);
        }
        return buildLlm(m_config, settings, build);
    }

private:
    LlmConfig m_config;
};

class VitBuilder final : public core::WorkloadBuilder {
public:
    VitBuilder(VitConfig config, VitOptions options)
        : m_config(std::move(config)), m_options(std::move(options)) {}
    ModelFamily family() const override { return ModelFamily::vit; }
    const std::string& id() const override { return m_config.id; }
    std::string tokenReduction() const override {
        return formatTokenReduction(m_options.reduction);
    }
    std::string tokenReductionLabel(std::string_view text) const override {
        auto reduction = reductionFor(text);
        if (!reduction || reduction->method == TokenMethod::none) {
            return {};
        }
        return describe(reduction.value());
    }
    core::Result<core::Workload> build(const core::RunSettings& settings,
                                       const core::PassOptions& options) const override {
        VitOptions vit = m_options;
        ROOFLENS_TRY(vit.reduction, reductionFor(options.tokenReduction));
        core::RunSettings s = settings;
        s.phase = core::Phase::prefill;
        if (options.floatType && *options.floatType != m_config.floatType) {
            VitConfig config = m_config;
            config.floatType = *options.floatType;
            return buildVit(config, s, vit);
        }
        return buildVit(m_config, s, vit);
    }

private:
    core::Result<TokenReduction> reductionFor(std::string_view text) const {
        if (text.empty()) {
            return m_options.reduction;
        }
        return parseTokenReduction(text);
    }
    VitConfig m_config;
    VitOptions m_options;
};

class GnnBuilder final : public core::WorkloadBuilder {
public:
    GnnBuilder(GnnConfig config, GraphStats graph)
        : m_config(std::move(config)),
          m_graph(std::move(graph)),
          m_id(std::string(nameOf(m_config.model)) + "-" + m_graph.id) {}
    ModelFamily family() const override { return ModelFamily::gnn; }
    const std::string& id() const override { return m_id; }
    core::Result<core::Workload> build(const core::RunSettings& settings,
                                       const core::PassOptions& options) const override {
        if (!options.tokenReduction.empty() && options.tokenReduction != "none") {
            return core::usageError("token reduction applies to vision models, not to the GNN " +
                                    m_id);
        }
        core::RunSettings s = settings;
        s.phase = core::Phase::prefill;
        if (options.floatType && *options.floatType != m_config.floatType) {
            GnnConfig config = m_config;
            config.floatType = *options.floatType;
            return buildGnn(config, m_graph, s);
        }
        return buildGnn(m_config, m_graph, s);
    }

private:
    GnnConfig m_config;
    GraphStats m_graph;
    std::string m_id;
};

core::Status checkUnused(const WorkloadSpec& spec) {
    const std::string family(core::nameOf(spec.family));
    const bool image = spec.imageHeight != 0 || spec.imageWidth != 0;
    if (spec.family == ModelFamily::onnx && spec.floatType) {
        return core::usageError("--dtype applies to LLM, ViT and GNN models; the ONNX graph " +
                                spec.model + " is priced at fp16");
    }
    if (spec.family == ModelFamily::onnx && spec.tokenReduction.empty()) {
        return core::Ok{};  // an ONNX graph's symbolic image dimensions take the image size
    }
    if (spec.family != ModelFamily::vit && (image || !spec.tokenReduction.empty())) {
        return core::usageError(
            "image size and token reduction apply to vision models, not to "
            "the " +
            family + " model " + spec.model);
    }
    if (spec.family != ModelFamily::gnn && !spec.graph.empty()) {
        return core::usageError("a graph applies to GNN models, not to the " + family + " model " +
                                spec.model);
    }
    return core::Ok{};
}

}  // namespace

std::vector<std::string> modelIds(ModelFamily family) {
    switch (family) {
        case ModelFamily::llm:
            return listPresets();
        case ModelFamily::vit:
            return listVitPresets();
        case ModelFamily::gnn:
            return gnnModelNames();
        case ModelFamily::onnx:
            return {};  // files only
    }
    return {};
}

std::vector<std::string> nearestIds(std::string_view id, const std::vector<std::string>& candidates,
                                    std::size_t count) {
    std::vector<std::pair<std::size_t, std::string>> scored;
    for (const auto& c : candidates) {
        scored.emplace_back(editDistance(id, c), c);
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    // Suggest only ids within about a third of the longer name's length.
    for (const auto& [distance, name] : scored) {
        if (out.size() == count || distance > std::max<std::size_t>(2, name.size() / 3)) {
            break;
        }
        out.push_back(name);
    }
    return out;
}

core::Result<ModelFamily> familyOf(const std::string& model) {
    if (model.empty()) {
        return core::usageError("no model given");
    }
    if (isOnnxPath(model)) {
        return ModelFamily::onnx;
    }
    if (looksLikePath(model)) {
        std::filesystem::path path(model);
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            path /= "config.json";  // a Hugging Face snapshot directory
        }
        ROOFLENS_TRY(const core::Json document, core::parseJsonFile(path));
        return isVitDocument(document) ? ModelFamily::vit : ModelFamily::llm;
    }
    for (ModelFamily family : {ModelFamily::llm, ModelFamily::vit}) {
        const auto ids = modelIds(family);
        if (std::find(ids.begin(), ids.end(), model) != ids.end()) {
            return family;
        }
    }
    if (parseGnnModel(model)) {
        return ModelFamily::gnn;
    }
    return unknownModel(model);
}

core::Result<TokenReduction> parseTokenReduction(std::string_view text) {
    TokenReduction r;
    std::istringstream in{std::string(text)};
    std::string method;
    in >> method;
    for (auto& c : method) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::vector<std::string> args;
    for (std::string word; in >> word;) {
        if (word != "at") {
            args.push_back(word);
        }
    }
    if (method.empty() || method == "none") {
        return r;
    }
    const std::string quoted = "token reduction '" + std::string(text) + "': ";
    auto need = [&](std::size_t n) -> core::Status {
        if (args.size() < n) {
            return core::usageError(quoted + method + " needs " + std::to_string(n) +
                                    " argument(s)");
        }
        return core::Ok{};
    };
    if (method == "tome") {
        ROOFLENS_CHECK(need(1));
        r.method = TokenMethod::tome;
        ROOFLENS_TRY(r.mergeR, counts(args[0], "tome r"));
    } else if (method == "dynamicvit") {
        ROOFLENS_CHECK(need(1));
        ROOFLENS_TRY(const auto rho, numbers(args[0], "dynamicvit keep ratio"));
        r.method = TokenMethod::dynamicVit;
        r.keepRatio = rho.front();
        if (args.size() > 1) {
            ROOFLENS_TRY(r.pruneLocations, counts(args[1], "dynamicvit locations"));
        }
    } else if (method == "schedule") {
        ROOFLENS_CHECK(need(1));
        r.method = TokenMethod::schedule;
        ROOFLENS_TRY(r.tokens, counts(args[0], "schedule"));
    } else if (method == "diffrate") {
        ROOFLENS_CHECK(need(2));
        r.method = TokenMethod::diffRate;
        ROOFLENS_TRY(r.pruneRate, numbers(args[0], "diffrate prune rate"));
        ROOFLENS_TRY(r.mergeRate, numbers(args[1], "diffrate merge rate"));
    } else if (method == "rmeeto") {
        ROOFLENS_CHECK(parseRmeeto(args, quoted, r));
    } else if (method == "zerotprune") {
        ROOFLENS_CHECK(parseZeroTPrune(args, quoted, r));
    } else {
        return core::usageError(quoted +
                                "expected none, tome, dynamicvit, schedule, diffrate, rmeeto or "
                                "zerotprune");
    }
    return r;
}

std::string formatTokenReduction(const TokenReduction& r) {
    switch (r.method) {
        case TokenMethod::none:
            return {};
        case TokenMethod::tome:
            return "tome " + joinCounts(r.mergeR);
        case TokenMethod::dynamicVit: {
            std::ostringstream rho;
            rho << r.keepRatio;
            return "dynamicvit " + rho.str() + " at " + joinCounts(r.pruneLocations);
        }
        case TokenMethod::schedule:
            return "schedule " + joinCounts(r.tokens);
        case TokenMethod::diffRate:
            return "diffrate " + joinNumbers(r.pruneRate) + " " + joinNumbers(r.mergeRate);
        case TokenMethod::rmeeto:
            return "rmeeto r=" + joinCounts(r.mergeR) + " every=" + std::to_string(r.interval) +
                   (r.pruneOnly ? " prune" : "");
        case TokenMethod::zeroTPrune: {
            std::ostringstream keep;
            keep << r.keepRatio;
            return "zerotprune keep=" + keep.str() + " at " + joinCounts(r.pruneLocations) +
                   " iters=" + std::to_string(r.iterations);
        }
    }
    return {};
}

core::Result<std::shared_ptr<const core::WorkloadBuilder>> bindWorkload(
    const WorkloadSpec& spec, const BindOptions& options) {
    ROOFLENS_CHECK(checkUnused(spec));
    switch (spec.family) {
        case ModelFamily::llm: {
            ROOFLENS_TRY(LlmConfig config, resolveLlm(spec.model));
            config.floatType = spec.floatType.value_or(config.floatType);
            return std::shared_ptr<const core::WorkloadBuilder>(
                std::make_shared<LlmBuilder>(std::move(config)));
        }
        case ModelFamily::vit: {
            ROOFLENS_TRY(VitConfig config, resolveVit(spec.model));
            config.floatType = spec.floatType.value_or(config.floatType);
            VitOptions vit;
            vit.imageHeight = spec.imageHeight;
            vit.imageWidth = spec.imageWidth;
            ROOFLENS_TRY(vit.reduction, parseTokenReduction(spec.tokenReduction));
            return std::shared_ptr<const core::WorkloadBuilder>(
                std::make_shared<VitBuilder>(std::move(config), std::move(vit)));
        }
        case ModelFamily::gnn: {
            const auto kind = parseGnnModel(spec.model);
            if (!kind) {
                return unknownModel(spec.model);
            }
            if (spec.graph.empty()) {
                return core::usageError(
                    "a GNN needs a graph (built-in: " + joined(listBuiltinGraphs()) +
                    "; or an edge list / .mtx file)");
            }
            GraphStats graph;
            if (options.graph) {
                graph = *options.graph;
            } else {
                GraphImportOptions import;
                import.progress = options.progress;
                import.cancel = options.cancel;
                ROOFLENS_TRY(graph, resolveGraph(spec.graph, import));
            }
            GnnConfig config = spec.gnn;
            config.model = *kind;
            config.floatType = spec.floatType.value_or(config.floatType);
            return std::shared_ptr<const core::WorkloadBuilder>(
                std::make_shared<GnnBuilder>(std::move(config), std::move(graph)));
        }
        case ModelFamily::onnx: {
            OnnxOptions onnx;
            onnx.imageHeight = spec.imageHeight;
            onnx.imageWidth = spec.imageWidth;
            return bindOnnx(spec.model, onnx);
        }
    }
    return core::usageError("unknown model family");
}

}  // namespace rooflens::models
