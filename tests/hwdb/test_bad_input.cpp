// Validation: one fixture per defect in tests/data/hwdb/bad, each with the JSON path and the
// expected fragment of its error; directory loading with good and bad files mixed.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "hwdb/hwdb.h"
#include "hwdb_test_support.h"

namespace rooflens::hwdb {
namespace {

using testing::dataDir;
using testing::errorOf;
using testing::TempDir;
namespace fs = std::filesystem;

struct BadCase {
    std::string file;      // in tests/data/hwdb/bad
    std::string pointer;   // JSON pointer the message must name ("" for an empty document)
    std::string fragment;  // what the message must say
    bool syntax = false;   // a JSON syntax error: "invalid JSON ... (near <pointer>)"
};

std::ostream& operator<<(std::ostream& out, const BadCase& c) {
    return out << c.file;
}

const std::vector<BadCase>& badCases() {
    static const std::vector<BadCase> cases = {
        {"syntax-missing-comma.json", "/memory/1/name", "line 67, column 16", true},
        {"empty-file.json", "", "line 1, column 1", true},
        {"nan-value.json", "/compute/vector/fp32/dense/value", "invalid literal", true},
        {"infinite-value.json", "/compute/matrix/fp16/dense/value",
         "expected a finite number, got 1e999 (number overflow at line 14, column 20)"},
        {"not-an-object.json", "/", "expected a device object, got an array"},
        {"missing-schema-version.json", "/schema_version", "missing required field"},
        {"schema-version-3.json", "/schema_version",
         "unsupported schema_version 3; this build reads schema_version 1 and 2"},
        {"schema-version-string.json", "/schema_version", "expected an integer, got \"1\""},
        {"missing-id.json", "/id", "missing required field"},
        {"bad-id-uppercase.json", "/id",
         "expected an id matching [a-z0-9][a-z0-9._-]*, got \"H100 SXM\""},
        {"bad-id-leading-dash.json", "/id", "got \"-h100\""},
        {"wrong-type-name.json", "/name", "expected a string, got 42"},
        {"empty-name.json", "/name", "expected a non-empty string"},
        {"unknown-kind.json", "/kind", "expected one of gpu, cpu, tpu, soc, got \"npu\""},
        {"unknown-field.json", "/sram_per_cor", "unknown field \"sram_per_cor\"; expected one of"},
        {"wrong-type-source-url.json", "/sources/sheet", "expected a string, got 5"},
        {"no-peak-rates.json", "/compute", "expected at least one peak rate"},
        {"unknown-dtype.json", "/compute/matrix/fp99", "unknown data type \"fp99\""},
        {"alias-dtype.json", "/compute/matrix/float16",
         "expected a canonical data type name, got \"float16\" (write \"fp16\")"},
        {"fp8-alias-conflict.json", "/compute/matrix/fp8", "fp8 sets both fp8_e4m3 and fp8_e5m2"},
        {"missing-dense.json", "/compute/matrix/fp16/dense", "missing required field"},
        {"wrong-type-value.json", "/compute/matrix/fp16/dense/value",
         "expected a positive finite number, got \"312\""},
        {"absurd-value.json", "/compute/matrix/fp16/dense/value",
         "expected at most 1e+19 OPs/s for one device, got 3.12e+08 TFLOPS"},
        {"unknown-unit.json", "/compute/matrix/fp16/dense/unit", "got \"TFLOP\" (unknown unit)"},
        {"sparse-on-vector.json", "/compute/vector/fp32/sparse_2_4", "matrix units only"},
        {"sparse-below-dense.json", "/compute/matrix/fp16/sparse_2_4/value",
         "expected a 2:4 sparse rate >= the dense rate"},
        {"unknown-status.json", "/compute/matrix/int8/dense/status",
         "expected one of datasheet, derived, unverified, measured, got \"guess\""},
        {"missing-source.json", "/compute/vector/fp32/dense/source",
         "missing required field (only measured values may omit it)"},
        {"wrong-type-memory.json", "/memory", "expected an array of memory levels"},
        {"missing-memory.json", "/memory", "missing required field"},
        {"empty-memory.json", "/memory", "expected at least one memory level"},
        {"zero-capacity.json", "/memory/0/capacity/value",
         "expected a positive finite number, got 0"},
        {"negative-bandwidth.json", "/memory/1/bandwidth/value",
         "expected a positive finite number, got -1"},
        {"wrong-dimension-unit.json", "/memory/1/bandwidth/unit",
         "expected a unit of bytes/s (B/s, GB/s, TB/s, GiB/s, ...), got \"GB\" (a unit of bytes)"},
        {"unknown-source.json", "/memory/1/capacity/source",
         "unknown source \"nvidia\"; expected a key of /sources (sheet)"},
        {"main-memory-without-bandwidth.json", "/memory/1/bandwidth",
         "missing required field (main memory, the last level, needs a bandwidth)"},
        {"wrong-type-quantity.json", "/sram_per_core", "expected a quantity"},
        // schema_version 2: interconnect, power, release year, FP4/FP6 and microscaling rates.
        {"negative-link-bandwidth.json", "/interconnect/scale_up/bandwidth_per_direction/value",
         "expected a positive finite number, got -1"},
        {"zero-domain-devices.json", "/interconnect/scale_up/domain_devices/value",
         "expected an integer in [1, 1000000], got 0"},
        {"unknown-link-kind.json", "/interconnect/scale_up/kind",
         "expected one of nvlink, nvlink_c2c, xgmi, ici, neuronlink, pcie, infiniband, roce, "
         "efa, ethernet, thunderbolt, got \"nvlnk\""},
        {"unknown-topology.json", "/interconnect/scale_up/topology",
         "expected one of switch, full_mesh, torus_2d, torus_3d, got \"ring\""},
        {"missing-domain-devices.json", "/interconnect/scale_up/domain_devices",
         "missing required field"},
        {"pcie-missing-block.json", "/interconnect/host/pcie", "missing required field"},
        {"pcie-on-c2c.json", "/interconnect/host/pcie", "a pcie block needs \"kind\": \"pcie\""},
        {"latency-wrong-unit.json", "/interconnect/scale_up/latency/unit",
         "expected a unit of seconds (s, ms, us, ns), got \"GB/s\" (a unit of bytes/s)"},
        {"unknown-link-field.json", "/interconnect/scale_up/bandwith_per_direction",
         "unknown field \"bandwith_per_direction\"; expected one of"},
        {"wrong-type-in-network-reduction.json", "/interconnect/scale_up/in_network_reduction",
         "expected true or false, got \"yes\""},
        {"interconnect-not-object.json", "/interconnect", "expected an object"},
        {"idle-above-tdp.json", "/power/idle/value", "expected an idle power <= the TDP"},
        {"release-year-out-of-range.json", "/release_year/value",
         "expected an integer in [1970, 2100], got 1850"},
        {"fp4-without-block-scales.json", "/compute/matrix/fp4/block_scales",
         "missing required field (fp4 rates are block-scaled MMA rates"},
        {"block-scale-mismatch.json", "/compute/matrix/fp8/block_scales/0",
         "expected a block-scaled form of fp8 (mxfp8), got \"nvfp4\""},
        {"block-scales-on-vector.json", "/compute/vector/fp32/block_scales",
         "block-scaled math belongs to matrix units only"},
        {"duplicate-block-type.json", "/compute/matrix/nvfp4",
         "sets nvfp4, which /compute/matrix/fp4 sets already"},
        {"scale-type-rate.json", "/compute/matrix/e8m0", "unknown data type \"e8m0\""},
        {"v1-with-interconnect.json", "/interconnect",
         "\"interconnect\" needs schema_version 2; this file says schema_version 1"},
    };
    return cases;
}

class BadDeviceFile : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadDeviceFile, IsRejectedWithFilePathAndExpectation) {
    const BadCase& c = GetParam();
    const fs::path path = dataDir() / "bad" / c.file;
    ASSERT_TRUE(fs::exists(path)) << path;
    const auto result = loadDeviceFile(path);
    ASSERT_FALSE(result) << c.file << " was accepted";
    const std::string& message = result.error().message;
    if (c.syntax) {
        EXPECT_EQ(message.rfind(path.string() + ": invalid JSON", 0), 0u) << message;
        if (!c.pointer.empty()) {
            EXPECT_NE(message.find("(near " + c.pointer + ")"), std::string::npos) << message;
        }
    } else {
        EXPECT_EQ(message.rfind(path.string() + ": " + c.pointer + ": ", 0), 0u) << message;
    }
    EXPECT_NE(message.find(c.fragment), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, BadDeviceFile, ::testing::ValuesIn(badCases()),
                         [](const ::testing::TestParamInfo<BadCase>& info) {
                             std::string name = fs::path(info.param.file).stem().string();
                             for (char& c : name) {
                                 c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                             }
                             return name;
                         });

TEST(BadDeviceFiles, EveryFixtureHasAnExpectation) {
    std::set<std::string> expected;
    for (const auto& c : badCases()) {
        EXPECT_TRUE(expected.insert(c.file).second) << "listed twice: " << c.file;
    }
    std::set<std::string> present;
    for (const auto& entry : fs::directory_iterator(dataDir() / "bad")) {
        present.insert(entry.path().filename().string());
    }
    EXPECT_EQ(present, expected);
}

TEST(BadDeviceFiles, DirectoryOfBadFilesGivesOneErrorPerFileAndNoDevices) {
    const LoadResult loaded = loadDirectory(dataDir() / "bad", Origin::builtin);
    EXPECT_TRUE(loaded.devices.empty());
    EXPECT_EQ(loaded.errors.size(), badCases().size());
}

nlohmann::json goodDocument() {
    auto text = core::readFile(dataDir() / "good" / "test-gpu.json");
    return nlohmann::json::parse(text.value());
}

TEST(ParseDevice, RejectsNanAndInfinityBuiltInCode) {
    for (double bad :
         {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
          -std::numeric_limits<double>::infinity()}) {
        nlohmann::json doc = goodDocument();
        doc["compute"]["vector"]["fp32"]["dense"]["value"] = bad;
        const auto result = parseDevice(doc, "code.json");
        ASSERT_FALSE(result) << bad;
        EXPECT_EQ(result.error().message.rfind(
                      "code.json: /compute/vector/fp32/dense/value: expected a positive finite "
                      "number",
                      0),
                  0u)
            << result.error().message;
    }
}

TEST(ParseDevice, RejectsOverflowAfterScaling) {
    nlohmann::json doc = goodDocument();
    doc["memory"][1]["capacity"]["value"] = 1e300;
    doc["memory"][1]["capacity"]["unit"] = "TiB";
    const auto result = parseDevice(doc, "big.json");
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("big.json: /memory/1/capacity/value: expected at most"),
              std::string::npos)
        << result.error().message;
}

TEST(ParseDevice, MissingFileIsAnError) {
    const auto result = loadDeviceFile(dataDir() / "no-such-device.json");
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("no-such-device.json: cannot read"), std::string::npos)
        << result.error().message;
}

