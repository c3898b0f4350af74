// Parsing and validation of one device document (schema_version 2, see docs/hwdb.md; version 1
// documents are migrated first, migrate.cpp).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <functional>
#include <initializer_list>
#include <map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/units.h"
#include "device_schema.h"
#include "device_sections.h"
#include "hwdb/hwdb.h"
#include "json_locate.h"
#include "migrate.h"

namespace rooflens::hwdb {

namespace {

using core::Json;
using detail::QuantityKind;

constexpr QuantityKind kOpsRate{core::Dimension::opsPerSecond, kMaxOpsPerSecond, "OPs/s"};
constexpr QuantityKind kBytes{core::Dimension::bytes, kMaxBytes, "B"};
constexpr QuantityKind kByteRate{core::Dimension::bytesPerSecond, kMaxBytesPerSecond, "B/s"};

std::string_view shortDimensionName(core::Dimension dimension) {
    switch (dimension) {
        case core::Dimension::bytes:
            return "bytes";
        case core::Dimension::bytesPerSecond:
            return "bytes/s";
        case core::Dimension::opsPerSecond:
            return "OPs/s";
        case core::Dimension::hertz:
            return "Hz";
        case core::Dimension::seconds:
            return "seconds";
        case core::Dimension::watts:
            return "watts";
    }
    return "?";
}

std::string formatNumber(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", value);
    return buffer;
}

bool isIdChar(char c, bool first) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    return alnum || (!first && (c == '.' || c == '_' || c == '-'));
}

bool isValidId(std::string_view id) {
    if (id.empty() || !isIdChar(id.front(), true)) {
        return false;
    }
    return std::all_of(id.begin(), id.end(), [](char c) { return isIdChar(c, false); });
}

std::string joined(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) {
        text += (text.empty() ? "" : ", ") + item;
    }
    return text;
}

std::string dataTypeChoices() {
    std::vector<std::string> names;
    for (auto type : core::kAllDataTypes) {
        if (!core::isScaleOnly(type)) {
            names.emplace_back(core::nameOf(type));
        }
    }
    names.emplace_back(std::string(detail::kFp8Alias) + " (fp8_e4m3 and fp8_e5m2)");
    names.emplace_back(std::string(detail::kFp6Family) + " (block-scaled FP6, with block_scales)");
    names.emplace_back(std::string(detail::kFp4Family) + " (block-scaled FP4, with block_scales)");
    return joined(names);
}

// A key of a compute table: the element types it names (for the order and block_scales), the
// types it sets at its rate itself, and whether it is an fp4/fp6 family key.
struct TypeKey {
    std::string key;
    std::vector<core::DataType> elements;
    std::vector<core::DataType> types;
    bool family = false;
};

class DeviceParser final : public detail::ParseContext {
public:
    DeviceParser(const Json& document, const std::string& label)
        : m_doc(document), m_reader(label) {}

    core::Result<core::Hardware> parse();

    const core::JsonReader& reader() const override { return m_reader; }
    core::Status checkFields(const Json& obj, std::string_view path,
                             std::initializer_list<std::string_view> allowed) const override;
    core::Result<std::string> nonEmptyString(const Json& obj, std::string_view path,
                                             std::string_view key) const override;
    // Reads the quantity `key` of `parent`, checks its unit, status and source, records its
    // provenance and returns its value in SI base units.
    core::Result<double> quantity(const Json& parent, std::string_view parentPath,
                                  std::string_view key, const QuantityKind& kind) override;
    core::Result<std::int64_t> count(const Json& parent, std::string_view parentPath,
                                     std::string_view key, std::int64_t minimum,
                                     std::int64_t maximum) override;
    void addProvenance(core::ProvenanceEntry entry) override {
        m_hw.provenance.push_back(std::move(entry));
    }

private:
    core::Status parseIdentity();
    core::Status parseSources();
    core::Status parseCompute();
    core::Result<std::vector<TypeKey>> typeKeys(const Json& table, const std::string& path,
                                                bool matrix) const;
    core::Status parseTable(const Json& table, const std::string& path, bool matrix);
    core::Status parseRates(const Json& rates, const std::string& keyPath,
                            const std::vector<core::DataType>& types, bool matrix,
                            core::PeakTable& dense);
    core::Result<std::vector<core::DataType>> blockScales(const Json& rates,
                                                          const std::string& keyPath,
                                                          const TypeKey& typeKey) const;
    core::Status parseMemory();
    core::Status parseOptional();
    // The status, source and note of the quantity object `q` at `path`.
    core::Result<core::ProvenanceEntry> provenanceOf(const Json& q, const std::string& path) const;
    core::Error unitError(const std::string& path, const std::string& unit, const Json& got,
                          core::Dimension dimension) const;

