// Built-in benchmark graph statistics (models/presets/graphs/*.json, formulas.md 2.6) and
// resolution of a --graph argument.
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "core/paths.h"
#include "models/graph.h"

namespace rooflens::models {

namespace {

constexpr std::int64_t kMaxCount = std::int64_t{1} << 40;  // nodes, edges
constexpr std::int64_t kMaxWidth = std::int64_t{1} << 24;  // features, classes

constexpr std::array<std::string_view, 9> kFields = {
    "schema_version", "source",  "note",      "nodes",     "stored_edges",
    "features",       "classes", "symmetric", "self_loops"};

}  // namespace

std::filesystem::path graphPresetDir() {
    return core::builtinDataDir() / "models" / "presets" / "graphs";
}

std::vector<std::string> listBuiltinGraphs() {
    std::vector<std::string> ids;
    std::error_code ec;
    std::filesystem::directory_iterator it(graphPresetDir(), ec);
    for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (it->path().extension() == ".json" && it->is_regular_file(ec)) {
            ids.push_back(it->path().stem().string());
        }
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

core::Result<GraphStats> loadGraphStatsFile(const std::filesystem::path& path) {
    auto document = core::parseJsonFile(path);
    if (!document) {
        return document.error();
    }
    const core::Json& doc = *document;
    const core::JsonReader reader(path.string());
    if (!doc.is_object()) {
        return reader.expected("", "an object", doc);
    }
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        if (!it.key().starts_with('_') &&
            std::find(kFields.begin(), kFields.end(), it.key()) == kFields.end()) {
            return reader.error(core::childPath("", it.key()), "unknown field");
        }
    }
    auto schema = reader.integer(doc, "", "schema_version", 1, 1);
    if (!schema) {
        return schema.error();
    }
    GraphStats stats;
    stats.id = path.stem().string();
    struct Field {
        std::string_view key;
        std::int64_t minimum;
        std::int64_t maximum;
        std::int64_t* target;
    };
    const std::array<Field, 4> fields = {{{"nodes", 1, kMaxCount, &stats.nodes},
                                          {"stored_edges", 0, kMaxCount, &stats.storedEdges},
                                          {"features", 1, kMaxWidth, &stats.features},
                                          {"classes", 1, kMaxWidth, &stats.classes}}};
    for (const Field& f : fields) {
        auto value = reader.integer(doc, "", f.key, f.minimum, f.maximum);
        if (!value) {
            return value.error();
        }
        *f.target = *value;
    }
    if (reader.has(doc, "self_loops")) {
        auto loops = reader.integer(doc, "", "self_loops", 0, stats.nodes);
        if (!loops) {
            return loops.error();
        }
        stats.selfLoops = *loops;
    }
    auto symmetric = reader.boolean(doc, "", "symmetric");
    auto source = reader.string(doc, "", "source");
    if (!symmetric || !source) {
        return !symmetric ? symmetric.error() : source.error();
    }
    stats.symmetric = *symmetric;
    stats.source = *source;
    if (reader.has(doc, "note")) {
        auto note = reader.string(doc, "", "note");
        if (!note) {
            return note.error();
        }
        stats.note = *note;
    }
    return stats;
}

core::Result<GraphStats> resolveGraph(const std::string& idOrPath,
                                      const GraphImportOptions& options) {
    const auto ids = listBuiltinGraphs();
    if (std::find(ids.begin(), ids.end(), idOrPath) != ids.end()) {
        return loadGraphStatsFile(graphPresetDir() / (idOrPath + ".json"));
    }
    const std::filesystem::path path(idOrPath);
    if (path.extension() == ".json") {
        return loadGraphStatsFile(path);
    }
    if (idOrPath.find('/') != std::string::npos || path.has_extension()) {
        return importGraph(path, options);
    }
    std::string available;
    for (const auto& id : ids) {
        available += available.empty() ? id : ", " + id;
    }
    return core::makeError("unknown graph \"" + idOrPath + "\" (built-in: " + available +
                           "; or a path to an edge list, a .mtx file or a statistics .json)");
}

}  // namespace rooflens::models
