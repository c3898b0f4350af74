#pragma once
// Internal: turns a JSON syntax failure into a located error. nlohmann reports a number overflow
// ("1e999") without a position; re-reading the text with a SAX handler gives the JSON pointer,
// the line and the column.
#include <string>
#include <string_view>

#include "core/result.h"

namespace rooflens::hwdb::detail {

// `fallback` is the error from core::parseJsonText; the result names the same file and adds the
// JSON pointer of the failure ("near /memory/1").
core::Error locateJsonError(std::string_view text, const std::string& label,
                            const core::Error& fallback);

}  // namespace rooflens::hwdb::detail
