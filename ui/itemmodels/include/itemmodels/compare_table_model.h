#pragma once
// CompareTableModel: scenarios (or devices) side by side, one column per analysed series and one
// row per metric. Also home of throughputOf(), the request-level figures of one report that the
// totals panel shows too.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <QAbstractTableModel>

#include "core/analysis.h"
#include "core/compare.h"
#include "core/derived.h"

namespace rooflens::ui {

// What a report says about latency and throughput (core::headlineFigures).
using ThroughputFigures = core::HeadlineFigures;
// With `request`, the comparison's prefill, decode step and request metrics fill the gaps.
ThroughputFigures throughputOf(const core::Report& report,
                               const std::optional<core::CompareRow>& request = std::nullopt);

struct CompareColumn {
    std::string label;
    std::shared_ptr<const core::Report> report;
    std::optional<core::CompareRow> request;  // LLMs: from core::compareScenarios
};

class CompareTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Metric : int {
        Time,
        Speedup,
        Prefill,
        DecodeStep,
        Ttft,
        Tpot,
        Throughput,
        Ops,
        Bytes,
        Intensity,
        ComputeBoundShare,
        Weights,
        KvCache,
        MemoryTotal,
        Capacity,
        MemorySaved,
        Fits,
        MetricCount
    };

    explicit CompareTableModel(QObject* parent = nullptr);

    void setColumns(std::vector<CompareColumn> columns);
    const std::vector<CompareColumn>& columns() const { return m_columns; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // The raw value of a metric for a report (SortRole); NaN when it does not apply.
    static double value(Metric metric, const CompareColumn& column, const CompareColumn& first);

private:
    std::vector<CompareColumn> m_columns;
};

}  // namespace rooflens::ui
