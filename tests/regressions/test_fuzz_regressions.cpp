// Fuzz findings as regression inputs (docs/fuzzing.md): every file under
// tests/data/fuzz-regressions/<harness>/ goes through the loader its harness calls, and
// <file>.expect says what must happen: "ok" (the loader accepts it), or an error fragment the
// located error must contain (besides the file's path). A crash, sanitizer report or hang fails
// the test as it failed the harness.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "core/scenario.h"
#include "core/serving.h"
#include "hwdb/hwdb.h"
#include "hwdb/systems.h"
#include "models/graph.h"
#include "models/llm.h"
#include "models/onnx.h"
#include "models/vit.h"
#if ROOFLENS_HAVE_CALIBRATE
#include "calibrate/sidecar.h"
#endif

namespace rooflens {
namespace {

namespace fs = std::filesystem;

// What a loader said about one input: nullopt = accepted, else the error message.
using Outcome = std::optional<std::string>;
using Loader = std::function<Outcome(const fs::path&)>;

template <typename T>
Outcome outcome(const core::Result<T>& result) {
    return result ? Outcome{} : Outcome{result.error().message};
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

const hwdb::Database& database() {
    static const hwdb::Database db =
        hwdb::Database::load(hwdb::Database::defaultBuiltinDir(), "/nonexistent-rooflens-test");
    return db;
}

// The loader each harness calls (tests/fuzz/<harness>.cpp), from the file.
const std::map<std::string, Loader>& loaders() {
    static const std::map<std::string, Loader> table = {
        {"fuzz_device", [](const fs::path& p) { return outcome(hwdb::loadDeviceFile(p)); }},
        {"fuzz_system",
         [](const fs::path& p) { return outcome(hwdb::loadSystemFile(p, database())); }},
        {"fuzz_llm_config",
         [](const fs::path& p) {
             auto config = models::loadLlmConfig(p);
             if (config && models::layerPlan(*config).size() <= 256) {
                 core::RunSettings decode;
                 decode.phase = core::Phase::decode;
                 decode.contextLength = 8;
                 return outcome(models::buildLlm(*config, decode));
             }
             return outcome(config);
         }},
        {"fuzz_vit_config",
         [](const fs::path& p) {
             auto config = models::loadVitConfig(p);
             if (config && config->depth <= 64) {
                 return outcome(models::buildVit(*config, core::RunSettings{}));
             }
             return outcome(config);
         }},
        {"fuzz_scenario", [](const fs::path& p) { return outcome(core::loadScenario(p)); }},
        {"fuzz_graph_edges",
         [](const fs::path& p) {
             models::GraphImportOptions options;
             options.format = models::GraphFormat::edgeList;
             return outcome(models::importGraph(p, options));
         }},
        {"fuzz_graph_mtx",
         [](const fs::path& p) {
             models::GraphImportOptions options;
             options.format = models::GraphFormat::matrixMarket;
             return outcome(models::importGraph(p, options));
         }},
        // As the harness: the file, then its first line as the --prompt-len text; the outcome
        // checked is the flag's (its errors name the flag), the file's must be located too.
        {"fuzz_serving_lengths",
         [](const fs::path& p) {
             auto lengths = core::loadLengthFile(p.string());
             if (lengths) {
                 (void)lengths->points();
                 (void)lengths->mean();
             } else {
                 EXPECT_NE(lengths.error().message.find(p.string()), std::string::npos)
                     << lengths.error().message;
             }
             const std::string text = slurp(p);
             auto flag =
                 core::parseLengthDistribution(text.substr(0, text.find('\n')), "prompt-len");
             if (flag) {
                 (void)flag->points();
                 (void)flag->mean();
             }
             return outcome(flag);
         }},
        {"fuzz_onnx",
         [](const fs::path& p) -> Outcome {
             if (!models::onnxAvailable()) {
                 return "skipped: no ONNX importer in this build";
             }
             models::OnnxOptions options;
             options.imageHeight = options.imageWidth = 224;
             auto builder = models::bindOnnx(p.string(), options);
             if (!builder) {
                 return builder.error().message;
             }
             core::RunSettings settings;
             settings.promptLength = 16;
             return outcome((*builder)->build(settings, {}));
         }},
#if ROOFLENS_HAVE_CALIBRATE
        {"fuzz_sidecar", [](const fs::path& p) { return outcome(calibrate::loadSidecar(p)); }},
#endif
    };
    return table;
}

std::string firstLine(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
        line.pop_back();
    }
    return line;
}

TEST(FuzzRegressions, EveryInputGivesItsExpectedOutcome) {
    const fs::path root = ROOFLENS_FUZZ_REGRESSIONS_DIR;
    ASSERT_TRUE(fs::is_directory(root)) << root;
    int replayed = 0;
    for (const auto& harness : fs::directory_iterator(root)) {
        if (!harness.is_directory()) {
            continue;
        }
        const std::string name = harness.path().filename().string();
        const auto loader = loaders().find(name);
        if (loader == loaders().end()) {
#if !ROOFLENS_HAVE_CALIBRATE
            if (name == "fuzz_sidecar") {
                continue;
            }
#endif
            // fuzz_session inputs need Qt: replay them in tests/ui/test_session.cpp instead.
            ADD_FAILURE() << "no loader for regression directory " << name;
            continue;
        }
        for (const auto& entry : fs::directory_iterator(harness.path())) {
            const fs::path input = entry.path();
            if (input.extension() == ".expect" || input.extension() == ".md") {
                continue;
            }
            SCOPED_TRACE(input.string());
            const fs::path expectFile = input.string() + ".expect";
            ASSERT_TRUE(fs::exists(expectFile)) << "missing " << expectFile;
            const std::string expected = firstLine(slurp(expectFile));
            ASSERT_FALSE(expected.empty());
            const Outcome got = loader->second(input);
            ++replayed;
            if (got && got->starts_with("skipped:")) {
                continue;
            }
            if (expected == "ok") {
                EXPECT_FALSE(got.has_value()) << *got;
            } else {
                ASSERT_TRUE(got.has_value()) << "accepted, expected an error with: " << expected;
                EXPECT_NE(got->find(expected), std::string::npos) << *got;
                const std::string label =
                    name == "fuzz_serving_lengths" ? "--prompt-len" : input.string();
                EXPECT_NE(got->find(label), std::string::npos)
                    << "the error does not name " << label << ": " << *got;
            }
        }
    }
    EXPECT_GT(replayed, 0);
}

}  // namespace
}  // namespace rooflens