TEST(ParseDevice, GoodFixture) {
    const auto result = loadDeviceFile(dataDir() / "good" / "test-gpu.json");
    ASSERT_TRUE(result) << errorOf(result);
    const core::Hardware& hw = result.value();
    EXPECT_EQ(hw.id, "test-gpu");
    EXPECT_EQ(hw.kind, core::DeviceKind::gpu);
    EXPECT_EQ(hw.matrixDense.at(core::DataType::fp16), 100e12);
    EXPECT_EQ(hw.matrixSparse.at(core::DataType::fp16), 200e12);
    // "fp8" sets both formats and is one quantity with one provenance entry.
    EXPECT_EQ(hw.matrixDense.at(core::DataType::fp8_e4m3), 200e12);
    EXPECT_EQ(hw.matrixDense.at(core::DataType::fp8_e5m2), 200e12);
    EXPECT_EQ(hw.matrixDense.at(core::DataType::int8), 200e12);
    EXPECT_EQ(hw.vector.at(core::DataType::fp32), 10e12);
    ASSERT_EQ(hw.memory.size(), 2u);
    EXPECT_EQ(hw.memory[0].capacityBytes, 40.0 * 1024 * 1024);
    EXPECT_EQ(hw.memory[0].bytesPerSecond, 0.0);
    EXPECT_EQ(hw.memory[1].capacityBytes, 16.0 * 1024 * 1024 * 1024);
    EXPECT_EQ(hw.memory[1].bytesPerSecond, 1000e9);
    EXPECT_EQ(hw.sramPerCoreBytes, 64.0 * 1024);
    EXPECT_EQ(hw.notes, "Fixture with round numbers.");

    const std::vector<std::string> paths = {"/compute/matrix/fp16/dense",
                                            "/compute/matrix/fp16/sparse_2_4",
                                            "/compute/matrix/fp8/dense",
                                            "/compute/matrix/int8/dense",
                                            "/compute/vector/fp32/dense",
                                            "/memory/0/capacity",
                                            "/memory/1/capacity",
                                            "/memory/1/bandwidth",
                                            "/sram_per_core"};
    ASSERT_EQ(hw.provenance.size(), paths.size());
    for (std::size_t i = 0; i < paths.size(); ++i) {
        EXPECT_EQ(hw.provenance[i].jsonPath, paths[i]);
        EXPECT_EQ(hw.provenance[i].source, "https://example.com/test-gpu.pdf");
    }
    EXPECT_EQ(hw.provenance[3].status, core::Provenance::derived);
    EXPECT_EQ(hw.provenance[3].note, "2 x fp16");
    EXPECT_EQ(hw.provenance[8].status, core::Provenance::unverified);
    EXPECT_EQ(hw.provenance[0].status, core::Provenance::datasheet);
}

