#include "itemmodels/layer_table_model.h"
#include "itemmodels/text_format.h"

#include "core/units.h"
#include "itemmodels/roles.h"

namespace rooflens::ui {

namespace {

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

QString qs(std::string_view text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

}  // namespace

LayerTableModel::LayerTableModel(QObject* parent) : QAbstractTableModel(parent) {}

namespace {

// The same rows: every layer's operation, block, repeat and kind equal (a re-analysis after a
// batch, length or scenario change), so only the values change.
bool sameRows(const core::Report* a, const core::Report* b) {
    if (a == nullptr || b == nullptr || a->layers.size() != b->layers.size() ||
        a->results.size() != b->results.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a->layers.size(); ++i) {
        const core::Layer& x = a->layers[i];
        const core::Layer& y = b->layers[i];
        if (x.kind != y.kind || x.block != y.block || x.repeat != y.repeat || x.op != y.op) {
            return false;
        }
    }
    return true;
}

}  // namespace

void LayerTableModel::setReport(std::shared_ptr<const core::Report> report, QString memoryName) {
    QString memory = memoryName.isEmpty() ? QStringLiteral("memory") : std::move(memoryName);
    if (sameRows(m_report.get(), report.get())) {
        // Values only: no reset, so the view keeps its sections, scroll position, sorting and
        // selection, and the header is not rebuilt (a reset was a tenth of a re-analysis).
        m_report = std::move(report);
        const bool header = memory != m_memoryName;
        m_memoryName = std::move(memory);
        // Name, kind and block are those of the same layers: only the columns from the phase on
        // change, so a view sorted by name (the default) is not re-sorted on every re-analysis.
        static_assert(Name < Phase && Kind < Phase && Block < Phase);
        const int rows = rowCount();
        if (rows > 0) {
            Q_EMIT dataChanged(index(0, Phase), index(rows - 1, ColumnCount - 1));
        }
        if (header) {
            Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
        }
        return;
    }
    beginResetModel();
    m_report = std::move(report);
    m_memoryName = std::move(memory);
    endResetModel();
}

int LayerTableModel::rowCount(const QModelIndex& parent) const {
    if (parent.isValid() || !m_report) {
        return 0;
    }
    return static_cast<int>(std::min(m_report->layers.size(), m_report->results.size()));
}

int LayerTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LayerTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (static_cast<Column>(section)) {
            case Name:
                return tr("Layer");
            case Kind:
                return tr("Kind");
            case Block:
                return tr("Block");
            case Phase:
                return tr("Phase");
            case Repeat:
                return tr("Repeat");
            case Ops:
                return tr("OPs");
            case Bytes:
                return tr("Bytes");
            case Intensity:
                return tr("OP/B");
            case Attainable:
                return tr("Attainable");
            case Time:
                return tr("Time");
            case TotalTime:
                return tr("Total time");
            case Expected:
                return tr("Expected × repeat");
            case Share:
                return tr("Share");
            case Bound:
                return tr("Bound");
            case Math:
                return tr("Math");
            case ColumnCount:
                break;
        }
    } else if (role == Qt::ToolTipRole) {
        switch (static_cast<Column>(section)) {
            case Ops:
                return tr("Operations of one instance (1 multiply-add = 2 OPs)");
            case Bytes:
                return tr("Bytes one instance moves to and from main memory");
            case Intensity:
                return tr("Arithmetic intensity: OPs per byte");
            case Attainable:
                return tr("Roofline rate: min(peak, intensity × bandwidth)");
            case Time:
                return tr("Predicted time of one instance");
            case TotalTime:
                return tr("Time × repeat: the predicted time of all instances");
            case Expected:
                return tr(
                    "Expected time of all instances from the device's efficiency model "
                    "(GEMM shape, bytes moved, kernel overhead); equals the roofline time "
                    "without one");
            case Share:
                return tr("Share of the predicted total time");
            case Math:
                return tr("Data type and unit the math runs on (promoted types marked ↑)");
            default:
                break;
        }
    }
    return {};
}

