// The built-in device files: all 33 load cleanly; the first 15 agree with the first reference
// datasheet table (tests/data/hwdb/reference/hardware_datasheets.json, a copy of the project's
// reference data). The 2026 devices are checked in test_devices_2026.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "core/units.h"
#include "hwdb/hwdb.h"
#include "hwdb_test_support.h"

namespace rooflens::hwdb {
namespace {

using core::DataType;
using testing::builtinIds;
using testing::devicesDir;

const std::map<std::string, core::Hardware>& builtins() {
    static const std::map<std::string, core::Hardware> devices = [] {
        std::map<std::string, core::Hardware> byId;
        for (auto& entry : loadDirectory(devicesDir(), Origin::builtin).devices) {
            byId.emplace(entry.hardware.id, std::move(entry.hardware));
        }
        return byId;
    }();
    return devices;
}

const core::Hardware& device(const std::string& id) {
    static const core::Hardware empty;
    auto it = builtins().find(id);
    return it == builtins().end() ? empty : it->second;
}

const core::ProvenanceEntry* provenanceAt(const core::Hardware& hw, const std::string& path) {
    for (const auto& entry : hw.provenance) {
        if (entry.jsonPath == path) {
            return &entry;
        }
    }
    return nullptr;
}

void expectNear(double actual, double expected, const std::string& what) {
    EXPECT_NEAR(actual, expected, std::abs(expected) * 1e-12) << what;
}

TEST(BuiltinDevices, AllFilesLoadWithZeroErrorsAndTheExactIds) {
    const LoadResult loaded = loadDirectory(devicesDir(), Origin::builtin);
    for (const auto& error : loaded.errors) {
        ADD_FAILURE() << error.message;
    }
    std::vector<std::string> ids;
    for (const auto& entry : loaded.devices) {
        ids.push_back(entry.hardware.id);
        EXPECT_EQ(entry.origin, Origin::builtin);
        EXPECT_EQ(std::filesystem::path(entry.hardware.sourceFile).filename().string(),
                  entry.hardware.id + ".json");
    }
    std::vector<std::string> expected = builtinIds();
    std::sort(ids.begin(), ids.end());
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(ids, expected);
    EXPECT_EQ(loaded.devices.size(), 33u);
}

TEST(BuiltinDevices, HeadlineDatasheetNumbers) {
    expectNear(device("a100-40gb-sxm").matrixDense.at(DataType::fp16), 312e12, "A100 fp16");
    expectNear(device("a100-40gb-sxm").matrixSparse.at(DataType::fp16), 624e12, "A100 sparse");
    expectNear(device("a100-40gb-sxm").vector.at(DataType::fp64), 9.7e12, "A100 fp64 vector");
    EXPECT_EQ(device("h100-sxm").matrixDense.at(DataType::int4), 0.0);
    EXPECT_FALSE(device("h100-sxm").supportsMatrix(DataType::int4));
    expectNear(device("h100-sxm").matrixDense.at(DataType::fp8_e4m3), 1978.9e12, "H100 e4m3");
    expectNear(device("h100-sxm").matrixDense.at(DataType::fp8_e5m2), 1978.9e12, "H100 e5m2");
    expectNear(device("h200-sxm").memoryBytesPerSecond(), 4.8e12, "H200 bandwidth");
    expectNear(device("h200-sxm").memoryCapacityBytes(), 141e9, "H200 capacity");
    EXPECT_EQ(device("tpu-v4").memoryCapacityBytes(), 34359738368.0);
    expectNear(device("xeon-8480").matrixDense.at(DataType::bf16), 114.7e12, "Xeon AMX bf16");
    expectNear(device("xeon-8480").matrixDense.at(DataType::int8), 229.4e12, "Xeon AMX int8");
    expectNear(device("xeon-8480").vector.at(DataType::fp32), 7.17e12, "Xeon AVX-512 fp32");
    expectNear(device("xeon-8480").memoryCapacityBytes(), 4e12, "Xeon max memory");
    expectNear(device("xeon-8480").memoryBytesPerSecond(), 307.2e9, "Xeon DDR5");
    expectNear(device("mi250x").vector.at(DataType::fp64), 47.9e12, "MI250X fp64 vector");
    expectNear(device("mi300x").vector.at(DataType::fp64), 81.7e12, "MI300X fp64 vector");
    expectNear(device("rtx-4090").matrixDense.at(DataType::fp16), 165.2e12, "4090 FP32-acc");
    expectNear(device("tpu-v5e").matrixDense.at(DataType::int8), 394e12, "v5e int8");
}

TEST(BuiltinDevices, MemoryHierarchy) {
    for (const auto& [id, hw] : builtins()) {
        ASSERT_FALSE(hw.memory.empty()) << id;
        EXPECT_GT(hw.mainMemory().bytesPerSecond, 0) << id;
        for (const auto& level : hw.memory) {
            EXPECT_GT(level.capacityBytes, 0) << id << " " << level.name;
            EXPECT_FALSE(level.measured) << id;
        }
    }
    const core::Hardware& mi300x = device("mi300x");
    ASSERT_EQ(mi300x.memory.size(), 3u);
    EXPECT_EQ(mi300x.memory[1].name, "Infinity Cache");
    EXPECT_EQ(mi300x.memory[1].capacityBytes, 256 * core::kMebi);
    EXPECT_EQ(mi300x.onChipBytes(), 256 * core::kMebi);
    EXPECT_EQ(device("a100-40gb-sxm").memory[0].capacityBytes, 41943040.0);
    EXPECT_EQ(device("m2-ultra").memory.size(), 1u);
    EXPECT_EQ(device("m3-max").onChipBytes(), 0.0);
    const core::Hardware& xeon = device("xeon-8480");
    ASSERT_EQ(xeon.memory.size(), 3u);
    EXPECT_EQ(xeon.memory[1].name, "L3");
}

TEST(BuiltinDevices, SramPerCore) {
    const std::map<std::string, double> expected = {
        {"a100-40gb-sxm", 192 * core::kKibi}, {"a100-80gb-sxm", 192 * core::kKibi},
        {"h100-sxm", 228 * core::kKibi},      {"h100-pcie", 228 * core::kKibi},
        {"h200-sxm", 228 * core::kKibi},      {"l40s", 128 * core::kKibi},
        {"rtx-4090", 128 * core::kKibi},      {"jetson-agx-orin-64gb", 192 * core::kKibi},
        {"mi250x", 64 * core::kKibi},         {"mi300x", 64 * core::kKibi},
        {"m2-ultra", 32 * core::kKibi},       {"m3-max", 32 * core::kKibi},
        {"xeon-8480", 2 * core::kMebi},       {"tpu-v4", 32 * core::kMebi},
        {"tpu-v5e", 128 * core::kMebi}};
    ASSERT_EQ(expected.size(), testing::firstIds().size());
    for (const auto& [id, bytes] : expected) {
        EXPECT_EQ(device(id).sramPerCoreBytes, bytes) << id;
    }
    EXPECT_EQ(provenanceAt(device("tpu-v4"), "/sram_per_core")->status,
              core::Provenance::unverified);
    EXPECT_EQ(provenanceAt(device("m2-ultra"), "/sram_per_core")->status,
              core::Provenance::derived);
    EXPECT_EQ(provenanceAt(device("xeon-8480"), "/sram_per_core")->status,
              core::Provenance::derived);
}

TEST(BuiltinDevices, FeatureFlags) {
    const std::set<std::string> sparse = {
        "a100-40gb-sxm", "a100-80gb-sxm",        "h100-sxm", "h100-pcie", "h200-sxm", "l40s",
        "rtx-4090",      "jetson-agx-orin-64gb", "mi300x"};
    const std::set<std::string> fp8 = {"h100-sxm", "h100-pcie", "h200-sxm",
                                       "l40s",     "rtx-4090",  "mi300x"};
    const std::set<std::string> tf32 = {
        "a100-40gb-sxm", "a100-80gb-sxm",        "h100-sxm", "h100-pcie", "h200-sxm", "l40s",
        "rtx-4090",      "jetson-agx-orin-64gb", "mi300x"};
    for (const auto& id : testing::firstIds()) {
        const core::Hardware& hw = device(id);
        EXPECT_EQ(hw.hasSparseMatrixUnits(), sparse.count(id) > 0) << id;
        EXPECT_EQ(hw.supportsMatrix(DataType::fp8_e4m3), fp8.count(id) > 0) << id;
        EXPECT_EQ(hw.supportsMatrix(DataType::fp8_e5m2), fp8.count(id) > 0) << id;
        EXPECT_EQ(hw.supportsMatrix(DataType::tf32), tf32.count(id) > 0) << id;
    }
    for (const char* hopper : {"h100-sxm", "h100-pcie", "h200-sxm"}) {
        EXPECT_FALSE(device(hopper).supportsMatrix(DataType::int4)) << hopper;
    }
    EXPECT_TRUE(device("a100-40gb-sxm").supportsMatrix(DataType::int4));
    for (const char* apple : {"m2-ultra", "m3-max"}) {
        EXPECT_FALSE(device(apple).matrixDense.any()) << apple;
        EXPECT_GT(device(apple).vector.at(DataType::fp16), 0) << apple;
    }
    for (const char* tpu : {"tpu-v4", "tpu-v5e"}) {
        const core::Hardware& hw = device(tpu);
        EXPECT_FALSE(hw.vector.any()) << tpu;
        for (auto type : core::kAllDataTypes) {
            const bool expected = type == DataType::bf16 || type == DataType::int8;
            EXPECT_EQ(hw.supportsMatrix(type), expected) << tpu << " " << core::nameOf(type);
        }
    }
}

// Every object with a "value" in the file is one quantity; every link without a latency gets
// one defaulted latency.
void countQuantities(const nlohmann::json& node, const std::string& path, std::size_t& count) {
    if (node.is_object()) {
        if (node.contains("value")) {
            ++count;
            return;
        }
        const bool link = path.rfind("/interconnect/", 0) == 0 && node.contains("kind");
        if (link && !node.contains("latency")) {
            ++count;
        }
        for (const auto& item : node.items()) {
            countQuantities(item.value(), path + "/" + item.key(), count);
        }
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i) {
            countQuantities(node[i], path + "/" + std::to_string(i), count);
        }
    }
}

TEST(BuiltinDevices, EveryQuantityHasProvenanceWithASource) {
    for (const auto& [id, hw] : builtins()) {
        const auto text = core::readFile(hw.sourceFile);
        ASSERT_TRUE(text) << id;
        std::size_t quantities = 0;
        countQuantities(nlohmann::json::parse(text.value()), "", quantities);
        EXPECT_EQ(hw.provenance.size(), quantities) << id;
        for (const auto& entry : hw.provenance) {
            EXPECT_NE(entry.status, core::Provenance::measured) << id << entry.jsonPath;
            EXPECT_FALSE(entry.source.empty()) << id << entry.jsonPath;
            EXPECT_EQ(entry.jsonPath.front(), '/') << id;
        }
        EXPECT_FALSE(hw.notes.empty()) << id;
    }
}

// ---- agreement with the reference datasheet table ------------------------------------------

const std::map<std::string, std::string>& idByReferenceName() {
    static const std::map<std::string, std::string> ids = {
        {"NVIDIA A100 40GB SXM4", "a100-40gb-sxm"},
        {"NVIDIA A100 80GB SXM4", "a100-80gb-sxm"},
        {"NVIDIA H100 SXM5", "h100-sxm"},
        {"NVIDIA H100 PCIe", "h100-pcie"},
        {"NVIDIA H200 SXM", "h200-sxm"},
        {"NVIDIA L40S", "l40s"},
        {"NVIDIA GeForce RTX 4090", "rtx-4090"},
        {"NVIDIA Jetson AGX Orin 64GB (GPU)", "jetson-agx-orin-64gb"},
        {"AMD Instinct MI250X", "mi250x"},
        {"AMD Instinct MI300X", "mi300x"},
        {"Apple M2 Ultra (GPU 76-core)", "m2-ultra"},
        {"Apple M3 Max (16-core CPU / 40-core GPU)", "m3-max"},
        {"Intel Xeon Platinum 8480+ (Sapphire Rapids, per socket)", "xeon-8480"},
        {"Google TPU v4 (per chip)", "tpu-v4"},
        {"Google TPU v5e (per chip)", "tpu-v5e"}};
    return ids;
}

const nlohmann::json& reference() {
    static const nlohmann::json table = [] {
        auto text = core::readFile(testing::dataDir() / "reference" / "hardware_datasheets.json");
        return text ? nlohmann::json::parse(text.value()) : nlohmann::json::array();
    }();
    return table;
}

std::vector<DataType> typesOf(const std::string& key) {
    if (key == "fp8") {
        return {DataType::fp8_e4m3, DataType::fp8_e5m2};
    }
    return {core::parseDataType(key).value()};
}

// fp32 is the vector (CUDA core / SIMD) rate everywhere; Apple GPUs have only vector units.
bool isVectorRate(const core::Hardware& hw, DataType type) {
    return type == DataType::fp32 || !hw.matrixDense.any();
}

std::string densePath(const core::Hardware& hw, const std::string& key) {
    const DataType type = typesOf(key).front();
    return std::string("/compute/") + (isVectorRate(hw, type) ? "vector/" : "matrix/") + key +
           "/dense";
}

std::size_t onChipIndex(const core::Hardware& hw) {
    for (std::size_t i = 0; i + 1 < hw.memory.size(); ++i) {
        if (hw.memory[i].name == "L2" || hw.memory[i].name == "CMEM" ||
            hw.memory[i].name == "VMEM") {
            return i;
        }
    }
    return hw.memory.size();
}

TEST(BuiltinDevices, AgreeWithReferenceDatasheetTable) {
    ASSERT_EQ(reference().size(), 15u);
    for (const auto& row : reference()) {
        const std::string name = row.at("name").get<std::string>();
        ASSERT_EQ(idByReferenceName().count(name), 1u) << name;
        const std::string id = idByReferenceName().at(name);
        SCOPED_TRACE(id);
        const core::Hardware& hw = device(id);
        ASSERT_EQ(hw.id, id);
        EXPECT_EQ(hw.name, name);
        EXPECT_EQ(hw.vendor, row.at("vendor").get<std::string>());

        for (const auto& [key, value] : row.at("peak_TFLOPS").items()) {
            for (DataType type : typesOf(key)) {
                const double actual =
                    isVectorRate(hw, type) ? hw.vector.at(type) : hw.matrixDense.at(type);
                if (value.is_null()) {
                    EXPECT_EQ(hw.matrixDense.at(type), 0.0) << key;
                    EXPECT_EQ(actual, 0.0) << key;
                } else {
                    expectNear(actual, value.get<double>() * core::kTera, key);
                }
            }
        }
        const auto& sparse = row.at("peak_TFLOPS_sparse");
        EXPECT_EQ(hw.hasSparseMatrixUnits(), !sparse.is_null());
        if (!sparse.is_null()) {
            for (const auto& [key, value] : sparse.items()) {
                for (DataType type : typesOf(key)) {
                    expectNear(hw.matrixSparse.at(type), value.get<double>() * core::kTera,
                               key + " sparse");
                }
            }
        }
        expectNear(hw.memoryBytesPerSecond(), row.at("bandwidth_GBps").get<double>() * 1e9,
                   "bandwidth");
        if (!row.at("memory_GB").is_null()) {
            // The TPU v4 figure is GiB (Google: "32 GiB"); the others are decimal GB.
            const double unit = id == "tpu-v4" ? core::kGibi : core::kGiga;
            expectNear(hw.memoryCapacityBytes(), row.at("memory_GB").get<double>() * unit,
                       "capacity");
        }
        const std::size_t onChip = onChipIndex(hw);
        if (row.at("l2_MB").is_null()) {
            EXPECT_EQ(onChip, hw.memory.size()) << "no on-chip level expected";
        } else {
            ASSERT_LT(onChip, hw.memory.size());
            // Cache sizes published in "MB" are binary (A100 deviceQuery: 41,943,040 B).
            expectNear(hw.memory[onChip].capacityBytes, row.at("l2_MB").get<double>() * core::kMebi,
                       "on-chip capacity");
        }

        // Derived and unverified flags of the reference carry over to the provenance.
        auto expectStatus = [&](const std::string& field, core::Provenance status) {
            std::vector<std::string> paths;
            if (field == "bandwidth_GBps") {
                paths.push_back("/memory/" + std::to_string(hw.memory.size() - 1) + "/bandwidth");
            } else if (field == "l2_MB") {
                paths.push_back("/memory/" + std::to_string(onChip) + "/capacity");
            } else if (field == "peak_TFLOPS_sparse") {
                for (const auto& entry : hw.provenance) {
                    if (entry.jsonPath.find("/sparse_2_4") != std::string::npos) {
                        paths.push_back(entry.jsonPath);
                    }
                }
                EXPECT_FALSE(paths.empty());
            } else {
                paths.push_back(densePath(hw, field));
                const auto& sparseRow = row.at("peak_TFLOPS_sparse");
                if (status == core::Provenance::unverified && sparseRow.is_object() &&
                    sparseRow.contains(field) && sparseRow.at(field).is_number()) {
                    paths.push_back("/compute/matrix/" + field + "/sparse_2_4");
                }
            }
            for (const auto& path : paths) {
                const core::ProvenanceEntry* entry = provenanceAt(hw, path);
                ASSERT_NE(entry, nullptr) << field << " -> " << path;
                EXPECT_EQ(entry->status, status) << field << " -> " << path;
            }
        };
        for (const auto& field : row.at("derived_fields")) {
            expectStatus(field.get<std::string>(), core::Provenance::derived);
        }
        for (const auto& field : row.at("unverified_fields")) {
            expectStatus(field.get<std::string>(), core::Provenance::unverified);
        }
    }
}

TEST(BuiltinDevices, DatasheetValuesKeepTheirStatus) {
    // Values the reference does not flag stay "datasheet".
    EXPECT_EQ(provenanceAt(device("h100-sxm"), "/compute/matrix/fp8/dense")->status,
              core::Provenance::datasheet);
    EXPECT_EQ(provenanceAt(device("a100-40gb-sxm"), "/memory/1/bandwidth")->status,
              core::Provenance::datasheet);
    const auto* xeonCapacity = provenanceAt(device("xeon-8480"), "/memory/2/capacity");
    ASSERT_NE(xeonCapacity, nullptr);
    EXPECT_EQ(xeonCapacity->status, core::Provenance::derived);
    EXPECT_NE(xeonCapacity->note.find("max memory size"), std::string::npos);
    EXPECT_NE(xeonCapacity->source.find("intel.com"), std::string::npos);
}

}  // namespace
}  // namespace rooflens::hwdb
