// The 18 devices of 2025-26 against the reference table they were written from
// (tests/data/hwdb/reference/hardware_datasheets_2026.json), the interconnect of the 15 older
// devices against interconnect_existing.json, which block-scaled formats each device's matrix
// units take, and the schema_version 2 sections (interconnect, power, release year, migration).
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
using testing::dataDir;
using testing::devicesDir;
using testing::errorOf;

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

nlohmann::json reference(const char* file) {
    auto text = core::readFile(dataDir() / "reference" / file);
    return text ? nlohmann::json::parse(text.value()) : nlohmann::json::array();
}

void expectNear(double actual, double expected, const std::string& what) {
    EXPECT_NEAR(actual, expected, std::abs(expected) * 1e-12) << what;
}

const std::map<std::string, std::string>& idByName2026() {
    static const std::map<std::string, std::string> ids = {
        {"NVIDIA B200 (HGX B200 SXM, 1000 W)", "b200"},
        {"NVIDIA B300 / Blackwell Ultra (HGX B300 SXM)", "b300"},
        {"NVIDIA GB200 (per Blackwell GPU in GB200 NVL72)", "gb200"},
        {"NVIDIA GB300 (per Blackwell Ultra GPU in GB300 NVL72)", "gb300"},
        {"NVIDIA GeForce RTX 5090", "rtx-5090"},
        {"NVIDIA RTX PRO 6000 Blackwell Server Edition", "rtx-pro-6000-server"},
        {"NVIDIA DGX Spark (GB10 Grace Blackwell Superchip, GPU)", "dgx-spark"},
        {"NVIDIA Jetson AGX Thor (T5000 module, GPU)", "jetson-agx-thor"},
        {"NVIDIA H20 (HGX, 96 GB HBM3)", "h20"},
        {"NVIDIA L4", "l4"},
        {"AMD Instinct MI325X", "mi325x"},
        {"AMD Instinct MI355X", "mi355x"},
        {"Google TPU v6e Trillium (per chip)", "tpu-v6e"},
        {"Google TPU7x Ironwood (per chip)", "tpu-v7"},
        {"Intel Gaudi 3 (HL-325L OAM)", "gaudi3"},
        {"Apple M4 Max (16-core CPU / 40-core GPU)", "m4-max"},
        {"Apple M3 Ultra (32-core CPU / 80-core GPU)", "m3-ultra"},
        {"AWS Trainium2 (per chip)", "trainium2"}};
    return ids;
}

// Where a reference peak lives: fp32 is the vector rate, except on Gaudi 3 and Trainium2 whose
// published FP32 rate is their matrix engines'; Apple GPUs have vector units only.
bool isVectorRate(const core::Hardware& hw, const std::string& key) {
    if (!hw.matrixDense.any()) {
        return true;
    }
    return key == "fp32" && hw.id != "gaudi3" && hw.id != "trainium2";
}

// The data types a reference key stands for on this device: fp8 both FP8 types (and MXFP8 where
// the device takes it), fp6 the MXFP6 types, fp4 the FP4 microscaling formats the device lists.
std::vector<DataType> typesOf(const core::Hardware& hw, const std::string& key) {
    if (key == "fp8") {
        return {DataType::fp8_e4m3, DataType::fp8_e5m2};
    }
    if (key == "fp6") {
        return {DataType::mxfp6_e2m3, DataType::mxfp6_e3m2};
    }
    if (key == "fp4") {
        return hw.supportsMatrix(DataType::nvfp4) ? std::vector{DataType::nvfp4, DataType::mxfp4}
                                                  : std::vector{DataType::mxfp4};
    }
    return {core::parseDataType(key).value()};
}

std::string fileKey(const std::string& key) {
    return key;  // the device files use the reference's keys: fp8, fp6, fp4, fp16, ...
}

