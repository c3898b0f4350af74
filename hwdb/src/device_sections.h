#pragma once
// Internal: the optional sections of a device document that live in their own files
// (interconnect, power, release year: device_sections.cpp), and the small interfaces through
// which they use the device parser's and serializer's quantity handling (units, sources,
// provenance). parse_device.cpp and serialize_device.cpp call them with one line each.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/hardware.h"
#include "core/json_io.h"
#include "core/result.h"
#include "device_schema.h"

namespace rooflens::hwdb::detail {

// What a section parser needs from the device parser.
class ParseContext {
public:
    virtual ~ParseContext() = default;
    virtual const core::JsonReader& reader() const = 0;
    virtual core::Status checkFields(const core::Json& obj, std::string_view path,
                                     std::initializer_list<std::string_view> allowed) const = 0;
    virtual core::Result<std::string> nonEmptyString(const core::Json& obj, std::string_view path,
                                                     std::string_view key) const = 0;
    // A quantity {"value", "unit", "source", "status", "note"} in SI base units; records its
    // provenance.
    virtual core::Result<double> quantity(const core::Json& parent, std::string_view parentPath,
                                          std::string_view key, const QuantityKind& kind) = 0;
    // A count {"value", "source", "status", "note"} (no unit): an integer in [minimum, maximum];
    // records its provenance.
    virtual core::Result<std::int64_t> count(const core::Json& parent, std::string_view parentPath,
                                             std::string_view key, std::int64_t minimum,
                                             std::int64_t maximum) = 0;
    // Records a value the file did not give (a documented default).
    virtual void addProvenance(core::ProvenanceEntry entry) = 0;
};

// What a section writer needs from the device serializer.
class WriteContext {
public:
    virtual ~WriteContext() = default;
    // The quantity at `path` with its provenance (status, source key, note).
    virtual nlohmann::ordered_json quantity(const std::string& path, double si,
                                            core::Dimension dimension) = 0;
    virtual nlohmann::ordered_json count(const std::string& path, std::int64_t value) = 0;
};

// The sections own the top-level fields interconnect, power and release_year (schema_version 2).
core::Status parseSections(const core::Json& doc, ParseContext& context, core::Hardware& hw);
void writeSections(const core::Hardware& hw, WriteContext& context, nlohmann::ordered_json& doc);

// The efficiency section (efficiency_section.cpp): a model object, "none" (the ideal roof), or
// absent (datasheet devices get core::defaultEfficiency of their kind). Parsed after memory.
core::Status parseEfficiency(const core::Json& doc, ParseContext& context, core::Hardware& hw);
void writeEfficiency(const core::Hardware& hw, nlohmann::ordered_json& doc);
// The per-thread-count ceilings of calibrated profiles (`threads`: default and ceilings).
core::Status parseThreadCeilings(const core::Json& doc, ParseContext& context, core::Hardware& hw);
void writeThreadCeilings(const core::Hardware& hw, nlohmann::ordered_json& doc);

}  // namespace rooflens::hwdb::detail
