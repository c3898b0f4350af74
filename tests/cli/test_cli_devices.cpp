// `rooflens hw list` filters and columns, `hw show` with the interconnect, power and year, and
// `hw export` of a schema_version 2 device, run as a process.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "test_support/cli_process.h"

namespace {

using rooflens::testing::Outcome;
using rooflens::testing::rooflens;

std::set<std::string> idsOf(const std::string& json) {
    std::set<std::string> ids;
    for (const auto& row : nlohmann::json::parse(json)) {
        ids.insert(row.at("id").get<std::string>());
    }
    return ids;
}

TEST(CliDevices, ListFiltersByVendorKindAndYear) {
    Outcome r = rooflens("hw list --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto all = nlohmann::json::parse(r.out);
    EXPECT_EQ(all.size(), 33u);
    for (const auto& row : all) {
        for (const char* key : {"id", "name", "vendor", "kind", "release_year", "origin",
                                "memory_bytes", "bandwidth_bytes_per_s", "peak_16bit_ops_per_s"}) {
            EXPECT_TRUE(row.contains(key)) << key;
        }
    }
    r = rooflens("hw list --vendor amd --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(idsOf(r.out), (std::set<std::string>{"mi250x", "mi300x", "mi325x", "mi355x"}));
    r = rooflens("hw list --kind tpu --format json");
    EXPECT_EQ(idsOf(r.out), (std::set<std::string>{"tpu-v4", "tpu-v5e", "tpu-v6e", "tpu-v7",
                                                   "gaudi3", "trainium2"}));
    r = rooflens("hw list --vendor NVIDIA --year 2025 --format json");
    EXPECT_EQ(idsOf(r.out),
              (std::set<std::string>{"b300", "gb300", "rtx-5090", "rtx-pro-6000-server",
                                     "dgx-spark", "jetson-agx-thor"}));
    r = rooflens("hw list --kind soc --year 2023-2024 --format json");
    EXPECT_EQ(idsOf(r.out), (std::set<std::string>{"m2-ultra", "m3-max", "m4-max"}));
    // The table has the vendor, kind and year columns.
    r = rooflens("hw list --vendor Google");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("vendor"), std::string::npos);
    EXPECT_NE(r.out.find("year"), std::string::npos);
    EXPECT_NE(r.out.find("tpu-v7"), std::string::npos);
    EXPECT_NE(r.out.find("2025"), std::string::npos);
    EXPECT_EQ(r.out.find("b200"), std::string::npos);
}

TEST(CliDevices, ListRejectsBadFilters) {
    const struct {
        const char* args;
        const char* fragment;
    } cases[] = {
        {"hw list --kind npu", "--kind: expected gpu, cpu, tpu or soc, got 'npu'"},
        {"hw list --year 20x5", "--year: expected a year (2024) or a range (2023-2025)"},
        {"hw list --year 2025-2023", "--year: the range 2025-2023 ends before it starts"},
    };
    for (const auto& c : cases) {
        const Outcome r = rooflens(c.args);
        EXPECT_EQ(r.exitCode, 1) << c.args;
        EXPECT_NE(r.err.find(c.fragment), std::string::npos) << r.err;
    }
    const Outcome none = rooflens("hw list --vendor nobody");
    EXPECT_EQ(none.exitCode, 0);
    EXPECT_NE(none.err.find("no device matches"), std::string::npos) << none.err;
}

TEST(CliDevices, ShowPrintsInterconnectPowerAndYear) {
    Outcome r = rooflens("hw show gb200");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    for (const char* text :
         {"interconnect (per device):", "NVLink 5", "900 GB/s per direction",
          "domain 72 devices, switch, in-network reduction", "NVLink-C2C", "[nvlink_c2c]",
          "ConnectX-7", "latency 1 us per step (default for the kind)", "power: TDP 1200 W",
          "released: 2024",
          "block-scaled matrix formats: mxfp8_e4m3 mxfp8_e5m2 mxfp6_e2m3 "
          "mxfp6_e3m2 mxfp4 nvfp4",
          "matrix nvfp4"}) {
        EXPECT_NE(r.out.find(text), std::string::npos) << text << "\n" << r.out;
    }
    r = rooflens("hw show mi355x");
    EXPECT_NE(r.out.find("block-scaled matrix formats: mxfp8_e4m3 mxfp8_e5m2 mxfp6_e2m3 "
                         "mxfp6_e3m2 mxfp4\n"),
              std::string::npos)
        << r.out;
    r = rooflens("hw show h100-pcie");
    EXPECT_NE(r.out.find("scale-up   none described"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("PCIe gen 5 x16"), std::string::npos) << r.out;
    r = rooflens("hw show tpu-v6e");
    EXPECT_NE(r.out.find("TDP not published"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("torus_2d"), std::string::npos) << r.out;
}

TEST(CliDevices, ExportWritesSchemaVersion2) {
    const Outcome r = rooflens("hw export b300");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc.at("schema_version"), 2);
    EXPECT_EQ(doc.at("interconnect").at("scale_out").at("bandwidth_per_direction").at("value"),
              100);
    EXPECT_EQ(doc.at("compute").at("matrix").at("fp4").at("dense").at("value"), 14000);
}

}  // namespace
