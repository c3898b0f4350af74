// The `rooflens` executable with ViT and GNN models: analyze options for image size, token
// reduction, graphs (built-in and imported) and GNN layers; exit codes and messages for bad
// input; `models list` / `models show` for the vision presets.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "test_support/cli_process.h"

namespace {

namespace fs = std::filesystem;
using rooflens::testing::Outcome;
using rooflens::testing::rooflens;
using rooflens::testing::scratch;
using rooflens::testing::slurp;

nlohmann::json report(const std::string& args) {
    const Outcome r = rooflens("analyze " + args + " --format json");
    EXPECT_EQ(r.exitCode, 0) << args << ": " << r.err;
    return r.exitCode == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
}

// A warning or a note containing `fragment`.
bool hasWarning(const nlohmann::json& doc, const std::string& fragment) {
    for (const char* list : {"warnings", "notes"}) {
        for (const auto& message : doc[list]) {
            if (message.get<std::string>().find(fragment) != std::string::npos) {
                return true;
            }
        }
    }
    return false;
}

std::string data(const std::string& relative) {
    return "'" + (fs::path(ROOFLENS_TEST_DATA_DIR) / relative).string() + "'";
}

TEST(CliVit, DeitSmallBatch64ReportsGmacs) {
    const auto doc = report("--model deit-small --image-size 224 --batch 64 --hw h100-sxm");
    EXPECT_EQ(doc["model"]["id"], "deit-small");
    EXPECT_EQ(doc["model"]["family"], "vit");
    // 64 images x 4,598,882,304 MACs (DeiT-S by hand, tests/models/test_vit_builder.cpp).
    EXPECT_DOUBLE_EQ(doc["totals"]["macs"].get<double>(), 64 * 4598882304.0);
    EXPECT_DOUBLE_EQ(doc["model"]["parameters"].get<double>(), 22050664.0);
    EXPECT_EQ(doc["settings"]["batch"], 64);
}

TEST(CliVit, TableShowsMacsBesideOps) {
    const Outcome r = rooflens("analyze --model swin-tiny --hw a100-80gb-sxm");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    EXPECT_NE(r.out.find("total OPs"), std::string::npos);
    EXPECT_NE(r.out.find("matrix MACs: 4.49 GMAC"), std::string::npos) << r.out;  // formulas 1.2
}

TEST(CliVit, TokenReductionSummaryComparesWithTheBaseline) {
    const auto doc = report("--model vit-base-16 --tome-r 16 --hw h100-sxm");
    // ToMe r=16 on ViT-B/16: 17.56 -> 8.77 GMACs (formulas.md 1.3 derives 8.78).
    EXPECT_TRUE(hasWarning(doc, "token reduction (ToMe r=16): MACs -50.0% (17.56 -> 8.77 GMACs)"))
        << doc["warnings"].dump();
    EXPECT_TRUE(hasWarning(doc, "on NVIDIA H100")) << doc["warnings"].dump();
    EXPECT_TRUE(hasWarning(doc, "of the MAC cut turns into time"));
    const auto pruned = report("--model deit-small --dynamicvit-keep 0.7 --hw a100-80gb-sxm");
    // 2.98 GMACs with the predictor (formulas.md 1.3) against 4.60.
    EXPECT_TRUE(hasWarning(pruned, "(4.60 -> 2.98 GMACs)")) << pruned["warnings"].dump();
    const auto listed = report(
        "--model deit-tiny --token-schedule "
        "197,197,197,150,150,150,100,100,100,50,50,50 --hw l40s");
    EXPECT_TRUE(hasWarning(listed, "token reduction (token schedule 197,197"));
    const auto diff = report("--model deit-small --diffrate 0:0.05 --hw l40s");
    EXPECT_TRUE(hasWarning(diff, "DiffRate"));
}

TEST(CliVit, FlashAttentionAndImageSize) {
    const auto doc = report("--model deit-base --image-size 384 --flash-attention --hw h100-sxm");
    EXPECT_EQ(doc["settings"]["prompt_len"], 577);  // (384 / 16)^2 + 1 tokens per image
    bool fused = false;
    for (const auto& layer : doc["layers"]) {
        fused |= layer["kind"] == "attention";
    }
    EXPECT_TRUE(fused);
    EXPECT_TRUE(hasWarning(doc, "position embeddings are interpolated"));
}

TEST(CliVit, ConfigFileIsAccepted) {
    const auto doc = report("--model " + data("vit/tiny-vit.json") + " --hw l40s");
    EXPECT_EQ(doc["model"]["id"], "tiny-vit");
    EXPECT_EQ(doc["model"]["family"], "vit");
}

TEST(CliGnn, GcnOnOgbnProducts) {
    const auto doc = report(
        "--model gcn --graph ogbn-products --hidden 256 --layers 2 "
        "--hw h100-sxm");
    EXPECT_EQ(doc["model"]["id"], "gcn-ogbn-products");
    EXPECT_EQ(doc["model"]["family"], "gnn");
    // Layer 0 (100 -> 256) aggregates first, layer 1 (256 -> 47) transforms first.
    std::vector<std::string> names;
    for (const auto& layer : doc["layers"]) {
        names.push_back(layer["name"]);
    }
    ASSERT_GE(names.size(), 5U);
    EXPECT_EQ(names[0], "blocks.0.aggregate");
    EXPECT_EQ(names[1], "blocks.0.combine");
    EXPECT_EQ(names[3], "blocks.1.combine");
    EXPECT_EQ(names[4], "blocks.1.aggregate");
    EXPECT_TRUE(hasWarning(doc, "layer 0 (100 -> 256): aggregate before combine"));
    EXPECT_EQ(doc["layers"][0]["bound"], "memory");
    EXPECT_EQ(doc["layers"][0]["unit"], "vector");
}

TEST(CliGnn, EveryModelAndOption) {
    for (const char* args : {"--model gat --graph cora --hidden 64 --heads 8",
                             "--model graphsage --graph reddit --fanout 25,10 --sample-batch 512",
                             "--model graphsage --graph pubmed --aggregator pool",
                             "--model gin --graph citeseer --hidden 64 --gnn-order combine-first",
                             "--model gcn --graph ogbn-arxiv --block-circulant 16",
                             "--model sage --graph cora --gnn-dtype fp16"}) {
        const auto doc = report(std::string(args) + " --hw a100-80gb-sxm");
        EXPECT_FALSE(doc["layers"].empty()) << args;
    }
    const auto fft = report("--model gcn --graph cora --block-circulant 16 --hw a100-80gb-sxm");
    bool hasFft = false;
    for (const auto& layer : fft["layers"]) {
        hasFft |= layer["kind"] == "fft";
    }
    EXPECT_TRUE(hasFft);
}

TEST(CliGnn, ImportedGraphs) {
    auto doc = report("--model gcn --graph " + data("graphs/small.txt") +
                      " --features 16 --classes 2 --hw h100-sxm");
    EXPECT_EQ(doc["model"]["id"], "gcn-small.txt");
    doc = report("--model gcn --graph " + data("graphs/symmetric.mtx") +
                 " --features 8 --classes 3 --hw h100-sxm");
    EXPECT_EQ(doc["model"]["id"], "gcn-symmetric.mtx");
}

struct BadArgs {
    const char* args;
    int exitCode;
    const char* fragment;  // expected on stderr
};

class CliVitGnnBadInput : public ::testing::TestWithParam<BadArgs> {};

TEST_P(CliVitGnnBadInput, FailsWithMessage) {
    const BadArgs b = GetParam();
    std::string args = b.args;
    const auto at = args.find("@DATA@");
    if (at != std::string::npos) {
        args.replace(at, 6, std::string(ROOFLENS_TEST_DATA_DIR));
    }
    const Outcome r = rooflens(args);
    EXPECT_EQ(r.exitCode, b.exitCode) << args << "\n" << r.err;
    EXPECT_NE(r.err.find(b.fragment), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CliVitGnnBadInput,
    ::testing::Values(
        BadArgs{"analyze --model deit-small --hw l40s --image-size 225", 1,
                "multiple of the patch size 16"},
        BadArgs{"analyze --model deit-small --hw l40s --tome-r x", 1,
                "--tome-r: expected non-negative integers"},
        BadArgs{"analyze --model deit-small --hw l40s --tome-r 8 --dynamicvit-keep 0.7", 1,
                "choose one token reduction"},
        BadArgs{"analyze --model swin-tiny --hw l40s --tome-r 8", 1, "not for Swin"},
        BadArgs{"analyze --model deit-small --hw l40s --phase decode", 1, "phase prefill"},
        BadArgs{"analyze --model deit-small --hw l40s --diffrate 0.3", 1, "PRUNE:MERGE"},
        BadArgs{"analyze --model @DATA@/vit/bad/heads-not-dividing.json --hw l40s", 2,
                "heads-not-dividing.json: /num_heads: embed_dim 64 is not divisible by 5"},
        BadArgs{"analyze --model gcn --hw l40s", 1, "--graph is required"},
        BadArgs{"analyze --model gcn --graph cora2 --hw l40s", 2, "unknown graph \"cora2\""},
        BadArgs{"analyze --model gcn --graph @DATA@/graphs/bad/letters.txt --hw l40s", 2,
                "letters.txt:2: expected two non-negative integer node ids, got 'a b'"},
        BadArgs{"analyze --model gcn --graph @DATA@/graphs/small.txt --hw l40s", 1, "--features"},
        BadArgs{"analyze --model gcn --graph cora --fanout 25 --hw l40s", 1,
                "one value per layer (2), got 1"},
        BadArgs{"analyze --model gcn --graph cora --fanout 25,x --hw l40s", 1, "--fanout"},
        BadArgs{"analyze --model gcn --graph cora --aggregator pool --hw l40s", 1,
                "graphsage only"},
        BadArgs{"analyze --model gcn --graph cora --block-circulant 12 --hw l40s", 1,
                "power of two"},
        BadArgs{"analyze --model gcn --graph cora --batch 4 --hw l40s", 1, "--sample-batch"}));

TEST(CliVitGnn, ModelsListAndShow) {
    Outcome r = rooflens("models list");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    for (const char* id : {"deit-tiny", "deit-small", "deit-base", "vit-base-16", "vit-large-16",
                           "vit-huge-14", "swin-tiny", "swin-small", "swin-base", "gcn",
                           "graphsage", "gat", "gin", "ogbn-products"}) {
        EXPECT_NE(r.out.find(id), std::string::npos) << id;
    }
    r = rooflens("models list --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    int vit = 0;
    for (const auto& entry : nlohmann::json::parse(r.out)) {
        vit += entry.value("family", "") == "vit" ? 1 : 0;
    }
    EXPECT_EQ(vit, 12);  // 9 ViT/DeiT/Swin + vim-ti, vim-s, vim-b
    r = rooflens("models show deit-small --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    const auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["parameters"], 22050664);  // timm deit_small_patch16_224
    EXPECT_EQ(doc["tokens"], 197);
}

// Vision Mamba through the ViT pipeline: models list, analyze and --token-reduction.
TEST(CliVim, ListAnalyzeAndRmeeto) {
    Outcome r = rooflens("models list --format json");
    ASSERT_EQ(r.exitCode, 0) << r.err;
    bool listed = false;
    for (const auto& entry : nlohmann::json::parse(r.out)) {
        if (entry["id"] == "vim-ti") {
            listed = true;
            EXPECT_EQ(entry["model_type"], "vim");
            EXPECT_EQ(entry["parameters"], 7148008);  // tests/models/test_vim.cpp
        }
    }
    EXPECT_TRUE(listed);
    const auto doc = report("--model vim-ti --hw h100-sxm --batch 8");
    EXPECT_EQ(doc["model"]["family"], "vit");
    EXPECT_DOUBLE_EQ(doc["totals"]["macs"].get<double>(), 8 * 1278193152.0);
    EXPECT_DOUBLE_EQ(doc["model"]["parameters"].get<double>(), 7148008.0);
    // Vim-S 4,822,195,200 GEMM MACs; R-MeeTo r=11 every 2: 3,381,408,384 with the matching
    // (tests/models/test_vim.cpp): -29.9%.
    const auto merged =
        report("--model vim-s --hw h100-sxm --token-reduction 'rmeeto r=11 every=2'");
    EXPECT_TRUE(hasWarning(merged,
                           "token reduction (R-MeeTo merge r=11 every 2 blocks): MACs "
                           "-29.9% (4.82 -> 3.38 GMACs)"))
        << merged["warnings"].dump();
    const auto zero = report(
        "--model deit-small --hw h100-sxm --token-reduction 'zerotprune keep=0.7 at 3,6,9 "
        "iters=5'");
    EXPECT_TRUE(hasWarning(zero, "Zero-TPrune keep=0.7 at blocks 3,6,9"))
        << zero["warnings"].dump();
    const Outcome bad = rooflens("analyze --model vim-s --hw h100-sxm --tome-r 8");
    EXPECT_EQ(bad.exitCode, 1);
    EXPECT_NE(bad.err.find("has no attention"), std::string::npos) << bad.err;
    const Outcome both =
        rooflens("analyze --model vim-s --hw h100-sxm --tome-r 8 --token-reduction 'rmeeto r=8'");
    EXPECT_EQ(both.exitCode, 1);
    EXPECT_NE(both.err.find("choose one token reduction"), std::string::npos) << both.err;
}

TEST(CliVitGnn, HelpListsTheFamilyOptions) {
    const Outcome r = rooflens("analyze --help");
    ASSERT_EQ(r.exitCode, 0);
    for (const char* option :
         {"--image-size", "--tome-r", "--dynamicvit-keep", "--diffrate", "--token-reduction",
          "--token-schedule", "--graph", "--fanout", "--block-circulant"}) {
        EXPECT_NE(r.out.find(option), std::string::npos) << option;
    }
}

}  // namespace
