// serializeDevice: parse(serialize(x)) == x for every built-in device and fixture; devices built
// in code (calibration) come back with status "measured".
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hwdb/hwdb.h"
#include "hwdb_test_support.h"

namespace rooflens::hwdb {
namespace {

using core::DataType;
using testing::dataDir;
using testing::devicesDir;
using testing::errorOf;

void expectSameHardware(const core::Hardware& a, const core::Hardware& b) {
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.vendor, b.vendor);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.matrixDense.opsPerSecond, b.matrixDense.opsPerSecond);
    EXPECT_EQ(a.matrixSparse.opsPerSecond, b.matrixSparse.opsPerSecond);
    EXPECT_EQ(a.vector.opsPerSecond, b.vector.opsPerSecond);
    ASSERT_EQ(a.memory.size(), b.memory.size());
    for (std::size_t i = 0; i < a.memory.size(); ++i) {
        EXPECT_EQ(a.memory[i].name, b.memory[i].name) << i;
        EXPECT_EQ(a.memory[i].capacityBytes, b.memory[i].capacityBytes) << i;
        EXPECT_EQ(a.memory[i].bytesPerSecond, b.memory[i].bytesPerSecond) << i;
        EXPECT_EQ(a.memory[i].measured, b.memory[i].measured) << i;
    }
    EXPECT_EQ(a.sramPerCoreBytes, b.sramPerCoreBytes);
    EXPECT_TRUE(a.interconnect == b.interconnect);
    EXPECT_EQ(a.tdpWatts, b.tdpWatts);
    EXPECT_EQ(a.idleWatts, b.idleWatts);
    EXPECT_EQ(a.releaseYear, b.releaseYear);
    EXPECT_EQ(a.notes, b.notes);
    EXPECT_TRUE(a.efficiency == b.efficiency);
    EXPECT_EQ(a.threads, b.threads);
    ASSERT_EQ(a.threadCeilings.size(), b.threadCeilings.size());
    for (std::size_t i = 0; i < a.threadCeilings.size(); ++i) {
        EXPECT_EQ(a.threadCeilings[i].threads, b.threadCeilings[i].threads);
        EXPECT_EQ(a.threadCeilings[i].vector.opsPerSecond, b.threadCeilings[i].vector.opsPerSecond);
        EXPECT_EQ(a.threadCeilings[i].memoryBytesPerSecond,
                  b.threadCeilings[i].memoryBytesPerSecond);
        EXPECT_TRUE(a.threadCeilings[i].efficiency == b.threadCeilings[i].efficiency);
    }
    ASSERT_EQ(a.provenance.size(), b.provenance.size());
    for (std::size_t i = 0; i < a.provenance.size(); ++i) {
        EXPECT_EQ(a.provenance[i].jsonPath, b.provenance[i].jsonPath) << i;
        EXPECT_EQ(a.provenance[i].status, b.provenance[i].status) << a.provenance[i].jsonPath;
        EXPECT_EQ(a.provenance[i].source, b.provenance[i].source) << a.provenance[i].jsonPath;
        EXPECT_EQ(a.provenance[i].note, b.provenance[i].note) << a.provenance[i].jsonPath;
    }
}

void expectRoundTrip(const core::Hardware& original) {
    SCOPED_TRACE(original.id);
    const std::string text = serializeDevice(original);
    const auto parsed = parseDeviceText(text, original.id + " (serialized)");
    ASSERT_TRUE(parsed) << errorOf(parsed) << "\n" << text;
    expectSameHardware(original, parsed.value());
    EXPECT_EQ(serializeDevice(parsed.value()), text) << "serialization is not stable";
}

TEST(SerializeDevice, RoundTripsAllBuiltinDevices) {
    const LoadResult loaded = loadDirectory(devicesDir(), Origin::builtin);
    ASSERT_EQ(loaded.devices.size(), testing::builtinIds().size());
    for (const auto& entry : loaded.devices) {
        expectRoundTrip(entry.hardware);
    }
}

