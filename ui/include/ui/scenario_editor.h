#pragma once
// ScenarioEditor: a dialog that edits one scenario: formats per tensor class (weights,
// activations, KV cache) with quantization metadata, sparsity, low rank, KV compression, depth,
// the ViT token schedule, and per-layer overrides by name pattern; a JSON tab shows and accepts
// the whole document. OK validates the result with core::parseScenario (located errors).
#include <vector>

#include <QDialog>

#include "core/scenario.h"
#include "itemmodels/scenario_list_model.h"

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QSpinBox;
class QTabWidget;

namespace rooflens::ui {

class FormatEditor;
class LowRankEditor;
class OptionalGroup;
class SparsityEditor;
class WorkloadFamily;

class ScenarioEditor : public QDialog {
    Q_OBJECT
public:
    // `family` validates the token schedule (null: any schedule is refused unless empty).
    ScenarioEditor(const ScenarioItem& item, const WorkloadFamily* family,
                   QWidget* parent = nullptr);

    // The edited scenario; valid after accept().
    ScenarioItem item() const { return m_item; }
    // Reads the widgets into a scenario and validates it; false with the error shown.
    bool collect();
    QString errorText() const;

    void accept() override;

private:
    // One tab each; they create the member widgets.
    QWidget* createGeneralTab();
    QWidget* createFormatsTab();
    QWidget* createKvTab();
    QWidget* createSparsityTab();
    QWidget* createOverridesTab();
    QWidget* createOverrideEditor();
    void load(const core::Scenario& s);
    core::Scenario fromWidgets() const;
    void loadOverride(int row);
    void storeOverride(int row);
    void syncJson(int tab);
    void showError(const QString& text);

    ScenarioItem m_item;
    const WorkloadFamily* m_family;
    std::vector<core::LayerOverride> m_overrides;
    // The scenario last shown: its fields without widgets (EoRA, GEAR's residual, Energon,
    // expert merging) are carried through fromWidgets() unchanged.
    core::Scenario m_shown;
    int m_overrideRow = -1;
    int m_previousTab = 0;
    bool m_jsonEdited = false;

    QTabWidget* m_tabs = nullptr;
    QLineEdit* m_name = nullptr;
    QLineEdit* m_description = nullptr;
    QLineEdit* m_citation = nullptr;
    OptionalGroup* m_weightsOn = nullptr;
    FormatEditor* m_weights = nullptr;
    OptionalGroup* m_activationsOn = nullptr;
    FormatEditor* m_activations = nullptr;
    OptionalGroup* m_kvOn = nullptr;
    FormatEditor* m_kvFormat = nullptr;
    QSpinBox* m_kvWindow = nullptr;
    QDoubleSpinBox* m_kvKept = nullptr;
    SparsityEditor* m_sparsity = nullptr;
    OptionalGroup* m_lowRankOn = nullptr;
    LowRankEditor* m_lowRank = nullptr;
    QSpinBox* m_dropBlocks = nullptr;
    QDoubleSpinBox* m_dropFraction = nullptr;
    QDoubleSpinBox* m_exitDepth = nullptr;
    QSpinBox* m_exitEvery = nullptr;
    QLineEdit* m_tokenSchedule = nullptr;
    QListWidget* m_overrideList = nullptr;
    QWidget* m_overrideEditor = nullptr;
    QLineEdit* m_overridePattern = nullptr;
    OptionalGroup* m_overrideWeightsOn = nullptr;
    FormatEditor* m_overrideWeights = nullptr;
    OptionalGroup* m_overrideActivationsOn = nullptr;
    FormatEditor* m_overrideActivations = nullptr;
    OptionalGroup* m_overrideSparsityOn = nullptr;
    SparsityEditor* m_overrideSparsity = nullptr;
    OptionalGroup* m_overrideLowRankOn = nullptr;
    LowRankEditor* m_overrideLowRank = nullptr;
    QPlainTextEdit* m_json = nullptr;
    QLabel* m_error = nullptr;
};

}  // namespace rooflens::ui
