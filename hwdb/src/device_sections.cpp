// The interconnect, power and release_year sections of a device document (schema_version 2,
// docs/hwdb.md): parsing with located errors, the latency defaults, serialization.
#include <cstdio>
#include <string>
#include <vector>

#include "core/units.h"
#include "device_sections.h"
#include "hwdb/hwdb.h"

namespace rooflens::hwdb::detail {

namespace {

using core::Json;
using OrderedJson = nlohmann::ordered_json;

constexpr QuantityKind kLinkRate{core::Dimension::bytesPerSecond, kMaxBytesPerSecond, "B/s"};
constexpr QuantityKind kLatency{core::Dimension::seconds, kMaxLatencySeconds, "s"};
constexpr QuantityKind kPower{core::Dimension::watts, kMaxWatts, "W"};
constexpr std::int64_t kMaxDomainDevices = 1'000'000;

constexpr std::string_view kBandwidthKey = "bandwidth_per_direction";
constexpr std::string_view kLatencyKey = "latency";
constexpr std::string_view kDefaultLatencySource =
    "Rooflens link latency defaults (docs/hwdb.md, \"Link latency defaults\")";

std::string linkKindChoices() {
    std::string names;
    for (auto kind : {core::LinkKind::nvlink, core::LinkKind::nvlink_c2c, core::LinkKind::xgmi,
                      core::LinkKind::ici, core::LinkKind::neuronlink, core::LinkKind::pcie,
                      core::LinkKind::infiniband, core::LinkKind::roce, core::LinkKind::efa,
                      core::LinkKind::ethernet, core::LinkKind::thunderbolt}) {
        names += (names.empty() ? "" : ", ") + std::string(core::nameOf(kind));
    }
    return names;
}

std::string defaultLatencyNote(core::LinkKind kind) {
    char text[320];
    std::snprintf(text, sizeof text,
                  "no vendor figure: the default for %s links, %g us per collective step "
                  "(peers: GenZ 1 us per link step, AIC 2 us PCIe / 5 us inter-rack / 10 us "
                  "NVIDIA p2p, llm-analysis 8 us, Calculon 10 us NVLink / 20 us IB)",
                  std::string(core::nameOf(kind)).c_str(), core::defaultLatencySeconds(kind) * 1e6);
    return text;
}

// The fields every link has: name, kind, bandwidth per direction, latency (or its default).
core::Status parseLink(const Json& obj, const std::string& path, ParseContext& context,
                       core::Link& link) {
    const core::JsonReader& r = context.reader();
    auto name = context.nonEmptyString(obj, path, "name");
    if (!name) {
        return name.error();
    }
    link.name = name.value();
    auto kindName = r.string(obj, path, "kind");
    if (!kindName) {
        return kindName.error();
    }
    const auto kind = core::parseLinkKind(kindName.value());
    if (!kind) {
        return r.expected(core::childPath(path, "kind"), "one of " + linkKindChoices(),
                          obj.at("kind"));
    }
    link.kind = *kind;
    if (r.has(obj, kBandwidthKey)) {
        auto bandwidth = context.quantity(obj, path, kBandwidthKey, kLinkRate);
        if (!bandwidth) {
            return bandwidth.error();
        }
        link.bytesPerSecond = bandwidth.value();
    }
    if (r.has(obj, kLatencyKey)) {
        auto latency = context.quantity(obj, path, kLatencyKey, kLatency);
        if (!latency) {
            return latency.error();
        }
        link.latencySeconds = latency.value();
    } else {
        link.latencySeconds = core::defaultLatencySeconds(link.kind);
        link.latencyDefaulted = true;
        context.addProvenance({core::childPath(path, kLatencyKey), core::Provenance::unverified,
                               std::string(kDefaultLatencySource), defaultLatencyNote(link.kind)});
    }
    return core::Ok{};
}

core::Result<core::ScaleUpLink> parseScaleUp(const Json& obj, const std::string& path,
                                             ParseContext& context) {
    const core::JsonReader& r = context.reader();
    if (auto fields = context.checkFields(obj, path,
                                          {"name", "kind", "topology", kBandwidthKey, kLatencyKey,
                                           "domain_devices", "in_network_reduction"});
        !fields) {
        return fields.error();
    }
    core::ScaleUpLink link;
    if (auto status = parseLink(obj, path, context, link); !status) {
        return status.error();
    }
    auto domain = context.count(obj, path, "domain_devices", 1, kMaxDomainDevices);
    if (!domain) {
        return domain.error();
    }
    link.domainDevices = domain.value();
    auto topologyName = r.string(obj, path, "topology");
    if (!topologyName) {
        return topologyName.error();
    }
    const auto topology = core::parseTopology(topologyName.value());
    if (!topology) {
        return r.expected(core::childPath(path, "topology"),
                          "one of switch, full_mesh, torus_2d, torus_3d", obj.at("topology"));
    }
    link.topology = *topology;
    if (r.has(obj, "in_network_reduction")) {
        auto reduction = r.boolean(obj, path, "in_network_reduction");
        if (!reduction) {
            return reduction.error();
        }
        link.inNetworkReduction = reduction.value();
    }
    return link;
}

core::Status parsePcie(const Json& obj, const std::string& path, ParseContext& context,
                       core::HostLink& link) {
    const core::JsonReader& r = context.reader();
    const std::string pciePath = core::childPath(path, "pcie");
    if (link.kind != core::LinkKind::pcie) {
        if (r.has(obj, "pcie")) {
            return r.error(pciePath, "a pcie block needs \"kind\": \"pcie\"");
        }
        return core::Ok{};
    }
    auto member = r.member(obj, path, "pcie");
    if (!member) {
        return member.error();
    }
    const Json& pcie = *member.value();
    if (auto fields = context.checkFields(pcie, pciePath, {"generation", "lanes"}); !fields) {
        return fields;
    }
    auto generation = r.integer(pcie, pciePath, "generation", 1, 7);
    if (!generation) {
        return generation.error();
    }
    link.pcieGeneration = static_cast<int>(generation.value());
    if (r.has(pcie, "lanes")) {
        auto lanes = r.integer(pcie, pciePath, "lanes", 1, 32);
        if (!lanes) {
            return lanes.error();
        }
        link.pcieLanes = static_cast<int>(lanes.value());
    }
    return core::Ok{};
}

core::Result<core::HostLink> parseHost(const Json& obj, const std::string& path,
                                       ParseContext& context) {
    if (auto fields =
            context.checkFields(obj, path, {"name", "kind", "pcie", kBandwidthKey, kLatencyKey});
        !fields) {
        return fields.error();
    }
    core::HostLink link;
    if (auto status = parseLink(obj, path, context, link); !status) {
        return status.error();
    }
    if (auto status = parsePcie(obj, path, context, link); !status) {
        return status.error();
    }
    return link;
}

core::Result<core::Link> parseScaleOut(const Json& obj, const std::string& path,
                                       ParseContext& context) {
    if (auto fields = context.checkFields(obj, path, {"name", "kind", kBandwidthKey, kLatencyKey});
        !fields) {
        return fields.error();
    }
    core::Link link;
    if (auto status = parseLink(obj, path, context, link); !status) {
        return status.error();
    }
    return link;
}

core::Status parseInterconnect(const Json& obj, ParseContext& context, core::Interconnect& out) {
    const core::JsonReader& r = context.reader();
    const std::string path = "/interconnect";
    if (!obj.is_object()) {
        return r.expected(path, "an object {\"scale_up\", \"host\", \"scale_out\"}", obj);
    }
    if (auto fields = context.checkFields(obj, path, {"scale_up", "host", "scale_out"}); !fields) {
        return fields;
    }
    for (const char* key : {"scale_up", "host", "scale_out"}) {
        if (r.has(obj, key) && !obj.at(key).is_object()) {
            return r.expected(core::childPath(path, key), "a link object", obj.at(key));
        }
    }
    if (r.has(obj, "scale_up")) {
        auto link = parseScaleUp(obj.at("scale_up"), "/interconnect/scale_up", context);
        if (!link) {
            return link.error();
        }
        out.scaleUp = link.value();
    }
    if (r.has(obj, "host")) {
        auto link = parseHost(obj.at("host"), "/interconnect/host", context);
        if (!link) {
            return link.error();
        }
        out.host = link.value();
    }
    if (r.has(obj, "scale_out")) {
        auto link = parseScaleOut(obj.at("scale_out"), "/interconnect/scale_out", context);
        if (!link) {
            return link.error();
        }
        out.scaleOut = link.value();
    }
    return core::Ok{};
}

core::Status parsePower(const Json& obj, ParseContext& context, core::Hardware& hw) {
    const core::JsonReader& r = context.reader();
    if (!obj.is_object()) {
        return r.expected("/power", "an object {\"tdp\", \"idle\"}", obj);
    }
    if (auto fields = context.checkFields(obj, "/power", {"tdp", "idle"}); !fields) {
        return fields;
    }
    if (!r.has(obj, "tdp") && !r.has(obj, "idle")) {
        return r.error("/power",
                       "expected tdp and/or idle (leave power out when neither is known)");
    }
    for (auto [key, target] : {std::pair{"tdp", &hw.tdpWatts}, std::pair{"idle", &hw.idleWatts}}) {
        if (r.has(obj, key)) {
            auto watts = context.quantity(obj, "/power", key, kPower);
            if (!watts) {
                return watts.error();
            }
            *target = watts.value();
        }
    }
    if (hw.tdpWatts > 0 && hw.idleWatts > hw.tdpWatts) {
        return r.error("/power/idle/value",
                       "expected an idle power <= the TDP (" + std::to_string(hw.tdpWatts) + " W)");
    }
    return core::Ok{};
}

}  // namespace

core::Status parseSections(const Json& doc, ParseContext& context, core::Hardware& hw) {
    const core::JsonReader& r = context.reader();
    if (r.has(doc, "interconnect")) {
        if (auto status = parseInterconnect(doc.at("interconnect"), context, hw.interconnect);
            !status) {
            return status;
        }
    }
    if (r.has(doc, "power")) {
        if (auto status = parsePower(doc.at("power"), context, hw); !status) {
            return status;
        }
    }
    if (r.has(doc, "release_year")) {
        auto year = context.count(doc, "", "release_year", 1970, 2100);
        if (!year) {
            return year.error();
        }
        hw.releaseYear = static_cast<int>(year.value());
    }
    ROOFLENS_CHECK(parseEfficiency(doc, context, hw));
    return parseThreadCeilings(doc, context, hw);
}

namespace {

void writeLink(const core::Link& link, const std::string& path, WriteContext& context,
               OrderedJson& out) {
    out["name"] = link.name;
    out["kind"] = std::string(core::nameOf(link.kind));
    if (link.bytesPerSecond > 0) {
        out[std::string(kBandwidthKey)] =
            context.quantity(core::childPath(path, kBandwidthKey), link.bytesPerSecond,
                             core::Dimension::bytesPerSecond);
    }
    // A defaulted latency is not written: reading the file back defaults it again.
    if (link.latencySeconds > 0 && !link.latencyDefaulted) {
        out[std::string(kLatencyKey)] = context.quantity(
            core::childPath(path, kLatencyKey), link.latencySeconds, core::Dimension::seconds);
    }
}

}  // namespace

void writeSections(const core::Hardware& hw, WriteContext& context, OrderedJson& doc) {
    const core::Interconnect& net = hw.interconnect;
    if (net.any()) {
        OrderedJson interconnect = OrderedJson::object();
        if (net.scaleUp) {
            const std::string path = "/interconnect/scale_up";
            OrderedJson link = OrderedJson::object();
            writeLink(*net.scaleUp, path, context, link);
            link["topology"] = std::string(core::nameOf(net.scaleUp->topology));
            link["domain_devices"] =
                context.count(core::childPath(path, "domain_devices"), net.scaleUp->domainDevices);
            link["in_network_reduction"] = net.scaleUp->inNetworkReduction;
            interconnect["scale_up"] = std::move(link);
        }
        if (net.host) {
            OrderedJson link = OrderedJson::object();
            writeLink(*net.host, "/interconnect/host", context, link);
            if (net.host->kind == core::LinkKind::pcie) {
                OrderedJson pcie = {{"generation", net.host->pcieGeneration}};
                if (net.host->pcieLanes > 0) {
                    pcie["lanes"] = net.host->pcieLanes;
                }
                link["pcie"] = std::move(pcie);
            }
            interconnect["host"] = std::move(link);
        }
        if (net.scaleOut) {
            OrderedJson link = OrderedJson::object();
            writeLink(*net.scaleOut, "/interconnect/scale_out", context, link);
            interconnect["scale_out"] = std::move(link);
        }
        doc["interconnect"] = std::move(interconnect);
    }
    if (hw.tdpWatts > 0 || hw.idleWatts > 0) {
        OrderedJson power = OrderedJson::object();
        if (hw.tdpWatts > 0) {
            power["tdp"] = context.quantity("/power/tdp", hw.tdpWatts, core::Dimension::watts);
        }
        if (hw.idleWatts > 0) {
            power["idle"] = context.quantity("/power/idle", hw.idleWatts, core::Dimension::watts);
        }
        doc["power"] = std::move(power);
    }
    if (hw.releaseYear > 0) {
        doc["release_year"] = context.count("/release_year", hw.releaseYear);
    }
    writeEfficiency(hw, doc);
    writeThreadCeilings(hw, doc);
}

}  // namespace rooflens::hwdb::detail
