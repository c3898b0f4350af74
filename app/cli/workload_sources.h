#pragma once
// Where analyze, compare and sweep get workloads from: one family's builder bound to the
// family's own command-line options. The LLM source is in workload_llm.cpp, ViT and GNN in
// workload_vit.cpp and workload_gnn.cpp.
#include <functional>
#include <optional>
#include <string>

#include <boost/program_options.hpp>

#include "core/result.h"
#include "core/scenario.h"
#include "core/workload.h"

namespace rooflens::cli {

struct WorkloadSource {
    std::string family;  // "llm", "vit", "gnn"
    std::string id;
    // Builds one pass for the run settings (phase, batch, lengths, bits, flash attention).
    std::function<core::Result<core::Workload>(const core::RunSettings&)> build;
    // Optional: the same with identical blocks folded (faster sweeps); empty if unsupported.
    std::function<core::Result<core::Workload>(const core::RunSettings&, bool collapse)>
        buildCollapsed;
};

// Family options added to analyze/compare/sweep (ViT: --image-size, token schedule; GNN:
// --graph, --hidden, --layers, ...).
void addVitOptions(boost::program_options::options_description& options);
void addGnnOptions(boost::program_options::options_description& options);

// nullopt when `model` is not a model of that family; throws CliError for bad options or files.
std::optional<WorkloadSource> vitSource(const std::string& model,
                                        const boost::program_options::variables_map& vm);
std::optional<WorkloadSource> gnnSource(const std::string& model,
                                        const boost::program_options::variables_map& vm);
WorkloadSource llmSource(const std::string& model);

// ViT, then GNN, then LLM (whose resolver reports an unknown id).
WorkloadSource resolveWorkloadSource(const std::string& model,
                                     const boost::program_options::variables_map& vm);

// The compression asked for on the command line: --scenario NAME|FILE, or the --wbits/--abits/
// --kvbits shorthand; nullopt when the model runs uncompressed. Throws CliError.
std::optional<core::Scenario> scenarioFromOptions(const boost::program_options::variables_map& vm);
core::Scenario resolveScenarioArg(const std::string& nameOrPath);
// The same source with the scenario applied after every build.
WorkloadSource compressed(WorkloadSource source, const std::optional<core::Scenario>& scenario);

}  // namespace rooflens::cli