    const Json& m_doc;
    core::JsonReader m_reader;
    std::map<std::string, std::string, std::less<>> m_sources;
    core::Hardware m_hw;
};

core::Status DeviceParser::checkFields(const Json& obj, std::string_view path,
                                       std::initializer_list<std::string_view> allowed) const {
    for (const auto& item : obj.items()) {
        if (std::find(allowed.begin(), allowed.end(), item.key()) == allowed.end()) {
            std::vector<std::string> names(allowed.begin(), allowed.end());
            return m_reader.error(
                core::childPath(path, item.key()),
                "unknown field \"" + item.key() + "\"; expected one of " + joined(names));
        }
    }
    return core::Ok{};
}

core::Result<std::string> DeviceParser::nonEmptyString(const Json& obj, std::string_view path,
                                                       std::string_view key) const {
    auto text = m_reader.string(obj, path, key);
    if (!text) {
        return text.error();
    }
    if (text.value().empty()) {
        return m_reader.expected(core::childPath(path, key), "a non-empty string", Json(""));
    }
    return text;
}

core::Status DeviceParser::parseIdentity() {
    auto id = m_reader.string(m_doc, "", "id");
    if (!id) {
        return id.error();
    }
    if (!isValidId(id.value())) {
        return m_reader.expected("/id", "an id matching [a-z0-9][a-z0-9._-]*", m_doc.at("id"));
    }
    m_hw.id = id.value();
    auto name = nonEmptyString(m_doc, "", "name");
    if (!name) {
        return name.error();
    }
    m_hw.name = name.value();
    auto vendor = nonEmptyString(m_doc, "", "vendor");
    if (!vendor) {
        return vendor.error();
    }
    m_hw.vendor = vendor.value();
    auto kindName = m_reader.string(m_doc, "", "kind");
    if (!kindName) {
        return kindName.error();
    }
    auto kind = core::parseDeviceKind(kindName.value());
    if (!kind) {
        return m_reader.expected("/kind", "one of gpu, cpu, tpu, soc", m_doc.at("kind"));
    }
    m_hw.kind = *kind;
    return core::Ok{};
}

core::Status DeviceParser::parseSources() {
    if (!m_reader.has(m_doc, "sources")) {
        return core::Ok{};
    }
    const Json& sources = m_doc.at("sources");
    if (!sources.is_object()) {
        return m_reader.expected("/sources", "an object of source key -> URL or citation", sources);
    }
    for (const auto& item : sources.items()) {
        if (item.key().empty()) {
            return m_reader.error("/sources/", "expected a non-empty source key");
        }
        auto url = nonEmptyString(sources, "/sources", item.key());
        if (!url) {
            return url.error();
        }
        m_sources.emplace(item.key(), url.value());
    }
    return core::Ok{};
}

core::Error DeviceParser::unitError(const std::string& path, const std::string& unit,
                                    const Json& got, core::Dimension dimension) const {
    const std::string expectation = "a unit of " + std::string(core::dimensionName(dimension));
    for (auto other :
         {core::Dimension::bytes, core::Dimension::bytesPerSecond, core::Dimension::opsPerSecond,
          core::Dimension::hertz, core::Dimension::seconds, core::Dimension::watts}) {
        if (other != dimension && core::unitFactor(unit, other)) {
            core::Error error = m_reader.expected(path, expectation, got);
            error.message += " (a unit of " + std::string(shortDimensionName(other)) + ")";
            return error;
        }
    }
    core::Error error = m_reader.expected(path, expectation, got);
    error.message += " (unknown unit)";
    return error;
}

