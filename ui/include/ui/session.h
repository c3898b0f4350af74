#pragma once
// Session: what the main window shows (model, run settings, devices, scenarios, chart options),
// saved to and opened from JSON (schema_version 1, "kind": "rooflens-session"). Errors name the
// file and the JSON path.
#include <filesystem>
#include <string>
#include <vector>

#include "core/chart.h"
#include "core/deployment.h"
#include "core/result.h"
#include "core/workload.h"
#include "itemmodels/scenario_list_model.h"
#include "ui/workload_family.h"

namespace rooflens::ui {

inline constexpr int kSessionSchemaVersion = 1;

// How the roofline is shown, without re-analysis: point labels on or off and where the legend
// goes ("auto": a free corner inside the plot, else beside it; "outside": beside; "hidden"). In the
// file's "chart" object as "point_labels" and "legend", written only when not the default.
struct ChartView {
    bool pointLabels = true;
    std::string legend = "auto";
    bool operator==(const ChartView&) const = default;
};

struct Session {
    WorkloadChoice workload;
    core::RunSettings settings;
    std::vector<std::string> devices;     // hardware ids (or profile paths)
    std::vector<ScenarioItem> scenarios;  // in order; the first is the comparison baseline
    core::ChartOptions chart;
    ChartView view;
    // The plan and its system ("" = the selected devices' own links); optional in the file
    // ("deployment"), a single device when absent.
    core::Deployment deployment;
    std::string system;
    std::string comparePlans;  // "TP8, TP4 PP2" (the deployment panel's list), "" for none
};

// The session a fresh window starts with: Llama-2-7B prefill of 1024 tokens on an A100 80GB.
Session defaultSession();

std::string serializeSession(const Session& session);
core::Result<Session> parseSession(std::string_view text, const std::string& label);
core::Result<Session> loadSession(const std::filesystem::path& path);
core::Status saveSession(const std::filesystem::path& path, const Session& session);

}  // namespace rooflens::ui
