// System files: a device, its count and arrangement, optional link overrides.
#include "hwdb/systems.h"

#include <algorithm>
#include <system_error>

#include <nlohmann/json.hpp>

#include "core/paths.h"
#include "core/units.h"

namespace rooflens::hwdb {

namespace {

using core::Json;
using core::JsonReader;

core::Status onlyKeys(const JsonReader& r, const Json& obj, const std::string& path,
                      std::initializer_list<std::string_view> allowed) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
            std::string list;
            for (auto key : allowed) {
                list += (list.empty() ? "" : ", ") + std::string(key);
            }
            return r.error(core::childPath(path, it.key()),
                           "unknown field (expected " + list + ")");
        }
    }
    return core::Ok{};
}

// {"value": 5, "unit": "us"} in seconds.
core::Result<double> seconds(const JsonReader& r, const Json& obj, const std::string& path) {
    ROOFLENS_TRY(const double value, r.nonNegative(obj, path, "value"));
    ROOFLENS_TRY(const std::string unit, r.string(obj, path, "unit"));
    for (auto [name, factor] : {std::pair{"s", 1.0}, std::pair{"ms", 1e-3}, std::pair{"us", 1e-6},
                                std::pair{"ns", 1e-9}}) {
        if (unit == name) {
            return value * factor;
        }
    }
    return r.expected(core::childPath(path, "unit"), "a time unit: s, ms, us or ns",
                      obj.at("unit"));
}

// {"value": 450, "unit": "GB/s"} in bytes/s.
core::Result<double> bandwidth(const JsonReader& r, const Json& obj, const std::string& path) {
    ROOFLENS_TRY(const double value, r.positive(obj, path, "value"));
    ROOFLENS_TRY(const std::string unit, r.string(obj, path, "unit"));
    const auto factor = core::unitFactor(unit, core::Dimension::bytesPerSecond);
    if (!factor) {
        return r.expected(core::childPath(path, "unit"), "a bandwidth unit such as GB/s or Gb/s",
                          obj.at("unit"));
    }
    return value * *factor;
}

// A link override: "name", "kind", "bandwidth_per_direction", "latency" (default by kind).
core::Result<core::Link> parseLink(const JsonReader& r, const Json& obj, const std::string& path) {
    if (!obj.is_object()) {
        return r.expected(path, "an object", obj);
    }
    ROOFLENS_CHECK(onlyKeys(r, obj, path, {"name", "kind", "bandwidth_per_direction", "latency"}));
    core::Link link;
    ROOFLENS_TRY(link.name, r.string(obj, path, "name"));
    ROOFLENS_TRY(const std::string kind, r.string(obj, path, "kind"));
    const auto parsed = core::parseLinkKind(kind);
    if (!parsed) {
        return r.expected(core::childPath(path, "kind"),
                          "a link kind (nvlink, xgmi, ici, pcie, infiniband, roce, efa, ethernet, "
                          "...)",
                          obj.at("kind"));
    }
    link.kind = *parsed;
    ROOFLENS_TRY(const Json* bw, r.member(obj, path, "bandwidth_per_direction"));
    ROOFLENS_TRY(link.bytesPerSecond,
                 bandwidth(r, *bw, core::childPath(path, "bandwidth_per_direction")));
    if (r.has(obj, "latency")) {
        ROOFLENS_TRY(link.latencySeconds,
                     seconds(r, obj.at("latency"), core::childPath(path, "latency")));
    } else {
        link.latencySeconds = core::defaultLatencySeconds(link.kind);
        link.latencyDefaulted = true;
    }
    return link;
}