core::Result<double> DeviceParser::quantity(const Json& parent, std::string_view parentPath,
                                            std::string_view key, const QuantityKind& kind) {
    const std::string path = core::childPath(parentPath, key);
    auto member = m_reader.member(parent, parentPath, key);
    if (!member) {
        return member.error();
    }
    const Json& q = *member.value();
    if (!q.is_object()) {
        return m_reader.expected(path, "a quantity {\"value\", \"unit\", \"source\", \"status\"}",
                                 q);
    }
    if (auto fields = checkFields(q, path, {"value", "unit", "source", "status", "note"});
        !fields) {
        return fields.error();
    }
    auto value = m_reader.positive(q, path, "value");
    if (!value) {
        return value.error();
    }
    auto unit = m_reader.string(q, path, "unit");
    if (!unit) {
        return unit.error();
    }
    const auto factor = core::unitFactor(unit.value(), kind.dimension);
    if (!factor) {
        return unitError(core::childPath(path, "unit"), unit.value(), q.at("unit"), kind.dimension);
    }

    auto provenance = provenanceOf(q, path);
    if (!provenance) {
        return provenance.error();
    }

    const double si = value.value() * *factor;
    if (!std::isfinite(si) || si > kind.maximum) {
        return m_reader.error(core::childPath(path, "value"),
                              "expected at most " + formatNumber(kind.maximum) + " " +
                                  std::string(kind.siUnit) + " for one device, got " +
                                  formatNumber(value.value()) + " " + unit.value() + " (" +
                                  formatNumber(si) + " " + std::string(kind.siUnit) + ")");
    }
    m_hw.provenance.push_back(std::move(provenance.value()));
    return si;
}

core::Result<std::int64_t> DeviceParser::count(const Json& parent, std::string_view parentPath,
                                               std::string_view key, std::int64_t minimum,
                                               std::int64_t maximum) {
    const std::string path = core::childPath(parentPath, key);
    auto member = m_reader.member(parent, parentPath, key);
    if (!member) {
        return member.error();
    }
    const Json& q = *member.value();
    if (!q.is_object()) {
        return m_reader.expected(path, "a count {\"value\", \"source\", \"status\"}", q);
    }
    if (auto fields = checkFields(q, path, {"value", "source", "status", "note"}); !fields) {
        return fields.error();
    }
    auto value = m_reader.integer(q, path, "value", minimum, maximum);
    if (!value) {
        return value.error();
    }
    auto provenance = provenanceOf(q, path);
    if (!provenance) {
        return provenance.error();
    }
    m_hw.provenance.push_back(std::move(provenance.value()));
    return value.value();
}

core::Result<core::ProvenanceEntry> DeviceParser::provenanceOf(const Json& q,
                                                               const std::string& path) const {
    core::ProvenanceEntry provenance;
    provenance.jsonPath = path;
    if (m_reader.has(q, "status")) {
        auto statusName = m_reader.string(q, path, "status");
        if (!statusName) {
            return statusName.error();
        }
        auto status = core::parseProvenance(statusName.value());
        if (!status) {
            return m_reader.expected(core::childPath(path, "status"),
                                     "one of datasheet, derived, unverified, measured",
                                     q.at("status"));
        }
        provenance.status = *status;
    }
    if (m_reader.has(q, "source")) {
        auto sourceKey = m_reader.string(q, path, "source");
        if (!sourceKey) {
            return sourceKey.error();
        }
        auto it = m_sources.find(sourceKey.value());
        if (it == m_sources.end()) {
            std::vector<std::string> keys;
            for (const auto& source : m_sources) {
                keys.push_back(source.first);
            }
            return m_reader.error(core::childPath(path, "source"),
                                  "unknown source \"" + sourceKey.value() +
                                      "\"; expected a key of /sources (" +
                                      (keys.empty() ? "none defined" : joined(keys)) + ")");
        }
        provenance.source = it->second;
    } else if (provenance.status != core::Provenance::measured) {
        return m_reader.error(core::childPath(path, "source"),
                              "missing required field (only measured values may omit it)");
    }
    if (m_reader.has(q, "note")) {
        auto note = m_reader.string(q, path, "note");
        if (!note) {
            return note.error();
        }
        provenance.note = note.value();
    }
    return provenance;
}

