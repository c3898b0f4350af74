#include "itemmodels/compare_table_model.h"
#include "itemmodels/text_format.h"

#include <cmath>
#include <limits>

#include <QColor>

#include "core/units.h"
#include "itemmodels/roles.h"

namespace rooflens::ui {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

}  // namespace

ThroughputFigures throughputOf(const core::Report& report,
                               const std::optional<core::CompareRow>& request) {
    return core::headlineFigures(report, request ? &*request : nullptr);
}

CompareTableModel::CompareTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void CompareTableModel::setColumns(std::vector<CompareColumn> columns) {
    beginResetModel();
    m_columns = std::move(columns);
    endResetModel();
}

int CompareTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : MetricCount;
}

int CompareTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_columns.size());
}

QVariant CompareTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (role != Qt::DisplayRole) {
        return {};
    }
    if (orientation == Qt::Horizontal) {
        if (section < 0 || section >= columnCount()) {
            return {};
        }
        return qs(m_columns[static_cast<std::size_t>(section)].label);
    }
    switch (static_cast<Metric>(section)) {
        case Time:
            return tr("Predicted time");
        case Speedup:
            return tr("Speed-up vs first");
        case Prefill:
            return tr("Prefill");
        case DecodeStep:
            return tr("Decode step");
        case Ttft:
            return tr("TTFT");
        case Tpot:
            return tr("TPOT");
        case Throughput:
            return tr("Throughput");
        case Ops:
            return tr("OPs");
        case Bytes:
            return tr("Bytes moved");
        case Intensity:
            return tr("Intensity (OP/B)");
        case ComputeBoundShare:
            return tr("Compute-bound time");
        case Weights:
            return tr("Weights");
        case KvCache:
            return tr("KV cache");
        case MemoryTotal:
            return tr("Memory needed");
        case Capacity:
            return tr("Device memory");
        case MemorySaved:
            return tr("Memory saved (weights + KV)");
        case Fits:
            return tr("Fits in memory");
        case MetricCount:
            break;
    }
    return {};
}

double CompareTableModel::value(Metric metric, const CompareColumn& column,
                                const CompareColumn& firstColumn) {
    const core::Report& report = *column.report;
    const core::Report& first = *firstColumn.report;
    const auto& t = report.totals;
    const ThroughputFigures f = throughputOf(report, column.request);
    switch (metric) {
        case Time:
            return t.timeSeconds;
        case Speedup:
            return t.timeSeconds > 0 ? core::speedup(first, report) : kNaN;
        case Prefill:
            return f.prefillSeconds.value_or(kNaN);
        case DecodeStep:
            return f.decodeStepSeconds.value_or(kNaN);
        case Ttft:
            return f.ttftSeconds.value_or(kNaN);
        case Tpot:
            return f.tpotSeconds.value_or(kNaN);
        case Throughput:
            return f.itemsPerSecond;
        case Ops:
            return t.ops;
        case Bytes:
            return t.bytes;
        case Intensity:
            return t.bytes > 0 ? t.ops / t.bytes : kNaN;
        case ComputeBoundShare:
            return t.timeSeconds > 0 ? t.computeBoundShare() : kNaN;
        case Weights:
            return t.memory.weights;
        case KvCache:
            return t.memory.kvCache;
        case MemoryTotal:
            return t.memory.total();
        case Capacity:
            return t.capacityBytes;
        case MemorySaved:
            return first.totals.memory.weights + first.totals.memory.kvCache > 0
                       ? core::memorySaved(first, report)
                       : kNaN;
        case Fits:
            return t.fitsInMemory ? 1.0 : 0.0;
        case MetricCount:
            break;
    }
    return kNaN;
}

QVariant CompareTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= MetricCount || index.column() >= columnCount()) {
        return {};
    }
    const auto& column = m_columns[static_cast<std::size_t>(index.column())];
    if (!column.report || !m_columns.front().report) {
        return {};
    }
    const auto metric = static_cast<Metric>(index.row());
    const double v = value(metric, column, m_columns.front());
    if (role == SortRole) {
        return v;
    }
    if (role == Qt::TextAlignmentRole) {
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    }
    if (role == Qt::ForegroundRole && metric == Fits && v == 0) {
        return QColor(Qt::red);
    }
    if (role != Qt::DisplayRole) {
        return {};
    }
    if (std::isnan(v)) {
        return QStringLiteral("–");
    }
    switch (metric) {
        case Time:
        case Prefill:
        case DecodeStep:
        case Ttft:
        case Tpot:
            return qs(core::formatSeconds(v));
        case Speedup:
            return QString(QString::number(v, 'f', 2) + QStringLiteral("×"));
        case Throughput:
            return QString(QString::number(v, 'f', v < 100 ? 1 : 0) + QLatin1Char(' ') +
                           qs(throughputOf(*column.report, column.request).itemsUnit));
        case Ops:
            return qs(core::formatSi(v, "OP"));
        case Bytes:
            return qs(core::formatSi(v, "B"));
        case Intensity:
            return numberText(v, 4);
        case ComputeBoundShare:
        case MemorySaved:
            return QString(QString::number(v * 100, 'f', 1) + QStringLiteral(" %"));
        case Weights:
        case KvCache:
        case MemoryTotal:
        case Capacity:
            return qs(core::formatSi(v, "B"));
        case Fits:
            return v > 0 ? tr("yes") : tr("no: out of memory");
        case MetricCount:
            break;
    }
    return {};
}

}  // namespace rooflens::ui
