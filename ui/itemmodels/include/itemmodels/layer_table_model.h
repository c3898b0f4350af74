#pragma once
// LayerTableModel: one row per layer of a core::Report (the per-layer table). DisplayRole is
// formatted with units, SortRole gives raw SI numbers; the report is swapped whole.
#include <memory>

#include <QAbstractTableModel>

#include "core/analysis.h"

namespace rooflens::ui {

class LayerTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column : int {
        Name,
        Kind,
        Block,
        Phase,
        Repeat,
        Ops,
        Bytes,
        Intensity,
        Attainable,
        Time,       // per instance
        TotalTime,  // repeat included
        Expected,   // expected time from the efficiency model, repeat included
        Share,      // of the report's total time
        Bound,
        Math,
        ColumnCount
    };

    explicit LayerTableModel(QObject* parent = nullptr);

    // `memoryName` names main memory in the Bound column ("memory (HBM3)").
    void setReport(std::shared_ptr<const core::Report> report, QString memoryName = {});
    const core::Report* report() const { return m_report.get(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    std::shared_ptr<const core::Report> m_report;
    QString m_memoryName;
};

}  // namespace rooflens::ui