core::Result<std::vector<TypeKey>> DeviceParser::typeKeys(const Json& table,
                                                          const std::string& path,
                                                          bool matrix) const {
    std::vector<TypeKey> keys;
    for (const auto& item : table.items()) {
        const std::string& key = item.key();
        const std::string keyPath = core::childPath(path, key);
        if (key == detail::kFp8Alias) {
            for (const char* explicitName : {"fp8_e4m3", "fp8_e5m2"}) {
                if (m_reader.has(table, explicitName)) {
                    return m_reader.error(keyPath,
                                          "fp8 sets both fp8_e4m3 and fp8_e5m2; give "
                                          "either fp8 or the explicit types, not both");
                }
            }
            const auto elements = detail::elementTypesOfKey(key, std::nullopt);
            keys.push_back({key, elements, elements, false});
            continue;
        }
        if (key == detail::kFp4Family || key == detail::kFp6Family) {
            if (!matrix) {
                return m_reader.error(keyPath,
                                      "block-scaled FP4/FP6 rates belong to matrix units only "
                                      "(compute/matrix)");
            }
            keys.push_back({key, detail::elementTypesOfKey(key, std::nullopt), {}, true});
            continue;
        }
        const auto type = core::parseDataType(key);
        if (!type || core::isScaleOnly(*type)) {
            return m_reader.error(
                keyPath, "unknown data type \"" + key + "\"; expected one of " + dataTypeChoices());
        }
        if (core::nameOf(*type) != key) {
            return m_reader.error(keyPath, "expected a canonical data type name, got \"" + key +
                                               "\" (write \"" + std::string(core::nameOf(*type)) +
                                               "\")");
        }
        if (!matrix && core::isBlockScaled(*type)) {
            return m_reader.error(keyPath,
                                  "block-scaled (microscaling) rates belong to matrix units only "
                                  "(compute/matrix)");
        }
        keys.push_back({key, {*type}, {*type}, false});
    }
    // Provenance follows the canonical data type order, whatever the order in the file.
    std::sort(keys.begin(), keys.end(), [](const TypeKey& a, const TypeKey& b) {
        const auto ia = core::indexOf(a.elements.front());
        const auto ib = core::indexOf(b.elements.front());
        return ia != ib ? ia < ib : a.key < b.key;
    });
    return keys;
}

core::Result<std::vector<core::DataType>> DeviceParser::blockScales(const Json& rates,
                                                                    const std::string& keyPath,
                                                                    const TypeKey& typeKey) const {
    std::vector<core::DataType> types;
    const std::string listPath = core::childPath(keyPath, detail::kBlockScalesKey);
    if (!m_reader.has(rates, detail::kBlockScalesKey)) {
        if (typeKey.family) {
            return m_reader.error(listPath,
                                  "missing required field (" + typeKey.key +
                                      " rates are block-scaled MMA rates: name the formats, e.g. "
                                      "[\"nvfp4\", \"mxfp4\"])");
        }
        return types;
    }
    const Json& list = rates.at(std::string(detail::kBlockScalesKey));
    if (!list.is_array() || list.empty()) {
        return m_reader.expected(listPath,
                                 "a non-empty array of block-scale formats (" +
                                     std::string(detail::kBlockFamilyNames) + ")",
                                 list);
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string itemPath = core::childPath(listPath, i);
        if (!list[i].is_string()) {
            return m_reader.expected(itemPath, "a string", list[i]);
        }
        const auto name = list[i].get<std::string>();
        std::vector<core::DataType> found;
        for (auto element : typeKey.elements) {
            if (auto block = detail::blockTypeOf(name, element)) {
                found.push_back(*block);
            }
        }
        if (found.empty()) {
            std::string fits;
            for (const auto& family : detail::kBlockFamilies) {
                const bool matches = std::find(typeKey.elements.begin(), typeKey.elements.end(),
                                               family.element) != typeKey.elements.end();
                if (matches && fits.find(family.name) == std::string::npos) {
                    fits += (fits.empty() ? "" : ", ") + std::string(family.name);
                }
            }
            return m_reader.expected(itemPath,
                                     "a block-scaled form of " + typeKey.key + " (" +
                                         (fits.empty() ? std::string("none exists") : fits) + ")",
                                     list[i]);
        }
        for (auto block : found) {
            if (std::find(types.begin(), types.end(), block) != types.end()) {
                return m_reader.error(itemPath, "\"" + name + "\" is listed twice");
            }
            types.push_back(block);
        }
    }
    return types;
}

