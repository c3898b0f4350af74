#include "itemmodels/scenario_list_model.h"

#include <QStringList>

#include "itemmodels/roles.h"

namespace rooflens::ui {

namespace {

QString qs(const std::string& text) {
    return QString::fromStdString(text);
}

QString qs(std::string_view text) {
    return QString::fromUtf8(text.data(), static_cast<qsizetype>(text.size()));
}

bool isUncompressedSummary(const core::Scenario& s) {
    core::Scenario plain;
    plain.name = s.name;
    plain.description = s.description;
    plain.citation = s.citation;
    return s == plain;
}

QString formatName(const core::TensorFormat& f) {
    QString text = qs(core::nameOf(f.type));
    if (f.groupSize > 0) {
        text += QStringLiteral(" g%1").arg(f.groupSize);
    }
    return text;
}

}  // namespace

ScenarioListModel::ScenarioListModel(QObject* parent) : QAbstractTableModel(parent) {}

void ScenarioListModel::setItems(std::vector<ScenarioItem> items) {
    beginResetModel();
    m_items = std::move(items);
    endResetModel();
}

int ScenarioListModel::add(ScenarioItem item) {
    const int row = rowCount();
    beginInsertRows({}, row, row);
    m_items.push_back(std::move(item));
    endInsertRows();
    return row;
}

void ScenarioListModel::remove(int row) {
    if (row < 0 || row >= rowCount()) {
        return;
    }
    beginRemoveRows({}, row, row);
    m_items.erase(m_items.begin() + row);
    endRemoveRows();
}

void ScenarioListModel::replace(int row, core::Scenario scenario) {
    if (row < 0 || row >= rowCount()) {
        return;
    }
    m_items[static_cast<std::size_t>(row)].scenario = std::move(scenario);
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

std::string ScenarioListModel::uniqueName(const std::string& base) const {
    auto taken = [&](const std::string& name) {
        for (const auto& item : m_items) {
            if (item.scenario.name == name) {
                return true;
            }
        }
        return false;
    };
    std::string name = base.empty() ? std::string("scenario") : base;
    for (int n = 2; taken(name); ++n) {
        name = base + " (" + std::to_string(n) + ")";
    }
    return name;
}

QString ScenarioListModel::summary(const core::Scenario& s) {
    QStringList parts;
    if (s.weights) {
        parts << QStringLiteral("W ") + formatName(*s.weights);
    }
    if (s.activations) {
        parts << QStringLiteral("A ") + formatName(*s.activations);
    }
    if (s.kvCache) {
        parts << QStringLiteral("KV ") + formatName(s.kvCache->format);
        if (s.kvCache->keptRatio < 1) {
            parts << QStringLiteral("KV kept %1 %").arg(s.kvCache->keptRatio * 100, 0, 'g', 3);
        }
    }
    switch (s.sparsity.kind) {
        case core::SparsityKind::dense:
            break;
        case core::SparsityKind::structured24:
            parts << QStringLiteral("2:4 sparse");
            break;
        case core::SparsityKind::unstructured:
            parts << QStringLiteral("%1 % dense").arg(s.sparsity.density * 100, 0, 'g', 3);
            break;
        case core::SparsityKind::block:
            parts << QStringLiteral("%1 % of %2x%2 blocks")
                         .arg(s.sparsity.density * 100, 0, 'g', 3)
                         .arg(s.sparsity.blockSize);
            break;
    }
    if (s.lowRank) {
        parts << QStringLiteral("low rank");
    }
    if (s.depth.dropBlocks > 0) {
        parts << QStringLiteral("−%1 blocks").arg(s.depth.dropBlocks);
    }
    if (s.depth.exitDepth > 0) {
        parts << QStringLiteral("early exit");
    }
    if (!s.overrides.empty()) {
        parts << QStringLiteral("%1 overrides").arg(s.overrides.size());
    }
    if (!s.tokenReduction.empty()) {  // token pruning / merging presets (vision models)
        parts << QStringLiteral("tokens: ") + QString::fromStdString(s.tokenReduction);
    }
    return parts.isEmpty() ? tr("no compression") : parts.join(QStringLiteral(", "));
}

int ScenarioListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(m_items.size());
}

int ScenarioListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ScenarioListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) {
        return {};
    }
    return section == Name ? tr("Scenario") : tr("Compression");
}

Qt::ItemFlags ScenarioListModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) {
        return Qt::NoItemFlags;
    }
    Qt::ItemFlags flags = Qt::ItemIsEnabled | Qt::ItemIsSelectable;
    if (index.column() == Name) {
        flags |= Qt::ItemIsUserCheckable | Qt::ItemIsEditable;
    }
    return flags;
}

QVariant ScenarioListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const ScenarioItem& item = m_items[static_cast<std::size_t>(index.row())];
    switch (role) {
        case Qt::DisplayRole:
        case Qt::EditRole:
            if (index.column() == Name) {
                return qs(item.scenario.name);
            }
            if (!item.tokenSchedule.empty()) {
                const QString tokens = tr("tokens: %1").arg(qs(item.tokenSchedule));
                return isUncompressedSummary(item.scenario)
                           ? tokens
                           : summary(item.scenario) + QStringLiteral(", ") + tokens;
            }
            return summary(item.scenario);
        case SortRole:
            return index.column() == Name ? qs(item.scenario.name) : summary(item.scenario);
        case IdRole:
            return qs(item.scenario.name);
        case Qt::CheckStateRole:
            if (index.column() == Name) {
                return item.enabled ? Qt::Checked : Qt::Unchecked;
            }
            return {};
        case Qt::ToolTipRole: {
            QString tip = qs(item.scenario.description);
            if (!item.scenario.citation.empty()) {
                tip +=
                    (tip.isEmpty() ? QString() : QStringLiteral("\n")) + qs(item.scenario.citation);
            }
            return tip.isEmpty() ? QVariant() : QVariant(tip);
        }
        default:
            return {};
    }
}

bool ScenarioListModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!index.isValid() || index.column() != Name || index.row() >= rowCount()) {
        return false;
    }
    ScenarioItem& item = m_items[static_cast<std::size_t>(index.row())];
    if (role == Qt::CheckStateRole) {
        item.enabled = value.toInt() == Qt::Checked;
    } else if (role == Qt::EditRole) {
        const std::string name = value.toString().trimmed().toStdString();
        if (name.empty() || name == item.scenario.name) {
            return false;
        }
        item.scenario.name = uniqueName(name);
    } else {
        return false;
    }
    Q_EMIT dataChanged(index, index.siblingAtColumn(ColumnCount - 1));
    return true;
}

}  // namespace rooflens::ui
