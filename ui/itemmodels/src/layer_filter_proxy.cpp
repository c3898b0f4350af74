#include "itemmodels/layer_filter_proxy.h"

#include "itemmodels/layer_table_model.h"
#include "itemmodels/roles.h"

namespace rooflens::ui {

LayerFilterProxy::LayerFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(SortRole);
    setDynamicSortFilter(true);
}

void LayerFilterProxy::setKindFilter(std::optional<core::LayerKind> kind) {
    m_kind = kind;
    invalidateFilter();
}

void LayerFilterProxy::setBlockFilter(std::optional<int> block) {
    m_block = block;
    invalidateFilter();
}

void LayerFilterProxy::setNameFilter(const QString& text) {
    m_name = text;
    invalidateFilter();
}

bool LayerFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QModelIndex index = sourceModel()->index(sourceRow, LayerTableModel::Name, sourceParent);
    if (m_kind && index.data(KindRole).toInt() != static_cast<int>(*m_kind)) {
        return false;
    }
    if (m_block && index.data(BlockRole).toInt() != *m_block) {
        return false;
    }
    return m_name.isEmpty() ||
           index.data(Qt::DisplayRole).toString().contains(m_name, Qt::CaseInsensitive);
}

}  // namespace rooflens::ui
