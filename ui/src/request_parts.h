#pragma once
// Private to rooflens_ui: how an AnalysisRequest becomes the pipeline's inputs (its scenarios,
// plans and run settings), shared by the analysis, sweep and serving jobs.
#include <vector>

#include "ui/analysis_runner.h"

namespace rooflens::ui::detail {

// The request's scenarios, or one uncompressed series.
std::vector<ScenarioInput> scenariosOf(const AnalysisRequest& request);
// The GUI's scenarios as the pipeline's (a token schedule travels in the scenario).
core::ScenarioList scenarioList(const std::vector<ScenarioInput>& inputs);
// The plans compared, or the request's one deployment.
std::vector<core::Deployment> plansOf(const AnalysisRequest& request);
// GNNs run one graph: the batch is not theirs to set.
core::RunSettings settingsFor(const PreparedWorkload& workload, core::RunSettings settings);

}  // namespace rooflens::ui::detail