TEST(ParseDevice, MeasuredProfileNeedsNoSources) {
    const auto result = loadDeviceFile(dataDir() / "good" / "measured-profile.json");
    ASSERT_TRUE(result) << errorOf(result);
    const core::Hardware& hw = result.value();
    EXPECT_EQ(hw.id, "my-box.measured");
    EXPECT_EQ(hw.kind, core::DeviceKind::cpu);
    EXPECT_EQ(hw.vector.at(core::DataType::fp32), 812.25e9);
    ASSERT_EQ(hw.memory.size(), 1u);
    EXPECT_TRUE(hw.memory[0].measured);
    EXPECT_EQ(hw.memory[0].bytesPerSecond, 71.5e9);
    EXPECT_EQ(hw.sramPerCoreBytes, 0.0);
    for (const auto& entry : hw.provenance) {
        EXPECT_EQ(entry.status, core::Provenance::measured) << entry.jsonPath;
        EXPECT_TRUE(entry.source.empty());
    }
}

TEST(LoadDirectory, MixedGoodAndBadFilesKeepsTheGoodAndReportsTheBad) {
    const fs::path dir = dataDir() / "mixed";
    const LoadResult loaded = loadDirectory(dir, Origin::user);
    ASSERT_EQ(loaded.devices.size(), 2u);
    EXPECT_EQ(loaded.devices[0].hardware.id, "alpha");
    EXPECT_EQ(loaded.devices[1].hardware.id, "beta");
    EXPECT_EQ(loaded.devices[0].origin, Origin::user);
    EXPECT_EQ(loaded.devices[0].hardware.sourceFile, (dir / "10-alpha.json").string());
    ASSERT_EQ(loaded.errors.size(), 2u);
    EXPECT_EQ(loaded.errors[0].message.rfind(
                  (dir / "20-broken.json").string() + ": /memory/1/bandwidth/value: ", 0),
              0u)
        << loaded.errors[0].message;
    const std::string& duplicate = loaded.errors[1].message;
    EXPECT_NE(duplicate.find("duplicate id \"alpha\""), std::string::npos) << duplicate;
    EXPECT_NE(duplicate.find("40-alpha-again.json"), std::string::npos) << duplicate;
    EXPECT_NE(duplicate.find("10-alpha.json"), std::string::npos) << duplicate;
}