// The JSON pointers a reference field name stands for in a device file.
std::vector<std::string> pathsOf(const core::Hardware& hw, const std::string& field,
                                 const nlohmann::json& row) {
    const std::size_t last = hw.memory.size() - 1;
    if (field == "bandwidth_GBps") {
        return {"/memory/" + std::to_string(last) + "/bandwidth"};
    }
    if (field == "memory_GB") {
        return {"/memory/" + std::to_string(last) + "/capacity"};
    }
    if (field == "l2_MB") {
        return {"/memory/0/capacity"};
    }
    if (field == "smem_or_sram_per_core_KB") {
        return {"/sram_per_core"};
    }
    if (field == "tdp_W") {
        return {"/power/tdp"};
    }
    if (field == "interconnect.per_gpu_GBps_per_direction") {
        return {hw.interconnect.scaleUp ? "/interconnect/scale_up/bandwidth_per_direction"
                                        : "/interconnect/host/bandwidth_per_direction"};
    }
    if (field == "interconnect.scale_up_domain") {
        return {"/interconnect/scale_up/domain_devices"};
    }
    if (field == "interconnect.scale_out") {
        return {"/interconnect/scale_out/bandwidth_per_direction"};
    }
    if (field == "peak_TFLOPS_sparse") {
        std::vector<std::string> paths;
        for (const auto& [key, value] : row.at("peak_TFLOPS_sparse").items()) {
            paths.push_back("/compute/matrix/" + fileKey(key) + "/sparse_2_4");
        }
        return paths;
    }
    if (field.rfind("peak_TFLOPS_sparse.", 0) == 0) {
        return {"/compute/matrix/" + fileKey(field.substr(19)) + "/sparse_2_4"};
    }
    if (row.at("peak_TFLOPS").contains(field)) {
        std::vector<std::string> paths = {std::string("/compute/") +
                                          (isVectorRate(hw, field) ? "vector/" : "matrix/") +
                                          fileKey(field) + "/dense"};
        const auto& sparse = row.at("peak_TFLOPS_sparse");
        if (sparse.is_object() && sparse.contains(field)) {
            paths.push_back("/compute/matrix/" + fileKey(field) + "/sparse_2_4");
        }
        return paths;
    }
    return {};  // sm_count and other fields the device files do not carry
}

// The status the reference's flags give each path: unverified wins over derived (B300 INT8 is
// both: derived from a single third-party figure).
std::map<std::string, core::Provenance> expectedStatuses(const core::Hardware& hw,
                                                         const nlohmann::json& row) {
    std::map<std::string, core::Provenance> statuses;
    for (const auto& field : row.at("derived_fields")) {
        for (const auto& path : pathsOf(hw, field.get<std::string>(), row)) {
            // A derived dense rate does not make the printed sparse rate derived.
            if (path.find("/sparse_2_4") == std::string::npos ||
                field.get<std::string>().rfind("peak_TFLOPS_sparse", 0) == 0) {
                statuses[path] = core::Provenance::derived;
            }
        }
    }
    for (const auto& field : row.at("unverified_fields")) {
        for (const auto& path : pathsOf(hw, field.get<std::string>(), row)) {
            statuses[path] = core::Provenance::unverified;
        }
    }
    return statuses;
}

TEST(Devices2026, AllEighteenLoadWithTheReferenceNamesAndVendors) {
    const auto table = reference("hardware_datasheets_2026.json");
    ASSERT_EQ(table.size(), 18u);
    std::set<std::string> seen;
    for (const auto& row : table) {
        const std::string name = row.at("name");
        ASSERT_EQ(idByName2026().count(name), 1u) << name;
        const std::string id = idByName2026().at(name);
        seen.insert(id);
        const core::Hardware& hw = device(id);
        ASSERT_EQ(hw.id, id) << "missing device file " << id;
        EXPECT_EQ(hw.name, name);
        EXPECT_EQ(hw.vendor, row.at("vendor").get<std::string>());
    }
    EXPECT_EQ(seen, std::set<std::string>(testing::ids2026().begin(), testing::ids2026().end()));
    EXPECT_EQ(builtins().size(), 33u);
}

void checkPeaks(const core::Hardware& hw, const nlohmann::json& row) {
    for (const auto& [key, value] : row.at("peak_TFLOPS").items()) {
        for (DataType type : typesOf(hw, key)) {
            const double actual =
                isVectorRate(hw, key) ? hw.vector.at(type) : hw.matrixDense.at(type);
            if (value.is_null()) {
                EXPECT_EQ(hw.matrixDense.at(type), 0.0) << key << " " << core::nameOf(type);
                EXPECT_EQ(actual, 0.0) << key;
            } else {
                expectNear(actual, value.get<double>() * core::kTera, key);
            }
        }
    }
    const auto& sparse = row.at("peak_TFLOPS_sparse");
    EXPECT_EQ(hw.hasSparseMatrixUnits(), !sparse.is_null());
    if (sparse.is_object()) {
        for (const auto& [key, value] : sparse.items()) {
            for (DataType type : typesOf(hw, key)) {
                expectNear(hw.matrixSparse.at(type), value.get<double>() * core::kTera,
                           key + " sparse");
            }
        }
    }
    // Plain (unscaled) FP4/FP6 elements never get a peak: datasheet FP4/FP6 rates are
    // block-scaled MMA rates.
    for (auto plain : {DataType::fp4_e2m1, DataType::fp6_e2m3, DataType::fp6_e3m2}) {
        EXPECT_EQ(hw.matrixDense.at(plain), 0.0) << core::nameOf(plain);
    }
}

