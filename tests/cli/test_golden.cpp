// Golden files of the `rooflens` report formats: analyze, compare and sweep in every format they
// offer (table, JSON, CSV, Markdown) on llama-2-7b and mixtral-8x7b, plus a ViT, a GNN and a
// sliding-window case, run as a user runs them and compared with tests/golden/cli/. They pin
// today's numbers for the evaluation-pipeline redesign (issue 9).
//
// Tables and Markdown are compared as text. JSON and CSV numbers are compared within a relative
// tolerance (1e-9 for full-precision numbers, 2e-8 where a CSV prints 9 significant digits), the
// bound a closed-form request sum must meet; everything else in them is compared as text. A JSON
// golden file holds the document with one array element per line (compactJson); the test also
// checks that stdout is exactly the document's two-space dump, so nothing of stdout goes
// unchecked. Every case must exit 0 with nothing on stderr, and JSON and CSV stdout must be pure
// data (it parses; every CSV row has the header's field count).
//
// A difference writes <file>.actual beside the golden file; review it with the printed
// `diff -u` command. ROOFLENS_UPDATE_GOLDEN=1 regenerates the files; review their diff like code.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_support/cli_process.h"
#include "golden_file.h"

namespace {

namespace fs = std::filesystem;
using rooflens::testing::compactJson;
using rooflens::testing::matchesGolden;
using rooflens::testing::Outcome;
using rooflens::testing::rooflens;
using rooflens::testing::splitLines;

enum class Format { table, json, csv, md };

struct GoldenCase {
    std::string file;  // under tests/golden/cli; the extension names the format
    std::string args;  // rooflens arguments, without --format
    double rtol = 0;   // 0: identical text; else the relative tolerance on numbers
};

void PrintTo(const GoldenCase& c, std::ostream* out) {
    *out << c.file;
}

constexpr double kFull = 1e-9;  // JSON and %.17g CSV numbers
constexpr double kCsv9 = 2e-8;  // %.9g CSV numbers: the last digit may round either way

Format formatOf(const std::string& file) {
    const std::string ext = fs::path(file).extension().string();
    if (ext == ".json") {
        return Format::json;
    }
    if (ext == ".csv") {
        return Format::csv;
    }
    return ext == ".md" ? Format::md : Format::table;
}

const char* formatFlag(Format format) {
    static constexpr const char* kFlags[] = {"table", "json", "csv", "md"};
    return kFlags[static_cast<int>(format)];
}

const std::string kLlamaAnalyze = "analyze --model llama-2-7b --hw h100-sxm ";
const std::string kMixtralAnalyze = "analyze --model mixtral-8x7b --hw h200-sxm ";
const std::string kLlamaCompare =
    "compare --model llama-2-7b --hw h100-sxm --hw a100-80gb-sxm --scenario fp16 "
    "--scenario awq-w4a16-g128 --scenario kivi-kv2 --prompt-len 512 --gen-len 64";
const std::string kMixtralCompare =
    "compare --model mixtral-8x7b --hw h100-sxm --hw h200-sxm --scenario fp16 "
    "--scenario awq-w4a16-g128 --scenario qserve-w4a8kv4 --prompt-len 1024 --gen-len 64 "
    "--flash-attention";
const std::string kLlamaSweep =
    "sweep --model llama-2-7b --hw h100-sxm --hw a100-80gb-sxm --scenario fp16 --scenario "
    "awq-w4a16-g128 --batch 1,8 --context-len 512,4096";

const std::vector<GoldenCase>& cases() {
    static const std::vector<GoldenCase> kCases = {
        {"analyze-llama-2-7b-prefill.txt", kLlamaAnalyze + "--prompt-len 512"},
        {"analyze-llama-2-7b-prefill.json", kLlamaAnalyze + "--prompt-len 512", kFull},
        {"analyze-llama-2-7b-prefill.csv", kLlamaAnalyze + "--prompt-len 512", kFull},
        {"analyze-llama-2-7b-prefill.md", kLlamaAnalyze + "--prompt-len 512"},
        {"analyze-llama-2-7b-decode-awq.txt",
         kLlamaAnalyze + "--phase decode --batch 8 --context-len 4096 --scenario awq-w4a16-g128"},
        {"analyze-llama-2-7b-decode-awq.json",
         kLlamaAnalyze + "--phase decode --batch 8 --context-len 4096 --scenario awq-w4a16-g128",
         kFull},
        {"analyze-llama-2-7b-request-fa.txt",
         kLlamaAnalyze + "--phase request --prompt-len 512 --gen-len 64 --flash-attention"},
        {"analyze-llama-2-7b-request-fa.json",
         kLlamaAnalyze + "--phase request --prompt-len 512 --gen-len 64 --flash-attention", kFull},
        {"analyze-llama-2-7b-request-fa.md",
         kLlamaAnalyze + "--phase request --prompt-len 512 --gen-len 64 --flash-attention"},
        {"analyze-mixtral-8x7b-prefill.txt", kMixtralAnalyze + "--batch 2 --prompt-len 1024"},
        {"analyze-mixtral-8x7b-decode.txt",
         kMixtralAnalyze + "--phase decode --batch 8 --context-len 4096"},
        {"analyze-mixtral-8x7b-decode.csv",
         kMixtralAnalyze + "--phase decode --batch 8 --context-len 4096", kFull},
        {"analyze-mixtral-8x7b-decode.md",
         kMixtralAnalyze + "--phase decode --batch 8 --context-len 4096"},
        {"analyze-mixtral-8x7b-request-qserve.txt",
         kMixtralAnalyze +
             "--phase request --prompt-len 1024 --gen-len 64 --scenario qserve-w4a8kv4"},
        {"analyze-mixtral-8x7b-request-qserve.json",
         kMixtralAnalyze +
             "--phase request --prompt-len 1024 --gen-len 64 --scenario qserve-w4a8kv4",
         kFull},
        {"compare-llama-2-7b.txt", kLlamaCompare},
        {"compare-llama-2-7b.json", kLlamaCompare, kFull},
        {"compare-llama-2-7b.csv", kLlamaCompare, kCsv9},
        {"compare-llama-2-7b.md", kLlamaCompare},
        {"compare-mixtral-8x7b-fa.txt", kMixtralCompare},
        {"compare-mixtral-8x7b-fa.json", kMixtralCompare, kFull},
        {"compare-mixtral-8x7b-fa.csv", kMixtralCompare, kCsv9},
        {"sweep-llama-2-7b-decode.txt", kLlamaSweep},
        {"sweep-llama-2-7b-decode.json", kLlamaSweep, kFull},
        {"sweep-llama-2-7b-decode.csv", kLlamaSweep, kCsv9},
        {"sweep-llama-2-7b-prefill.csv",
         "sweep --model llama-2-7b --hw h100-sxm --phase prefill --batch 1,4 "
         "--prompt-len 128,1024",
         kCsv9},
        {"sweep-llama-2-7b-request.json",
         "sweep --model llama-2-7b --hw h100-sxm --phase request --scenario fp16 --scenario "
         "kivi-kv2 --batch 1,8 --prompt-len 512,2048 --gen-len 64",
         kFull},
        {"sweep-mixtral-8x7b-decode.csv",
         "sweep --model mixtral-8x7b --hw h200-sxm --batch 1:64:x4 --context-len 1024,8192", kCsv9},
        {"sweep-mixtral-8x7b-request-fa.txt",
         "sweep --model mixtral-8x7b --hw h200-sxm --phase request --flash-attention "
         "--batch 1,4 --prompt-len 1024 --gen-len 64"},
        // mistral-7b attends over a 4096-token sliding window: these requests cross it.
        {"sweep-mistral-7b-request-window.json",
         "sweep --model mistral-7b --hw h100-sxm --phase request --batch 1,4 "
         "--prompt-len 4000,4096 --gen-len 200",
         kFull},
        {"analyze-deit-small.json", "analyze --model deit-small --hw h100-sxm --batch 64", kFull},
        {"analyze-gcn-cora.json", "analyze --model gcn --graph cora --hw h100-sxm", kFull},
    };
    return kCases;
}

// Fields of one CSV line, quotes honoured.
std::size_t csvFieldCount(std::string_view line) {
    std::size_t fields = 1;
    bool quoted = false;
    for (char c : line) {
        if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            ++fields;
        }
    }
    return fields;
}

