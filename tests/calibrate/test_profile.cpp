// A calibration as a hardware profile: it passes hwdb validation and round-trips through
// serializeDevice/parseDevice, imports into a database, carries its sidecar, and gives lower
// (never higher) roofs than an impossible datasheet.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include <nlohmann/json.hpp>

#include "calibrate/profile.h"
#include "calibrate/validate.h"
#include "core/analysis.h"
#include "hwdb/hwdb.h"

namespace rooflens::calibrate {
namespace {

namespace fs = std::filesystem;
using core::DataType;

constexpr double kMiB = 1024.0 * 1024.0;

// A calibration as runCalibration would return it, without running anything.
Calibration syntheticCalibration() {
    Calibration c;
    c.mode = Mode::quick;
    c.cpus = {0, 1};
    c.startedAt = "2025-01-01T00:00:00Z";
    c.clockHz = 3.7e9;
    c.clockMinHz = 3.6e9;
    c.clockMaxHz = 3.8e9;
    c.machine.vendor = "AMD";
    c.machine.cpuModel = "AMD EPYC";
    c.machine.hostname = "Build_Host.example";
    c.machine.nominalHz = 2.6e9;
    c.machine.memoryBytes = 24.0 * 1024 * kMiB;
    c.machine.caches = {{1, 48 * 1024.0, 1, 2}, {2, 1 * kMiB, 1, 2}, {3, 32 * kMiB, 2, 1}};
    for (int threads : {1, 2}) {
        c.compute.push_back({DataType::fp32, "fp32-avx512", "vfmadd231ps zmm", 512, threads,
                             threads * 239.123e9, threads * 236e9, 64, 64, threads * 236.8e9,
                             threads * 166.4e9});
        c.compute.push_back({DataType::int8, "int8-avx512vnni", "vpdpbusd zmm", 512, threads,
                             threads * 953.6e9, threads * 950e9, 256, 256, threads * 947e9,
                             threads * 665.6e9});
        MemoryCeiling l1{"L1",
                         threads,
                         96 * 1024.0,
                         8192,
                         32768,
                         4,
                         threads * 460.5e9,
                         threads * 470e9,
                         threads * 300e9,
                         threads * 50e9};
        MemoryCeiling l2{"L2", threads,           2 * kMiB,        65536,           786432,
                         7,    threads * 172.2e9, threads * 178e9, threads * 120e9, threads * 60e9};
        MemoryCeiling l3{"L3", threads,           32 * kMiB,       1.5 * kMiB,     12 * kMiB,
                         6,    threads * 100.1e9, threads * 106e9, threads * 80e9, threads * 50e9};
        MemoryCeiling dram{"DRAM",      threads, c.machine.memoryBytes, 128 * kMiB,
                           1024 * kMiB, 5,       36.4e9 + threads,      40e9,
                           35.8e9,      51.4e9};
        c.memory.insert(c.memory.end(), {l1, l2, l3, dram});
        c.gather.push_back({256, threads, true, 1024 * kMiB, threads * 15.7e9, 0});
        c.gather.push_back({4, threads, true, 1024 * kMiB, threads * 0.25e9, 0});
    }
    return c;
}

std::map<std::string, const core::ProvenanceEntry*> byPath(const core::Hardware& hw) {
    std::map<std::string, const core::ProvenanceEntry*> out;
    for (const auto& p : hw.provenance) {
        out[p.jsonPath] = &p;
    }
    return out;
}

TEST(Profile, PassesValidationAndRoundTrips) {
    const core::Hardware hw = toHardware(syntheticCalibration());
    EXPECT_EQ(hw.id, "calibrated-build_host.example");
    EXPECT_EQ(hw.kind, core::DeviceKind::cpu);
    const std::string text = hwdb::serializeDevice(hw);
    auto viaJson = hwdb::parseDevice(nlohmann::json::parse(text), "calibrated.json");
    ASSERT_TRUE(viaJson) << viaJson.error().message;
    auto parsed = hwdb::parseDeviceText(text, "calibrated.json");
    ASSERT_TRUE(parsed) << parsed.error().message << "\n" << text;
    const core::Hardware& back = parsed.value();
    EXPECT_EQ(back.id, hw.id);
    EXPECT_EQ(back.name, hw.name);
    EXPECT_EQ(back.vendor, hw.vendor);
    EXPECT_EQ(back.vector.opsPerSecond, hw.vector.opsPerSecond);
    EXPECT_EQ(back.matrixDense.opsPerSecond, hw.matrixDense.opsPerSecond);
    ASSERT_EQ(back.memory.size(), hw.memory.size());
    for (std::size_t i = 0; i < hw.memory.size(); ++i) {
        EXPECT_EQ(back.memory[i].name, hw.memory[i].name);
        EXPECT_EQ(back.memory[i].capacityBytes, hw.memory[i].capacityBytes);
        EXPECT_EQ(back.memory[i].bytesPerSecond, hw.memory[i].bytesPerSecond);
        EXPECT_EQ(back.memory[i].measured, hw.memory[i].measured);
    }
    EXPECT_EQ(back.sramPerCoreBytes, hw.sramPerCoreBytes);
    EXPECT_EQ(back.notes, hw.notes);
    const auto a = byPath(hw);
    const auto b = byPath(back);
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [path, entry] : a) {
        ASSERT_TRUE(b.count(path)) << path;
        EXPECT_EQ(b.at(path)->status, entry->status) << path;
        EXPECT_EQ(b.at(path)->source, entry->source) << path;
        EXPECT_EQ(b.at(path)->note, entry->note) << path;
    }
    EXPECT_EQ(hwdb::serializeDevice(back), text) << "serialization is not stable";
}

TEST(Profile, CarriesTheAllCoreCeilingsWithMeasuredStatus) {
    const core::Hardware hw = toHardware(syntheticCalibration(), {"my-box", "My box"});
    EXPECT_EQ(hw.id, "my-box");
    EXPECT_EQ(hw.name, "My box");
    EXPECT_DOUBLE_EQ(hw.vector.at(DataType::fp32), 478.2e9);  // 4 significant digits
    EXPECT_DOUBLE_EQ(hw.vector.at(DataType::int8), 1907e9);
    EXPECT_FALSE(hw.matrixDense.any());
    ASSERT_EQ(hw.memory.size(), 4U);
    EXPECT_EQ(hw.memory[0].name, "L1");
    EXPECT_DOUBLE_EQ(hw.memory[0].bytesPerSecond, 921e9);
    EXPECT_DOUBLE_EQ(hw.memory[0].capacityBytes, 96 * 1024.0);
    EXPECT_EQ(hw.mainMemory().name, "DRAM");
    EXPECT_DOUBLE_EQ(hw.memoryBytesPerSecond(), 36.4e9);
    EXPECT_TRUE(hw.mainMemory().measured);
    EXPECT_DOUBLE_EQ(hw.sramPerCoreBytes, 1 * kMiB);
    const auto json = nlohmann::json::parse(hwdb::serializeDevice(hw));
    EXPECT_EQ(json["compute"]["vector"]["fp32"]["dense"]["status"], "measured");
    EXPECT_EQ(json["memory"][3]["bandwidth"]["status"], "measured");
    EXPECT_EQ(json["memory"][3]["capacity"]["status"], "derived");
    EXPECT_NE(
        json["compute"]["vector"]["fp32"]["dense"]["note"].get<std::string>().find("1 thread"),
        std::string::npos);
}

TEST(Profile, ImportsIntoTheDatabase) {
    const fs::path dir =
        fs::temp_directory_path() / ("rooflens-profile-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir / "builtin");
    const core::Hardware hw = toHardware(syntheticCalibration(), {"cal-test", ""});
    const fs::path file = dir / "cal.json";
    ASSERT_TRUE(core::writeFileAtomic(file, hwdb::serializeDevice(hw)));
    hwdb::Database db = hwdb::Database::load(dir / "builtin", dir / "user");
    auto imported = db.importProfile(file, false);
    ASSERT_TRUE(imported) << imported.error().message;
    const auto again = hwdb::Database::load(dir / "builtin", dir / "user");
    ASSERT_NE(again.find("cal-test"), nullptr);
    EXPECT_TRUE(again.errors().empty());
    fs::remove_all(dir);
}

TEST(Sidecar, HoldsWhatTheSchemaCannotAndFeedsTheRoofs) {
    const Calibration c = syntheticCalibration();
    const core::Hardware hw = toHardware(c);
    const auto sidecar = nlohmann::json::parse(calibrationJson(c, hw.id));
    EXPECT_EQ(sidecar["kind"], "rooflens-calibration");
    EXPECT_EQ(sidecar["profile_id"], hw.id);
    EXPECT_EQ(sidecar["threads"], 2);
    EXPECT_EQ(sidecar["compute"].size(), 4U);
    EXPECT_DOUBLE_EQ(sidecar["memory"][3]["read_write_bytes_per_s"].get<double>(), 51.4e9);
    EXPECT_DOUBLE_EQ(sidecar["memory"][2]["read_write_bytes_per_s"].get<double>(), 80e9);
    EXPECT_EQ(sidecarPathFor("/a/b/cpu.json"), fs::path("/a/b/cpu.calibration.json"));

    const Roofs roofs = calibratedRoofs(hw, &sidecar, 1);
    EXPECT_DOUBLE_EQ(roofs.computeOpsPerSecond, 239.123e9);
    ASSERT_EQ(roofs.levels.size(), 4U);
    EXPECT_EQ(roofs.levels.back().name, "DRAM");
    EXPECT_DOUBLE_EQ(roofs.gatherBytesPerSecond, 15.7e9);
    const Roofs fromProfile = calibratedRoofs(hw, nullptr, 2);
    EXPECT_DOUBLE_EQ(fromProfile.computeOpsPerSecond, hw.vector.at(DataType::fp32));
    EXPECT_EQ(fromProfile.levels.size(), 4U);
    EXPECT_EQ(fromProfile.gatherBytesPerSecond, 0);
}

// A device no machine can be: 1 PFLOP/s of FP32 and 10 TB/s of DRAM.
core::Hardware impossibleDatasheet() {
    core::Hardware hw;
    hw.id = "impossible";
    hw.kind = core::DeviceKind::cpu;
    hw.vector.set(DataType::fp32, 1e15);
    hw.vector.set(DataType::int8, 4e15);
    hw.memory.push_back({"L3", 32 * kMiB, 0, false});
    hw.memory.push_back({"DRAM", 1e12, 1e13, false});
    return hw;
}

TEST(Roofs, CalibratedRoofIsLowerThanAnImpossibleDatasheet) {
    const core::Hardware calibrated = toHardware(syntheticCalibration());
    const core::Hardware datasheet = impossibleDatasheet();
    core::Workload w;
    auto layer = [](std::string_view op, double ops, double bytes) {
        core::Layer l;
        l.op = op;
        l.kind = core::LayerKind::gemm;
        l.unit = core::ExecUnit::matrix;
        l.computeType = DataType::fp32;
        l.ops = ops;
        l.bytes.weights = bytes;
        return l;
    };
    w.layers = {layer("gemv", 2.0 * 4096 * 4096, 4.0 * 4096 * 4096),
                layer("gemm", 2.0 * 2048 * 2048 * 2048, 3 * 4.0 * 2048 * 2048),
                layer("ridge", 1e9, 1e8)};
    const core::Report real = core::analyze(w, calibrated);
    const core::Report ideal = core::analyze(w, datasheet);
    for (std::size_t i = 0; i < w.layers.size(); ++i) {
        EXPECT_LT(real.results[i].attainableOpsPerSecond, ideal.results[i].attainableOpsPerSecond)
            << w.layers[i].op;
        EXPECT_GT(real.results[i].timeSeconds, ideal.results[i].timeSeconds) << w.layers[i].op;
    }

    // The same for validate's predictions, every kernel class.
    const auto sidecar = nlohmann::json::parse(calibrationJson(syntheticCalibration(), "x"));
    const Roofs cal = calibratedRoofs(calibrated, &sidecar, 2);
    const Roofs sheet = calibratedRoofs(datasheet, nullptr, 2);
    std::vector<ValidationSpec> specs(5);
    specs[0] = {"gemm", KernelClass::gemm, 256, 2048, 2048};
    specs[1] = {"gemv", KernelClass::gemv, 1, 4096, 4096};
    specs[2].kind = KernelClass::spmm;
    specs[2].m = 1 << 20;
    specs[2].degree = 16;
    specs[2].features = 64;
    specs[3].kind = KernelClass::attention;
    specs[3].heads = specs[3].kvHeads = 8;
    specs[3].headDim = 64;
    specs[3].queries = specs[3].keys = 256;
    specs[4].kind = KernelClass::norm;
    specs[4].m = 256;
    specs[4].k = 2048;
    for (const auto& s : specs) {
        const KernelCost cost = costOf(s);
        EXPECT_GT(cost.ops, 0);
        EXPECT_GT(predict(s, cost, cal).seconds, predict(s, cost, sheet).seconds) << nameOf(s.kind);
    }
}

TEST(Roofs, PredictionNamesTheBindingCeiling) {
    const auto sidecar = nlohmann::json::parse(calibrationJson(syntheticCalibration(), "x"));
    const Roofs roofs = calibratedRoofs(toHardware(syntheticCalibration()), &sidecar, 1);
    ValidationSpec gemm{"gemm", KernelClass::gemm, 512, 2048, 2048};
    EXPECT_EQ(predict(gemm, costOf(gemm), roofs).bound, "FP32 vfmadd231ps zmm");
    ValidationSpec big{"gemv", KernelClass::gemv, 1, 32000, 4096};  // 500 MiB: DRAM
    EXPECT_EQ(predict(big, costOf(big), roofs).bound, "DRAM read");
    ValidationSpec small{"gemv", KernelClass::gemv, 1, 1024, 1024};  // 4 MiB: L3
    EXPECT_EQ(predict(small, costOf(small), roofs).bound, "L3 read");
    const auto p = predict(small, costOf(small), roofs);
    EXPECT_NEAR(p.seconds / (costOf(small).bytes() / 100.1e9), 1, 0.01);
    ValidationSpec graph;
    graph.kind = KernelClass::spmm;
    graph.m = 1 << 20;
    graph.degree = 16;
    graph.features = 64;
    EXPECT_EQ(predict(graph, costOf(graph), roofs).bound.rfind("gather-256B", 0), 0U);
}

TEST(Roofs, GemmEfficiencyInterpolatesInLogRows) {
    Calibration c = syntheticCalibration();
    c.gemm.push_back({GemmType::fp32, "dnnl_sgemm", {1024, 1024, 1024}, 2, 400e9, 390e9, 0.9});
    c.gemm.push_back({GemmType::fp32, "dnnl_sgemm", {32, 2048, 2048}, 2, 100e9, 90e9, 0.2});
    c.gemm.push_back({GemmType::fp32, "dnnl_sgemm", {512, 2048, 2048}, 2, 300e9, 290e9, 0.6});
    c.gemm.push_back({GemmType::int8, "dnnl_gemm_u8s8s32", {128, 2048, 2048}, 2, 1e12, 1e12, 0.1});
    const auto sidecar = nlohmann::json::parse(calibrationJson(c, "x"));
    const Roofs roofs = calibratedRoofs(toHardware(c), &sidecar, 2);
    EXPECT_DOUBLE_EQ(roofs.gemmEfficiency, 0.9);
    ASSERT_EQ(roofs.gemmEfficiencyByRows.size(), 2U);       // fp32 only
    EXPECT_DOUBLE_EQ(roofs.gemmEfficiencyFor(8), 0.2);      // clamped below
    EXPECT_DOUBLE_EQ(roofs.gemmEfficiencyFor(4096), 0.6);   // clamped above
    EXPECT_NEAR(roofs.gemmEfficiencyFor(128), 0.4, 1e-12);  // halfway in log2: 32 -> 128 -> 512
    ValidationSpec gemm{"gemm", KernelClass::gemm, 128, 2048, 2048};
    const Prediction p = predict(gemm, costOf(gemm), roofs);
    EXPECT_NEAR(p.achievableSeconds, p.seconds / 0.4, 1e-12);
    EXPECT_NE(p.achievableBound.find("40 % of FMA"), std::string::npos) << p.achievableBound;
    const Roofs none = calibratedRoofs(toHardware(c), nullptr, 2);
    EXPECT_DOUBLE_EQ(none.gemmEfficiencyFor(128), 1.0);
}

TEST(Profile, CarriesTheMeasuredEfficiencyModel) {
    Calibration c = syntheticCalibration();
    // A noisy m series at 2 threads (m = 128 below m = 32) and the square GEMM (its own k, n).
    c.gemm.push_back({GemmType::fp32, "dnnl_sgemm", {1024, 1024, 1024}, 2, 400e9, 390e9, 0.9});
    c.gemm.push_back({GemmType::fp32, "dnnl_sgemm", {1, 2048, 2048}, 2, 20e9, 19e9, 0.04});
    c.gemm.push_back({GemmType::fp32, "dnnl_sgemm", {32, 2048, 2048}, 2, 100e9, 90e9, 0.5});
    c.gemm.push_back({GemmType::fp32, "dnnl_sgemm", {128, 2048, 2048}, 2, 90e9, 90e9, 0.45});
    c.gemm.push_back({GemmType::fp32, "dnnl_sgemm", {512, 2048, 2048}, 2, 300e9, 290e9, 0.94});
    c.gemm.push_back({GemmType::int8, "dnnl_gemm_u8s8s32", {1024, 1024, 1024}, 2, 1e12, 1e12, 0.8});
    c.gemm.push_back({GemmType::fp32, "dnnl_sgemm", {32, 2048, 2048}, 1, 50e9, 50e9, 0.3});
    // Cold reads at 2 threads, against the largest of them (40 GB/s).
    c.coldReads = {{2, 8192, 4e9}, {2, 131072, 20e9}, {2, 2097152, 40e9}, {1, 8192, 1e9}};
    c.overheads = {{1, 0.8e-6, "gemm fp32 1x16x16"}, {2, 1.25e-6, "gemm fp32 1x16x16"}};
    const core::EfficiencyModel model = efficiencyModel(c, 2);
    EXPECT_EQ(model.origin, core::EfficiencyOrigin::measured);
    ASSERT_EQ(model.gemm.size(), 2U);  // fp32, int8
    const core::GemmEfficiencyGrid& fp32 = model.gemm[0];
    EXPECT_EQ(fp32.unit, core::ExecUnit::vector);
    EXPECT_EQ(fp32.type, DataType::fp32);
    EXPECT_EQ(fp32.m, (std::vector<double>{1, 32, 128, 512}));
    EXPECT_EQ(fp32.k, (std::vector<double>{2048}));
    // Made monotone from the largest m down: 0.5 at m = 32 capped at the 0.45 of m = 128.
    EXPECT_EQ(fp32.values, (std::vector<double>{0.04, 0.45, 0.45, 0.94}));
    EXPECT_EQ(model.gemm[1].type, DataType::int8);
    EXPECT_EQ(model.gemm[1].values, (std::vector<double>{0.8}));
    ASSERT_TRUE(model.memory);
    // 4 / 40 = 0.1, 20 / 40 = 0.5, 40 / 40 = 1.
    EXPECT_EQ(model.memory->bytes, (std::vector<double>{8192, 131072, 2097152}));
    EXPECT_EQ(model.memory->values, (std::vector<double>{0.1, 0.5, 1.0}));
    EXPECT_DOUBLE_EQ(model.kernelOverheadSeconds, 1.25e-6);
    // Gathers at 2 threads: 4 B 0.5 / 36.4 GB/s = 0.0137, 256 B 31.4 / 36.4 = 0.863.
    ASSERT_TRUE(model.gather);
    EXPECT_EQ(model.gather->bytes, (std::vector<double>{4, 256}));
    EXPECT_EQ(model.gather->values, (std::vector<double>{0.0137, 0.863}));
    ASSERT_TRUE(core::validateEfficiency(model, "calibrated"));

    // The profile carries it (all threads) and round-trips it.
    const core::Hardware hw = toHardware(c);
    ASSERT_TRUE(hw.efficiency);
    EXPECT_TRUE(*hw.efficiency == model);
    const auto parsed = hwdb::parseDeviceText(hwdb::serializeDevice(hw), "calibrated.json");
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_TRUE(parsed->efficiency == hw.efficiency);
    ASSERT_EQ(parsed->threadCeilings.size(), hw.threadCeilings.size());
    for (std::size_t i = 0; i < hw.threadCeilings.size(); ++i) {
        const core::ThreadCeilings& a = hw.threadCeilings[i];
        const core::ThreadCeilings& b = parsed->threadCeilings[i];
        EXPECT_EQ(a.threads, b.threads);
        EXPECT_EQ(a.vector.opsPerSecond, b.vector.opsPerSecond);
        EXPECT_EQ(a.memoryBytesPerSecond, b.memoryBytesPerSecond);
        EXPECT_TRUE(a.efficiency == b.efficiency);
    }
    EXPECT_EQ(parsed->threads, 2);
}

TEST(Profile, GemmGridVariesMKAndN) {
    Calibration c = syntheticCalibration();
    // The full suite's shapes at 2 threads: m in {1, 512} at (k, n) = (2048, 2048), (2048,
    // 512) and (512, 2048); the square GEMM drops out once there is a series.
    c.gemm.push_back({GemmType::fp32, "dnnl_sgemm", {1024, 1024, 1024}, 2, 400e9, 390e9, 0.9});
    const auto add = [&](std::int64_t m, std::int64_t k, std::int64_t n, double e) {
        c.gemm.push_back({GemmType::fp32, "dnnl_sgemm", {m, n, k}, 2, 1e9, 1e9, e});
    };
    add(1, 2048, 2048, 0.05);
    add(512, 2048, 2048, 0.9);
    add(1, 2048, 512, 0.04);
    add(512, 2048, 512, 0.7);
    add(1, 512, 2048, 0.03);
    add(512, 512, 2048, 0.6);
    const core::EfficiencyModel model = efficiencyModel(c, 2);
    ASSERT_EQ(model.gemm.size(), 1U);
    const core::GemmEfficiencyGrid& g = model.gemm[0];
    EXPECT_EQ(g.m, (std::vector<double>{1, 512}));
    EXPECT_EQ(g.k, (std::vector<double>{512, 2048}));
    EXPECT_EQ(g.n, (std::vector<double>{512, 2048}));
    // values[(i * |k| + j) * |n| + l]. The unmeasured cell (k, n) = (512, 512) takes the
    // nearest measured shape in log space: (512, 2048) and (2048, 512) are equally near, the
    // first found in (m, k, n) order is (k 512, n 2048): 0.03 at m = 1, 0.6 at m = 512. Then
    // made monotone (running minimum from the largest shape down along each axis).
    EXPECT_EQ(g.values, (std::vector<double>{0.03, 0.03, 0.04, 0.05, 0.6, 0.6, 0.7, 0.9}));
    // Exact at grid points, and a narrow n costs: 0.7 at (512, 2048, 512) vs 0.9 at n = 2048.
    EXPECT_DOUBLE_EQ(g.at(512, 2048, 512), 0.7);
    EXPECT_DOUBLE_EQ(g.at(512, 2048, 2048), 0.9);
    // Halfway in log n (n = 1024) between 0.7 and 0.9.
    EXPECT_NEAR(g.at(512, 2048, 1024), 0.8, 1e-12);
    ASSERT_TRUE(core::validateEfficiency(model, "calibrated"));
}

TEST(Profile, KeepsTheCeilingsOfEveryThreadCount) {
    Calibration c = syntheticCalibration();
    c.gemm.push_back({GemmType::fp32, "dnnl_sgemm", {32, 2048, 2048}, 1, 50e9, 50e9, 0.3});
    c.gemm.push_back({GemmType::fp32, "dnnl_sgemm", {32, 2048, 2048}, 2, 100e9, 90e9, 0.5});
    const core::Hardware hw = toHardware(c);
    ASSERT_EQ(hw.threadCeilings.size(), 2U);
    EXPECT_DOUBLE_EQ(hw.vector.at(DataType::fp32), 478.2e9);  // all threads at the top level
    const auto one = hw.atThreads(1);
    ASSERT_TRUE(one) << one.error().message;
    EXPECT_DOUBLE_EQ(one->vector.at(DataType::fp32), 239.1e9);  // 239.123e9, 4 digits
    EXPECT_DOUBLE_EQ(one->vector.at(DataType::int8), 953.6e9);
    EXPECT_DOUBLE_EQ(one->memoryBytesPerSecond(), 36.4e9);     // DRAM 36.4e9 + 1
    EXPECT_DOUBLE_EQ(one->memory[0].bytesPerSecond, 460.5e9);  // L1
    ASSERT_TRUE(one->efficiency);
    EXPECT_DOUBLE_EQ(one->efficiency->gemmAt(core::ExecUnit::vector, DataType::fp32, 32, 1, 1),
                     0.3);
    EXPECT_DOUBLE_EQ(hw.efficiency->gemmAt(core::ExecUnit::vector, DataType::fp32, 32, 1, 1), 0.5);
    const auto bad = hw.atThreads(3);
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("calibrated at 1, 2 thread(s)"), std::string::npos)
        << bad.error().message;
    // A 1-thread report of a compute-bound GEMM takes twice the 2-thread time.
    core::Workload w;
    core::Layer gemm;
    gemm.op = "gemm";
    gemm.computeType = DataType::fp32;
    gemm.ops = 1e12;
    gemm.bytes.weights = 1e6;
    w.layers.push_back(gemm);
    const double t2 = core::analyze(w, hw).totals.timeSeconds;
    const double t1 = core::analyze(w, *one).totals.timeSeconds;
    EXPECT_NEAR(t1 / t2, 478.2 / 239.1, 1e-9);
}

TEST(Machine, Bf16DotTheoryIsHalfTheFmaRateOnIntel) {
    MachineContext intel;
    intel.vendor = "Intel";
    EXPECT_DOUBLE_EQ(peakInstructionsPerCycle(intel, DataType::bf16, 512), 1.0);
    EXPECT_DOUBLE_EQ(peakInstructionsPerCycle(intel, DataType::fp32, 512), 2.0);
    EXPECT_DOUBLE_EQ(peakInstructionsPerCycle(intel, DataType::int8, 512), 2.0);
    MachineContext zen4;
    zen4.vendor = "AMD";
    zen4.family = 0x19;
    EXPECT_DOUBLE_EQ(peakInstructionsPerCycle(zen4, DataType::bf16, 512), 1.0);
    EXPECT_DOUBLE_EQ(peakInstructionsPerCycle(zen4, DataType::bf16, 256), 2.0);
}

}  // namespace
}  // namespace rooflens::calibrate
