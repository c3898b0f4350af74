// rooflens scenarios: list the built-in compression presets or show one.
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli_common.h"
#include "core/scenario.h"
#include "workload_options.h"

namespace rooflens::cli {

namespace {

const char* kScenariosUsage =
    "usage: rooflens scenarios list [--format table|json]\n"
    "       rooflens scenarios show NAME|FILE";

std::string bitsOf(const std::optional<core::TensorFormat>& format, double k) {
    if (!format) {
        return "16 (native)";
    }
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.4g (%s)", format->effectiveBits(k),
                  std::string(core::nameOf(format->type)).c_str());
    return buffer;
}

// KV bits with GEAR's residual counted for heads of 128, as the JSON catalog gives them.
std::string kvBitsOf(const core::Scenario& s) {
    if (!s.kvCache) {
        return "16 (native)";
    }
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.4g (%s)", core::kvEffectiveBits(*s.kvCache, 128),
                  std::string(core::nameOf(s.kvCache->format.type)).c_str());
    return buffer;
}

// "Title (arXiv:id); Title (arXiv:id)" of a citation, or the citation itself where it names none.
std::string papersText(const std::string& citation) {
    std::string text;
    for (const auto& paper : core::papersOf(citation)) {
        text += (text.empty() ? "" : "; ") + paper.title +
                (paper.arxivId.empty() ? "" : " (arXiv:" + paper.arxivId + ")");
    }
    return text.empty() ? citation : text;
}

// The format of `list`: table (default) or json.
std::string listFormat(const std::vector<std::string>& args) {
    std::string format = "table";
    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--format" && i + 1 < args.size()) {
            format = args[++i];
        } else if (arg.rfind("--format=", 0) == 0) {
            format = arg.substr(9);
        } else {
            throw CliError{kUsage, "unexpected argument '" + arg + "'\n" + kScenariosUsage};
        }
        if (format != "table" && format != "json") {
            throw CliError{kUsage, "--format: expected table or json, got '" + format + "'"};
        }
    }
    return format;
}

}  // namespace

int runScenarios(const std::vector<std::string>& args) {
    if (args.empty()) {
        throw CliError{kUsage, std::string("missing subcommand\n") + kScenariosUsage};
    }
    const std::string verb = args.front();
    if (verb == "--help" || verb == "-h") {
        std::cout << kScenariosUsage << '\n';
        return kOk;
    }
    if (verb == "list") {
        if (listFormat(args) == "json") {
            emit(unwrap(core::scenarioCatalogJson()), "");
            return kOk;
        }
        std::ostringstream out;
        char line[192];
        std::snprintf(line, sizeof line, "%-20s %-16s %-16s %-16s %s\n", "name", "weight bits",
                      "activation bits", "KV bits", "mechanism / paper");
        out << line;
        for (const auto& name : core::listScenarioPresets()) {
            const core::Scenario s = resolveScenarioArg(name);
            // Effective bits for a 4096-wide layer (per-channel metadata depends on it).
            std::snprintf(line, sizeof line, "%-20s %-16s %-16s %-16s ", name.c_str(),
                          bitsOf(s.weights, 4096).c_str(), bitsOf(s.activations, 4096).c_str(),
                          kvBitsOf(s).c_str());
            out << line << core::mechanismOf(s) << '\n'
                << std::string(72, ' ') << papersText(s.citation) << '\n';
        }
        emit(out.str(), "");
        return kOk;
    }
    if (verb == "show") {
        if (args.size() != 2) {
            throw CliError{kUsage, std::string("show needs one NAME or FILE\n") + kScenariosUsage};
        }
        const core::Scenario s = resolveScenarioArg(args[1]);
        emit(core::serializeScenario(s), "");
        return kOk;
    }
    throw CliError{kUsage, "unknown subcommand '" + verb + "'\n" + kScenariosUsage};
}

}  // namespace rooflens::cli
