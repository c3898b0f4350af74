// The command line over the evaluation pipeline: the model's family decided once, flags of
// another family refused by name, unknown ids with suggestions, the same fault exiting the same
// way in every command, a quantized checkpoint's own compression as the default, and warnings
// kept out of data on stdout.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "test_support/cli_process.h"

namespace rooflens {
namespace {

using testing::Outcome;
using testing::rooflens;
using testing::scratch;

struct FlagCase {
    const char* args;
    const char* fragment;
};

class OtherFamilyFlags : public ::testing::TestWithParam<FlagCase> {};

TEST_P(OtherFamilyFlags, AreUsageErrorsNamingTheFlagAndTheFamily) {
    for (const char* command : {"analyze", "compare", "sweep"}) {
        const Outcome r = rooflens(std::string(command) + " --hw h100-sxm " + GetParam().args);
        EXPECT_EQ(r.exitCode, 1) << command << ' ' << GetParam().args << '\n' << r.err;
        EXPECT_NE(r.err.find(GetParam().fragment), std::string::npos) << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, OtherFamilyFlags,
    ::testing::Values(
        FlagCase{"--model llama-2-7b --image-size 384",
                 "--image-size applies to ViT models, but llama-2-7b is an LLM model"},
        FlagCase{"--model llama-2-7b --tome-r 16", "--tome-r applies to ViT models"},
        FlagCase{"--model llama-2-7b --graph cora", "--graph applies to GNN models"},
        FlagCase{"--model qwen3-8b --fanout 25,10", "--fanout applies to GNN models"},
        FlagCase{"--model deit-small --prompt-len 512",
                 "--prompt-len applies to LLM models, but deit-small is a ViT model"},
        FlagCase{"--model deit-small --gen-len 8", "--gen-len applies to LLM models"},
        FlagCase{"--model gcn --graph cora --context-len 9", "--context-len applies to LLM"},
        FlagCase{"--model gcn --graph cora --dynamicvit-keep 0.7", "is a GNN model"}));

TEST(CliPipeline, UnknownModelListsEveryFamilyAndSuggestsTheNearest) {
    const Outcome r = rooflens("analyze --model deit-smal --hw h100-sxm");
    EXPECT_EQ(r.exitCode, 2) << r.err;
    EXPECT_NE(r.err.find("did you mean deit-small?"), std::string::npos) << r.err;
    for (const char* family : {"llm: ", "vit: ", "gnn: "}) {
        EXPECT_NE(r.err.find(family), std::string::npos) << family << '\n' << r.err;
    }
    const Outcome llama = rooflens("analyze --model llama-2-7 --hw h100-sxm");
    EXPECT_NE(llama.err.find("did you mean llama-2-7b"), std::string::npos) << llama.err;
}

TEST(CliPipeline, UnsupportedModelTypeListsTheTypesAndTheWayForward) {
    const auto file = scratch() / "rwkv-config.json";
    std::ofstream(file) << R"({"model_type": "rwkv", "hidden_size": 64})";
    const Outcome r = rooflens("analyze --model " + file.string() + " --hw h100-sxm");
    EXPECT_EQ(r.exitCode, 2) << r.err;
    for (const char* fragment : {"rwkv-config.json: /model_type", "unsupported model_type", "llama",
                                 "deepseek_v3", "mamba", "preset"}) {
        EXPECT_NE(r.err.find(fragment), std::string::npos) << fragment << '\n' << r.err;
    }
}

// The kind of a fault decides the exit code, in every command alike.
TEST(CliPipeline, TheSameFaultExitsTheSameWayInEveryCommand) {
    struct Fault {
        const char* args;
        int code;
    };
    for (const Fault& f : {Fault{"--model llama-2-7b --hw h100-sxm --scenario no-such-scenario", 2},
                           Fault{"--model llama-2-7b --hw no-such-device", 2},
                           Fault{"--model llama-2-7b --hw h100-sxm --batch 0", 1},
                           Fault{"--model no-such-model --hw h100-sxm", 2}}) {
        for (const char* command : {"analyze", "compare", "sweep"}) {
            const Outcome r = rooflens(std::string(command) + ' ' + f.args);
            EXPECT_EQ(r.exitCode, f.code) << command << ' ' << f.args << '\n' << r.err;
            EXPECT_TRUE(r.out.empty());
        }
    }
}

TEST(CliPipeline, QuantizedCheckpointRunsWithItsOwnCompressionUnlessAScenarioIsNamed) {
    Outcome r = rooflens("analyze --model deepseek-v3 --hw h200-sxm --phase decode --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["settings"]["scenario"]["name"], "checkpoint: fp8 e4m3 w8a8 block 128x128");
    // FP8 with one fp32 scale per 128 x 128 block: 8 + 32 / 16384 bits on the quantized
    // matrices; the averaged weight bits sit just above that (the kept 16-bit modules).
    EXPECT_GT(doc["settings"]["scenario"]["weight_bits"].get<double>(), 8 + 32.0 / 16384);
    EXPECT_LT(doc["settings"]["scenario"]["weight_bits"].get<double>(), 8.1);
    bool noted = false;
    for (const auto& note : doc["notes"]) {
        noted |= note.get<std::string>().find("quantization_config") != std::string::npos;
    }
    EXPECT_TRUE(noted) << doc["notes"];
    r = rooflens(
        "analyze --model deepseek-v3 --hw h200-sxm --phase decode --scenario fp16 --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["settings"]["scenario"]["name"], "fp16");
    EXPECT_DOUBLE_EQ(doc["settings"]["scenario"]["weight_bits"].get<double>(), 16);
}

// A context past the model's positions is a warning; CSV and compare/sweep tables have no room
// for it, so it goes to stderr and stdout stays pure data.
TEST(CliPipeline, WarningsGoToStderrNotIntoData) {
    const Outcome csv = rooflens(
        "analyze --model llama-2-7b --hw h100-sxm --phase decode --context-len 8192 --format csv");
    ASSERT_EQ(csv.exitCode, 0) << csv.err;
    EXPECT_NE(csv.err.find("warning: context of 8192 tokens exceeds"), std::string::npos)
        << csv.err;
    EXPECT_EQ(csv.out.find("warning"), std::string::npos);
    std::istringstream lines(csv.out);
    std::string header;
    std::getline(lines, header);
    const auto fields = std::count(header.begin(), header.end(), ',');
    for (std::string line; std::getline(lines, line);) {
        EXPECT_EQ(std::count(line.begin(), line.end(), ','), fields) << line;
    }
    for (const char* command :
         {"compare --model llama-2-7b --hw h100-sxm --prompt-len 8000 --gen-len 300",
          "sweep --model llama-2-7b --hw h100-sxm --context-len 1024,8192"}) {
        const Outcome r = rooflens(command);
        ASSERT_EQ(r.exitCode, 0) << command << '\n' << r.err;
        EXPECT_NE(r.err.find("warning: context of"), std::string::npos) << command << r.err;
        EXPECT_EQ(r.out.find("warning"), std::string::npos) << command;
    }
    const Outcome json = rooflens(
        "compare --model llama-2-7b --hw h100-sxm --prompt-len 8000 --gen-len 300 --format json");
    ASSERT_EQ(json.exitCode, 0) << json.err;
    EXPECT_FALSE(nlohmann::json::parse(json.out)["warnings"].empty());
}

}  // namespace
}  // namespace rooflens
