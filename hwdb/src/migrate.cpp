// Device document migration (docs/hwdb.md, "Schema versions and migration").
#include "migrate.h"

#include <array>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hwdb/hwdb.h"

namespace rooflens::hwdb::detail {

namespace {

// The top-level sections schema_version 2 added; a version 1 file may not use them.
constexpr std::array<std::string_view, 3> kVersion2Sections = {"interconnect", "power",
                                                               "release_year"};

// Version 1 -> 2. Every v1 field keeps its meaning in v2 (v2 adds the optional interconnect,
// power and release_year sections, FP4/FP6 and microscaling rates); nothing is filled in: the
// new sections stay absent, which v2 reads as "not described", so a migrated device analyses
// exactly as before. Other unknown fields are left for the parser to report.
core::Result<core::Json> migrate1To2(const core::Json& document, const core::JsonReader& reader) {
    for (auto section : kVersion2Sections) {
        if (reader.has(document, section)) {
            return reader.error(core::childPath("", section),
                                "\"" + std::string(section) +
                                    "\" needs schema_version 2; this file says schema_version 1");
        }
    }
    core::Json migrated = document;
    migrated["schema_version"] = 2;
    return migrated;
}

}  // namespace

core::Result<std::optional<core::Json>> migrateDocument(const core::Json& document,
                                                        const core::JsonReader& reader) {
    auto version = reader.member(document, "", "schema_version");
    if (!version) {
        return version.error();
    }
    const core::Json& value = *version.value();
    if (!value.is_number_integer()) {
        return reader.expected("/schema_version", "an integer", value);
    }
    const auto number = value.get<std::int64_t>();
    if (number == kSchemaVersion) {
        return std::optional<core::Json>{};
    }
    if (number == 1) {
        auto migrated = migrate1To2(document, reader);
        if (!migrated) {
            return migrated.error();
        }
        return std::optional<core::Json>{std::move(migrated.value())};
    }
    return reader.error("/schema_version", "unsupported schema_version " + value.dump() +
                                               "; this build reads schema_version 1 and " +
                                               std::to_string(kSchemaVersion) +
                                               " (1 is migrated, docs/hwdb.md)");
}

}  // namespace rooflens::hwdb::detail