TEST(SerializeDevice, RoundTripsFixtures) {
    for (const char* name : {"test-gpu.json", "measured-profile.json", "interconnect-gpu.json"}) {
        const auto hw = loadDeviceFile(dataDir() / "good" / name);
        ASSERT_TRUE(hw) << errorOf(hw);
        expectRoundTrip(hw.value());
    }
}

TEST(SerializeDevice, WritesReadableUnitsAndSources) {
    const auto hw = loadDeviceFile(devicesDir() / "tpu-v4.json");
    ASSERT_TRUE(hw) << errorOf(hw);
    const auto doc = nlohmann::json::parse(serializeDevice(hw.value()));
    EXPECT_EQ(doc.at("schema_version"), kSchemaVersion);
    const auto& bf16 = doc.at("compute").at("matrix").at("bf16").at("dense");
    EXPECT_EQ(bf16.at("value"), 275);
    EXPECT_EQ(bf16.at("unit"), "TFLOPS");
    EXPECT_EQ(doc.at("compute").at("matrix").at("int8").at("dense").at("unit"), "TOPS");
    const auto& hbm = doc.at("memory").at(1);
    EXPECT_EQ(hbm.at("capacity").at("value"), 32);
    EXPECT_EQ(hbm.at("capacity").at("unit"), "GiB");
    EXPECT_EQ(hbm.at("bandwidth").at("value"), 1200);
    EXPECT_EQ(hbm.at("bandwidth").at("unit"), "GB/s");
    EXPECT_EQ(doc.at("memory").at(0).at("capacity").at("unit"), "MiB");
    const std::string key = bf16.at("source");
    EXPECT_EQ(doc.at("sources").at(key), "https://cloud.google.com/tpu/docs/v4");
    EXPECT_EQ(bf16.at("status"), "datasheet");
}

TEST(SerializeDevice, KeepsFp8AliasOnlyWhereTheFileUsedIt) {
    const auto h100 = loadDeviceFile(devicesDir() / "h100-sxm.json");
    ASSERT_TRUE(h100) << errorOf(h100);
    const auto doc = nlohmann::json::parse(serializeDevice(h100.value()));
    EXPECT_TRUE(doc.at("compute").at("matrix").contains("fp8"));
    EXPECT_FALSE(doc.at("compute").at("matrix").contains("fp8_e5m2"));

    core::Hardware split = h100.value();
    split.matrixDense.set(DataType::fp8_e5m2, 1000e12);
    const auto splitDoc = nlohmann::json::parse(serializeDevice(split));
    EXPECT_FALSE(splitDoc.at("compute").at("matrix").contains("fp8"));
    EXPECT_TRUE(splitDoc.at("compute").at("matrix").contains("fp8_e4m3"));
    EXPECT_TRUE(splitDoc.at("compute").at("matrix").contains("fp8_e5m2"));
}

TEST(SerializeDevice, WritesBlockScalesAndTheInterconnect) {
    const auto b200 = loadDeviceFile(devicesDir() / "b200.json");
    ASSERT_TRUE(b200) << errorOf(b200);
    const auto doc = nlohmann::json::parse(serializeDevice(b200.value()));
    const auto& matrix = doc.at("compute").at("matrix");
    EXPECT_EQ(matrix.at("fp4").at("block_scales"), nlohmann::json({"nvfp4", "mxfp4"}));
    EXPECT_EQ(matrix.at("fp6").at("block_scales"), nlohmann::json({"mxfp6"}));
    EXPECT_EQ(matrix.at("fp8").at("block_scales"), nlohmann::json({"mxfp8"}));
    EXPECT_FALSE(matrix.contains("nvfp4"));
    const auto& up = doc.at("interconnect").at("scale_up");
    EXPECT_EQ(up.at("bandwidth_per_direction").at("value"), 900);
    EXPECT_EQ(up.at("bandwidth_per_direction").at("unit"), "GB/s");
    EXPECT_EQ(up.at("domain_devices").at("value"), 8);
    EXPECT_FALSE(up.contains("latency")) << "a defaulted latency is not written";
    EXPECT_EQ(doc.at("interconnect").at("host").at("pcie").at("lanes"), 16);
    EXPECT_EQ(doc.at("power").at("tdp").at("unit"), "W");
    EXPECT_EQ(doc.at("release_year").at("value"), 2024);

    // A device built in code with NVFP4 and MXFP4 at different rates gets one key each.
    core::Hardware hw = b200.value();
    hw.provenance.clear();
    hw.matrixDense.set(DataType::nvfp4, 10e15);
    const auto split = nlohmann::json::parse(serializeDevice(hw));
    const auto& splitMatrix = split.at("compute").at("matrix");
    ASSERT_TRUE(splitMatrix.contains("fp4")) << splitMatrix.dump();
    EXPECT_EQ(splitMatrix.at("fp4").at("block_scales"), nlohmann::json({"nvfp4"}));
    EXPECT_EQ(splitMatrix.at("mxfp4").at("dense").at("value"), 9000);
    const auto back = parseDeviceText(split.dump(), "split.json");
    ASSERT_TRUE(back) << errorOf(back);
    EXPECT_EQ(back->matrixDense.opsPerSecond, hw.matrixDense.opsPerSecond);
    EXPECT_EQ(back->matrixSparse.opsPerSecond, hw.matrixSparse.opsPerSecond);
}

