// The `rooflens` executable as a user runs it: exit codes, stdout/stderr, files written.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "test_support/cli_process.h"

namespace {

using rooflens::testing::Outcome;
using rooflens::testing::rooflens;
using rooflens::testing::scratch;
using rooflens::testing::slurp;
namespace fs = std::filesystem;

TEST(Cli, AnalyzeJsonReport) {
    const Outcome r = rooflens(
        "analyze --model llama-2-7b --hw a100-80gb-sxm --phase decode "
        "--context-len 512 --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["model"]["id"], "llama-2-7b");
    EXPECT_DOUBLE_EQ(doc["model"]["parameters"].get<double>(), 6738415616.0);
    EXPECT_EQ(doc["hardware"]["id"], "a100-80gb-sxm");
    EXPECT_EQ(doc["settings"]["context_len"], 512);
    EXPECT_GT(doc["layers"].size(), 32U * 10);
    EXPECT_TRUE(doc["totals"]["fits_in_memory"].get<bool>());
    EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(Cli, RequestReportHasLatencyMetrics) {
    const Outcome r = rooflens(
        "analyze --model llama-3-8b --hw h100-sxm --phase request "
        "--prompt-len 256 --gen-len 16 --flash-attention --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto totals = nlohmann::json::parse(r.out)["totals"];
    for (const char* key : {"ttft_s", "tpot_s", "e2e_s", "tokens_per_s"}) {
        EXPECT_TRUE(totals.contains(key)) << key;
    }
}

// Issue 18, 3: batch 2^40 and a request whose last step sees 2^40 - 1 keys: its tokens, 2^40 x
// (2^40 - 16), overflowed an int64 product.
TEST(Cli, RequestAtTheLargestBatchAndLength) {
    const Outcome r = rooflens(
        "analyze --model llama-2-7b --hw h100-sxm --phase request --batch 1099511627776 "
        "--prompt-len 16 --gen-len 1099511627760 --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto totals = nlohmann::json::parse(r.out)["totals"];
    const double e2e = totals["e2e_s"].get<double>();
    ASSERT_GT(e2e, 0);
    EXPECT_DOUBLE_EQ(totals["tokens_per_s"].get<double>(),
                     std::ldexp(1.0, 40) * 1099511627760.0 / e2e);
}

TEST(Cli, EveryFormatRenders) {
    for (const char* format : {"table", "json", "csv", "md"}) {
        const Outcome r =
            rooflens(std::string("analyze --model opt-6.7b --hw l40s --format ") + format);
        EXPECT_EQ(r.exitCode, 0) << format << ": " << r.err;
        EXPECT_FALSE(r.out.empty());
    }
}

TEST(Cli, OutputFileIsWritten) {
    const fs::path out = scratch() / "report.csv";
    const Outcome r = rooflens("analyze --model mistral-7b --hw h100-pcie --format csv --output '" +
                               out.string() + "'");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(slurp(out).rfind("phase,name,kind", 0), 0U);
}

TEST(Cli, ConfigJsonPathWorks) {
    const Outcome r =
        rooflens("models show '" ROOFLENS_TEST_DATA_DIR "/models/tiny-llama/config.json'");
    EXPECT_EQ(r.exitCode, 0) << r.err;
}

struct BadArgs {
    const char* args;
    int exitCode;
    const char* fragment;  // expected on stderr
};

class CliBadInput : public ::testing::TestWithParam<BadArgs> {};

TEST_P(CliBadInput, ExitsWithTheDocumentedCodeAndSaysWhy) {
    const Outcome r = rooflens(GetParam().args);
    EXPECT_EQ(r.exitCode, GetParam().exitCode) << GetParam().args << "\n" << r.err;
    EXPECT_NE(r.err.find(GetParam().fragment), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliBadInput,
    ::testing::Values(
        BadArgs{"", 1, "usage: rooflens"}, BadArgs{"frobnicate", 1, "unknown command 'frobnicate'"},
        BadArgs{"analyze --hw h100-sxm", 1, "model"},
        BadArgs{"analyze --model llama-2-7b", 1, "hw"},
        BadArgs{"analyze --model llama-9-9b --hw h100-sxm", 2, "llama-9-9b"},
        BadArgs{"analyze --model llama-2-7b --hw h900", 2, "h900"},
        BadArgs{"analyze --model llama-2-7b --hw h100-sxm --batch=-4", 1,
                "--batch: expected a positive integer, got -4"},
        BadArgs{"analyze --model llama-2-7b --hw h100-sxm --batch 0", 1, "--batch"},
        BadArgs{"analyze --model llama-2-7b --hw h100-sxm --batch many", 1, "batch"},
        BadArgs{"analyze --model llama-2-7b --hw h100-sxm --prompt-len 0", 1, "--prompt-len"},
        BadArgs{"analyze --model llama-2-7b --hw h100-sxm --context-len 0 --phase decode", 1,
                "--context-len"},
        BadArgs{"analyze --model llama-2-7b --hw h100-sxm --gen-len 0", 1, "--gen-len"},
        BadArgs{"analyze --model llama-2-7b --hw h100-sxm --phase train", 1, "--phase"},
        BadArgs{"analyze --model llama-2-7b --hw h100-sxm --wbits 9", 1, "--wbits"},
        BadArgs{"analyze --model llama-2-7b --hw h100-sxm --format xml", 1, "--format"},
        BadArgs{"analyze --model llama-2-7b --hw h100-sxm --bogus", 1, "bogus"},
        BadArgs{"analyze --model llama-2-7b --hw h100-sxm --output /nonexistent/dir/r.json", 3,
                "cannot write"},
        // Issue 18, 3: 65536 x 65536 plans (each a Deployment in memory) are refused by count.
        BadArgs{"sweep --model llama-2-7b --hw h100-sxm --tp 1:65536:+1 --pp 1:65536:+1", 1,
                "--tp, --ep, --pp, --cp, --dp: 65536 x 1 x 65536 x 1 x 1 values make more than "
                "4096 plans; at most 4096 are allowed"},
        BadArgs{"sweep --model llama-2-7b --hw h100-sxm --threads 100000", 1,
                "worker threads: expected 0 (one per core) to 1024, got 100000"},
        // A prompt plus a generated length near 2^63 overflowed their sum; --devices 2^31 - 1
        // overflowed the system's device count; sweep values past 2^40 were a builder's error.
        BadArgs{"compare --model llama-2-7b --hw h100-sxm --gen-len 9223372036854775807", 1,
                "--gen-len: expected at most 2^40 (1099511627776), got 9223372036854775807"},
        BadArgs{"analyze --model llama-2-7b --hw h100-sxm --phase decode --context-len "
                "1099511627777",
                1, "--context-len: expected at most 2^40 (1099511627776), got 1099511627777"},
        BadArgs{"analyze --model llama-2-7b --hw h100-sxm --tp 2 --devices 2147483647", 1,
                "--devices: expected at most 268435456 (2^28) devices, got 2147483647"},
        BadArgs{"sweep --model llama-2-7b --hw h100-sxm --batch 1:9223372036854775807:x2", 1,
                "--batch: range '1:9223372036854775807:x2': values must be at most 2^40"},
        // TP 64 x PP 80 x CP 65536 x DP 65536 overflowed int and crashed with SIGFPE.
        BadArgs{"analyze --model llama-3-70b --hw h100-sxm --tp 64 --pp 80 --cp 65536 --dp 65536",
                1, "the plan needs 21990232555520 devices"},
        BadArgs{"analyze --model /nonexistent/config.json --hw h100-sxm", 2,
                "/nonexistent/config.json"},
        BadArgs{"analyze --model '" ROOFLENS_TEST_DATA_DIR
                "/models/bad/product_overflows_uint64.json' --hw h100-sxm",
                2, "product_overflows_uint64.json"},
        BadArgs{"analyze --model '" ROOFLENS_TEST_DATA_DIR
                "/models/bad/negative_dimension.json' --hw h100-sxm",
                2, "negative_dimension.json: /"},
        BadArgs{"analyze --model llama-2-7b --hw /nonexistent/profile.json", 2,
                "/nonexistent/profile.json"},
        BadArgs{"hw show nope", 2, "nope"}, BadArgs{"hw frob", 1, "unknown subcommand"},
        BadArgs{"hw import", 1, "file"},
        BadArgs{"hw import /nonexistent.json", 2, "/nonexistent.json"},
        BadArgs{"models show nope", 2, "nope"}, BadArgs{"models", 1, "missing subcommand"}));

TEST(Cli, HwListShowExportImportRoundTrip) {
    const std::string xdg = (scratch() / "roundtrip").string();
    Outcome r = rooflens("hw list", xdg);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    for (const char* id : {"a100-40gb-sxm", "h100-sxm", "tpu-v5e", "m3-max", "xeon-8480"}) {
        EXPECT_NE(r.out.find(id), std::string::npos) << id;
    }
    r = rooflens("hw show h100-sxm", xdg);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("fp8"), std::string::npos);

    // Export a built-in, rename it, import it, use it with --hw by id.
    const fs::path exported = scratch() / "exported.json";
    r = rooflens("hw export a100-40gb-sxm --output '" + exported.string() + "'", xdg);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto doc = nlohmann::json::parse(slurp(exported));
    r = rooflens("hw import '" + exported.string() + "'", xdg);
    EXPECT_EQ(r.exitCode, 2) << "clash with the built-in must be refused";
    EXPECT_NE(r.err.find("a100-40gb-sxm"), std::string::npos) << r.err;

    doc["id"] = "my-a100";
    doc["name"] = "My A100";
    const fs::path mine = scratch() / "mine.json";
    std::ofstream(mine) << doc.dump(2);
    r = rooflens("hw import '" + mine.string() + "'", xdg);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_TRUE(fs::exists(fs::path(xdg) / "rooflens" / "profiles" / "my-a100.json"));
    r = rooflens("hw import '" + mine.string() + "'", xdg);
    EXPECT_EQ(r.exitCode, 2) << "existing profile must be refused without --force";
    r = rooflens("hw import --force '" + mine.string() + "'", xdg);
    EXPECT_EQ(r.exitCode, 0) << r.err;
    r = rooflens("analyze --model llama-2-7b --hw my-a100 --format json", xdg);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["hardware"]["id"], "my-a100");
    r = rooflens("analyze --model llama-2-7b --hw '" + mine.string() + "' --format json", xdg);
    EXPECT_EQ(r.exitCode, 0) << r.err;

    // A broken file is refused and the saved profile stays byte-identical.
    const std::string before = slurp(fs::path(xdg) / "rooflens" / "profiles" / "my-a100.json");
    const fs::path broken = scratch() / "broken.json";
    std::ofstream(broken) << R"({"schema_version": 1, "id": "my-a100", "name": )";
    r = rooflens("hw import --force '" + broken.string() + "'", xdg);
    EXPECT_EQ(r.exitCode, 2);
    EXPECT_NE(r.err.find("broken.json"), std::string::npos) << r.err;
    EXPECT_EQ(slurp(fs::path(xdg) / "rooflens" / "profiles" / "my-a100.json"), before);
}

TEST(Cli, ModelsListAndShow) {
    Outcome r = rooflens("models list");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    for (const char* id : {"llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3-8b", "llama-3-70b",
                           "mistral-7b", "mixtral-8x7b", "qwen2-7b", "opt-6.7b"}) {
        EXPECT_NE(r.out.find(id), std::string::npos) << id;
    }
    r = rooflens("models show mixtral-8x7b --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["parameters"], 46702792704ULL);
    EXPECT_EQ(doc["active_parameters"], 12879925248ULL);
    EXPECT_DOUBLE_EQ(doc["kv_bytes_per_token"].get<double>(), 131072.0);
}

TEST(Cli, HelpOnEveryCommand) {
    for (const char* command : {"--help", "analyze --help", "hw --help", "hw list --help",
                                "hw show --help", "hw import --help", "hw export --help",
                                "models --help", "models list --help", "models show --help"}) {
        const Outcome r = rooflens(command);
        EXPECT_EQ(r.exitCode, 0) << command << ": " << r.err;
        EXPECT_NE(r.out.find("usage"), std::string::npos) << command;
    }
}

}  // namespace
