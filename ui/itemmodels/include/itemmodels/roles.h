#pragma once
// Item data roles shared by the Rooflens item models.
#include <Qt>

namespace rooflens::ui {

enum ItemRole : int {
    SortRole = Qt::UserRole + 1,  // raw number (or string) to sort by
    KindRole,                     // layer kind as int (core::LayerKind)
    BlockRole,                    // block index, -1 outside the blocks
    LayerIndexRole,               // index into the report's layers
    IdRole,                       // hardware id / scenario name as QString
};

}  // namespace rooflens::ui