void checkMemory(const core::Hardware& hw, const nlohmann::json& row) {
    expectNear(hw.memoryBytesPerSecond(), row.at("bandwidth_GBps").get<double>() * 1e9,
               "bandwidth");
    // Google and AWS publish GiB for TPU7x and Trainium2; the others are decimal GB.
    const double unit = hw.id == "tpu-v7" || hw.id == "trainium2" ? core::kGibi : core::kGiga;
    expectNear(hw.memoryCapacityBytes(), row.at("memory_GB").get<double>() * unit, "capacity");
    if (row.at("l2_MB").is_null()) {
        EXPECT_EQ(hw.memory.size(), 1u) << "no on-chip level expected";
    } else {
        ASSERT_GT(hw.memory.size(), 1u);
        EXPECT_TRUE(hw.memory[0].name == "L2" || hw.memory[0].name == "SRAM") << hw.memory[0].name;
        expectNear(hw.memory[0].capacityBytes, row.at("l2_MB").get<double>() * core::kMebi, "L2");
    }
    const auto& sram = row.at("smem_or_sram_per_core_KB");
    EXPECT_EQ(hw.sramPerCoreBytes, sram.is_null() ? 0.0 : sram.get<double>() * core::kKibi);
    const auto& tdp = row.at("tdp_W");
    EXPECT_EQ(hw.tdpWatts, tdp.is_null() ? 0.0 : tdp.get<double>());
}

void checkInterconnect(const core::Hardware& hw, const nlohmann::json& net) {
    const auto& perGpu = net.at("per_gpu_GBps_per_direction");
    const auto& domain = net.at("scale_up_domain");
    if (domain.is_number() && domain.get<int>() > 1) {
        ASSERT_TRUE(hw.interconnect.scaleUp.has_value());
        EXPECT_EQ(hw.interconnect.scaleUp->domainDevices, domain.get<std::int64_t>());
        expectNear(hw.interconnect.scaleUp->bytesPerSecond, perGpu.get<double>() * 1e9, "scale-up");
    } else {
        // A domain of one: no scale-up fabric; the per-GPU figure is the PCIe host link.
        EXPECT_FALSE(hw.interconnect.scaleUp.has_value());
        if (perGpu.is_number()) {
            ASSERT_TRUE(hw.interconnect.host.has_value());
            expectNear(hw.interconnect.host->bytesPerSecond, perGpu.get<double>() * 1e9, "host");
            EXPECT_EQ(hw.interconnect.host->kind, core::LinkKind::pcie);
        }
    }
    const auto& out = net.at("scale_out").at("GBps_per_direction");
    if (out.is_number()) {
        ASSERT_TRUE(hw.interconnect.scaleOut.has_value());
        expectNear(hw.interconnect.scaleOut->bytesPerSecond, out.get<double>() * 1e9, "scale-out");
    } else if (hw.interconnect.scaleOut) {
        EXPECT_EQ(hw.interconnect.scaleOut->bytesPerSecond, 0.0) << "unknown stays unknown";
    }
}

TEST(Devices2026, AgreeWithTheReferenceTable) {
    for (const auto& row : reference("hardware_datasheets_2026.json")) {
        const std::string id = idByName2026().at(row.at("name").get<std::string>());
        SCOPED_TRACE(id);
        const core::Hardware& hw = device(id);
        ASSERT_EQ(hw.id, id);
        checkPeaks(hw, row);
        checkMemory(hw, row);
        checkInterconnect(hw, row.at("interconnect"));
        for (const auto& [path, status] : expectedStatuses(hw, row)) {
            const core::ProvenanceEntry* entry = provenanceAt(hw, path);
            ASSERT_NE(entry, nullptr) << path;
            EXPECT_EQ(entry->status, status) << path;
        }
    }
}

