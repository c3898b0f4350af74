// rooflens scenarios: list the built-in compression presets or show one.
#include <cstdio>
#include <iostream>
#include <sstream>

#include "cli_common.h"
#include "workload_options.h"

namespace rooflens::cli {

namespace {

const char* kScenariosUsage =
    "usage: rooflens scenarios list\n"
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

// "arXiv:2306.00978" out of a citation, or the citation itself.
std::string arxivId(const std::string& citation) {
    const auto at = citation.find("arXiv:");
    return at == std::string::npos ? citation : citation.substr(at);
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
        std::ostringstream out;
        char line[256];
        std::snprintf(line, sizeof line, "%-20s %-16s %-16s %-16s %s\n", "name", "weight bits",
                      "activation bits", "KV bits", "paper");
        out << line;
        for (const auto& name : core::listScenarioPresets()) {
            const core::Scenario s = resolveScenarioArg(name);
            // Effective bits for a 4096-wide layer (per-channel metadata depends on it).
            std::snprintf(
                line, sizeof line, "%-20s %-16s %-16s %-16s %s\n", name.c_str(),
                bitsOf(s.weights, 4096).c_str(), bitsOf(s.activations, 4096).c_str(),
                bitsOf(s.kvCache ? std::optional(s.kvCache->format) : std::nullopt, 0).c_str(),
                arxivId(s.citation).c_str());
            out << line;
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
