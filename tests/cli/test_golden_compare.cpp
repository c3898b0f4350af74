// The golden-file comparison itself (golden_file.h): numbers within tolerance, text exact,
// line and final-newline differences, the compact JSON layout and the .actual workflow.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "golden_file.h"

namespace {

namespace fs = std::filesystem;
using rooflens::testing::compactJson;
using rooflens::testing::firstMismatch;
using rooflens::testing::linesMatch;
using rooflens::testing::matchesGolden;
using rooflens::testing::readFile;

struct LineCase {
    const char* expected;
    const char* actual;
    double rtol;
    bool match;
};

TEST(GoldenCompare, LinesTableDriven) {
    const LineCase cases[] = {
        {"time_s: 0.00831089074", "time_s: 0.00831089074", 0, true},
        {"time_s: 0.00831089074", "time_s: 0.0083108907", 0, false},
        // 1e-10 relative apart: within 1e-9, not within 1e-11.
        {"\"e2e_s\": 0.2624682680", "\"e2e_s\": 0.26246826802624683", 1e-9, true},
        {"\"e2e_s\": 0.2624682680", "\"e2e_s\": 0.26246826802624683", 1e-11, false},
        {"1.0e-3,8", "0.001,8", 1e-9, true},
        {"llama-2-7b,8", "llama-2-7b,9", 1e-9, false},  // integers are numbers too
        {"llama-2-7b,8", "llama-3-7b,8", 1e-9, false},  // numbers inside names
        {"h100-sxm,memory", "h100-sxm,compute", 1e-9, false},
        {"1,0", "1,1e-300", 1e-9, false},  // zero matches only zero
        {"-2.5", "2.5", 1e-9, false},
        {"12.3 ms", "12.4 ms", 1e-9, false},
        {"4.89 ns", "4.89 ns ", 1e-9, false},
        {"1.5", "1.5000000000000002", 1e-9, true},
        {"3e", "3e", 1e-9, true},
    };
    for (const LineCase& c : cases) {
        EXPECT_EQ(linesMatch(c.expected, c.actual, c.rtol), c.match)
            << '"' << c.expected << "\" vs \"" << c.actual << "\" rtol " << c.rtol;
    }
}

TEST(GoldenCompare, FirstMismatchNamesTheLine) {
    auto m = firstMismatch("a\nb 1\nc\n", "a\nb 2\nc\n", 1e-9);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->line, 2U);
    EXPECT_EQ(m->expected, "b 1");
    EXPECT_EQ(m->actual, "b 2");
    m = firstMismatch("a\nb\n", "a\nb\nextra\n", 0);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->line, 3U);
    EXPECT_EQ(m->expected, "(end of file)");
    EXPECT_TRUE(firstMismatch("a\nb", "a\nb\n", 0).has_value());
    EXPECT_FALSE(firstMismatch("x 1.0\n", "x 1.0000000001\n", 1e-9).has_value());
}

TEST(GoldenCompare, CompactJsonPutsArrayElementsOnOneLine) {
    const auto doc = nlohmann::json::parse(
        R"({"b": [{"x": 1, "y": [1, 2]}, {"x": 2.5}], "a": {"c": "t", "e": []}, "d": {}})");
    EXPECT_EQ(compactJson(doc),
              "{\n"
              "  \"a\": {\n"
              "    \"c\": \"t\",\n"
              "    \"e\": []\n"
              "  },\n"
              "  \"b\": [\n"
              "    {\"x\":1,\"y\":[1,2]},\n"
              "    {\"x\":2.5}\n"
              "  ],\n"
              "  \"d\": {}\n"
              "}");
    EXPECT_EQ(nlohmann::json::parse(compactJson(doc)), doc);
}

TEST(GoldenCompare, MismatchWritesActualAndMatchRemovesIt) {
    const fs::path dir =
        fs::temp_directory_path() / ("rooflens-golden-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const fs::path golden = dir / "case.txt";
    const fs::path actual = dir / "case.txt.actual";
    std::ofstream(golden) << "time 1.0\n";
    if (rooflens::testing::updatingGolden()) {
        GTEST_SKIP() << "ROOFLENS_UPDATE_GOLDEN=1 rewrites instead of comparing";
    }
    const auto failed = matchesGolden(golden, "time 1.1\n", 1e-9);
    EXPECT_FALSE(failed);
    EXPECT_NE(std::string(failed.message()).find("line 1"), std::string::npos) << failed.message();
    EXPECT_NE(std::string(failed.message()).find("diff -u"), std::string::npos);
    EXPECT_EQ(readFile(actual), "time 1.1\n");
    EXPECT_TRUE(matchesGolden(golden, "time 1.0000000001\n", 1e-9));
    EXPECT_FALSE(fs::exists(actual));
    EXPECT_FALSE(matchesGolden(dir / "missing.txt", "x\n", 0));
    EXPECT_TRUE(fs::exists(dir / "missing.txt.actual"));
    fs::remove_all(dir);
}

}  // namespace
