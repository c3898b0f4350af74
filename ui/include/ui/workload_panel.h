#pragma once
// WorkloadPanel: the model side of the analysis. Family (LLM, ViT, GNN as registered), preset
// or imported config, graph (GNN), phase, batch, lengths or image size; sliders and spin boxes
// emit changed() on every step so the main window re-analyses at once. Each family keeps its
// own model, graph, phase, batch, lengths and parameters: switching back restores them.
#include <map>
#include <memory>
#include <string>

#include <QWidget>

#include "core/workload.h"
#include "ui/job_tracker.h"
#include "ui/workload_family.h"

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QProgressBar;
class QSpinBox;
class QToolButton;
class QVBoxLayout;

namespace rooflens::ui {

class SliderSpin;

class WorkloadPanel : public QWidget {
    Q_OBJECT
public:
    explicit WorkloadPanel(QWidget* parent = nullptr);

    WorkloadChoice choice() const;
    core::RunSettings settings() const;
    // Applies a session's choice; unknown presets or missing files show an error.
    void setWorkload(const WorkloadChoice& choice, const core::RunSettings& settings);

    // The builder of the current choice; null when it is invalid (see errorText()).
    std::shared_ptr<const PreparedWorkload> prepared() const { return m_prepared; }
    const WorkloadFamily* family() const;
    QString errorText() const;

    // Imports a config file of the current family and selects it. False, with the error shown,
    // if it does not load.
    bool importConfig(const QString& path);
    // Starts reading a graph file on a worker thread (progress bar in the panel); when it is
    // read it is selected and graphImported(true) emitted. False if the family takes no graphs.
    bool importGraph(const QString& path);
    bool isImportingGraph() const { return m_graphJob.isRunning(); }

public Q_SLOTS:
    void openImportConfigDialog();
    void openImportGraphDialog();

Q_SIGNALS:
    void changed();
    void graphImported(bool ok);

private:
    // What a family showed when the user left it.
    struct FamilyState {
        WorkloadChoice choice;
        core::RunSettings settings;
    };

    void createModelRows();
    void createRunRows();
    void createStatusRows(QVBoxLayout* layout);
    void connectInputs();
    void rememberShownFamily();
    void switchFamily();
    // Shows `choice` and `settings` in the widgets without emitting changed().
    void applyState(const WorkloadChoice& choice, const core::RunSettings& settings);
    void populateFamily();
    void buildParameters();
    void updateVisibility();
    void reprepare();
    void showError(const QString& text);
    void emitChanged();

    QFormLayout* m_form = nullptr;
    QComboBox* m_family = nullptr;
    QComboBox* m_model = nullptr;
    QToolButton* m_importConfig = nullptr;
    QWidget* m_graphRow = nullptr;
    QComboBox* m_graph = nullptr;
    QToolButton* m_importGraph = nullptr;
    QComboBox* m_phase = nullptr;
    SliderSpin* m_batch = nullptr;
    SliderSpin* m_prompt = nullptr;
    SliderSpin* m_context = nullptr;
    SliderSpin* m_generate = nullptr;
    SliderSpin* m_imageSize = nullptr;
    QCheckBox* m_flash = nullptr;
    QLabel* m_error = nullptr;
    QLabel* m_summary = nullptr;
    std::vector<std::pair<std::string, QSpinBox*>> m_paramSpins;
    QProgressBar* m_graphProgress = nullptr;
    JobTracker m_graphJob{this};
    std::shared_ptr<const PreparedWorkload> m_prepared;
    std::string m_shownFamily;
    std::map<std::string, FamilyState> m_remembered;
    bool m_updating = false;
};

}  // namespace rooflens::ui
