// Writes a core::Hardware in the device schema (schema_version 1, see docs/hwdb.md).
#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/units.h"
#include "device_schema.h"
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

class DeviceWriter {
public:
    explicit DeviceWriter(const core::Hardware& hw) : m_hw(hw) {
        for (const auto& entry : hw.provenance) {
            m_provenance.emplace(entry.jsonPath, &entry);
        }
    }

    std::string write();

private:
    OrderedJson quantity(const std::string& path, double si, bool forceMeasured,
                         core::Dimension dimension, bool integerOps = false);
    std::string sourceKey(const std::string& url);
    bool hasProvenanceUnder(const std::string& prefix) const;
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
        default:
            scaled = integerOps ? chooseUnit(si, kOpsUnits, dimension)
                                : chooseUnit(si, kFlopsUnits, dimension);
            break;
    }
    OrderedJson q = OrderedJson::object();
    q["value"] = numberJson(scaled.first);
    q["unit"] = std::string(scaled.second);
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
    return q;
}

OrderedJson DeviceWriter::table(bool matrix) {
    const std::string path =
        std::string("/compute/") + std::string(matrix ? detail::kMatrixKey : detail::kVectorKey);
    const core::PeakTable& dense = matrix ? m_hw.matrixDense : m_hw.vector;
    const core::PeakTable* sparse = matrix ? &m_hw.matrixSparse : nullptr;
    auto sparseAt = [&](core::DataType type) { return sparse ? sparse->at(type) : 0.0; };

    // Write fp8 once when the file it came from did, and both formats still agree.
    const bool fp8Alias =
        hasProvenanceUnder(path + "/" + std::string(detail::kFp8Alias) + "/") &&
        dense.at(core::DataType::fp8_e4m3) == dense.at(core::DataType::fp8_e5m2) &&
        sparseAt(core::DataType::fp8_e4m3) == sparseAt(core::DataType::fp8_e5m2);

    OrderedJson out = OrderedJson::object();
    for (auto type : core::kAllDataTypes) {
        if (fp8Alias && type == core::DataType::fp8_e5m2) {
            continue;
        }
        if (dense.at(type) <= 0 && sparseAt(type) <= 0) {
            continue;
        }
        const std::string key = fp8Alias && type == core::DataType::fp8_e4m3
                                    ? std::string(detail::kFp8Alias)
                                    : std::string(core::nameOf(type));
        const std::string keyPath = core::childPath(path, key);
        const bool integerOps = core::isInteger(type);
        OrderedJson rates = OrderedJson::object();
        if (dense.at(type) > 0) {
            rates[std::string(detail::kDenseKey)] =
                quantity(core::childPath(keyPath, detail::kDenseKey), dense.at(type), false,
                         core::Dimension::opsPerSecond, integerOps);
        }
        if (sparseAt(type) > 0) {
            rates[std::string(detail::kSparseKey)] =
                quantity(core::childPath(keyPath, detail::kSparseKey), sparseAt(type), false,
                         core::Dimension::opsPerSecond, integerOps);
        }
        out[key] = std::move(rates);
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