core::Status DeviceParser::parseTable(const Json& table, const std::string& path, bool matrix) {
    if (!table.is_object()) {
        return m_reader.expected(path, "an object of data type -> rates", table);
    }
    auto keys = typeKeys(table, path, matrix);
    if (!keys) {
        return keys.error();
    }
    core::PeakTable& dense = matrix ? m_hw.matrixDense : m_hw.vector;
    std::map<core::DataType, std::string> setBy;  // which key set a type: each type once
    for (const auto& typeKey : keys.value()) {
        const std::string keyPath = core::childPath(path, typeKey.key);
        const Json& rates = table.at(typeKey.key);
        if (!rates.is_object()) {
            return m_reader.expected(keyPath, "an object {\"dense\": ..., \"sparse_2_4\": ...}",
                                     rates);
        }
        if (!matrix && m_reader.has(rates, detail::kSparseKey)) {
            return m_reader.error(core::childPath(keyPath, detail::kSparseKey),
                                  "2:4 sparse rates belong to matrix units only (compute/matrix)");
        }
        if (!matrix && m_reader.has(rates, detail::kBlockScalesKey)) {
            return m_reader.error(
                core::childPath(keyPath, detail::kBlockScalesKey),
                "block-scaled math belongs to matrix units only (compute/matrix)");
        }
        auto fields =
            matrix ? checkFields(rates, keyPath,
                                 {detail::kDenseKey, detail::kSparseKey, detail::kBlockScalesKey})
                   : checkFields(rates, keyPath, {detail::kDenseKey});
        if (!fields) {
            return fields.error();
        }
        auto blocks =
            matrix ? blockScales(rates, keyPath, typeKey)
                   : core::Result<std::vector<core::DataType>>(std::vector<core::DataType>{});
        if (!blocks) {
            return blocks.error();
        }
        std::vector<core::DataType> types = typeKey.types;
        types.insert(types.end(), blocks.value().begin(), blocks.value().end());
        for (auto type : types) {
            if (auto [it, fresh] = setBy.emplace(type, keyPath); !fresh) {
                return m_reader.error(keyPath, "sets " + std::string(core::nameOf(type)) +
                                                   ", which " + it->second +
                                                   " sets already; give each type one rate");
            }
        }
        if (auto status = parseRates(rates, keyPath, types, matrix, dense); !status) {
            return status;
        }
    }
    return core::Ok{};
}

core::Status DeviceParser::parseRates(const Json& rates, const std::string& keyPath,
                                      const std::vector<core::DataType>& types, bool matrix,
                                      core::PeakTable& dense) {
    auto denseRate = quantity(rates, keyPath, detail::kDenseKey, kOpsRate);
    if (!denseRate) {
        return denseRate.error();
    }
    for (auto type : types) {
        dense.set(type, denseRate.value());
    }
    if (matrix && m_reader.has(rates, detail::kSparseKey)) {
        auto sparseRate = quantity(rates, keyPath, detail::kSparseKey, kOpsRate);
        if (!sparseRate) {
            return sparseRate.error();
        }
        if (sparseRate.value() < denseRate.value()) {
            return m_reader.error(
                core::childPath(core::childPath(keyPath, detail::kSparseKey), "value"),
                "expected a 2:4 sparse rate >= the dense rate (" + formatNumber(denseRate.value()) +
                    " OPs/s), got " + formatNumber(sparseRate.value()) + " OPs/s");
        }
        for (auto type : types) {
            m_hw.matrixSparse.set(type, sparseRate.value());
        }
    }
    return core::Ok{};
}

core::Status DeviceParser::parseCompute() {
    auto compute = m_reader.member(m_doc, "", "compute");
    if (!compute) {
        return compute.error();
    }
    const Json& table = *compute.value();
    if (!table.is_object()) {
        return m_reader.expected("/compute", "an object {\"matrix\": ..., \"vector\": ...}", table);
    }
    if (auto fields = checkFields(table, "/compute", {detail::kMatrixKey, detail::kVectorKey});
        !fields) {
        return fields.error();
    }
    for (bool matrix : {true, false}) {
        const std::string_view key = matrix ? detail::kMatrixKey : detail::kVectorKey;
        if (m_reader.has(table, key)) {
            if (auto status = parseTable(table.at(key), core::childPath("/compute", key), matrix);
                !status) {
                return status;
            }
        }
    }
    if (!m_hw.matrixDense.any() && !m_hw.vector.any()) {
        return m_reader.error("/compute", "expected at least one peak rate in matrix or vector");
    }
    return core::Ok{};
}

