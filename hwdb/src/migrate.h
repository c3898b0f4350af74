#pragma once
// Internal: schema versions of device documents. Older documents are migrated to the current
// version before they are parsed (docs/hwdb.md, "Schema versions and migration").
#include <optional>

#include "core/json_io.h"
#include "core/result.h"

namespace rooflens::hwdb::detail {

// Checks /schema_version (first, before any other field: a newer file may have fields this
// build does not know). Returns the migrated document for an older version, nullopt when the
// document is already current, or a located error.
core::Result<std::optional<core::Json>> migrateDocument(const core::Json& document,
                                                        const core::JsonReader& reader);

}  // namespace rooflens::hwdb::detail