TEST(Devices2026, DeliberateChoicesWhereSourcesConflict) {
    // B300 dense FP4: 14 PF (per-GPU datasheet row) over 13.5 (board row) and 13 (NVFP4 blog).
    const auto* b300 = provenanceAt(device("b300"), "/compute/matrix/fp4/dense");
    ASSERT_NE(b300, nullptr);
    EXPECT_EQ(device("b300").matrixDense.at(DataType::nvfp4), 14e15);
    EXPECT_NE(b300->note.find("13.5"), std::string::npos);
    EXPECT_NE(b300->note.find("14 chosen"), std::string::npos);
    // B200: 180 GB (datasheet HGX column) over 192 GB.
    EXPECT_EQ(device("b200").memoryCapacityBytes(), 180e9);
    EXPECT_NE(device("b200").notes.find("192 GB"), std::string::npos);
    // GeForce: FP32-accumulate rates (half rate) for FP16/FP8, FP4 not halved.
    EXPECT_EQ(device("rtx-5090").matrixDense.at(DataType::fp16), 209.5e12);
    EXPECT_EQ(device("rtx-5090").matrixDense.at(DataType::nvfp4), 1676e12);
    // H20: the aiconfigurator figures read as dense, no sparse rates.
    EXPECT_FALSE(device("h20").hasSparseMatrixUnits());
    EXPECT_NE(device("h20").notes.find("Choice"), std::string::npos);
}

TEST(Devices2026, BlockScaledFormatsEachDeviceTakes) {
    const std::set<std::string> nvfp4 = {"b200",      "b300",           "gb200",
                                         "gb300",     "rtx-5090",       "rtx-pro-6000-server",
                                         "dgx-spark", "jetson-agx-thor"};
    const std::set<std::string> mxfp4 = [&] {
        auto s = nvfp4;
        s.insert("mi355x");
        return s;
    }();
    const std::set<std::string> mxfp6 = {"b200", "b300", "gb200", "gb300", "mi355x"};
    const std::set<std::string> mxfp8 = {"b200",   "b300",           "gb200",
                                         "gb300",  "rtx-5090",       "rtx-pro-6000-server",
                                         "mi355x", "jetson-agx-thor"};
    for (const auto& id : testing::builtinIds()) {
        const core::Hardware& hw = device(id);
        SCOPED_TRACE(id);
        EXPECT_EQ(hw.supportsMatrix(DataType::nvfp4), nvfp4.count(id) > 0);
        EXPECT_EQ(hw.supportsMatrix(DataType::mxfp4), mxfp4.count(id) > 0);
        EXPECT_EQ(hw.supportsMatrix(DataType::mxfp6_e2m3), mxfp6.count(id) > 0);
        EXPECT_EQ(hw.supportsMatrix(DataType::mxfp6_e3m2), mxfp6.count(id) > 0);
        EXPECT_EQ(hw.supportsMatrix(DataType::mxfp8_e4m3), mxfp8.count(id) > 0);
        EXPECT_EQ(hw.supportsMatrix(DataType::mxfp8_e5m2), mxfp8.count(id) > 0);
        // MXFP8 runs at the FP8 rate wherever it exists.
        if (hw.supportsMatrix(DataType::mxfp8_e4m3)) {
            EXPECT_EQ(hw.matrixDense.at(DataType::mxfp8_e4m3),
                      hw.matrixDense.at(DataType::fp8_e4m3));
        }
    }
    // MI355X: MXFP4 and MXFP6 at 10.1 PF, no NVFP4.
    expectNear(device("mi355x").matrixDense.at(DataType::mxfp4), 10066.3e12, "mi355x mxfp4");
    expectNear(device("mi355x").matrixDense.at(DataType::mxfp6_e3m2), 10066.3e12, "mi355x mxfp6");
    // The FP4 rate is one quantity for both FP4 formats on Blackwell.
    EXPECT_EQ(device("b200").matrixDense.at(DataType::nvfp4), 9e15);
    EXPECT_EQ(device("b200").matrixDense.at(DataType::mxfp4), 9e15);
    EXPECT_EQ(device("b200").matrixSparse.at(DataType::nvfp4), 18e15);
}

// ---- interconnect of the 15 older devices -------------------------------------------------

