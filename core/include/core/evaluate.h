#pragma once
// The evaluation pipeline: the one way through the engine that every front end takes (the CLI's
// analyze, compare, sweep, plot and validate, the GUI, the Python module):
//
//   WorkloadBuilder (models::bindWorkload of a WorkloadSpec)
//     + RunSettings + Deployment + devices + scenarios
//       -> build each pass once per scenario (and token reduction)   [WorkloadBuilder::build]
//       -> apply the scenario, a transform of the built workload      [applyScenario]
//       -> analyse on each device; requests summed in closed form     [analyze, request.h]
//       -> one Report per (device, scenario), device-major, with its derived metrics
//
// compare (core/compare.h) and sweeps (core/sweep.h) are built on the same steps.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/analysis.h"
#include "core/deployment.h"
#include "core/hardware.h"
#include "core/result.h"
#include "core/scenario.h"
#include "core/workload.h"

namespace rooflens::core {

// Options of one built pass beyond the run settings.
struct PassOptions {
    bool collapseBlocks = false;  // identical blocks folded into one layer with a repeat count
    // Token reduction of the scenario (vision families, models::parseTokenReduction grammar):
    // empty = the workload spec's own, "none" = no reduction.
    std::string_view tokenReduction;
    // The float type the whole pass is built in (an all-fp32 scenario: passFloatType); nullopt
    // builds at the model's native type. Families without a float-type choice ignore it.
    std::optional<DataType> floatType;
};

// A model bound to its family's builder: immutable and thread-safe, shared by every evaluation
// of that model. models::bindWorkload() makes one; tests may implement it directly.
class WorkloadBuilder {
public:
    virtual ~WorkloadBuilder() = default;
    virtual ModelFamily family() const = 0;
    virtual const std::string& id() const = 0;
    // LLMs have prefill, decode steps and requests; vision models and GNNs one forward pass.
    virtual bool hasDecode() const { return family() == ModelFamily::llm; }
    // The token reduction the spec applies to every scenario (canonical text), "" for none.
    virtual std::string tokenReduction() const { return {}; }
    // How a report names a token reduction ("ToMe r=16"); "" when `text` (empty: the spec's)
    // reduces nothing or the family has no token reduction.
    virtual std::string tokenReductionLabel(std::string_view /*text*/) const { return {}; }
    // The compression a quantized checkpoint ships with (its config's quantization_config),
    // the default when the user names no scenario; nullopt for a float checkpoint.
    virtual std::optional<Scenario> checkpointScenario() const { return std::nullopt; }
    // One pass: settings.phase is prefill or decode.
    virtual Result<Workload> build(const RunSettings& settings,
                                   const PassOptions& options) const = 0;
};

// The scenarios of an evaluation: nullopt is the model uncompressed (named kUncompressed).
using ScenarioList = std::vector<std::optional<Scenario>>;
inline constexpr std::string_view kUncompressed = "uncompressed";
std::string scenarioName(const std::optional<Scenario>& scenario);

struct EvaluationInput {
    RunSettings settings;                  // phase prefill, decode or request; batch: the replica's
    std::span<const Hardware> devices;     // at least one
    ScenarioList scenarios{std::nullopt};  // at least one
    Deployment deployment;
    // Multi-device deployments: the system of each device (empty: the device's own links, as
    // systemOf(device, deployment.devices())).
    std::span<const System> systems;
    AnalysisOptions options;
    // Scenarios evaluated at once (each on its own thread, up to the scenario count); 1: in
    // order on the caller's thread. The results are the same either way.
    int threads = 1;
};

// One (device, scenario) of an evaluation: its report, or why it could not be evaluated (for
// example a scenario that drops more blocks than the model has).
struct Series {
    std::size_t device = 0;
    std::size_t scenario = 0;
    std::string scenarioName;
    std::optional<Report> report;
    std::optional<Error> error;
};

struct Evaluation {
    std::vector<Series> series;  // device-major: series[d * scenarios + s]
    std::size_t devices = 0;
    std::size_t scenarios = 0;
    const Series& at(std::size_t device, std::size_t scenario) const {
        return series[device * scenarios + scenario];
    }
    // The first failed series' error, if any (front ends that need every series).
    std::optional<Error> firstError() const;
};

// Evaluates every (device, scenario). Errors that concern the whole input (no device, a phase
// the family does not have, a deployment not supported) fail the call; a scenario that does not
// fit the model fails only its series.
Result<Evaluation> evaluate(const WorkloadBuilder& builder, const EvaluationInput& input);

// GPipe of `m` micro-batches through the stages of one micro-batch's report: the pipeline takes
// sum_j t_j + (m - 1) max_j t_j; `bubble` = 1 - m sum_j t_j / (PP x that), which is
// (PP - 1) / (m + PP - 1) for balanced stages.
double pipelinedSeconds(const Report& microBatch, int m, double& bubble);

// Whether a scenario names particular blocks (overrides, early exit), so folded blocks would be
// wrong for it.
bool needsSeparateBlocks(const std::optional<Scenario>& scenario);

// The options of a pass built for `scenario`: its token reduction and float type.
PassOptions passOptionsFor(const std::optional<Scenario>& scenario, bool collapseBlocks);

// Builds one pass with a scenario applied (the first two steps of the pipeline).
Result<Workload> buildPass(const WorkloadBuilder& builder, const RunSettings& settings,
                           const std::optional<Scenario>& scenario, bool collapseBlocks = false);

}  // namespace rooflens::core
