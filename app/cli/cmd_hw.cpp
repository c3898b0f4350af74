// rooflens hw: list, show, import and export hardware profiles.
#include <cctype>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "core/units.h"
#include "hwdb/systems.h"

namespace rooflens::cli {

namespace {

const char* kHwUsage =
    "usage: rooflens hw list [--vendor NAME] [--kind gpu|cpu|tpu|soc] [--year Y|Y1-Y2]\n"
    "                        [--format table|json]\n"
    "       rooflens hw show ID|FILE [--format table|json]\n"
    "       rooflens hw import FILE [--force]\n"
    "       rooflens hw export ID [--output FILE]\n"
    "       rooflens hw systems [--format table|json]\n"
    "       rooflens hw system ID|FILE";

std::string originName(hwdb::Origin origin) {
    return origin == hwdb::Origin::builtin ? "built-in" : "user";
}

// Best 16-bit float matrix peak, the headline number of an accelerator.
double headlinePeak(const core::Hardware& hw) {
    double best = 0;
    for (auto type : {core::DataType::fp16, core::DataType::bf16}) {
        best = std::max({best, hw.matrixDense.at(type), hw.vector.at(type)});
    }
    return best > 0 ? best : hw.vector.at(core::DataType::fp32);
}

std::string pad(const std::string& text, std::size_t width) {
    return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

// Which devices `hw list` shows: every filter that is set must match.
struct ListFilter {
    std::string vendor;  // case-insensitive, exact
    std::optional<core::DeviceKind> kind;
    int fromYear = 0;  // inclusive; 0 = no bound
    int toYear = 0;
    bool matches(const core::Hardware& hw) const;
};

std::string lower(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

bool ListFilter::matches(const core::Hardware& hw) const {
    if (!vendor.empty() && lower(hw.vendor) != lower(vendor)) {
        return false;
    }
    if (kind && hw.kind != *kind) {
        return false;
    }
    if (fromYear > 0 &&
        (hw.releaseYear == 0 || hw.releaseYear < fromYear || hw.releaseYear > toYear)) {
        return false;
    }
    return true;
}

// "2024" or "2023-2025".
std::pair<int, int> parseYears(const std::string& text) {
    const auto dash = text.find('-');
    const std::string first = text.substr(0, dash);
    const std::string second = dash == std::string::npos ? first : text.substr(dash + 1);
    auto number = [&](const std::string& part) {
        if (part.size() != 4 || part.find_first_not_of("0123456789") != std::string::npos) {
            throw CliError{kUsage, "--year: expected a year (2024) or a range (2023-2025), got '" +
                                       text + "'"};
        }
        return std::stoi(part);
    };
    const int from = number(first);
    const int to = number(second);
    if (to < from) {
        throw CliError{kUsage, "--year: the range " + text + " ends before it starts"};
    }
    return {from, to};
}

ListFilter parseFilter(const po::variables_map& vm) {
    ListFilter filter;
    filter.vendor = vm["vendor"].as<std::string>();
    if (const auto& kind = vm["kind"].as<std::string>(); !kind.empty()) {
        filter.kind = core::parseDeviceKind(kind);
        if (!filter.kind) {
            throw CliError{kUsage, "--kind: expected gpu, cpu, tpu or soc, got '" + kind + "'"};
        }
    }
    if (const auto& years = vm["year"].as<std::string>(); !years.empty()) {
        std::tie(filter.fromYear, filter.toYear) = parseYears(years);
    }
    return filter;
}

std::string yearText(const core::Hardware& hw) {
    return hw.releaseYear > 0 ? std::to_string(hw.releaseYear) : std::string("-");
}

std::string listJson(const std::vector<const hwdb::Entry*>& entries) {
    core::Json rows = core::Json::array();
    for (const auto* entry : entries) {
        const auto& hw = entry->hardware;
        rows.push_back({{"id", hw.id},
                        {"name", hw.name},
                        {"vendor", hw.vendor},
                        {"kind", std::string(core::nameOf(hw.kind))},
                        {"release_year",
                         hw.releaseYear > 0 ? core::Json(hw.releaseYear) : core::Json(nullptr)},
                        {"origin", originName(entry->origin)},
                        {"memory_bytes", hw.memoryCapacityBytes()},
                        {"bandwidth_bytes_per_s", hw.memoryBytesPerSecond()},
                        {"peak_16bit_ops_per_s", headlinePeak(hw)}});
    }
    return rows.dump(2) + "\n";
}

int list(const std::vector<std::string>& args) {
    po::options_description options("hw list options");
    options.add_options()("format", po::value<std::string>()->default_value("table"), "table|json")(
        "vendor", po::value<std::string>()->default_value(""),
        "only this vendor (NVIDIA, AMD, ...)")("kind", po::value<std::string>()->default_value(""),
                                               "only this kind: gpu, cpu, tpu, soc")(
        "year", po::value<std::string>()->default_value(""),
        "only devices released in this year (2024) or range (2023-2025)");
    auto vm = parseOptions(args, options,
                           "usage: rooflens hw list [--vendor NAME] [--kind KIND] [--year Y|Y1-Y2] "
                           "[--format table|json]");
    if (!vm) {
        return kOk;
    }
    const auto format = parseFormat((*vm)["format"].as<std::string>(),
                                    {core::ReportFormat::table, core::ReportFormat::json});
    const ListFilter filter = parseFilter(*vm);
    const hwdb::Database db = loadDatabase(true);
    std::vector<const hwdb::Entry*> entries;
    for (const auto* entry : db.visibleEntries()) {
        if (filter.matches(entry->hardware)) {
            entries.push_back(entry);
        }
    }
    if (format == core::ReportFormat::json) {
        emit(listJson(entries), "");
        return kOk;
    }
    std::ostringstream out;
    out << pad("id", 22) << pad("name", 44) << pad("vendor", 8) << pad("kind", 5) << pad("year", 5)
        << pad("memory", 11) << pad("bandwidth", 12) << pad("16-bit peak", 14) << "origin\n";
    for (const auto* entry : entries) {
        const auto& hw = entry->hardware;
        out << pad(hw.id, 22) << pad(hw.name, 44) << pad(hw.vendor, 8)
            << pad(std::string(core::nameOf(hw.kind)), 5) << pad(yearText(hw), 5)
            << pad(core::formatSi(hw.memoryCapacityBytes(), "B"), 11)
            << pad(core::formatSi(hw.memoryBytesPerSecond(), "B/s"), 12)
            << pad(core::formatSi(headlinePeak(hw), "OP/s"), 14) << originName(entry->origin)
            << '\n';
    }
    if (entries.empty()) {
        std::cerr << "no device matches the filters\n";
    }
    emit(out.str(), "");
    return kOk;
}

// A second member of a pair listed once when it shares the first's rate (fp8, mxfp8, mxfp6).
bool listedWithPartner(core::DataType type, const core::PeakTable& dense) {
    using D = core::DataType;
    const std::pair<D, D> pairs[] = {
        {D::fp8_e5m2, D::fp8_e4m3}, {D::mxfp8_e5m2, D::mxfp8_e4m3}, {D::mxfp6_e3m2, D::mxfp6_e2m3}};
    for (const auto& [second, first] : pairs) {
        if (type == second && dense.at(type) == dense.at(first)) {
            return true;
        }
    }
    return false;
}

void describeCompute(const core::Hardware& hw, std::ostringstream& out) {
    const double bandwidth = hw.memoryBytesPerSecond();
    out << "\ncompute peaks (dense; 2:4 sparse)        ridge point vs " << hw.mainMemory().name
        << "\n";
    auto table = [&](const char* unit, const core::PeakTable& dense,
                     const core::PeakTable* sparse) {
        for (auto type : core::kAllDataTypes) {
            const double peak = dense.at(type);
            if (peak <= 0 || listedWithPartner(type, dense)) {
                continue;  // fp8 (and the MX pairs) are listed once
            }
            std::string line = std::string(unit) + " " + std::string(core::nameOf(type));
            std::string rate = core::formatSi(peak, "OP/s");
            if (sparse != nullptr && sparse->at(type) > 0) {
                rate += "; " + core::formatSi(sparse->at(type), "OP/s");
            }
            char ridge[32];
            std::snprintf(ridge, sizeof ridge, "%.1f OPs/B", peak / bandwidth);
            out << "  " << pad(line, 18) << pad(rate, 24) << ridge << '\n';
        }
    };
    table("matrix", hw.matrixDense, &hw.matrixSparse);
    table("vector", hw.vector, nullptr);
    std::string blocks;
    for (auto type : core::kAllDataTypes) {
        if (core::isBlockScaled(type) && hw.supportsMatrix(type)) {
            blocks += blocks.empty() ? "" : " ";
            blocks += core::nameOf(type);
        }
    }
    out << "\nfeatures: 2:4 sparse matrix units " << (hw.hasSparseMatrixUnits() ? "yes" : "no")
        << ", fp8 matrix " << (hw.supportsMatrix(core::DataType::fp8_e4m3) ? "yes" : "no")
        << ", int4 matrix " << (hw.supportsMatrix(core::DataType::int4) ? "yes" : "no")
        << ", int8 matrix " << (hw.supportsMatrix(core::DataType::int8) ? "yes" : "no") << '\n'
        << "block-scaled matrix formats: " << (blocks.empty() ? std::string("none") : blocks)
        << '\n';
}

std::string linkLine(const core::Link& link) {
    std::string text = link.name + " [" + std::string(core::nameOf(link.kind)) + "]\n      ";
    text += link.bytesPerSecond > 0 ? core::formatSi(link.bytesPerSecond, "B/s") + " per direction"
                                    : std::string("bandwidth not published");
    text += ", latency " + core::formatSeconds(link.latencySeconds) +
            (link.latencyDefaulted ? " per step (default for the kind)" : " per step");
    return text;
}

void describeInterconnect(const core::Hardware& hw, std::ostringstream& out) {
    const core::Interconnect& net = hw.interconnect;
    out << "\ninterconnect (per device):\n";
    if (net.scaleUp) {
        const auto& up = *net.scaleUp;
        out << "  scale-up   " << linkLine(up) << "\n      domain " << up.domainDevices
            << " devices, " << core::nameOf(up.topology)
            << (up.inNetworkReduction ? ", in-network reduction" : "") << '\n';
    } else {
        out << "  scale-up   none described (peers are reached over the host link / scale-out)\n";
    }
    if (net.host) {
        out << "  host       " << linkLine(*net.host);
        if (net.host->pcieGeneration > 0) {
            out << "\n      PCIe gen " << net.host->pcieGeneration;
            if (net.host->pcieLanes > 0) {
                out << " x" << net.host->pcieLanes;
            }
        }
        out << '\n';
    } else {
        out << "  host       none described (the device is the host or an integrated SoC)\n";
    }
    if (net.scaleOut) {
        out << "  scale-out  " << linkLine(*net.scaleOut) << '\n';
    } else {
        out << "  scale-out  none described\n";
    }
    auto watts = [](double w) {
        char text[32];
        std::snprintf(text, sizeof text, "%g W", w);
        return std::string(text);
    };
    out << "power: " << (hw.tdpWatts > 0 ? "TDP " + watts(hw.tdpWatts) : "TDP not published")
        << (hw.idleWatts > 0 ? ", idle " + watts(hw.idleWatts) : std::string()) << "\nreleased: "
        << (hw.releaseYear > 0 ? std::to_string(hw.releaseYear) : std::string("unknown")) << '\n';
}

std::string describe(const core::Hardware& hw) {
    std::ostringstream out;
    out << hw.id << ": " << hw.name << " (" << hw.vendor << ", " << core::nameOf(hw.kind) << ")\n";
    if (!hw.sourceFile.empty()) {
        out << "file: " << hw.sourceFile << '\n';
    }
    out << "\nmemory (closest first):\n";
    for (const auto& level : hw.memory) {
        out << "  " << pad(level.name, 16) << pad(core::formatSi(level.capacityBytes, "B"), 12)
            << (level.bytesPerSecond > 0 ? core::formatSi(level.bytesPerSecond, "B/s")
                                         : std::string("bandwidth not published"))
            << (level.measured ? "  (measured)" : "") << '\n';
    }
    if (hw.sramPerCoreBytes > 0) {
        out << "  SRAM per core/SM: " << core::formatBinary(hw.sramPerCoreBytes, "B") << '\n';
    }
    describeCompute(hw, out);
    describeInterconnect(hw, out);
    bool header = false;
    for (const auto& p : hw.provenance) {
        if (p.status == core::Provenance::datasheet) {
            continue;
        }
        if (!header) {
            out << "\nnot straight from a datasheet:\n";
            header = true;
        }
        out << "  " << pad(p.jsonPath, 34) << core::nameOf(p.status)
            << (p.note.empty() ? "" : ": " + p.note) << '\n';
    }
    if (!hw.notes.empty()) {
        out << "\nnotes: " << hw.notes << '\n';
    }
    return out.str();
}

int show(const std::vector<std::string>& args) {
    po::options_description options("hw show options");
    options.add_options()("device", po::value<std::string>()->required(), "device id or file")(
        "format", po::value<std::string>()->default_value("table"), "table|json");
    po::positional_options_description positional;
    positional.add("device", 1);
    auto vm = parseOptions(args, options, "usage: rooflens hw show ID|FILE [--format table|json]",
                           &positional);
    if (!vm) {
        return kOk;
    }
    const auto format = parseFormat((*vm)["format"].as<std::string>(),
                                    {core::ReportFormat::table, core::ReportFormat::json});
    const hwdb::Database db = loadDatabase(false);
    const core::Hardware hw = resolveHardware(db, (*vm)["device"].as<std::string>());
    emit(format == core::ReportFormat::json ? hwdb::serializeDevice(hw) : describe(hw), "");
    return kOk;
}

int import(const std::vector<std::string>& args) {
    po::options_description options("hw import options");
    options.add_options()("file", po::value<std::string>()->required(), "profile to import")(
        "force", po::bool_switch(), "replace a user profile or shadow a built-in with the same id");
    po::positional_options_description positional;
    positional.add("file", 1);
    auto vm = parseOptions(args, options, "usage: rooflens hw import FILE [--force]", &positional);
    if (!vm) {
        return kOk;
    }
    hwdb::Database db = loadDatabase(false);
    auto imported = db.importProfile((*vm)["file"].as<std::string>(), (*vm)["force"].as<bool>());
    if (!imported) {
        throw CliError{kBadInput, imported.error().message};
    }
    std::cerr << "imported " << imported->id << " into "
              << (db.userDir() / (imported->id + ".json")).string() << '\n';
    return kOk;
}

int exportProfile(const std::vector<std::string>& args) {
    po::options_description options("hw export options");
    options.add_options()("device", po::value<std::string>()->required(), "device id")(
        "output,o", po::value<std::string>()->default_value(""), "write to FILE");
    po::positional_options_description positional;
    positional.add("device", 1);
    auto vm =
        parseOptions(args, options, "usage: rooflens hw export ID [--output FILE]", &positional);
    if (!vm) {
        return kOk;
    }
    const hwdb::Database db = loadDatabase(false);
    const core::Hardware hw = resolveHardware(db, (*vm)["device"].as<std::string>());
    emit(hwdb::serializeDevice(hw), (*vm)["output"].as<std::string>());
    return kOk;
}

std::string linkText(const std::optional<core::Link>& link) {
    if (!link || link->bytesPerSecond <= 0) {
        return "-";
    }
    return core::formatSi(link->bytesPerSecond, "B/s") + ", " +
           core::formatSeconds(link->latencySeconds) + (link->latencyDefaulted ? " (default)" : "");
}

core::Json systemJson(const core::System& s) {
    auto link = [](const std::optional<core::Link>& l) -> core::Json {
        if (!l) {
            return nullptr;
        }
        return {{"name", l->name},
                {"bytes_per_second_per_direction", l->bytesPerSecond},
                {"latency_s", l->latencySeconds},
                {"latency_defaulted", l->latencyDefaulted}};
    };
    return {{"id", s.id},
            {"name", s.name},
            {"device", s.device.id},
            {"devices_per_node", s.devicesPerNode},
            {"nodes", s.nodes},
            {"devices", s.devices()},
            {"scale_up_domain", s.scaleUpDomain},
            {"scale_up", link(s.scaleUp)},
            {"scale_out", link(s.scaleOut)},
            {"memory_bytes_per_device", s.device.memoryCapacityBytes()}};
}

std::vector<core::System> builtinSystems(const hwdb::Database& db) {
    std::vector<core::System> out;
    for (const auto& id : hwdb::listSystems()) {
        out.push_back(unwrap(hwdb::resolveSystem(id, db)));
    }
    return out;
}

int systems(const std::vector<std::string>& args) {
    po::options_description options("hw systems options");
    options.add_options()("format", po::value<std::string>()->default_value("table"), "table|json");
    auto vm = parseOptions(args, options, "usage: rooflens hw systems [--format table|json]");
    if (!vm) {
        return kOk;
    }
    const auto format = parseFormat((*vm)["format"].as<std::string>(),
                                    {core::ReportFormat::table, core::ReportFormat::json});
    const hwdb::Database db = loadDatabase(false);
    const std::vector<core::System> all = builtinSystems(db);
    if (format == core::ReportFormat::json) {
        core::Json list = core::Json::array();
        for (const auto& s : all) {
            list.push_back(systemJson(s));
        }
        emit(core::Json{{"systems", std::move(list)}}.dump(2) + "\n", "");
        return kOk;
    }
    std::ostringstream out;
    out << pad("id", 20) << pad("device", 16) << pad("GPUs", 6) << pad("nodes", 7)
        << pad("domain", 8) << pad("scale-up (per GPU, per direction)", 36) << "scale-out\n";
    for (const auto& s : all) {
        out << pad(s.id, 20) << pad(s.device.id, 16) << pad(std::to_string(s.devices()), 6)
            << pad(std::to_string(s.nodes), 7) << pad(std::to_string(s.scaleUpDomain), 8)
            << pad(linkText(s.scaleUp), 36) << linkText(s.scaleOut) << '\n';
    }
    emit(out.str(), "");
    return kOk;
}

int systemShow(const std::vector<std::string>& args) {
    po::options_description options("hw system options");
    options.add_options()("system", po::value<std::string>()->required(), "system id or file");
    po::positional_options_description positional;
    positional.add("system", 1);
    auto vm = parseOptions(args, options, "usage: rooflens hw system ID|FILE", &positional);
    if (!vm) {
        return kOk;
    }
    const hwdb::Database db = loadDatabase(false);
    const core::System s = unwrap(hwdb::resolveSystem((*vm)["system"].as<std::string>(), db));
    emit(systemJson(s).dump(2) + "\n", "");
    return kOk;
}

}  // namespace

int runHw(const std::vector<std::string>& args) {
    return dispatchVerb(args,
                        {{"list", list},
                         {"show", show},
                         {"import", import},
                         {"export", exportProfile},
                         {"systems", systems},
                         {"system", systemShow}},
                        kHwUsage);
}

}  // namespace rooflens::cli
