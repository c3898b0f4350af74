#pragma once
// Side-by-side comparison of scenarios (and devices) for one model: prefill, one decode step and
// a whole request per (device, scenario), speed-ups and memory saved against the first scenario
// on the same device, and per-layer time deltas. Used by `rooflens compare` and the GUI.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/analysis.h"
#include "core/evaluate.h"
#include "core/scenario.h"

namespace rooflens::core {

struct CompareRow {
    std::size_t device = 0;
    // The column: plan-major, scenario p * scenarios + s (the scenario itself on one plan).
    std::size_t scenario = 0;
    std::size_t plan = 0;      // index into CompareInput::plans (0 with no list)
    std::string scenarioName;  // the column's name: "TP8 EP1 PP1 DP1 / awq" with several plans
    double prefillSeconds = 0;
    double decodeStepSeconds = 0;       // at CompareSettings::decodeContext
    double expectedPrefillSeconds = 0;  // the same from the efficiency model
    double expectedDecodeStepSeconds = 0;
    RequestMetrics request;
    double weightBytes = 0;
    double kvCacheBytes = 0;  // at the end of the request
    double totalMemoryBytes = 0;
    bool fitsInMemory = true;
    // Against the first scenario on the same device (1 for the first itself), on the time basis
    // of CompareInput::options (the roofline bound unless --time expected).
    double prefillSpeedup = 1;
    double decodeSpeedup = 1;
    double e2eSpeedup = 1;
    double memorySaved = 0;  // fraction of the baseline's weights + KV cache
};

// One layer group (the same op summed over all blocks) of one pass on one device: its time under
// each scenario (0 where the scenario has no such layer, e.g. a low-rank half).
struct LayerDelta {
    std::size_t device = 0;
    Phase phase = Phase::decode;
    std::string layer;            // "blocks.*.q_proj" or "lm_head"
    std::vector<double> seconds;  // per scenario, on the comparison's time basis
};

struct Comparison {
    RunSettings settings;
    std::vector<std::string> warnings;  // of every series, each once
    bool singlePass = false;            // batch, prompt, generate; context of the decode step
    std::vector<std::string> deviceIds;
    std::vector<std::string> scenarioNames;     // per column (plan x scenario with several plans)
    std::vector<std::string> planNames;         // per plan; one entry without a list
    TimeBasis timeBasis = TimeBasis::roofline;  // of the speed-ups and headline columns
    std::vector<CompareRow> rows;               // device-major, then columns
    std::vector<LayerDelta> layers;
};

struct CompareInput {
    // batch, promptLength, generateLength, contextLength (the decode step), flashAttention.
    RunSettings settings;
    std::span<const Hardware> devices;
    ScenarioList scenarios{std::nullopt};  // the first is the baseline of the speed-ups
    Deployment deployment;
    // Plans to compare (each with every scenario; the first plan's first scenario is the
    // baseline of the speed-ups); empty: `deployment` alone.
    std::vector<Deployment> plans;
    std::span<const System> systems;  // multi-device: one per device (see EvaluationInput)
    AnalysisOptions options;
};

// Evaluates the prefill, one decode step and the whole request of every (device, scenario)
// through the pipeline (core/evaluate.h). Models with one forward pass (ViT, GNN) get only the
// prefill column: decode and request metrics stay 0 and end-to-end equals the pass.
Result<Comparison> compareScenarios(const WorkloadBuilder& builder, const CompareInput& input);

// "blocks.*.q_proj" for block layers, the name itself elsewhere.
std::string groupName(const Layer& layer);

}  // namespace rooflens::core
