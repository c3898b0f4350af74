// rooflens hw: list, show, import and export hardware profiles.
#include <cstdio>
#include <iostream>
#include <sstream>

#include "cli_common.h"
#include "core/units.h"

namespace rooflens::cli {

namespace {

const char* kHwUsage =
    "usage: rooflens hw list [--format table|json]\n"
    "       rooflens hw show ID|FILE [--format table|json]\n"
    "       rooflens hw import FILE [--force]\n"
    "       rooflens hw export ID [--output FILE]";

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

int list(const std::vector<std::string>& args) {
    po::options_description options("hw list options");
    options.add_options()("format", po::value<std::string>()->default_value("table"), "table|json");
    auto vm = parseOptions(args, options, "usage: rooflens hw list [--format table|json]");
    if (!vm) {
        return kOk;
    }
    const auto format = parseFormat((*vm)["format"].as<std::string>(),
                                    {core::ReportFormat::table, core::ReportFormat::json});
    const hwdb::Database db = loadDatabase(true);
    std::ostringstream out;
    if (format == core::ReportFormat::json) {
        out << "[\n";
        const auto entries = db.visibleEntries();
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const auto& e = *entries[i];
            char line[512];
            std::snprintf(line, sizeof line,
                          "  {\"id\": \"%s\", \"origin\": \"%s\", \"memory_bytes\": %.17g, "
                          "\"bandwidth_bytes_per_s\": %.17g, \"peak_16bit_ops_per_s\": %.17g}%s\n",
                          e.hardware.id.c_str(), originName(e.origin).c_str(),
                          e.hardware.memoryCapacityBytes(), e.hardware.memoryBytesPerSecond(),
                          headlinePeak(e.hardware), i + 1 < entries.size() ? "," : "");
            out << line;
        }
        out << "]\n";
    } else {
        out << pad("id", 22) << pad("name", 44) << pad("kind", 5) << pad("memory", 11)
            << pad("bandwidth", 12) << pad("16-bit peak", 14) << "origin\n";
        for (const auto* entry : db.visibleEntries()) {
            const auto& e = *entry;
            const auto& hw = e.hardware;
            out << pad(hw.id, 22) << pad(hw.name, 44) << pad(std::string(core::nameOf(hw.kind)), 5)
                << pad(core::formatSi(hw.memoryCapacityBytes(), "B"), 11)
                << pad(core::formatSi(hw.memoryBytesPerSecond(), "B/s"), 12)
                << pad(core::formatSi(headlinePeak(hw), "OP/s"), 14) << originName(e.origin)
                << '\n';
        }
    }
    emit(out.str(), "");
    return kOk;
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
    const double bandwidth = hw.memoryBytesPerSecond();
    out << "\ncompute peaks (dense; 2:4 sparse)      ridge point vs " << hw.mainMemory().name
        << "\n";
    auto table = [&](const char* unit, const core::PeakTable& dense,
                     const core::PeakTable* sparse) {
        for (auto type : core::kAllDataTypes) {
            if (type == core::DataType::fp8_e5m2 &&
                dense.at(type) == dense.at(core::DataType::fp8_e4m3)) {
                continue;  // fp8 is listed once
            }
            const double peak = dense.at(type);
            if (peak <= 0) {
                continue;
            }
            std::string line = std::string(unit) + " " + std::string(core::nameOf(type));
            std::string rate = core::formatSi(peak, "OP/s");
            if (sparse != nullptr && sparse->at(type) > 0) {
                rate += "; " + core::formatSi(sparse->at(type), "OP/s");
            }
            char ridge[32];
            std::snprintf(ridge, sizeof ridge, "%.1f OPs/B", peak / bandwidth);
            out << "  " << pad(line, 16) << pad(rate, 24) << ridge << '\n';
        }
    };
    table("matrix", hw.matrixDense, &hw.matrixSparse);
    table("vector", hw.vector, nullptr);
    out << "\nfeatures: 2:4 sparse matrix units " << (hw.hasSparseMatrixUnits() ? "yes" : "no")
        << ", fp8 matrix " << (hw.supportsMatrix(core::DataType::fp8_e4m3) ? "yes" : "no")
        << ", int4 matrix " << (hw.supportsMatrix(core::DataType::int4) ? "yes" : "no")
        << ", int8 matrix " << (hw.supportsMatrix(core::DataType::int8) ? "yes" : "no") << '\n';
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

}  // namespace

int runHw(const std::vector<std::string>& args) {
    return dispatchVerb(
        args, {{"list", list}, {"show", show}, {"import", import}, {"export", exportProfile}},
        kHwUsage);
}

}  // namespace rooflens::cli
