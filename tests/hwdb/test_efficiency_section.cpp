// The efficiency section of device files (issue 14): the defaults of datasheet devices, "none",
// measured models, round trips and located errors; old profiles still load.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/workload.h"
#include "hwdb/hwdb.h"
#include "hwdb_test_support.h"

namespace rooflens::hwdb {
namespace {

using testing::dataDir;
using testing::devicesDir;
using testing::errorOf;

// A datasheet GPU: fp16 100 TFLOPS, HBM 1000 GB/s.
nlohmann::json datasheetGpu() {
    return nlohmann::json::parse(R"({
      "schema_version": 2, "id": "eff-gpu", "name": "Efficiency GPU", "vendor": "Test",
      "kind": "gpu", "sources": {"sheet": "https://example.com/eff.pdf"},
      "compute": {"matrix": {"fp16": {"dense": {"value": 100, "unit": "TFLOPS",
                                                "source": "sheet", "status": "datasheet"}}}},
      "memory": [{"name": "HBM",
                  "capacity": {"value": 16, "unit": "GiB", "source": "sheet", "status": "datasheet"},
                  "bandwidth": {"value": 1000, "unit": "GB/s", "source": "sheet",
                                "status": "datasheet"}}]
    })");
}

nlohmann::json measuredModel() {
    return nlohmann::json::parse(R"({
      "origin": "measured", "source": "rooflens calibrate --quick",
      "gemm": [{"unit": "matrix", "type": "fp16", "m": [1, 32, 512], "k": [2048], "n": [2048],
                "efficiency": [0.2, 0.5, 0.9]},
               {"unit": "vector", "type": "any", "m": [1], "k": [1], "n": [1],
                "efficiency": [0.7]}],
      "memory": {"bytes": [65536, 1048576, 67108864], "efficiency": [0.3, 0.7, 0.95]},
      "kinds": [{"kind": "norm", "bytes": [16384, 4194304], "efficiency": [0.2, 0.6]},
                {"kind": "attention", "bytes": [1000000], "efficiency": [0.4]}],
      "kernel_overhead": {"value": 1.5, "unit": "us"}
    })");
}

core::Result<core::Hardware> parse(const nlohmann::json& doc) {
    return parseDeviceText(doc.dump(), "eff.json");
}

TEST(EfficiencySection, DatasheetDevicesGetTheDocumentedDefaults) {
    const auto hw = parse(datasheetGpu());
    ASSERT_TRUE(hw) << errorOf(hw);
    ASSERT_TRUE(hw->efficiency);
    EXPECT_TRUE(*hw->efficiency == core::defaultEfficiency(core::DeviceKind::gpu));
    EXPECT_EQ(hw->efficiency->origin, core::EfficiencyOrigin::defaults);
    // Not written back: reading the file again applies the same defaults.
    EXPECT_EQ(serializeDevice(*hw).find("\"efficiency\""), std::string::npos);
}

TEST(EfficiencySection, EveryBuiltinDeviceHasTheDefaultsOfItsKind) {
    const LoadResult loaded = loadDirectory(devicesDir(), Origin::builtin);
    ASSERT_FALSE(loaded.devices.empty());
    for (const auto& entry : loaded.devices) {
        SCOPED_TRACE(entry.hardware.id);
        ASSERT_TRUE(entry.hardware.efficiency);
        EXPECT_TRUE(*entry.hardware.efficiency == core::defaultEfficiency(entry.hardware.kind));
    }
}

TEST(EfficiencySection, NoneIsTheIdealRoofAndRoundTrips) {
    nlohmann::json doc = datasheetGpu();
    doc["efficiency"] = "none";
    const auto hw = parse(doc);
    ASSERT_TRUE(hw) << errorOf(hw);
    EXPECT_FALSE(hw->efficiency);
    const auto again = parseDeviceText(serializeDevice(*hw), "again");
    ASSERT_TRUE(again) << errorOf(again);
    EXPECT_FALSE(again->efficiency);
}