QVariant LayerTableModel::data(const QModelIndex& index, int role) const {
    if (!m_report || !index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const auto row = static_cast<std::size_t>(index.row());
    const core::Layer& layer = m_report->layers[row];
    const core::LayerResult& r = m_report->results[row];
    const double total = r.timeSeconds * layer.repeat;
    const double share =
        m_report->totals.timeSeconds > 0 ? total / m_report->totals.timeSeconds : 0.0;
    const auto column = static_cast<Column>(index.column());

    switch (role) {
        case KindRole:
            return static_cast<int>(layer.kind);
        case BlockRole:
            return layer.block;
        case LayerIndexRole:
            return index.row();
        case Qt::TextAlignmentRole:
            if (column >= Block && column <= Share) {
                return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
            }
            return {};
        case Qt::ToolTipRole:
            if (column == Name) {  // the column may be narrower than the longest name
                return qs(layer.name());
            }
            if (column == Bytes) {
                const auto& b = r.bytes;
                return tr("weights %1\nactivations in %2\nactivations out %3\nKV read %4\n"
                          "KV write %5\nmetadata %6")
                    .arg(qs(core::formatSi(b.weights, "B")),
                         qs(core::formatSi(b.activationsIn, "B")),
                         qs(core::formatSi(b.activationsOut, "B")),
                         qs(core::formatSi(b.kvRead, "B")), qs(core::formatSi(b.kvWrite, "B")),
                         qs(core::formatSi(b.metadata, "B")));
            }
            return {};
        case SortRole:
            switch (column) {
                case Name:
                    return index.row();  // layer order
                case Kind:
                    return qs(core::nameOf(layer.kind));
                case Block:
                    return layer.block;
                case Phase:
                    return static_cast<int>(r.phase);
                case Repeat:
                    return layer.repeat;
                case Ops:
                    return r.ops;
                case Bytes:
                    return r.bytes.total();
                case Intensity:
                    return r.intensity;
                case Attainable:
                    return r.attainableOpsPerSecond;
                case Time:
                    return r.timeSeconds;
                case TotalTime:
                    return total;
                case Expected:
                    return r.expectedSeconds * layer.repeat;
                case Share:
                    return share;
                case Bound:
                    return static_cast<int>(r.bound);
                case Math:
                    return qs(core::nameOf(r.execution.mathType));
                case ColumnCount:
                    break;
            }
            return {};
        case Qt::DisplayRole:
            switch (column) {
                case Name:
                    return qs(layer.name());
                case Kind:
                    return qs(core::nameOf(layer.kind));
                case Block:
                    return layer.block < 0 ? QStringLiteral("–") : QString::number(layer.block);
                case Phase:
                    return qs(core::nameOf(r.phase));
                case Repeat:
                    return QString::number(layer.repeat);
                case Ops:
                    return qs(core::formatSi(r.ops, "OP"));
                case Bytes:
                    return qs(core::formatSi(r.bytes.total(), "B"));
                case Intensity:
                    return numberText(r.intensity, 4);
                case Attainable:
                    return qs(core::formatSi(r.attainableOpsPerSecond, "OP/s"));
                case Time:
                    return qs(core::formatSeconds(r.timeSeconds));
                case TotalTime:
                    return qs(core::formatSeconds(total));
                case Expected:
                    return qs(core::formatSeconds(r.expectedSeconds * layer.repeat));
                case Share:
                    return QString(QString::number(share * 100, 'f', 1) + QStringLiteral(" %"));
                case Bound:
                    return r.bound == core::Bound::compute ? tr("compute")
                                                           : tr("memory (%1)").arg(m_memoryName);
                case Math:
                    return QString(qs(core::nameOf(r.execution.mathType)) + QLatin1Char(' ') +
                                   qs(core::nameOf(r.execution.unit)) +
                                   (r.execution.promoted ? QStringLiteral(" ↑") : QString()));
                case ColumnCount:
                    break;
            }
            return {};
        default:
            return {};
    }
}

}  // namespace rooflens::ui