TEST(LoadDirectory, DuplicateIdsNameBothFiles) {
    TempDir temp;
    const fs::path good = dataDir() / "good" / "test-gpu.json";
    fs::copy_file(good, temp.path() / "b-second.json");
    fs::copy_file(good, temp.path() / "a-first.json");
    const LoadResult loaded = loadDirectory(temp.path(), Origin::user);
    ASSERT_EQ(loaded.devices.size(), 1u);
    EXPECT_EQ(loaded.devices[0].hardware.sourceFile, (temp.path() / "a-first.json").string());
    ASSERT_EQ(loaded.errors.size(), 1u);
    const std::string& message = loaded.errors[0].message;
    EXPECT_EQ(message.rfind((temp.path() / "b-second.json").string() + ": /id: duplicate id", 0),
              0u)
        << message;
    EXPECT_NE(message.find((temp.path() / "a-first.json").string()), std::string::npos) << message;
}

TEST(LoadDirectory, MissingDirectoryIsOneError) {
    const LoadResult loaded = loadDirectory(dataDir() / "no-such-dir", Origin::user);
    EXPECT_TRUE(loaded.devices.empty());
    ASSERT_EQ(loaded.errors.size(), 1u);
    EXPECT_NE(loaded.errors[0].message.find("no-such-dir: cannot read directory"),
              std::string::npos);
}

}  // namespace
}  // namespace rooflens::hwdb
