#pragma once
// DeploymentPanel: how the model is spread over devices (docs/parallelism.md): a system (the
// built-in ones of hwdb/systems, or the selected devices with their own links) and the TP, EP,
// PP, DP degrees, with overlap of communication. The main window passes the plan and the system
// into every analysis, comparison and sweep; a plan the model or the system refuses shows the
// reason in the result's error line, never a crash.
#include <optional>
#include <string>
#include <vector>

#include <QWidget>

#include "core/deployment.h"
#include "hwdb/hwdb.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSpinBox;

namespace rooflens::ui {

class DeploymentPanel : public QWidget {
    Q_OBJECT
public:
    explicit DeploymentPanel(QWidget* parent = nullptr);

    // Loads the built-in systems (their devices resolved in `db`); systems that fail to load
    // are listed in the panel's note.
    void setDatabase(const hwdb::Database& db);

    core::Deployment deployment() const;
    // The chosen system; nullopt: the selected devices, each with its own links.
    std::optional<core::System> system() const;
    std::string systemId() const;  // "" for the selected devices
    // Sets the plan; an unknown system id selects the devices' own links.
    void setDeployment(const core::Deployment& deployment, const std::string& systemId);
    QString summary() const;  // "TP8 EP1 PP1 DP1: 8 devices on hgx-h100-8x"

Q_SIGNALS:
    void changed();

private:
    QSpinBox* degreeBox(const QString& name, const QString& tip);
    void updateSummary();

    std::vector<core::System> m_systems;
    QComboBox* m_system = nullptr;
    QSpinBox* m_tp = nullptr;
    QSpinBox* m_ep = nullptr;
    QSpinBox* m_pp = nullptr;
    QSpinBox* m_dp = nullptr;
    QSpinBox* m_microBatches = nullptr;
    QCheckBox* m_overlap = nullptr;
    QLabel* m_summary = nullptr;
    bool m_setting = false;
};

}  // namespace rooflens::ui
