#pragma once
// Workload families (LLM, ViT, GNN) as plug-ins of the workload panel and the analysis runner.
// A family lists its presets and inputs, and prepares a thread-safe builder from the user's
// choice (a preset or an imported config, a graph, an image size). A new family is one .cpp
// that implements WorkloadFamily and one line in workload_family.cpp.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <QObject>
#include <QString>

#include "core/evaluate.h"
#include "core/progress.h"
#include "core/result.h"
#include "core/workload.h"

namespace rooflens::ui {

// What the user picked in the workload panel.
struct WorkloadChoice {
    std::string family = "llm";
    std::string model;             // preset id or path to an imported config
    std::string graph;             // GNN: built-in dataset id or path to an imported graph file
    std::int64_t imageSize = 224;  // ViT: square input resolution
    // Family-specific integer parameters (WorkloadFamily::parameters()), e.g. GNN "hidden".
    std::map<std::string, std::int64_t> parameters;
    bool operator==(const WorkloadChoice&) const = default;
};

// One family-specific integer input; the workload panel shows a spin box per parameter
// (objectName "param_<key>").
struct FamilyParameter {
    std::string key;
    QString label;
    std::int64_t minimum = 0;
    std::int64_t maximum = 1;
    std::int64_t defaultValue = 0;
    QString toolTip;
    QString specialValueText;  // shown for the minimum, e.g. "from the graph"
};

// Per-scenario family options: a ViT token reduction ("tome r=16", "dynamicvit 0.7 3,6,9",
// "schedule 197,197,...", "diffrate 0.1 0.2"); empty for none.
struct FamilyOptions {
    std::string tokenSchedule;
};

// The model the user picked, bound to its family's builder (models::bindWorkload): immutable
// and thread-safe, shared by every analysis of that choice.
struct PreparedWorkload {
    std::string family;     // "llm", "vit", "gnn"
    std::string id;         // preset id or config file stem
    bool hasDecode = true;  // prefill/decode/request phases (LLM); else one forward pass
    std::shared_ptr<const core::WorkloadBuilder> builder;
};

class WorkloadFamily {
public:
    virtual ~WorkloadFamily() = default;

    virtual std::string id() const = 0;       // "llm"
    virtual QString displayName() const = 0;  // "LLM"
    virtual std::vector<std::string> presets() const = 0;
    virtual std::string defaultPreset() const;
    virtual QString configFileFilter() const;  // for the import dialog
    virtual std::vector<core::Phase> phases() const;
    virtual bool usesBatch() const { return true; }       // GNNs run one graph
    virtual bool usesLengths() const { return true; }     // prompt/context/generated tokens
    virtual bool usesImageSize() const { return false; }  // ViT
    virtual bool usesGraph() const { return false; }      // GNN
    virtual bool usesTokenSchedule() const { return false; }
    virtual std::vector<FamilyParameter> parameters() const { return {}; }
    virtual std::vector<std::string> graphs() const { return {}; }
    virtual QString graphFileFilter() const { return {}; }
    // Reads a graph file (slow for big edge lists: the panel calls it on a worker thread) and
    // keeps its statistics for prepare(). Errors name the file and line.
    virtual core::Status importGraph(const std::string& path,
                                     const core::ProgressCallback& progress,
                                     const core::CancelToken& cancel) const;
    // Reads and validates configs and graphs; errors name the file and JSON path.
    virtual core::Result<PreparedWorkload> prepare(const WorkloadChoice& choice) const = 0;
    // Validates a token schedule text (usesTokenSchedule families).
    virtual core::Result<FamilyOptions> parseOptions(const std::string& tokenSchedule) const;
};

// The registered families, in display order.
const std::vector<std::unique_ptr<WorkloadFamily>>& workloadFamilies();
const WorkloadFamily* findFamily(const std::string& id);

namespace detail {
std::unique_ptr<WorkloadFamily> makeLlmFamily();
std::unique_ptr<WorkloadFamily> makeVitFamily();
std::unique_ptr<WorkloadFamily> makeGnnFamily();
std::unique_ptr<WorkloadFamily> makeOnnxFamily();  // listed only in builds with the importer
}  // namespace detail

}  // namespace rooflens::ui
