#include "itemmodels/hardware_filter_proxy.h"

#include "itemmodels/hardware_list_model.h"
#include "itemmodels/roles.h"

namespace rooflens::ui {

HardwareFilterProxy::HardwareFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(SortRole);
    setDynamicSortFilter(true);
}

void HardwareFilterProxy::setVendorFilter(const QString& vendor) {
    m_vendor = vendor;
    invalidateFilter();
}

void HardwareFilterProxy::setKindFilter(std::optional<core::DeviceKind> kind) {
    m_kind = kind;
    invalidateFilter();
}

void HardwareFilterProxy::setTextFilter(const QString& text) {
    m_text = text;
    invalidateFilter();
}

bool HardwareFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QAbstractItemModel* model = sourceModel();
    auto cell = [&](int column) { return model->index(sourceRow, column, sourceParent); };
    if (!m_vendor.isEmpty() &&
        cell(HardwareListModel::Vendor).data().toString().compare(m_vendor, Qt::CaseInsensitive) !=
            0) {
        return false;
    }
    if (m_kind &&
        cell(HardwareListModel::Kind).data(SortRole).toInt() != static_cast<int>(*m_kind)) {
        return false;
    }
    if (m_text.isEmpty()) {
        return true;
    }
    for (int column = 0; column < HardwareListModel::ColumnCount; ++column) {
        if (cell(column).data().toString().contains(m_text, Qt::CaseInsensitive)) {
            return true;
        }
    }
    return false;
}

}  // namespace rooflens::ui