const std::map<std::string, std::string>& idByNameExisting() {
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

TEST(ExistingDevices, InterconnectAgreesWithTheReference) {
    const auto table = reference("interconnect_existing.json");
    ASSERT_EQ(table.size(), 15u);
    for (const auto& row : table) {
        const std::string id = idByNameExisting().at(row.at("name").get<std::string>());
        SCOPED_TRACE(id);
        const core::Hardware& hw = device(id);
        ASSERT_EQ(hw.id, id);
        nlohmann::json net = row.at("interconnect");
        if (id == "mi250x") {
            // The reference counts 8 GCDs; the device here is one OAM (two GCDs): 4 per node.
            ASSERT_EQ(net.at("scale_up_domain"), 8);
            net["scale_up_domain"] = 4;
        }
        checkInterconnect(hw, net);
    }
    EXPECT_FALSE(device("xeon-8480").interconnect.host.has_value()) << "the CPU is the host";
}

TEST(AllDevices, DescribeInterconnectPowerAndYear) {
    for (const auto& [id, hw] : builtins()) {
        SCOPED_TRACE(id);
        EXPECT_TRUE(hw.interconnect.any());
        EXPECT_GE(hw.releaseYear, 2020);
        EXPECT_LE(hw.releaseYear, 2025);
        for (const core::Link* link :
             {static_cast<const core::Link*>(hw.interconnect.scaleUp ? &*hw.interconnect.scaleUp
                                                                     : nullptr),
              static_cast<const core::Link*>(hw.interconnect.host ? &*hw.interconnect.host
                                                                  : nullptr),
              hw.interconnect.scaleOut ? &*hw.interconnect.scaleOut : nullptr}) {
            if (link == nullptr) {
                continue;
            }
            EXPECT_FALSE(link->name.empty());
            EXPECT_GT(link->latencySeconds, 0) << link->name;
            // No vendor publishes a per-step latency for these links: all are defaults.
            EXPECT_TRUE(link->latencyDefaulted) << link->name;
            EXPECT_EQ(link->latencySeconds, core::defaultLatencySeconds(link->kind));
        }
        if (hw.interconnect.host && hw.interconnect.host->kind == core::LinkKind::pcie) {
            EXPECT_GE(hw.interconnect.host->pcieGeneration, 4);
        }
    }
    // Spot checks in SI units: bytes/s per direction, seconds, watts.
    const auto& b200 = device("b200").interconnect;
    ASSERT_TRUE(b200.scaleUp && b200.host && b200.scaleOut);
    EXPECT_EQ(b200.scaleUp->bytesPerSecond, 900e9);
    EXPECT_EQ(b200.scaleUp->kind, core::LinkKind::nvlink);
    EXPECT_EQ(b200.scaleUp->topology, core::Topology::switched);
    EXPECT_TRUE(b200.scaleUp->inNetworkReduction);
    EXPECT_EQ(b200.scaleUp->latencySeconds, 1e-6);
    EXPECT_EQ(b200.host->pcieGeneration, 5);
    EXPECT_EQ(b200.host->pcieLanes, 16);
    EXPECT_EQ(b200.host->bytesPerSecond, 64e9);
    EXPECT_EQ(b200.scaleOut->bytesPerSecond, 50e9);  // 400 Gb/s
    EXPECT_EQ(b200.scaleOut->latencySeconds, 5e-6);
    EXPECT_EQ(device("b200").tdpWatts, 1000.0);
    EXPECT_EQ(device("gb200").interconnect.scaleUp->domainDevices, 72);
    EXPECT_EQ(device("gb200").interconnect.host->kind, core::LinkKind::nvlink_c2c);
    EXPECT_FALSE(device("a100-40gb-sxm").interconnect.scaleUp->inNetworkReduction);
    EXPECT_EQ(device("mi300x").interconnect.scaleUp->topology, core::Topology::full_mesh);
    EXPECT_EQ(device("tpu-v7").interconnect.scaleUp->topology, core::Topology::torus_3d);
    EXPECT_EQ(device("tpu-v7").interconnect.scaleUp->domainDevices, 9216);
    EXPECT_EQ(device("rtx-5090").interconnect.host->latencySeconds, 2e-6);
    EXPECT_EQ(device("m4-max").interconnect.scaleOut->latencySeconds, 20e-6);
    // The defaulted latency has its own provenance entry, unverified, with the reasoning.
    const auto* latency = provenanceAt(device("b200"), "/interconnect/scale_up/latency");
    ASSERT_NE(latency, nullptr);
    EXPECT_EQ(latency->status, core::Provenance::unverified);
    EXPECT_NE(latency->note.find("GenZ"), std::string::npos);
    EXPECT_NE(latency->source.find("docs/hwdb.md"), std::string::npos);
}

// ---- schema_version 2 sections and the migration ------------------------------------------

TEST(SchemaVersion2, FixtureWithEverySection) {
    const auto hw = loadDeviceFile(dataDir() / "good" / "interconnect-gpu.json");
    ASSERT_TRUE(hw) << errorOf(hw);
    const auto& net = hw->interconnect;
    ASSERT_TRUE(net.scaleUp && net.host && net.scaleOut);
    EXPECT_EQ(net.scaleUp->bytesPerSecond, 400e9);
    EXPECT_EQ(net.scaleUp->latencySeconds, 1.5e-6);
    EXPECT_FALSE(net.scaleUp->latencyDefaulted);
    EXPECT_EQ(net.scaleUp->domainDevices, 8);
    EXPECT_EQ(net.scaleOut->bytesPerSecond, 50e9);
    EXPECT_TRUE(net.scaleOut->latencyDefaulted);
    EXPECT_EQ(hw->tdpWatts, 700.0);
    EXPECT_EQ(hw->idleWatts, 90.0);
    EXPECT_EQ(hw->releaseYear, 2025);
    EXPECT_EQ(hw->matrixDense.at(DataType::nvfp4), 400e12);
    EXPECT_EQ(hw->matrixDense.at(DataType::mxfp4), 400e12);
    EXPECT_EQ(hw->matrixSparse.at(DataType::mxfp4), 800e12);
    EXPECT_EQ(hw->matrixDense.at(DataType::mxfp6_e3m2), 200e12);
    EXPECT_EQ(hw->matrixDense.at(DataType::mxfp8_e5m2), 200e12);
    EXPECT_EQ(hw->matrixDense.at(DataType::fp4_e2m1), 0.0);
    const auto* fp4 = provenanceAt(hw.value(), "/compute/matrix/fp4/dense");
    ASSERT_NE(fp4, nullptr);
    EXPECT_NE(provenanceAt(hw.value(), "/interconnect/scale_up/domain_devices"), nullptr);
    EXPECT_NE(provenanceAt(hw.value(), "/release_year"), nullptr);
    EXPECT_EQ(provenanceAt(hw.value(), "/power/idle")->status, core::Provenance::unverified);
}

TEST(SchemaVersion2, Version1FileLoadsThroughTheMigration) {
    const auto v1 = loadDeviceFile(dataDir() / "good" / "test-gpu.json");
    const auto v2 = loadDeviceFile(dataDir() / "migration" / "test-gpu-v2.json");
    ASSERT_TRUE(v1) << errorOf(v1);
    ASSERT_TRUE(v2) << errorOf(v2);
    // The migration fills in nothing: the same device, with no interconnect, power or year.
    EXPECT_EQ(v1->matrixDense.opsPerSecond, v2->matrixDense.opsPerSecond);
    EXPECT_EQ(v1->matrixSparse.opsPerSecond, v2->matrixSparse.opsPerSecond);
    EXPECT_EQ(v1->vector.opsPerSecond, v2->vector.opsPerSecond);
    EXPECT_EQ(v1->memory.size(), v2->memory.size());
    EXPECT_EQ(v1->provenance.size(), v2->provenance.size());
    EXPECT_FALSE(v1->interconnect.any());
    EXPECT_EQ(v1->tdpWatts, 0.0);
    EXPECT_EQ(v1->releaseYear, 0);
    // Serializing writes the current version; both files serialize to the same text.
    const std::string text = serializeDevice(v1.value());
    EXPECT_EQ(nlohmann::json::parse(text).at("schema_version"), kSchemaVersion);
    EXPECT_EQ(text, serializeDevice(v2.value()));
    // A version 1 document in memory migrates too.
    auto doc = nlohmann::json::parse(core::readFile(dataDir() / "good" / "test-gpu.json").value());
    ASSERT_EQ(doc.at("schema_version"), 1);
    EXPECT_TRUE(parseDevice(doc, "v1.json"));
}

}  // namespace
}  // namespace rooflens::hwdb