core::Status parseShape(const JsonReader& r, const Json& doc, core::System& s) {
    ROOFLENS_TRY(const std::int64_t perNode, r.integer(doc, "", "devices_per_node", 1, 4096));
    ROOFLENS_TRY(const std::int64_t nodes, r.integer(doc, "", "nodes", 1, 65536));
    s.devicesPerNode = static_cast<int>(perNode);
    s.nodes = static_cast<int>(nodes);
    const auto& up = s.device.interconnect.scaleUp;
    std::int64_t domain =
        up ? std::min<std::int64_t>(up->domainDevices, s.devices()) : s.devicesPerNode;
    if (r.has(doc, "scale_up_domain")) {
        ROOFLENS_TRY(domain, r.integer(doc, "", "scale_up_domain", 1, s.devices()));
    }
    s.scaleUpDomain = static_cast<int>(domain);
    return core::Ok{};
}

}  // namespace

core::Result<core::System> parseSystem(const Json& doc, const std::string& label,
                                       const Database& db) {
    const JsonReader r(label);
    if (!doc.is_object()) {
        return r.expected("", "a system object", doc);
    }
    ROOFLENS_CHECK(onlyKeys(r, doc, "",
                            {"schema_version", "id", "name", "device", "devices_per_node", "nodes",
                             "scale_up_domain", "scale_up", "scale_out", "sources", "notes"}));
    ROOFLENS_TRY(const std::int64_t version,
                 r.integer(doc, "", "schema_version", 1, kSystemSchemaVersion));
    (void)version;
    core::System s;
    ROOFLENS_TRY(s.id, r.string(doc, "", "id"));
    ROOFLENS_TRY(s.name, r.string(doc, "", "name"));
    ROOFLENS_TRY(const std::string device, r.string(doc, "", "device"));
    auto hw = db.resolve(device);
    if (!hw) {
        return r.error("/device", hw.error().message);
    }
    s = [&] {
        core::System base = core::systemOf(hw.value(), 1);
        base.id = s.id;
        base.name = s.name;
        return base;
    }();
    ROOFLENS_CHECK(parseShape(r, doc, s));
    const auto& ic = s.device.interconnect;
    s.scaleUp = ic.scaleUp ? std::optional<core::Link>(*ic.scaleUp)
                : ic.host  ? std::optional<core::Link>(*ic.host)
                           : std::nullopt;
    s.scaleOut = ic.scaleOut;
    if (r.has(doc, "scale_up")) {
        ROOFLENS_TRY(s.scaleUp, parseLink(r, doc.at("scale_up"), "/scale_up"));
    }
    if (r.has(doc, "scale_out")) {
        ROOFLENS_TRY(s.scaleOut, parseLink(r, doc.at("scale_out"), "/scale_out"));
    }
    if (s.devices() > s.scaleUpDomain && !s.scaleOut) {
        return r.error("/nodes", "the system spans " + std::to_string(s.devices()) +
                                     " devices beyond a scale-up domain of " +
                                     std::to_string(s.scaleUpDomain) +
                                     ", but no scale-out link is known (add scale_out)");
    }
    s.sourceFile = label;
    return s;
}

core::Result<core::System> loadSystemFile(const std::filesystem::path& path, const Database& db) {
    ROOFLENS_TRY(const Json doc, core::parseJsonFile(path));
    return parseSystem(doc, path.string(), db);
}

std::filesystem::path builtinSystemDir() {
    return core::builtinDataDir() / "hwdb" / "systems";
}

std::vector<std::string> listSystems() {
    std::vector<std::string> ids;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(builtinSystemDir(), ec)) {
        if (entry.path().extension() == ".json") {
            ids.push_back(entry.path().stem().string());
        }
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

core::Result<core::System> resolveSystem(const std::string& idOrPath, const Database& db) {
    if (idOrPath.find('/') != std::string::npos || idOrPath.ends_with(".json")) {
        return loadSystemFile(idOrPath, db);
    }
    const auto ids = listSystems();
    if (std::find(ids.begin(), ids.end(), idOrPath) == ids.end()) {
        std::string list;
        for (const auto& id : ids) {
            list += (list.empty() ? "" : ", ") + id;
        }
        return core::makeError("unknown system \"" + idOrPath + "\" (built-in: " + list +
                               "; or a system .json file)");
    }
    return loadSystemFile(builtinSystemDir() / (idOrPath + ".json"), db);
}

}  // namespace rooflens::hwdb