// What calibration produces: values measured on this machine, no datasheet provenance.
core::Hardware calibratedDevice() {
    core::Hardware hw;
    hw.id = "this-machine";
    hw.name = "This machine (calibrated)";
    hw.vendor = "Intel";
    hw.kind = core::DeviceKind::cpu;
    hw.matrixDense.set(DataType::bf16, 3.1234567e12);
    hw.vector.set(DataType::fp32, 1.75e12);
    hw.vector.set(DataType::fp64, 0.875e12);
    hw.memory = {{"L2", 2.0 * 1024 * 1024, 0, false}, {"DDR5", 64e9, 71.3e9, true}};
    return hw;
}

TEST(SerializeDevice, CalibratedValuesKeepStatusMeasured) {
    const core::Hardware hw = calibratedDevice();
    const auto parsed = parseDeviceText(serializeDevice(hw), "calibrated.json");
    ASSERT_TRUE(parsed) << errorOf(parsed);
    const core::Hardware& back = parsed.value();
    EXPECT_EQ(back.matrixDense.opsPerSecond, hw.matrixDense.opsPerSecond);
    EXPECT_EQ(back.vector.opsPerSecond, hw.vector.opsPerSecond);
    ASSERT_EQ(back.memory.size(), 2u);
    EXPECT_EQ(back.memory[1].bytesPerSecond, 71.3e9);
    EXPECT_TRUE(back.memory[1].measured);
    ASSERT_EQ(back.provenance.size(), 6u);
    for (const auto& entry : back.provenance) {
        EXPECT_EQ(entry.status, core::Provenance::measured) << entry.jsonPath;
        EXPECT_TRUE(entry.source.empty()) << entry.jsonPath;
    }
    // From here on it round-trips exactly.
    expectRoundTrip(back);
}

TEST(SerializeDevice, MeasuredLevelStaysMeasuredNextToDatasheetProvenance) {
    auto a100 = loadDeviceFile(devicesDir() / "a100-40gb-sxm.json");
    ASSERT_TRUE(a100) << errorOf(a100);
    core::Hardware hw = a100.value();
    hw.memory.back().bytesPerSecond = 1.31e12;  // calibration replaced the HBM bandwidth
    hw.memory.back().measured = true;
    const auto parsed = parseDeviceText(serializeDevice(hw), "a100-measured.json");
    ASSERT_TRUE(parsed) << errorOf(parsed);
    EXPECT_TRUE(parsed->memory.back().measured);
    EXPECT_EQ(parsed->memory.back().bytesPerSecond, 1.31e12);
    for (const auto& entry : parsed->provenance) {
        if (entry.jsonPath == "/memory/1/bandwidth") {
            EXPECT_EQ(entry.status, core::Provenance::measured);
        } else {
            EXPECT_NE(entry.status, core::Provenance::measured) << entry.jsonPath;
        }
    }
    EXPECT_EQ(parsed->matrixDense.opsPerSecond, hw.matrixDense.opsPerSecond);
}

}  // namespace
}  // namespace rooflens::hwdb
