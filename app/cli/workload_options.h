#pragma once
// The command-line side of the evaluation pipeline, shared by analyze, compare, sweep and plot:
// the run, family and output options, their translation into a models::WorkloadSpec, the
// scenarios and devices, and the bound builder. A flag of another family than the model's is a
// usage error that names the flag and the family.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "core/evaluate.h"
#include "core/report_io.h"
#include "core/scenario.h"
#include "hwdb/systems.h"
#include "models/workload_spec.h"

namespace rooflens::cli {

namespace po = boost::program_options;

// How a command takes its run settings: one value each (analyze, compare, plot) or ranges
// (sweep), and its default phase.
struct RunOptionStyle {
    const char* phase = "prefill";
    bool ranges = false;
    bool compare = false;  // compare: --context-len is the decode step's context
};

void addRunOptions(po::options_description& options, const RunOptionStyle& style);
// --model, --hw (one or repeated), --scenario (one or repeated) and the --wbits/--abits/--kvbits
// shorthand.
void addModelOptions(po::options_description& options, bool severalDevices, bool severalScenarios);
// --format (the allowed ones) and --output.
void addOutputOptions(po::options_description& options, const char* formats);
// The ViT and GNN option groups.
void addFamilyOptions(po::options_description& options);

// The model of --model bound to its family's builder, with the spec it came from.
struct BoundModel {
    models::WorkloadSpec spec;
    std::shared_ptr<const core::WorkloadBuilder> builder;
};

// Decides the family once from --model, checks that no option of another family was given,
// reads the family's options and binds the model (importing a graph with a progress bar).
BoundModel bindModel(const po::variables_map& vm);

// The run settings of a single-valued command. The phase defaults to the family's only pass
// for vision models and GNNs; an explicit other phase is a usage error.
core::RunSettings runSettings(const po::variables_map& vm, const core::WorkloadBuilder& builder);
// --phase as given, or the family's forward pass when omitted for a single-pass family.
core::Phase phaseOption(const po::variables_map& vm, const core::WorkloadBuilder& builder);

// --scenario NAME|FILE (repeatable) or the --wbits/--abits/--kvbits shorthand; when neither is
// given, the compression of a quantized checkpoint (its quantization_config), else the model
// uncompressed.
core::ScenarioList scenarioList(const po::variables_map& vm, const core::WorkloadBuilder& builder);
core::Scenario resolveScenarioArg(const std::string& nameOrPath);

// --tp, --pp, --ep, --dp, --cp, --micro-batches, --expert-imbalance, --overlap,
// --in-network-reduction, --system, --devices. `ranges`: sweep lists ("1,2,4,8").
void addDeploymentOptions(po::options_description& options, bool ranges);
core::Deployment deploymentOption(const po::variables_map& vm);
// Every plan of the --tp/--ep/--pp/--cp/--dp lists (sweeps), in that nesting order.
std::vector<core::Deployment> deploymentList(const po::variables_map& vm);
// --micro-batches, --expert-imbalance, --overlap, --in-network-reduction applied to `d`.
core::Deployment withPlanOptions(const po::variables_map& vm, core::Deployment d);

// The devices of --hw (one or repeated) or of --system, resolved against the database.
std::vector<core::Hardware> deviceList(const po::variables_map& vm);
// The systems the devices run in: --system (their devices are deviceList's), --hw with
// --devices N, or none (the pipeline takes each device's own links).
std::vector<core::System> systemList(const po::variables_map& vm,
                                     const std::vector<core::Hardware>& devices,
                                     const core::Deployment& deployment);

core::ReportFormat formatOption(const po::variables_map& vm,
                                std::initializer_list<core::ReportFormat> allowed);
std::string outputOption(const po::variables_map& vm);

// Prints the warnings of the reports that a data format has no room for, on stderr.
void printWarnings(const std::vector<std::string>& warnings);

}  // namespace rooflens::cli
