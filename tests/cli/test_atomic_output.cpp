// Issue 18, item 5: every file the `rooflens` executable writes is atomic. The process is
// SIGKILLed part-way through writing its file (tests/support/src/kill_writes.cpp, preloaded: the
// write that passes N bytes writes up to N, then the process dies), and the target must still hold
// its old contents with nothing else left in its directory; a non-atomic writer would leave the
// first N bytes of the new file.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_support/cli_process.h"

namespace {

using rooflens::testing::killWritesAfter;
using rooflens::testing::Outcome;
using rooflens::testing::rooflens;
using rooflens::testing::rooflensWith;
using rooflens::testing::scratch;
using rooflens::testing::slurp;
namespace fs = std::filesystem;

const std::string kOld = "the old contents, which a killed writer must leave alone\n";

fs::path freshDir(const std::string& name) {
    const fs::path dir = scratch() / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return fs::canonical(dir);
}

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

// `command` writes FILE (the placeholder, replaced by the target's quoted path). A first run into
// another directory gives the new contents; then, with the old contents in place, runs killed
// after 1 byte, half of the new file and all but its last byte leave the old file and nothing
// else; a last run, not killed, writes the new contents there (the same bytes).
void expectKilledWritesKeepTheOldFile(const std::string& command, const std::string& file) {
    const auto run = [&](const fs::path& dir, long long killAfter) {
        std::string args = command;
        const std::string quoted = "'" + (dir / file).string() + "'";
        args.replace(args.find("FILE"), 4, quoted);
        return killAfter < 0 ? rooflens(args) : rooflensWith(killWritesAfter(dir, killAfter), args);
    };
    const fs::path reference = freshDir("atomic-reference");
    const Outcome full = run(reference, -1);
    ASSERT_EQ(full.exitCode, 0) << full.err;
    const std::string fresh = slurp(reference / file);
    const auto size = static_cast<long long>(fresh.size());
    ASSERT_GT(size, 2);

    const fs::path dir = freshDir("atomic-target");
    std::ofstream(dir / file) << kOld;
    for (const long long bytes : {1LL, size / 2, size - 1}) {
        const Outcome killed = run(dir, bytes);
        EXPECT_EQ(killed.signal, SIGKILL)
            << "killed after " << bytes << " of " << size << " bytes: exit " << killed.exitCode
            << ", " << killed.err;
        EXPECT_EQ(slurp(dir / file), kOld) << "killed after " << bytes << " of " << size;
        EXPECT_EQ(entries(dir), std::vector<std::string>{file}) << "after " << bytes << " bytes";
    }
    const Outcome whole = run(dir, -1);
    ASSERT_EQ(whole.exitCode, 0) << whole.err;
    if (file.ends_with(".pdf")) {  // a PDF carries its creation time
        EXPECT_EQ(slurp(dir / file).size(), fresh.size());
    } else {
        EXPECT_EQ(slurp(dir / file), fresh);
    }
    EXPECT_EQ(entries(dir), std::vector<std::string>{file});
}

TEST(AtomicOutput, AnalyzeReportKilledMidWay) {
    expectKilledWritesKeepTheOldFile(
        "analyze --model llama-2-7b --hw h100-sxm --phase decode --format json --output FILE",
        "report.json");
}

TEST(AtomicOutput, CompareCsvKilledMidWay) {
    expectKilledWritesKeepTheOldFile(
        "compare --model llama-2-7b --hw h100-sxm --scenario fp16 --scenario awq-w4a16-g128 "
        "--format csv --output FILE",
        "compare.csv");
}

TEST(AtomicOutput, SweepKilledMidWay) {
    expectKilledWritesKeepTheOldFile(
        "sweep --model llama-2-7b --hw h100-sxm --batch 1:64:x2 --format csv --output FILE",
        "sweep.csv");
}

TEST(AtomicOutput, HwExportKilledMidWay) {
    expectKilledWritesKeepTheOldFile("hw export a100-40gb-sxm --output FILE", "a100.json");
}

// `hw import` writes the user profile into XDG_DATA_HOME/rooflens/profiles: a kill part-way
// through a forced re-import keeps the profile imported before.
TEST(AtomicOutput, HwImportKilledMidWay) {
    const std::string xdg = (scratch() / "atomic-import").string();
    fs::remove_all(xdg);
    const fs::path source = scratch() / "atomic-import-source.json";
    ASSERT_EQ(rooflens("hw export a100-40gb-sxm --output '" + source.string() + "'").exitCode, 0);
    auto doc = nlohmann::json::parse(slurp(source));
    doc["id"] = "kill-test";
    doc["name"] = "Before";
    std::ofstream(source) << doc.dump(2);
    Outcome r = rooflens("hw import '" + source.string() + "'", xdg);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const fs::path profiles = fs::canonical(fs::path(xdg) / "rooflens" / "profiles");
    const std::string before = slurp(profiles / "kill-test.json");
    ASSERT_NE(before.find("\"Before\""), std::string::npos);

    doc["name"] = "After";
    std::ofstream(source) << doc.dump(2);
    const auto size = static_cast<long long>(before.size());
    for (const long long bytes : {1LL, size / 2, size - 10}) {
        r = rooflensWith(killWritesAfter(profiles, bytes),
                         "hw import --force '" + source.string() + "'", xdg);
        EXPECT_EQ(r.signal, SIGKILL) << "after " << bytes << " bytes: " << r.err;
        EXPECT_EQ(slurp(profiles / "kill-test.json"), before) << "after " << bytes << " bytes";
        EXPECT_EQ(entries(profiles), std::vector<std::string>{"kill-test.json"});
    }
    r = rooflens("hw import --force '" + source.string() + "'", xdg);
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(slurp(profiles / "kill-test.json").find("\"After\""), std::string::npos);
}

// The chart export (only where `rooflens plot` is built, with the GUI).
TEST(AtomicOutput, PlotKilledMidWay) {
    if (rooflens("plot --help").exitCode != 0) {
        GTEST_SKIP() << "rooflens plot is built with the GUI only";
    }
    for (const char* file : {"chart.png", "chart.svg", "chart.pdf"}) {
        SCOPED_TRACE(file);
        expectKilledWritesKeepTheOldFile(
            "plot --model llama-2-7b --hw h100-sxm --width 320 --height 240 --output FILE", file);
    }
}

}  // namespace
