#pragma once
// LayerFilterProxy: sorts the layer table by SortRole and filters it by layer kind, block and a
// name substring.
#include <optional>

#include <QSortFilterProxyModel>

#include "core/workload.h"

namespace rooflens::ui {

class LayerFilterProxy : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit LayerFilterProxy(QObject* parent = nullptr);

    void setKindFilter(std::optional<core::LayerKind> kind);
    // A block index; -1 keeps only the layers outside the blocks; nullopt keeps all.
    void setBlockFilter(std::optional<int> block);
    void setNameFilter(const QString& text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    std::optional<core::LayerKind> m_kind;
    std::optional<int> m_block;
    QString m_name;
};

}  // namespace rooflens::ui