TEST(EfficiencySection, MeasuredModelRoundTrips) {
    nlohmann::json doc = datasheetGpu();
    doc["efficiency"] = measuredModel();
    const auto hw = parse(doc);
    ASSERT_TRUE(hw) << errorOf(hw);
    ASSERT_TRUE(hw->efficiency);
    const core::EfficiencyModel& m = *hw->efficiency;
    EXPECT_EQ(m.origin, core::EfficiencyOrigin::measured);
    ASSERT_EQ(m.gemm.size(), 2U);
    EXPECT_EQ(m.gemm[0].type, core::DataType::fp16);
    EXPECT_FALSE(m.gemm[1].type);
    EXPECT_DOUBLE_EQ(m.kernelOverheadSeconds, 1.5e-6);
    EXPECT_DOUBLE_EQ(m.gemmAt(core::ExecUnit::matrix, core::DataType::fp16, 32, 2048, 2048), 0.5);
    EXPECT_DOUBLE_EQ(m.memoryAt(1048576), 0.7);
    ASSERT_EQ(m.kinds.size(), 2U);
    ASSERT_NE(m.curveFor(core::LayerKind::norm), nullptr);
    // 262144 B is the log midpoint of 16 KiB and 4 MiB: (0.2 + 0.6) / 2.
    EXPECT_NEAR(m.curveFor(core::LayerKind::norm)->at(262144), 0.4, 1e-12);
    EXPECT_DOUBLE_EQ(m.curveFor(core::LayerKind::attention)->at(5), 0.4);
    EXPECT_EQ(m.curveFor(core::LayerKind::softmax), nullptr);
    const std::string text = serializeDevice(*hw);
    const auto again = parseDeviceText(text, "again");
    ASSERT_TRUE(again) << errorOf(again) << "\n" << text;
    EXPECT_TRUE(again->efficiency == hw->efficiency);
    EXPECT_EQ(serializeDevice(*again), text);
}

TEST(EfficiencySection, OldMeasuredProfilesLoadWithTheIdealRoof) {
    // A schema-1 calibrated profile from before issue 14: measured ceilings, no efficiency.
    const auto hw = loadDeviceFile(dataDir() / "good" / "measured-profile.json");
    ASSERT_TRUE(hw) << errorOf(hw);
    EXPECT_FALSE(hw->efficiency);
}

TEST(EfficiencySection, BadInputNamesTheField) {
    struct Case {
        const char* pointer;
        nlohmann::json value;
        const char* expected;
    };
    const std::vector<Case> cases = {
        {"/efficiency/gemm/0/efficiency/2", 1.2,
         "/efficiency/gemm/0/efficiency[2]: expected an efficiency in (0, 1]"},
        {"/efficiency/gemm/0/m/1", 1, "/efficiency/gemm/0/m[1]: expected values increasing"},
        {"/efficiency/gemm/0/unit", "tensor", "/efficiency/gemm/0/unit"},
        {"/efficiency/gemm/0/type", "fp7", "/efficiency/gemm/0/type"},
        {"/efficiency/origin", "default", "/efficiency/origin"},
        {"/efficiency/memory/efficiency/0", 0, "/efficiency/memory/efficiency[0]"},
        {"/efficiency/kernel_overhead/unit", "GB", "/efficiency/kernel_overhead/unit"},
        {"/efficiency/speed", 1, "unknown field \"speed\""},
        {"/efficiency/kinds/0/kind", "teleport", "/efficiency/kinds/0/kind"},
        {"/efficiency/kinds/1/kind", "norm", "/efficiency/kinds/1: a second curve for norm"},
        {"/efficiency/kinds/0/efficiency/1", 1.5,
         "/efficiency/kinds/0/efficiency[1]: expected an efficiency in (0, 1]"},
        {"/efficiency/kinds/0/bytes/1", 100,
         "/efficiency/kinds/0/bytes[1]: expected values increasing"},
        {"/efficiency/kinds/0/speed", 1, "unknown field \"speed\""},
        {"/efficiency/kinds", 3, "/efficiency/kinds"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.pointer);
        nlohmann::json doc = datasheetGpu();
        doc["efficiency"] = measuredModel();
        doc[nlohmann::json::json_pointer(c.pointer)] = c.value;
        const auto hw = parse(doc);
        ASSERT_FALSE(hw);
        EXPECT_NE(errorOf(hw).find(c.expected), std::string::npos) << errorOf(hw);
        EXPECT_NE(errorOf(hw).find("eff.json"), std::string::npos) << errorOf(hw);
    }
}

}  // namespace
}  // namespace rooflens::hwdb
