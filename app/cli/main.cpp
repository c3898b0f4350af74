// `rooflens`: the headless command-line front end. Data goes to stdout, diagnostics to stderr;
// exit codes 0 success, 1 usage error, 2 bad input or data, 3 runtime failure.
#include <exception>
#include <iostream>
#include <new>
#include <string>
#include <vector>

#include "cli_common.h"
#include "core/platform.h"

namespace {

using rooflens::cli::Command;

constexpr Command kCommands[] = {
    {"analyze", "per-layer roofline report of a model on a device", rooflens::cli::runAnalyze},
    {"models", "list built-in models or show one (list, show)", rooflens::cli::runModels},
    {"hw", "hardware database, profiles and systems (list, show, import, export, systems)",
     rooflens::cli::runHw},
    {"scenarios", "compression presets (list, show)", rooflens::cli::runScenarios},
    {"compare", "scenarios and devices side by side", rooflens::cli::runCompare},
    {"sweep", "metrics over batch, length, device and scenario grids", rooflens::cli::runSweep},
    {"plan", "best TP/EP/PP/DP plan and batch of a model on a system", rooflens::cli::runPlan},
    {"serve", "steady-state serving under load: TTFT, TPOT, tokens/s per device, $ and J",
     rooflens::cli::runServe},
    {"plot", "roofline chart to PNG, SVG or PDF (the GUI's drawing)", rooflens::cli::runPlot},
#ifdef ROOFLENS_HAVE_CALIBRATE
    {"calibrate", "measure this machine's ceilings into a hardware profile",
     rooflens::cli::runCalibrate},
    {"validate", "reference kernels of a model: measured vs predicted", rooflens::cli::runValidate},
#endif
};

void printUsage(std::ostream& out) {
    out << "usage: rooflens <command> [options]\n\ncommands:\n";
    for (const auto& command : kCommands) {
        out << "  " << command.name << std::string(12 - std::string(command.name).size(), ' ')
            << command.summary << '\n';
    }
    out << "\n'rooflens <command> --help' describes a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
    rooflens::core::configureProcessAllocator();
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        printUsage(std::cerr);
        return rooflens::cli::kUsage;
    }
    const std::string name = args.front();
    if (name == "--help" || name == "-h" || name == "help") {
        printUsage(std::cout);
        return rooflens::cli::kOk;
    }
    if (name == "--version") {
        std::cout << "rooflens 0.1.0\n";
        return rooflens::cli::kOk;
    }
    args.erase(args.begin());
    for (const auto& command : kCommands) {
        if (name == command.name) {
            try {
                return command.run(args);
            } catch (const rooflens::core::Error& e) {
                std::cerr << "rooflens " << name << ": " << e.message << '\n';
                return rooflens::cli::exitCode(e.kind);
            } catch (const std::bad_alloc&) {
                std::cerr << "rooflens " << name << ": out of memory\n";
                return rooflens::cli::kRuntime;
            } catch (const std::exception& e) {
                std::cerr << "rooflens " << name << ": internal error: " << e.what() << '\n';
                return rooflens::cli::kRuntime;
            } catch (...) {
                std::cerr << "rooflens " << name << ": internal error (unknown exception)\n";
                return rooflens::cli::kRuntime;
            }
        }
    }
    std::cerr << "rooflens: unknown command '" << name << "'\n\n";
    printUsage(std::cerr);
    return rooflens::cli::kUsage;
}
