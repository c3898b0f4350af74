// The efficiency section of a device document (issue 14, docs/hwdb.md "efficiency"): the GEMM
// efficiency grids, the memory efficiency curve and the per-kernel overhead; the defaults of
// datasheet devices when a file has none; serialization.
#include <string>
#include <vector>

#include "core/units.h"
#include "core/workload.h"
#include "device_sections.h"

namespace rooflens::hwdb::detail {

namespace {

using core::Json;
using OrderedJson = nlohmann::ordered_json;

constexpr std::string_view kEfficiencyKey = "efficiency";
constexpr std::string_view kNone = "none";
constexpr double kMaxOverheadSeconds = 1.0;

core::Result<std::vector<double>> numbers(const Json& obj, const std::string& path,
                                          std::string_view key, const core::JsonReader& r) {
    auto member = r.member(obj, path, key);
    if (!member) {
        return member.error();
    }
    const Json& array = *member.value();
    const std::string at = core::childPath(path, key);
    if (!array.is_array() || array.empty()) {
        return r.expected(at, "a non-empty array of numbers", array);
    }
    std::vector<double> out;
    for (std::size_t i = 0; i < array.size(); ++i) {
        if (!array[i].is_number()) {
            return r.expected(core::childPath(at, i), "a number", array[i]);
        }
        out.push_back(array[i].get<double>());
    }
    return out;
}

core::Result<core::GemmEfficiencyGrid> parseGrid(const Json& obj, const std::string& path,
                                                 ParseContext& context) {
    const core::JsonReader& r = context.reader();
    ROOFLENS_CHECK(context.checkFields(obj, path, {"unit", "type", "m", "k", "n", "efficiency"}));
    core::GemmEfficiencyGrid grid;
    ROOFLENS_TRY(const std::string unit, r.string(obj, path, "unit"));
    if (unit != "matrix" && unit != "vector") {
        return r.expected(core::childPath(path, "unit"), "\"matrix\" or \"vector\"",
                          obj.at("unit"));
    }
    grid.unit = unit == "matrix" ? core::ExecUnit::matrix : core::ExecUnit::vector;
    ROOFLENS_TRY(const std::string type, r.string(obj, path, "type"));
    if (type != "any") {
        const auto parsed = core::parseDataType(type);
        if (!parsed) {
            return r.expected(core::childPath(path, "type"),
                              "\"any\" or a data type (fp32, bf16, ...)", obj.at("type"));
        }
        grid.type = *parsed;
    }
    ROOFLENS_TRY(grid.m, numbers(obj, path, "m", r));
    ROOFLENS_TRY(grid.k, numbers(obj, path, "k", r));
    ROOFLENS_TRY(grid.n, numbers(obj, path, "n", r));
    ROOFLENS_TRY(grid.values, numbers(obj, path, "efficiency", r));
    return grid;
}

core::Status parseOverhead(const Json& obj, const std::string& path, ParseContext& context,
                           core::EfficiencyModel& model) {
    const core::JsonReader& r = context.reader();
    const Json& q = obj.at("kernel_overhead");
    const std::string at = core::childPath(path, "kernel_overhead");
    if (!q.is_object()) {
        return r.expected(at, "a time {\"value\", \"unit\"}", q);
    }
    ROOFLENS_CHECK(context.checkFields(q, at, {"value", "unit"}));
    ROOFLENS_TRY(const double value, r.nonNegative(q, at, "value"));
    ROOFLENS_TRY(const std::string unit, r.string(q, at, "unit"));
    const auto factor = core::unitFactor(unit, core::Dimension::seconds);
    if (!factor) {
        return r.expected(core::childPath(at, "unit"), "a time unit (s, ms, us, ns)", q.at("unit"));
    }
    model.kernelOverheadSeconds = value * *factor;
    if (model.kernelOverheadSeconds > kMaxOverheadSeconds) {
        return r.error(core::childPath(at, "value"), "expected at most 1 s per kernel");
    }
    return core::Ok{};
}

// "kinds": [{"kind": "norm", "bytes": [...], "efficiency": [...]}, ...] (issue 14 item 5).
core::Status parseKinds(const Json& obj, const std::string& path, ParseContext& context,
                        core::EfficiencyModel& model) {
    const core::JsonReader& r = context.reader();
    const Json& list = obj.at("kinds");
    const std::string at = core::childPath(path, "kinds");
    if (!list.is_array()) {
        return r.expected(at, "an array of {\"kind\", \"bytes\", \"efficiency\"} curves", list);
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const Json& item = list[i];
        const std::string where = core::childPath(at, i);
        if (!item.is_object()) {
            return r.expected(where, "an object {\"kind\", \"bytes\", \"efficiency\"}", item);
        }
        ROOFLENS_CHECK(context.checkFields(item, where, {"kind", "bytes", "efficiency"}));
        ROOFLENS_TRY(const std::string name, r.string(item, where, "kind"));
        const auto kind = core::parseLayerKind(name);
        if (!kind) {
            return r.expected(core::childPath(where, "kind"),
                              "a layer kind (norm, softmax, attention, elementwise, gemm, ...)",
                              item.at("kind"));
        }
        core::KindEfficiency k;
        k.kind = *kind;
        ROOFLENS_TRY(k.curve.bytes, numbers(item, where, "bytes", r));
        ROOFLENS_TRY(k.curve.values, numbers(item, where, "efficiency", r));
        model.kinds.push_back(std::move(k));
    }
    return core::Ok{};
}

core::Result<core::EfficiencyModel> parseModel(const Json& obj, const std::string& path,
                                               ParseContext& context) {
    const core::JsonReader& r = context.reader();
    ROOFLENS_CHECK(context.checkFields(
        obj, path, {"origin", "source", "gemm", "memory", "gather", "kinds", "kernel_overhead"}));
    core::EfficiencyModel model;
    ROOFLENS_TRY(const std::string origin, r.string(obj, path, "origin"));
    if (origin != "measured" && origin != "file") {
        return r.expected(core::childPath(path, "origin"),
                          "\"measured\" or \"file\" (defaults are never written)",
                          obj.at("origin"));
    }
    model.origin =
        origin == "measured" ? core::EfficiencyOrigin::measured : core::EfficiencyOrigin::file;
    if (r.has(obj, "source") || model.origin == core::EfficiencyOrigin::file) {
        ROOFLENS_TRY(model.source, context.nonEmptyString(obj, path, "source"));
    }
    if (r.has(obj, "gemm")) {
        const Json& grids = obj.at("gemm");
        const std::string at = core::childPath(path, "gemm");
        if (!grids.is_array()) {
            return r.expected(at, "an array of GEMM efficiency grids", grids);
        }
        for (std::size_t i = 0; i < grids.size(); ++i) {
            ROOFLENS_TRY(auto grid, parseGrid(grids[i], core::childPath(at, i), context));
            model.gemm.push_back(std::move(grid));
        }
    }
    for (const char* key : {"memory", "gather"}) {
        if (!r.has(obj, key)) {
            continue;
        }
        const Json& section = obj.at(key);
        const std::string at = core::childPath(path, key);
        ROOFLENS_CHECK(context.checkFields(section, at, {"bytes", "efficiency"}));
        core::MemoryEfficiencyCurve curve;
        ROOFLENS_TRY(curve.bytes, numbers(section, at, "bytes", r));
        ROOFLENS_TRY(curve.values, numbers(section, at, "efficiency", r));
        (std::string_view(key) == "memory" ? model.memory : model.gather) = std::move(curve);
    }
    if (r.has(obj, "kinds")) {
        ROOFLENS_CHECK(parseKinds(obj, path, context, model));
    }
    if (r.has(obj, "kernel_overhead")) {
        ROOFLENS_CHECK(parseOverhead(obj, path, context, model));
    }
    if (auto status = core::validateEfficiency(model, r.label() + ": " + path); !status) {
        return status.error();
    }
    return model;
}

OrderedJson numberArray(const std::vector<double>& values) {
    OrderedJson out = OrderedJson::array();
    for (double v : values) {
        out.push_back(v);
    }
    return out;
}

}  // namespace

core::Status parseEfficiency(const Json& doc, ParseContext& context, core::Hardware& hw) {
    const core::JsonReader& r = context.reader();
    if (!r.has(doc, kEfficiencyKey)) {
        // Datasheet devices get the documented defaults; a device whose main-memory bandwidth
        // was measured (a calibrated profile from before issue 14) keeps the ideal roof.
        if (!hw.memory.empty() && !hw.mainMemory().measured) {
            hw.efficiency = core::defaultEfficiency(hw.kind);
        }
        return core::Ok{};
    }
    const Json& section = doc.at(kEfficiencyKey);
    if (section.is_string() && section.get<std::string>() == kNone) {
        return core::Ok{};  // explicitly the ideal roof
    }
    if (!section.is_object()) {
        return r.expected("/efficiency", "an efficiency model object or \"none\"", section);
    }
    ROOFLENS_TRY(hw.efficiency, parseModel(section, "/efficiency", context));
    return core::Ok{};
}

namespace {

core::Result<core::ThreadCeilings> parseCeilings(const Json& obj, const std::string& path,
                                                 ParseContext& context, const core::Hardware& hw) {
    const core::JsonReader& r = context.reader();
    ROOFLENS_CHECK(context.checkFields(
        obj, path, {"threads", "vector_ops_per_s", "memory_bytes_per_s", "efficiency"}));
    core::ThreadCeilings t;
    ROOFLENS_TRY(const std::int64_t threads, r.integer(obj, path, "threads", 1, 1 << 16));
    t.threads = static_cast<int>(threads);
    if (r.has(obj, "vector_ops_per_s")) {
        const Json& table = obj.at("vector_ops_per_s");
        const std::string at = core::childPath(path, "vector_ops_per_s");
        if (!table.is_object()) {
            return r.expected(at, "an object of data type: OPs/s", table);
        }
        for (const auto& item : table.items()) {
            const auto type = core::parseDataType(item.key());
            if (!type) {
                return r.error(core::childPath(at, item.key()), "unknown data type");
            }
            ROOFLENS_TRY(const double rate, r.positive(table, at, item.key()));
            t.vector.set(*type, rate);
        }
    }
    ROOFLENS_TRY(t.memoryBytesPerSecond, numbers(obj, path, "memory_bytes_per_s", r));
    if (t.memoryBytesPerSecond.size() != hw.memory.size()) {
        return r.error(core::childPath(path, "memory_bytes_per_s"),
                       "expected one bandwidth per memory level (" +
                           std::to_string(hw.memory.size()) + "), got " +
                           std::to_string(t.memoryBytesPerSecond.size()));
    }
    if (r.has(obj, "efficiency") && obj.at("efficiency").is_object()) {
        ROOFLENS_TRY(t.efficiency, parseModel(obj.at("efficiency"),
                                              core::childPath(path, "efficiency"), context));
    }
    return t;
}

}  // namespace

core::Status parseThreadCeilings(const Json& doc, ParseContext& context, core::Hardware& hw) {
    const core::JsonReader& r = context.reader();
    if (!r.has(doc, "threads")) {
        return core::Ok{};
    }
    const Json& section = doc.at("threads");
    ROOFLENS_CHECK(context.checkFields(section, "/threads", {"default", "ceilings"}));
    ROOFLENS_TRY(const std::int64_t threads, r.integer(section, "/threads", "default", 1, 1 << 16));
    hw.threads = static_cast<int>(threads);
    auto member = r.member(section, "/threads", "ceilings");
    if (!member) {
        return member.error();
    }
    const Json& list = *member.value();
    if (!list.is_array()) {
        return r.expected("/threads/ceilings", "an array of per-thread-count ceilings", list);
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        ROOFLENS_TRY(auto ceilings,
                     parseCeilings(list[i], core::childPath("/threads/ceilings", i), context, hw));
        hw.threadCeilings.push_back(std::move(ceilings));
    }
    return core::Ok{};
}

namespace {

OrderedJson modelJson(const core::EfficiencyModel& model);

}  // namespace

void writeThreadCeilings(const core::Hardware& hw, OrderedJson& doc) {
    if (hw.threadCeilings.empty() && hw.threads <= 0) {
        return;
    }
    OrderedJson list = OrderedJson::array();
    for (const core::ThreadCeilings& t : hw.threadCeilings) {
        OrderedJson vector = OrderedJson::object();
        for (std::size_t i = 0; i < core::kDataTypeCount; ++i) {
            if (t.vector.opsPerSecond[i] > 0) {
                vector[std::string(core::nameOf(static_cast<core::DataType>(i)))] =
                    t.vector.opsPerSecond[i];
            }
        }
        OrderedJson entry = {{"threads", t.threads},
                             {"vector_ops_per_s", std::move(vector)},
                             {"memory_bytes_per_s", numberArray(t.memoryBytesPerSecond)}};
        if (t.efficiency) {
            entry["efficiency"] = modelJson(*t.efficiency);
        }
        list.push_back(std::move(entry));
    }
    doc["threads"] = {{"default", std::max(1, hw.threads)}, {"ceilings", std::move(list)}};
}

void writeEfficiency(const core::Hardware& hw, OrderedJson& doc) {
    if (!hw.efficiency) {
        const bool defaultsWouldApply = !hw.memory.empty() && !hw.mainMemory().measured;
        if (defaultsWouldApply) {
            doc[std::string(kEfficiencyKey)] = std::string(kNone);
        }
        return;
    }
    if (hw.efficiency->origin == core::EfficiencyOrigin::defaults) {
        return;  // reading the file back applies the same defaults
    }
    doc[std::string(kEfficiencyKey)] = modelJson(*hw.efficiency);
}

namespace {

OrderedJson modelJson(const core::EfficiencyModel& model) {
    OrderedJson out = OrderedJson::object();
    out["origin"] = model.origin == core::EfficiencyOrigin::measured ? "measured" : "file";
    if (!model.source.empty()) {
        out["source"] = model.source;
    }
    if (!model.gemm.empty()) {
        OrderedJson grids = OrderedJson::array();
        for (const core::GemmEfficiencyGrid& grid : model.gemm) {
            OrderedJson g = OrderedJson::object();
            g["unit"] = std::string(core::nameOf(grid.unit));
            g["type"] = grid.type ? std::string(core::nameOf(*grid.type)) : "any";
            g["m"] = numberArray(grid.m);
            g["k"] = numberArray(grid.k);
            g["n"] = numberArray(grid.n);
            g["efficiency"] = numberArray(grid.values);
            grids.push_back(std::move(g));
        }
        out["gemm"] = std::move(grids);
    }
    if (model.memory) {
        out["memory"] = {{"bytes", numberArray(model.memory->bytes)},
                         {"efficiency", numberArray(model.memory->values)}};
    }
    if (model.gather) {
        out["gather"] = {{"bytes", numberArray(model.gather->bytes)},
                         {"efficiency", numberArray(model.gather->values)}};
    }
    if (!model.kinds.empty()) {
        OrderedJson kinds = OrderedJson::array();
        for (const core::KindEfficiency& k : model.kinds) {
            kinds.push_back({{"kind", std::string(core::nameOf(k.kind))},
                             {"bytes", numberArray(k.curve.bytes)},
                             {"efficiency", numberArray(k.curve.values)}});
        }
        out["kinds"] = std::move(kinds);
    }
    if (model.kernelOverheadSeconds > 0) {
        out["kernel_overhead"] = {{"value", model.kernelOverheadSeconds}, {"unit", "s"}};
    }
    return out;
}

}  // namespace

}  // namespace rooflens::hwdb::detail
