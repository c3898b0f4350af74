#include "itemmodels/hardware_list_model.h"

#include <algorithm>

#include "core/units.h"
#include "itemmodels/roles.h"

namespace rooflens::ui {

namespace {

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

}  // namespace

HardwareListModel::HardwareListModel(QObject* parent) : QAbstractTableModel(parent) {}

void HardwareListModel::setRows(std::vector<HardwareRow> rows) {
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

int HardwareListModel::rowOf(const std::string& id) const {
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].hardware.id == id) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int HardwareListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int HardwareListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

double HardwareListModel::headlinePeak(const core::Hardware& hw) {
    double best = 0;
    for (auto type : {core::DataType::fp16, core::DataType::bf16}) {
        best = std::max({best, hw.matrixDense.at(type), hw.vector.at(type)});
    }
    return best > 0 ? best : hw.vector.at(core::DataType::fp32);
}

QString HardwareListModel::originName(HardwareOrigin origin) {
    switch (origin) {
        case HardwareOrigin::builtin:
            return tr("built-in");
        case HardwareOrigin::user:
            return tr("user");
        case HardwareOrigin::calibrated:
            return tr("calibrated");
    }
    return {};
}

QVariant HardwareListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    switch (static_cast<Column>(section)) {
        case Name:
            return tr("Device");
        case Id:
            return tr("Id");
        case Origin:
            return tr("Origin");
        case Memory:
            return tr("Memory");
        case Bandwidth:
            return tr("Bandwidth");
        case Peak:
            return tr("16-bit peak");
        case Vendor:
            return tr("Vendor");
        case Kind:
            return tr("Kind");
        case Year:
            return tr("Year");
        case ColumnCount:
            break;
    }
    return {};
}

QVariant HardwareListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const HardwareRow& row = m_rows[static_cast<std::size_t>(index.row())];
    const core::Hardware& hw = row.hardware;
    const auto column = static_cast<Column>(index.column());
    const double memory = hw.memory.empty() ? 0 : hw.memoryCapacityBytes();
    const double bandwidth = hw.memory.empty() ? 0 : hw.memoryBytesPerSecond();
    switch (role) {
        case IdRole:
            return qs(hw.id);
        case Qt::ToolTipRole:
            if (column == Memory && memory > 0) {  // decimal in the cell, binary here
                return QStringLiteral("%1 = %2").arg(qs(core::formatSi(memory, "B")),
                                                     qs(core::formatBinary(memory, "B")));
            }
            return hw.sourceFile.empty() ? qs(hw.name) : qs(hw.name + "\n" + hw.sourceFile);
        case Qt::TextAlignmentRole:
            if ((column >= Memory && column <= Peak) || column == Year) {
                return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
            }
            return {};
        case SortRole:
            switch (column) {
                case Name:
                    return qs(hw.name);
                case Id:
                    return qs(hw.id);
                case Origin:
                    return static_cast<int>(row.origin);
                case Memory:
                    return memory;
                case Bandwidth:
                    return bandwidth;
                case Peak:
                    return headlinePeak(hw);
                case Vendor:
                    return qs(hw.vendor);
                case Kind:
                    return static_cast<int>(hw.kind);
                case Year:
                    return hw.releaseYear;
                case ColumnCount:
                    break;
            }
            return {};
        case Qt::DisplayRole:
            switch (column) {
                case Name:
                    return row.origin == HardwareOrigin::builtin
                               ? qs(hw.name)
                               : QString(qs(hw.name) + QStringLiteral(" [") +
                                         originName(row.origin) + QLatin1Char(']'));
                case Id:
                    return qs(hw.id);
                case Origin:
                    return originName(row.origin);
                case Memory:
                    return qs(core::formatSi(memory, "B"));
                case Bandwidth:
                    return qs(core::formatSi(bandwidth, "B/s"));
                case Peak:
                    return qs(core::formatSi(headlinePeak(hw), "OP/s"));
                case Vendor:
                    return qs(hw.vendor);
                case Kind:
                    return qs(std::string(core::nameOf(hw.kind)));
                case Year:
                    return hw.releaseYear > 0 ? QString::number(hw.releaseYear) : QString();
                case ColumnCount:
                    break;
            }
            return {};
        default:
            return {};
    }
}

}  // namespace rooflens::ui
