// `rooflens serve` as a user runs it: the steady state against `analyze --phase request`, the
// sweep's CSV, the targets, and bad load descriptions naming the flag or the file and line.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_support/cli_process.h"

namespace {

using rooflens::testing::Outcome;
using rooflens::testing::rooflens;
using rooflens::testing::scratch;

TEST(CliServe, ConcurrencyOneMatchesTheRequestReport) {
    const Outcome a = rooflens(
        "analyze --model llama-3-8b --hw h100-sxm --phase request --prompt-len 512 --gen-len 64 "
        "--flash-attention --format json");
    const Outcome s = rooflens(
        "serve --model llama-3-8b --hw h100-sxm --prompt-len 512 --gen-len 64 --concurrency 1 "
        "--flash-attention --format json");
    ASSERT_EQ(a.exitCode, 0) << a.err;
    ASSERT_EQ(s.exitCode, 0) << s.err;
    const auto totals = nlohmann::json::parse(a.out)["totals"];
    const auto serve = nlohmann::json::parse(s.out);
    EXPECT_DOUBLE_EQ(serve["ttft_s"].get<double>(), totals["ttft_s"].get<double>());
    EXPECT_DOUBLE_EQ(serve["tpot_s"].get<double>(), totals["tpot_s"].get<double>());
    // One request in flight: requests/s = 1 / E2E, 64 tokens each.
    EXPECT_NEAR(serve["output_tokens_per_s"].get<double>(), 64 / totals["e2e_s"].get<double>(),
                1e-9 * serve["output_tokens_per_s"].get<double>());
    // h100-sxm's default price $3.00/h: cost per second x prefill share / input tokens/s.
    EXPECT_DOUBLE_EQ(serve["cost"]["dollars_per_hour"].get<double>(), 3.0);
}

TEST(CliServe, RateSweepIsAThroughputLatencyCurve) {
    const Outcome r = rooflens(
        "serve --model llama-3-70b --system hgx-h100-8x --tp 8 --prompt-len uniform:256:2048 "
        "--gen-len 256 --sweep-rate 1:8:4 --format csv");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    std::istringstream in(r.out);
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line.rfind("rate,decode_batch,kv_limited,saturated,ttft_s,tpot_s", 0), 0U) << line;
    std::vector<std::vector<double>> rows;
    while (std::getline(in, line)) {
        std::vector<double> row;
        std::stringstream cells(line);
        for (std::string cell; std::getline(cells, cell, ',');) {
            row.push_back(std::stod(cell));
        }
        rows.push_back(row);
    }
    ASSERT_EQ(rows.size(), 4U);
    for (std::size_t i = 1; i < rows.size(); ++i) {
        EXPECT_GT(rows[i][1], rows[i - 1][1]);  // the decode batch grows with the rate
        EXPECT_GE(rows[i][5], rows[i - 1][5]);  // and so does TPOT
        EXPECT_NEAR(rows[i][7], rows[i][0], 1e-9 * rows[i][0]);  // the rate is served
    }
    EXPECT_NEAR(rows[0][8], 256.0, 1e-6);  // 1 req/s x 256 tokens
}

TEST(CliServe, TargetsAreReported) {
    const Outcome r = rooflens(
        "serve --model llama-3-8b --hw h100-sxm --prompt-len 2048 --gen-len 64 --concurrency 8 "
        "--ttft-ms 1 --tpot-ms 1000");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("TTFT"), std::string::npos);
    EXPECT_NE(r.out.find("MISSED"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("1 s: met"), std::string::npos) << r.out;
}

TEST(CliServe, BadLoadsNameTheFlagOrFileAndLine) {
    const std::string base = "serve --model llama-3-8b --hw h100-sxm ";
    struct Case {
        std::string args;
        int exit;
        std::string says;
    };
    const auto file = scratch() / "lengths.txt";
    {
        std::ofstream out(file);
        out << "512\n1024\n-3\n";
    }
    const std::vector<Case> cases = {
        {"--rate 0", 1, "--rate"},
        {"--concurrency 4 --prompt-len -1", 1, "--prompt-len"},
        {"--concurrency 4 --gen-len uniform:9:3", 1, "--gen-len"},
        {"--concurrency 4 --speculative draft=llama-3-8b,alpha=1", 1, "--speculative"},
        {"--concurrency 4 --offload kv=tape", 1, "--offload"},
        {"--concurrency 4 --disaggregate 2", 1, "--disaggregate"},
        {"--rate 1 --concurrency 4", 1, "--rate"},
        {"--concurrency 4 --prompt-len file:" + file.string(), 2, file.string() + ":3:"},
    };
    for (const Case& c : cases) {
        const Outcome r = rooflens(base + c.args);
        EXPECT_EQ(r.exitCode, c.exit) << c.args << ": " << r.err;
        EXPECT_NE(r.err.find(c.says), std::string::npos) << c.args << ": " << r.err;
    }
}

TEST(CliServe, GoodputIsTheBestPointUnderTheTargets) {
    const std::string base =
        "serve --model llama-3-70b --system hgx-h100-8x --tp 8 --prompt-len 1024 --gen-len 256 "
        "--flash-attention --format json --tpot-ms 50 ";
    const Outcome best = rooflens(base + "--goodput");
    ASSERT_EQ(best.exitCode, 0) << best.err;
    const auto b = nlohmann::json::parse(best.out);
    EXPECT_TRUE(b["tpot_met"].get<bool>());
    EXPECT_LE(b["tpot_s"].get<double>(), 0.050);
    const double c = b["concurrency"].get<double>();
    // Fewer in flight meets the target with less throughput; twice as many misses it.
    const auto fewer = nlohmann::json::parse(rooflens(base + "--concurrency 64").out);
    EXPECT_TRUE(fewer["tpot_met"].get<bool>());
    EXPECT_GT(b["output_tokens_per_s_per_device"].get<double>(),
              fewer["output_tokens_per_s_per_device"].get<double>());
    const auto more =
        nlohmann::json::parse(rooflens(base + "--concurrency " + std::to_string(2 * c)).out);
    EXPECT_FALSE(more["tpot_met"].get<bool>());
}

}  // namespace
