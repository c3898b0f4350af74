// `rooflens calibrate` and `rooflens validate` as processes: a tiny-budget quick calibration
// writes a profile that validates, imports and works with --hw; --device cuda without a GPU
// exits 2; usage and input errors; validate's report in every format.
#include <gtest/gtest.h>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "calibrate/cuda_backend.h"
#include "calibrate/gemm.h"
#include "core/measured.h"
#include "core/workload.h"
#include "hwdb/hwdb.h"
#include "test_support/cli_process.h"

namespace rooflens::calibrate {
namespace {

using testing::rooflens;
using testing::scratch;
using testing::slurp;

// Calibrates into `name` with a tiny budget (a few seconds, not representative).
std::string calibrateTiny(const std::string& name) {
    const auto out = scratch() / name;
    const auto r = rooflens("calibrate --quick --budget-scale 0.01 --id tiny-" +
                            out.stem().string() + " --out '" + out.string() + "'");
    EXPECT_EQ(r.exitCode, 0) << r.err;
    return out.string();
}

TEST(CliCalibrate, TinyQuickRunWritesAnImportableProfile) {
    const std::string out = calibrateTiny("quick.json");
    auto hw = hwdb::loadDeviceFile(out);
    ASSERT_TRUE(hw) << hw.error().message;
    EXPECT_EQ(hw->id, "tiny-quick");
    EXPECT_EQ(hw->kind, core::DeviceKind::cpu);
    EXPECT_GT(hw->memoryBytesPerSecond(), 0);
    EXPECT_TRUE(hw->mainMemory().measured);
    EXPECT_GT(hw->vector.at(core::DataType::fp32) + hw->vector.at(core::DataType::fp64), 0);
    if (dnnlAvailable()) {
        // Kernel classes (issue 14 item 5): the reference passes always have norms, attention and
        // elementwise layers, so those curves exist, top level and at every thread count.
        ASSERT_TRUE(hw->efficiency);
        for (core::LayerKind kind :
             {core::LayerKind::norm, core::LayerKind::attention, core::LayerKind::elementwise}) {
            EXPECT_NE(hw->efficiency->curveFor(kind), nullptr) << core::nameOf(kind);
            for (const auto& t : hw->threadCeilings) {
                ASSERT_TRUE(t.efficiency);
                EXPECT_NE(t.efficiency->curveFor(kind), nullptr) << t.threads;
            }
        }
    }

    const auto sidecar = nlohmann::json::parse(slurp(scratch() / "quick.calibration.json"));
    EXPECT_EQ(sidecar["kind"], "rooflens-calibration");
    EXPECT_EQ(sidecar["profile_id"], "tiny-quick");
    EXPECT_FALSE(sidecar["kernels"].empty());
    EXPECT_FALSE(sidecar["machine"]["isa"].empty());
    EXPECT_GT(sidecar["clock_hz"]["median"].get<double>(), 0);
    bool warnedScale = false;
    for (const auto& w : sidecar["warnings"]) {
        warnedScale |= w.get<std::string>().find("not representative") != std::string::npos;
    }
    EXPECT_TRUE(warnedScale);
    // The quick budget (27 s) scaled like the trials: 27 x 0.01 = 0.27 s; every step records
    // the pace its trials ran at, in [0.25, 1] (paceFor's floor).
    EXPECT_DOUBLE_EQ(sidecar["time_budget_s"].get<double>(), 0.27);
    ASSERT_FALSE(sidecar["steps"].empty());
    for (const auto& step : sidecar["steps"]) {
        EXPECT_GE(step["pace"].get<double>(), 0.25) << step.dump();
        EXPECT_LE(step["pace"].get<double>(), 1.0) << step.dump();
    }
    EXPECT_DOUBLE_EQ(sidecar["steps"][0]["pace"].get<double>(), 1.0);  // nothing measured yet

    const auto imported = rooflens("hw import '" + out + "'");
    EXPECT_EQ(imported.exitCode, 0) << imported.err;
    const auto byId = rooflens("hw show tiny-quick");
    EXPECT_EQ(byId.exitCode, 0) << byId.err;
    EXPECT_NE(byId.out.find("(measured)"), std::string::npos) << byId.out;
    const auto analyze =
        rooflens("analyze --model llama-2-7b --phase decode --format json --hw '" + out + "'");
    ASSERT_EQ(analyze.exitCode, 0) << analyze.err;
    EXPECT_EQ(nlohmann::json::parse(analyze.out)["hardware"]["id"], "tiny-quick");
}

// Issue 18, item 5: the profile and its sidecar are written together. A calibration killed while
// writing them (tests/support/src/kill_writes.cpp: SIGKILL once N bytes went to files in the
// directory), halfway through the profile or after all of the profile and half the sidecar,
// leaves the old pair and nothing else; writing the profile in place before the sidecar would
// leave a new profile beside an old sidecar in the second case.
TEST(CliCalibrate, KilledWhileWritingLeavesTheOldProfileAndSidecar) {
    const auto fresh = [](const std::string& name) {
        const auto dir = scratch() / name;
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        return std::filesystem::canonical(dir);
    };
    const std::string args = "calibrate --quick --budget-scale 0.01 --id tiny-kill --out ";
    const auto reference = fresh("kill-reference");
    auto r = rooflens(args + "'" + (reference / "cpu.json").string() + "'");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto profileBytes = static_cast<long long>(slurp(reference / "cpu.json").size());
    const auto sidecarBytes =
        static_cast<long long>(slurp(reference / "cpu.calibration.json").size());
    ASSERT_GT(sidecarBytes, 1000);

    const auto dir = fresh("kill-target");
    std::ofstream(dir / "cpu.json") << "old profile";
    std::ofstream(dir / "cpu.calibration.json") << "old sidecar";
    for (const long long bytes : {profileBytes / 2, profileBytes + sidecarBytes / 2}) {
        r = testing::rooflensWith(testing::killWritesAfter(dir, bytes),
                                  args + "'" + (dir / "cpu.json").string() + "'");
        EXPECT_EQ(r.signal, SIGKILL) << "after " << bytes << " bytes: " << r.err;
        EXPECT_EQ(slurp(dir / "cpu.json"), "old profile") << "after " << bytes << " bytes";
        EXPECT_EQ(slurp(dir / "cpu.calibration.json"), "old sidecar") << "after " << bytes;
        std::set<std::string> names;
        for (const auto& entry : std::filesystem::directory_iterator(dir)) {
            names.insert(entry.path().filename().string());
        }
        EXPECT_EQ(names, (std::set<std::string>{"cpu.calibration.json", "cpu.json"}));
    }
}

TEST(CliCalibrate, CudaWithoutAGpuExitsTwo) {
    if (cudaDeviceCount()) {
        GTEST_SKIP() << "a CUDA GPU is present";
    }
    const auto out = scratch() / "cuda.json";
    const auto r = rooflens("calibrate --device cuda --out '" + out.string() + "'");
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find("no CUDA GPU found"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(CliCalibrate, UsageAndInputErrors) {
    const std::string out = (scratch() / "never.json").string();
    // Sidecars with a mistyped kind or threads (nlohmann's type_error escaped as an internal
    // error, exit 3, before calibrate::loadSidecar) are bad input, located.
    const std::string badKind = (scratch() / "kind.calibration.json").string();
    const std::string badThreads = (scratch() / "threads.calibration.json").string();
    std::ofstream(badKind) << R"({"kind": 5})";
    std::ofstream(badThreads) << R"({"kind": "rooflens-calibration", "threads": "two"})";
    const std::string profile = ROOFLENS_TEST_DATA_DIR "/hwdb/good/measured-profile.json";
    struct Case {
        std::string args;
        int code;
        std::string fragment;
    };
    const Case cases[] = {
        {"calibrate", 1, "out"},
        {"calibrate --quick --full --out '" + out + "'", 1, "exclude"},
        {"calibrate --device tpu --out '" + out + "'", 1, "--device"},
        {"calibrate --threads -2 --out '" + out + "'", 1, "--threads"},
        {"calibrate --budget-scale -1 --out '" + out + "'", 1, "--budget-scale"},
        {"calibrate --time-budget 0.5 --out '" + out + "'", 1, "--time-budget: expected seconds"},
        {"calibrate --time-budget soon --out '" + out + "'", 1, "got 'soon'"},
        {"calibrate --out /nonexistent-dir/x.json", 2, "cannot write"},
        {"validate --hw no-such-device", 2, "no-such-device"},
        {"validate --hw '" + profile + "' --calibration '" + badKind + "'", 2,
         badKind + ": /kind: not a rooflens calibration sidecar"},
        {"validate --hw '" + profile + "' --calibration '" + badThreads + "'", 2,
         badThreads + ": /threads: expected an integer in [1, 65536], got \"two\""},
    };
    for (const auto& c : cases) {
        const auto r = rooflens(c.args);
        EXPECT_EQ(r.exitCode, c.code) << c.args << "\n" << r.err;
        EXPECT_NE(r.err.find(c.fragment), std::string::npos) << c.args << "\n" << r.err;
    }
    EXPECT_FALSE(std::filesystem::exists(out));
    const auto help = rooflens("calibrate --help");
    EXPECT_EQ(help.exitCode, 0);
    EXPECT_NE(help.out.find("--full"), std::string::npos);
    EXPECT_EQ(help.out.find("budget-scale"), std::string::npos) << "the test option is hidden";
}

TEST(CliValidate, ReportsEveryKernelClassInEveryFormat) {
    const std::string profile = calibrateTiny("validate.json");
    const std::string common = "validate --budget-scale 0.05 --hw '" + profile +
                               "' --model '" ROOFLENS_TEST_DATA_DIR
                               "/models/tiny-llama/config.json' --prompt-len 8 --context-len 8 "
                               "--gnn-nodes 4096";
    const auto json = rooflens(common + " --format json");
    ASSERT_EQ(json.exitCode, 0) << json.err;
    const auto doc = nlohmann::json::parse(json.out);
    EXPECT_EQ(doc["kind"], "rooflens-validation");
    EXPECT_EQ(doc["profile"], "tiny-validate");
    EXPECT_NE(doc["sidecar"].get<std::string>().find("validate.calibration.json"),
              std::string::npos);
    std::set<std::string> classes;
    for (const auto& k : doc["kernels"]) {
        classes.insert(k["class"].get<std::string>());
        EXPECT_GT(k["ops"].get<double>(), 0) << k["name"];
        EXPECT_GT(k["measured_median_seconds"].get<double>(), 0) << k["name"];
        EXPECT_GE(k["measured_p90_seconds"].get<double>(), k["measured_p10_seconds"].get<double>());
        EXPECT_GT(k["calibrated_seconds"].get<double>(), 0) << k["name"];
        EXPECT_FALSE(k["calibrated_bound"].get<std::string>().empty());
        EXPECT_EQ(k["model_error"].get<bool>(), k["ratio"].get<double>() > 1.05);
    }
    EXPECT_EQ(classes, (std::set<std::string>{"gemm", "gemv", "attention", "norm", "spmm"}));
    EXPECT_EQ(doc["abs_error"].back()["class"], "all");

    const auto csv = rooflens(common + " --format csv");
    ASSERT_EQ(csv.exitCode, 0) << csv.err;
    EXPECT_EQ(csv.out.rfind("kernel,class,shape,OPs,bytes", 0), 0U) << csv.out;
    const auto md =
        rooflens(common + " --format md --output '" + (scratch() / "validate.md").string() + "'");
    ASSERT_EQ(md.exitCode, 0) << md.err;
    const std::string text = slurp(scratch() / "validate.md");
    EXPECT_NE(text.find("| kernel"), std::string::npos);
    EXPECT_NE(text.find("median"), std::string::npos);
}

// validate --whole on a two-block decoder: every engine layer is measured in both passes, the
// totals are the sums of the layers, the expected time is never below the roofline, and the
// usage errors name what is wrong.
TEST(CliValidate, WholeModelRunMeasuresEveryEngineLayer) {
    const std::string profile = calibrateTiny("whole.json");
    const auto config = scratch() / "whole-tiny.json";
    {
        std::ofstream out(config);
        out << R"({"model_type": "llama", "hidden_size": 64, "intermediate_size": 96,
                   "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                   "vocab_size": 50, "max_position_embeddings": 64, "hidden_act": "silu",
                   "tie_word_embeddings": false, "torch_dtype": "float32"})";
    }
    const std::string common = "validate --whole --hw '" + profile + "' --model '" +
                               config.string() + "' --prompt-len 8 --repeats 2 --threads 1";
    const auto json = rooflens(common + " --format json");
    ASSERT_EQ(json.exitCode, 0) << json.err;
    const auto doc = nlohmann::json::parse(json.out);
    EXPECT_EQ(doc["kind"], "rooflens-whole-validation");
    EXPECT_EQ(doc["model"], "whole-tiny");
    ASSERT_EQ(doc["runs"].size(), 2U);
    EXPECT_EQ(doc["runs"][0]["phase"], "prefill");
    EXPECT_EQ(doc["runs"][1]["phase"], "decode");
    EXPECT_EQ(doc["runs"][1]["keys"], 9);
    for (const auto& run : doc["runs"]) {
        EXPECT_EQ(run["threads"], 1);
        EXPECT_TRUE(run["unmatched"].empty()) << run["unmatched"].dump();
        // embed_tokens + 2 x 13 block layers + final_norm + lm_head, all measured.
        ASSERT_EQ(run["layers"].size(), 29U);
        double roof = 0;
        double expected = 0;
        for (const auto& layer : run["layers"]) {
            EXPECT_TRUE(layer["measured"].get<bool>()) << layer["name"];
            EXPECT_GT(layer["measured_median_seconds"].get<double>(), 0) << layer["name"];
            EXPECT_GE(layer["expected_seconds"].get<double>(),
                      layer["roofline_seconds"].get<double>() * (1 - 1e-12))
                << layer["name"];
            roof += layer["roofline_seconds"].get<double>();
            expected += layer["expected_seconds"].get<double>();
        }
        if (run["phase"] == "prefill") {
            // What the GUI places on the chart: q_proj of 8 tokens, d 64, FP32: 2 x 8 x 64 x 64
            // OPs; 4 B x (8 x 64 in + 64 x 64 weights + 8 x 64 out).
            for (const auto& layer : run["layers"]) {
                if (layer["name"] == "blocks.0.q_proj") {
                    EXPECT_EQ(layer["ops"].get<double>(), 65536);
                    EXPECT_EQ(layer["bytes"].get<double>(), 20480);
                    EXPECT_EQ(layer["repeat"], 1);
                }
            }
        }
        EXPECT_NEAR(run["summary"]["roofline_seconds"].get<double>(), roof, 1e-9 * roof);
        EXPECT_NEAR(run["summary"]["expected_seconds"].get<double>(), expected, 1e-9 * expected);
    }
    // The GUI reads this document back (core/measured.h): every measured layer with OPs and
    // bytes is a point, at ops / bytes and ops x repeat / measured median.
    auto measured = core::parseMeasuredRun(doc, "whole.json");
    ASSERT_TRUE(measured.ok()) << measured.error().message;
    EXPECT_GT(measured->points.size(), 40U);
    for (const auto& p : measured->points) {
        EXPECT_GT(p.intensity(), 0) << p.name;
        EXPECT_GT(p.measuredOpsPerSecond(), 0) << p.name;
    }
    const auto table = rooflens(common);
    ASSERT_EQ(table.exitCode, 0) << table.err;
    EXPECT_NE(table.out.find("expected total err"), std::string::npos);
    EXPECT_NE(table.out.find("q_proj"), std::string::npos);
    struct Case {
        std::string args;
        int code;
        std::string fragment;
    };
    const Case cases[] = {
        {"validate --whole --hw '" + profile + "' --model mixtral-8x7b", 1, "mixture-of-experts"},
        {"validate --whole --hw '" + profile + "' --model gcn", 1, "LLM decoders and ViTs"},
        {common + " --context-len 9", 1, "--prompt-len, not --context-len"},
        {common + " --repeats 0", 1, "--repeats"},
    };
    for (const auto& c : cases) {
        const auto r = rooflens(c.args);
        EXPECT_EQ(r.exitCode, c.code) << c.args << "\n" << r.err;
        EXPECT_NE(r.err.find(c.fragment), std::string::npos) << c.args << "\n" << r.err;
    }
}

}  // namespace
}  // namespace rooflens::calibrate
