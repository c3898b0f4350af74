#pragma once
// ScenarioPanel: the session's scenarios. Add a built-in preset (or a new empty one),
// duplicate, edit (ScenarioEditor), delete, enable with the check box, save one to JSON or load
// from JSON. Every change emits changed() so the main window re-analyses.
#include <functional>
#include <string>
#include <vector>

#include <QWidget>

#include "itemmodels/scenario_list_model.h"
#include "ui/analysis_runner.h"

class QLabel;
class QTableView;
class QToolButton;

namespace rooflens::ui {

class WorkloadFamily;

class ScenarioPanel : public QWidget {
    Q_OBJECT
public:
    explicit ScenarioPanel(QWidget* parent = nullptr);

    std::vector<ScenarioItem> items() const { return m_model->items(); }
    void setItems(std::vector<ScenarioItem> items);
    // The enabled scenarios as analysis inputs; those whose token schedule does not fit
    // `family` are left out with the error shown.
    std::vector<ScenarioInput> enabledInputs(const WorkloadFamily* family);

    // Used by the editor to validate token schedules.
    void setFamily(const WorkloadFamily* family) { m_family = family; }

    bool addPreset(const std::string& name);
    void addNew();
    void duplicateCurrent();
    void deleteCurrent();
    // Opens the editor for the current row (modal); returns whether it was accepted.
    bool editCurrent();
    bool loadFile(const QString& path);
    bool saveCurrent(const QString& path);
    int currentRow() const;
    void setCurrentRow(int row);
    QString errorText() const;
    ScenarioListModel* model() const { return m_model; }

    // Hook for tests: replaces the modal editor (return false to cancel).
    using EditHook = std::function<bool(ScenarioItem& item)>;
    void setEditHook(EditHook hook) { m_editHook = std::move(hook); }

Q_SIGNALS:
    void changed();

private:
    void showError(const QString& text);

    ScenarioListModel* m_model = nullptr;
    QTableView* m_table = nullptr;
    QLabel* m_error = nullptr;
    QToolButton* m_add = nullptr;
    const WorkloadFamily* m_family = nullptr;
    EditHook m_editHook;
};

}  // namespace rooflens::ui
