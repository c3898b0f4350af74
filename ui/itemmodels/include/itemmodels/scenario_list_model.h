#pragma once
// ScenarioListModel: the scenarios of a session, each checkable (analysed or not) and
// renamable; a short summary of its compression in the second column.
#include <vector>

#include <QAbstractTableModel>

#include "core/scenario.h"

namespace rooflens::ui {

struct ScenarioItem {
    core::Scenario scenario;
    bool enabled = true;
    std::string tokenSchedule;  // ViT token reduction for this scenario; empty for none
    bool operator==(const ScenarioItem&) const = default;
};

class ScenarioListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column : int { Name, Summary, ColumnCount };

    explicit ScenarioListModel(QObject* parent = nullptr);

    void setItems(std::vector<ScenarioItem> items);
    const std::vector<ScenarioItem>& items() const { return m_items; }
    int add(ScenarioItem item);  // returns its row
    void remove(int row);
    void replace(int row, core::Scenario scenario);
    // A name not used yet: `base`, `base (2)`, ...
    std::string uniqueName(const std::string& base) const;

    static QString summary(const core::Scenario& scenario);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::vector<ScenarioItem> m_items;
};

}  // namespace rooflens::ui