// The text the golden file holds, after checking that stdout is pure data of its format.
std::string goldenText(const std::string& out, Format format) {
    if (format == Format::csv) {
        const auto lines = splitLines(out);
        EXPECT_GE(lines.size(), 2U) << "a header and at least one row";
        for (std::size_t k = 1; k < lines.size(); ++k) {
            EXPECT_EQ(csvFieldCount(lines[k]), csvFieldCount(lines.front()))
                << "CSV line " << k + 1 << " is not a row of the header's fields: " << lines[k];
        }
    }
    if (format != Format::json) {
        return out;
    }
    const auto doc = nlohmann::json::parse(out, nullptr, false);
    if (doc.is_discarded()) {
        ADD_FAILURE() << "stdout is not one JSON document:\n" << out.substr(0, 400);
        return out;
    }
    EXPECT_EQ(out, doc.dump(2) + "\n") << "stdout is not the two-space dump of its document";
    return compactJson(doc) + "\n";
}

std::string testName(const ::testing::TestParamInfo<GoldenCase>& info) {
    std::string name = info.param.file;
    for (char& c : name) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0) {
            c = '_';
        }
    }
    return name;
}

class CliGolden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(CliGolden, MatchesGoldenFile) {
    const GoldenCase& c = GetParam();
    const Format format = formatOf(c.file);
    const std::string args = c.args + " --format " + formatFlag(format);
    const Outcome r = rooflens(args);
    ASSERT_EQ(r.exitCode, 0) << "rooflens " << args << "\n" << r.err;
    EXPECT_EQ(r.err, "") << "rooflens " << args << " wrote diagnostics";
    const fs::path path = fs::path(ROOFLENS_GOLDEN_DIR) / "cli" / c.file;
    EXPECT_TRUE(matchesGolden(path, goldenText(r.out, format), c.rtol)) << "rooflens " << args;
}

INSTANTIATE_TEST_SUITE_P(Formats, CliGolden, ::testing::ValuesIn(cases()), testName);

// Every golden file belongs to a case, so a renamed case leaves no stale file behind.
TEST(CliGoldenFiles, EveryFileHasACase) {
    for (const auto& entry : fs::directory_iterator(fs::path(ROOFLENS_GOLDEN_DIR) / "cli")) {
        const std::string name = entry.path().filename().string();
        if (entry.path().extension() == ".actual") {
            continue;
        }
        bool found = false;
        for (const auto& c : cases()) {
            found |= name == c.file;
        }
        EXPECT_TRUE(found) << name << " is not a golden case of test_golden.cpp";
    }
}

}  // namespace
