// Writes a core::Hardware in the device schema (schema_version 2, see docs/hwdb.md).
#include <array>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/units.h"
#include "device_schema.h"
#include "device_sections.h"
#include "hwdb/hwdb.h"

namespace rooflens::hwdb {

namespace {

using OrderedJson = nlohmann::ordered_json;

// Units tried when writing a value, in order of preference on ties. Rates stay in the units
// datasheets use (TFLOPS, TOPS, GB/s); capacities take the unit that reads best (40 MiB, 4 TB).
constexpr std::array<std::string_view, 3> kFlopsUnits = {"TFLOPS", "GFLOPS", "FLOPS"};
constexpr std::array<std::string_view, 3> kOpsUnits = {"TOPS", "GOPS", "OPS"};
constexpr std::array<std::string_view, 9> kByteUnits = {"GB", "GiB", "MiB", "MB", "KiB",
                                                        "KB", "TB",  "TiB", "B"};
constexpr std::array<std::string_view, 3> kByteRateUnits = {"GB/s", "GiB/s", "B/s"};
constexpr std::array<std::string_view, 4> kSecondUnits = {"us", "ns", "ms", "s"};
constexpr std::array<std::string_view, 1> kWattUnits = {"W"};  // as datasheets: 1000 W

// Significant digits in the shortest text that reads back as `value` ("1978.9" -> 5).
int significantDigits(double value) {
    std::array<char, 64> buffer{};
    auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
    if (ec != std::errc()) {
        return 99;
    }
    std::string_view text(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
    text = text.substr(0, text.find_first_of("eE"));
    std::string digits;
    for (char c : text) {
        if (c >= '0' && c <= '9') {
            digits += c;
        }
    }
    const auto first = digits.find_first_not_of('0');
    if (first == std::string::npos) {
        return 1;
    }
    const auto last = digits.find_last_not_of('0');
    return static_cast<int>(last - first + 1);
}

// Chooses the unit that writes `si` (SI base units) with the fewest digits, then a value in
// [1, 1000), among the units whose value reads back to exactly `si`; the base unit (factor 1)
// always qualifies.
template <std::size_t N>
std::pair<double, std::string_view> chooseUnit(double si,
                                               const std::array<std::string_view, N>& units,
                                               core::Dimension dimension) {
    std::optional<std::pair<double, std::string_view>> best;
    int bestDigits = 0;
    bool bestInRange = false;
    for (std::string_view unit : units) {
        const double factor = core::unitFactor(unit, dimension).value_or(0);
        if (factor <= 0) {
            continue;
        }
        const double scaled = si / factor;
        if (scaled * factor != si || (scaled < 1 && factor != 1)) {
            continue;
        }
        const int digits = significantDigits(scaled);
        const bool inRange = scaled >= 1 && scaled < 1000;
        if (!best || digits < bestDigits || (digits == bestDigits && inRange && !bestInRange)) {
            best = {scaled, unit};
            bestDigits = digits;
            bestInRange = inRange;
        }
    }
    return best.value_or(std::pair<double, std::string_view>{si, units.back()});
}

OrderedJson numberJson(double value) {
    constexpr double kExactIntegerLimit = 9007199254740992.0;  // 2^53
    if (value == std::floor(value) && std::fabs(value) < kExactIntegerLimit) {
        return static_cast<std::int64_t>(value);
    }
    return value;
}

// "https://www.nvidia.com/en-us/..." -> "nvidia.com"; "github.com/x (mirror)" -> "github.com".
std::string hostKey(const std::string& url) {
    std::string_view text = url;
    if (auto scheme = text.find("://"); scheme != std::string_view::npos) {
        text.remove_prefix(scheme + 3);
    }
    if (text.substr(0, 4) == "www.") {
        text.remove_prefix(4);
    }
    text = text.substr(0, text.find_first_of("/?# "));
    return text.empty() ? std::string("source") : std::string(text);
}

// One entry of a compute table as written: its key, the types sharing its rate, and the
// block-scaled types it names in block_scales.
struct TableEntry {
    std::string key;
    core::DataType rateType;  // the type whose rate the entry writes
    std::vector<std::string> blockScales;
};

class DeviceWriter final : public detail::WriteContext {
public:
    explicit DeviceWriter(const core::Hardware& hw) : m_hw(hw) {
        for (const auto& entry : hw.provenance) {
            m_provenance.emplace(entry.jsonPath, &entry);
        }
    }

    std::string write();

    OrderedJson quantity(const std::string& path, double si, core::Dimension dimension) override {
        return quantity(path, si, false, dimension);
    }
    OrderedJson count(const std::string& path, std::int64_t value) override;

private:
    OrderedJson quantity(const std::string& path, double si, bool forceMeasured,
                         core::Dimension dimension, bool integerOps = false);
    void describe(const std::string& path, OrderedJson& q, bool forceMeasured);
    std::string sourceKey(const std::string& url);
    bool hasProvenanceUnder(const std::string& prefix) const;
    std::vector<TableEntry> tableEntries(bool matrix) const;
    OrderedJson table(bool matrix);
    OrderedJson memory();

    const core::Hardware& m_hw;
    std::unordered_map<std::string, const core::ProvenanceEntry*> m_provenance;
    OrderedJson m_sources = OrderedJson::object();
    std::map<std::string, std::string> m_keyByUrl;
};

std::string DeviceWriter::sourceKey(const std::string& url) {
    if (auto it = m_keyByUrl.find(url); it != m_keyByUrl.end()) {
        return it->second;
    }
    const std::string base = hostKey(url);
    std::string key = base;
    for (int n = 2; m_sources.contains(key); ++n) {
        key = base + "-" + std::to_string(n);
    }
    m_sources[key] = url;
    m_keyByUrl.emplace(url, key);
    return key;
}

bool DeviceWriter::hasProvenanceUnder(const std::string& prefix) const {
    for (const auto& entry : m_hw.provenance) {
        if (entry.jsonPath.rfind(prefix, 0) == 0) {
            return true;
        }
    }
    return false;
}

OrderedJson DeviceWriter::quantity(const std::string& path, double si, bool forceMeasured,
                                   core::Dimension dimension, bool integerOps) {
    std::pair<double, std::string_view> scaled;
    switch (dimension) {
        case core::Dimension::bytes:
            scaled = chooseUnit(si, kByteUnits, dimension);
            break;
        case core::Dimension::bytesPerSecond:
            scaled = chooseUnit(si, kByteRateUnits, dimension);
            break;
        case core::Dimension::seconds:
            scaled = chooseUnit(si, kSecondUnits, dimension);
            break;
        case core::Dimension::watts:
            scaled = chooseUnit(si, kWattUnits, dimension);
            break;
        default:
            scaled = integerOps ? chooseUnit(si, kOpsUnits, dimension)
                                : chooseUnit(si, kFlopsUnits, dimension);
            break;
    }
    OrderedJson q = OrderedJson::object();
    q["value"] = numberJson(scaled.first);
    q["unit"] = std::string(scaled.second);
    describe(path, q, forceMeasured);
    return q;
}

OrderedJson DeviceWriter::count(const std::string& path, std::int64_t value) {
    OrderedJson q = OrderedJson::object();
    q["value"] = value;
    describe(path, q, false);
    return q;
}

// Source, status and note of the quantity at `path` from its provenance.
void DeviceWriter::describe(const std::string& path, OrderedJson& q, bool forceMeasured) {
    auto it = m_provenance.find(path);
    const core::ProvenanceEntry* provenance = it == m_provenance.end() ? nullptr : it->second;
    if (provenance != nullptr && !provenance->source.empty()) {
        q["source"] = sourceKey(provenance->source);
    }
    core::Provenance status =
        provenance != nullptr ? provenance->status : core::Provenance::measured;
    if (forceMeasured || (status != core::Provenance::measured && !q.contains("source"))) {
        status = core::Provenance::measured;  // a value without a source can only be measured
    }
    q["status"] = std::string(core::nameOf(status));
    if (provenance != nullptr && !provenance->note.empty()) {
        q["note"] = provenance->note;
    }
}

// Plans the keys of one compute table. For a device that came from parseDevice the keys are the
// file's own (`inFile` tells which keys its provenance paths name), so reading the output back
// gives the same provenance; other devices get fp8 split and fp4/fp6 family keys where the
// formats share a rate.
class TablePlanner {
public:
    TablePlanner(const core::PeakTable& dense, const core::PeakTable* sparse,
                 std::function<bool(std::string_view)> inFile)
        : m_dense(dense), m_sparse(sparse), m_inFile(std::move(inFile)) {}

    std::vector<TableEntry> plan(bool matrix);

private:
    double sparseAt(core::DataType type) const { return m_sparse ? m_sparse->at(type) : 0.0; }
    bool present(core::DataType type) const { return m_dense.at(type) > 0 || sparseAt(type) > 0; }
    bool sameRate(core::DataType a, core::DataType b) const {
        return m_dense.at(a) == m_dense.at(b) && sparseAt(a) == sparseAt(b);
    }
    bool free(core::DataType type) const {
        return present(type) && !m_covered[core::indexOf(type)] && !m_inFile(core::nameOf(type));
    }
    void cover(core::DataType type) { m_covered[core::indexOf(type)] = true; }
    // Block-scaled forms of `elements` at the entry's rate join its block_scales.
    void absorb(TableEntry& entry, const std::vector<core::DataType>& elements);
    // The fp4 and fp6 family keys for the formats left.
    void addFamilies(std::vector<TableEntry>& entries);

    const core::PeakTable& m_dense;
    const core::PeakTable* m_sparse;
    std::function<bool(std::string_view)> m_inFile;
    std::vector<bool> m_covered = std::vector<bool>(core::kDataTypeCount, false);
};

void TablePlanner::absorb(TableEntry& entry, const std::vector<core::DataType>& elements) {
    for (std::string_view family : {"nvfp4", "mxfp4", "mxfp6", "mxfp8"}) {
        std::vector<core::DataType> blocks;
        for (auto element : elements) {
            auto block = detail::blockTypeOf(family, element);
            if (block && free(*block) && sameRate(*block, entry.rateType)) {
                blocks.push_back(*block);
            }
        }
        if (!blocks.empty() && blocks.size() == elements.size()) {
            entry.blockScales.emplace_back(family);
            for (auto block : blocks) {
                cover(block);
            }
        }
    }
}

void TablePlanner::addFamilies(std::vector<TableEntry>& entries) {
    for (std::string_view family : {detail::kFp4Family, detail::kFp6Family}) {
        const auto elements = detail::elementTypesOfKey(family, std::nullopt);
        std::optional<core::DataType> rateType;
        for (std::string_view name : {"nvfp4", "mxfp4", "mxfp6"}) {
            auto block = detail::blockTypeOf(name, elements.front());
            if (block && free(*block)) {
                rateType = block;
                break;
            }
        }
        if (!rateType) {
            continue;
        }
        TableEntry entry{std::string(family), *rateType, {}};
        absorb(entry, elements);
        if (!entry.blockScales.empty()) {
            entries.push_back(std::move(entry));
        }
    }
}

std::vector<TableEntry> TablePlanner::plan(bool matrix) {
    std::vector<TableEntry> entries;
    using D = core::DataType;
    if (m_inFile(detail::kFp8Alias) && present(D::fp8_e4m3) && sameRate(D::fp8_e4m3, D::fp8_e5m2)) {
        TableEntry entry{std::string(detail::kFp8Alias), D::fp8_e4m3, {}};
        cover(D::fp8_e4m3);
        cover(D::fp8_e5m2);
        absorb(entry, detail::elementTypesOfKey(detail::kFp8Alias, std::nullopt));
        entries.push_back(std::move(entry));
    }
    for (auto type : core::kAllDataTypes) {
        if (core::isBlockScaled(type) || !present(type) || m_covered[core::indexOf(type)]) {
            continue;
        }
        TableEntry entry{std::string(core::nameOf(type)), type, {}};
        cover(type);
        // Formats the file listed under a family key stay there.
        const bool familyKey =
            (type == D::fp4_e2m1 && m_inFile(detail::kFp4Family)) ||
            ((type == D::fp6_e2m3 || type == D::fp6_e3m2) && m_inFile(detail::kFp6Family));
        if (matrix && !familyKey) {
            absorb(entry, {type});
        }
        entries.push_back(std::move(entry));
    }
    if (matrix) {
        addFamilies(entries);
    }
    for (auto type : core::kAllDataTypes) {
        if (present(type) && !m_covered[core::indexOf(type)]) {
            entries.push_back({std::string(core::nameOf(type)), type, {}});
            cover(type);
        }
    }
    return entries;
}

std::vector<TableEntry> DeviceWriter::tableEntries(bool matrix) const {
    const std::string path =
        std::string("/compute/") + std::string(matrix ? detail::kMatrixKey : detail::kVectorKey);
    TablePlanner planner(matrix ? m_hw.matrixDense : m_hw.vector,
                         matrix ? &m_hw.matrixSparse : nullptr, [&](std::string_view key) {
                             return hasProvenanceUnder(path + "/" + std::string(key) + "/");
                         });
    return planner.plan(matrix);
}

OrderedJson DeviceWriter::table(bool matrix) {
    const std::string path =
        std::string("/compute/") + std::string(matrix ? detail::kMatrixKey : detail::kVectorKey);
    const core::PeakTable& dense = matrix ? m_hw.matrixDense : m_hw.vector;
    const core::PeakTable* sparse = matrix ? &m_hw.matrixSparse : nullptr;
    OrderedJson out = OrderedJson::object();
    for (const TableEntry& entry : tableEntries(matrix)) {
        const std::string keyPath = core::childPath(path, entry.key);
        const bool integerOps = core::isInteger(entry.rateType);
        const double denseRate = dense.at(entry.rateType);
        const double sparseRate = sparse ? sparse->at(entry.rateType) : 0.0;
        OrderedJson rates = OrderedJson::object();
        if (denseRate > 0) {
            rates[std::string(detail::kDenseKey)] =
                quantity(core::childPath(keyPath, detail::kDenseKey), denseRate, false,
                         core::Dimension::opsPerSecond, integerOps);
        }
        if (sparseRate > 0) {
            rates[std::string(detail::kSparseKey)] =
                quantity(core::childPath(keyPath, detail::kSparseKey), sparseRate, false,
                         core::Dimension::opsPerSecond, integerOps);
        }
        if (!entry.blockScales.empty()) {
            rates[std::string(detail::kBlockScalesKey)] = entry.blockScales;
        }
        out[entry.key] = std::move(rates);
    }
    return out;
}

OrderedJson DeviceWriter::memory() {
    OrderedJson levels = OrderedJson::array();
    for (std::size_t i = 0; i < m_hw.memory.size(); ++i) {
        const core::MemoryLevel& level = m_hw.memory[i];
        const std::string path = core::childPath("/memory", i);
        const std::string capacityPath = core::childPath(path, "capacity");
        const std::string bandwidthPath = core::childPath(path, "bandwidth");
        auto isMeasured = [&](const std::string& p) {
            auto it = m_provenance.find(p);
            return it != m_provenance.end() && it->second->status == core::Provenance::measured;
        };
        // A measured level keeps a measured quantity: the bandwidth, or the capacity when the
        // level has no bandwidth.
        const bool needMeasured =
            level.measured && !isMeasured(capacityPath) && !isMeasured(bandwidthPath);
        const bool hasBandwidth = level.bytesPerSecond > 0;
        OrderedJson out = OrderedJson::object();
        out["name"] = level.name;
        out["capacity"] = quantity(capacityPath, level.capacityBytes, needMeasured && !hasBandwidth,
                                   core::Dimension::bytes);
        if (hasBandwidth) {
            out["bandwidth"] = quantity(bandwidthPath, level.bytesPerSecond, needMeasured,
                                        core::Dimension::bytesPerSecond);
        }
        levels.push_back(std::move(out));
    }
    return levels;
}

std::string DeviceWriter::write() {
    OrderedJson compute = OrderedJson::object();
    if (m_hw.matrixDense.any() || m_hw.matrixSparse.any()) {
        compute[std::string(detail::kMatrixKey)] = table(true);
    }
    if (m_hw.vector.any()) {
        compute[std::string(detail::kVectorKey)] = table(false);
    }
    OrderedJson levels = memory();
    OrderedJson sram;
    if (m_hw.sramPerCoreBytes > 0) {
        sram = quantity("/sram_per_core", m_hw.sramPerCoreBytes, false, core::Dimension::bytes);
    }
    OrderedJson sections = OrderedJson::object();
    detail::writeSections(m_hw, *this, sections);  // before the sources are copied below

    OrderedJson doc = OrderedJson::object();
    doc["schema_version"] = kSchemaVersion;
    doc["id"] = m_hw.id;
    doc["name"] = m_hw.name;
    doc["vendor"] = m_hw.vendor;
    doc["kind"] = std::string(core::nameOf(m_hw.kind));
    doc["sources"] = m_sources;
    doc["compute"] = std::move(compute);
    doc["memory"] = std::move(levels);
    if (!sram.is_null()) {
        doc["sram_per_core"] = std::move(sram);
    }
    for (auto it = sections.begin(); it != sections.end(); ++it) {
        doc[it.key()] = std::move(*it);
    }
    if (!m_hw.notes.empty()) {
        doc["notes"] = m_hw.notes;
    }
    return doc.dump(2, ' ', false, OrderedJson::error_handler_t::replace) + "\n";
}

}  // namespace

std::string serializeDevice(const core::Hardware& hw) {
    return DeviceWriter(hw).write();
}

}  // namespace rooflens::hwdb