core::Status DeviceParser::parseMemory() {
    auto member = m_reader.member(m_doc, "", "memory");
    if (!member) {
        return member.error();
    }
    const Json& levels = *member.value();
    if (!levels.is_array()) {
        return m_reader.expected("/memory", "an array of memory levels (closest first)", levels);
    }
    if (levels.empty()) {
        return m_reader.error("/memory",
                              "expected at least one memory level (main memory "
                              "last), got an empty array");
    }
    for (std::size_t i = 0; i < levels.size(); ++i) {
        const std::string path = core::childPath("/memory", i);
        const Json& level = levels[i];
        if (!level.is_object()) {
            return m_reader.expected(path, "a memory level {\"name\", \"capacity\", \"bandwidth\"}",
                                     level);
        }
        if (auto fields = checkFields(level, path, {"name", "capacity", "bandwidth"}); !fields) {
            return fields.error();
        }
        core::MemoryLevel out;
        auto name = nonEmptyString(level, path, "name");
        if (!name) {
            return name.error();
        }
        out.name = name.value();
        auto capacity = quantity(level, path, "capacity", kBytes);
        if (!capacity) {
            return capacity.error();
        }
        out.capacityBytes = capacity.value();
        out.measured = m_hw.provenance.back().status == core::Provenance::measured;
        if (m_reader.has(level, "bandwidth")) {
            auto bandwidth = quantity(level, path, "bandwidth", kByteRate);
            if (!bandwidth) {
                return bandwidth.error();
            }
            out.bytesPerSecond = bandwidth.value();
            out.measured =
                out.measured || m_hw.provenance.back().status == core::Provenance::measured;
        } else if (i + 1 == levels.size()) {
            return m_reader.error(core::childPath(path, "bandwidth"),
                                  "missing required field (main memory, the last level, needs a "
                                  "bandwidth)");
        }
        m_hw.memory.push_back(std::move(out));
    }
    return core::Ok{};
}

core::Status DeviceParser::parseOptional() {
    if (m_reader.has(m_doc, "sram_per_core")) {
        auto sram = quantity(m_doc, "", "sram_per_core", kBytes);
        if (!sram) {
            return sram.error();
        }
        m_hw.sramPerCoreBytes = sram.value();
    }
    if (m_reader.has(m_doc, "notes")) {
        auto notes = m_reader.string(m_doc, "", "notes");
        if (!notes) {
            return notes.error();
        }
        m_hw.notes = notes.value();
    }
    return core::Ok{};
}

core::Result<core::Hardware> DeviceParser::parse() {
    if (auto fields = checkFields(m_doc, "",
                                  {"schema_version", "id", "name", "vendor", "kind", "sources",
                                   "compute", "memory", "sram_per_core", "notes", "interconnect",
                                   "power", "release_year", "efficiency", "threads"});
        !fields) {
        return fields.error();
    }
    for (auto step :
         {&DeviceParser::parseIdentity, &DeviceParser::parseSources, &DeviceParser::parseCompute,
          &DeviceParser::parseMemory, &DeviceParser::parseOptional}) {
        if (auto status = (this->*step)(); !status) {
            return status.error();
        }
    }
    if (auto status = detail::parseSections(m_doc, *this, m_hw); !status) {
        return status.error();
    }
    return std::move(m_hw);
}

}  // namespace

core::Result<core::Hardware> parseDevice(const core::Json& document, const std::string& label) {
    try {
        const core::JsonReader reader(label);
        if (!document.is_object()) {
            return reader.expected("", "a device object", document);
        }
        // The version comes first: a newer file may have fields this build does not know.
        auto migrated = detail::migrateDocument(document, reader);
        if (!migrated) {
            return migrated.error();
        }
        DeviceParser parser(migrated.value() ? *migrated.value() : document, label);
        return parser.parse();
    } catch (const std::exception& e) {
        return core::makeError(label + ": cannot read device: " + e.what());
    }
}

core::Result<core::Hardware> parseDeviceText(std::string_view text, const std::string& label) {
    auto document = core::parseJsonText(text, label);
    if (!document) {
        return detail::locateJsonError(text, label, document.error());
    }
    return parseDevice(document.value(), label);
}

core::Result<core::Hardware> loadDeviceFile(const std::filesystem::path& path) {
    auto text = core::readFile(path);
    if (!text) {
        return text.error();
    }
    auto hardware = parseDeviceText(text.value(), path.string());
    if (hardware) {
        hardware->sourceFile = path.string();
    }
    return hardware;
}

}  // namespace rooflens::hwdb
