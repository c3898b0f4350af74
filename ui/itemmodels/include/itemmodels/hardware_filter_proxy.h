#pragma once
// HardwareFilterProxy: the device picker's sort and filter: by vendor, by device kind and by a
// text substring of any column (name, id, year, ...). Used by the hardware panel.
#include <optional>

#include <QSortFilterProxyModel>

#include "core/hardware.h"

namespace rooflens::ui {

class HardwareFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit HardwareFilterProxy(QObject* parent = nullptr);

    // An empty vendor keeps all vendors (case-insensitive match otherwise).
    void setVendorFilter(const QString& vendor);
    void setKindFilter(std::optional<core::DeviceKind> kind);
    void setTextFilter(const QString& text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_vendor;
    std::optional<core::DeviceKind> m_kind;
    QString m_text;
};

}  // namespace rooflens::ui
