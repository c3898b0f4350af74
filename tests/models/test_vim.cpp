// Vision Mamba (Vim, arXiv:2401.09417) against hand calculations from the official code
// (hustvl/Vim models_mamba.py, mamba_simple.py with bimamba_type "v2"): exact parameter counts,
// GEMM MACs, the FLOPs convention of the follow-up papers; R-MeeTo merging and plain pruning
// (arXiv:2412.12496): token counts per block, the scan cost they save, the matching cost; and
// Zero-TPrune (arXiv:2305.17328) on DeiT-S: token counts and the importance computation.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "core/workload.h"
#include "models/vit.h"
#include "models/workload_spec.h"

namespace rooflens::models {
namespace {

VitConfig preset(const std::string& id) {
    auto config = resolveVit(id);
    EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error().message);
    return config.ok() ? config.value() : VitConfig{};
}

core::Workload build(const std::string& id, const std::string& reduction = "", bool flash = false) {
    auto parsed = parseTokenReduction(reduction);
    EXPECT_TRUE(parsed.ok()) << reduction;
    VitOptions o;
    o.reduction = parsed.ok() ? parsed.value() : TokenReduction{};
    core::RunSettings s;
    s.batch = 1;
    s.flashAttention = flash;
    auto w = buildVit(preset(id), s, o);
    EXPECT_TRUE(w.ok()) << (w.ok() ? "" : w.error().message);
    return w.ok() ? w.value() : core::Workload{};
}

double macs(const core::Workload& w, std::string_view op = "") {
    double total = 0;
    for (const auto& layer : w.layers) {
        if (op.empty() || layer.op == op) {
            total += core::matrixMacs(layer, w) * layer.repeat;
        }
    }
    return total;
}

double ops(const core::Workload& w, std::string_view op, std::int32_t block = -2) {
    double total = 0;
    for (const auto& layer : w.layers) {
        if (layer.op == op && (block == -2 || layer.block == block)) {
            total += layer.ops * layer.repeat;
        }
    }
    return total;
}

// The rows (B x tokens) a block's layer `op` runs on.
double rows(const core::Workload& w, std::string_view op, std::int32_t block) {
    for (const auto& layer : w.layers) {
        if (layer.op == op && layer.block == block) {
            return layer.m;
        }
    }
    return -1;
}

// Per block (D, E = 2D, N = 16, K = 4, R = ceil(D/16)):
//   shared:        in_proj 2ED + out_proj ED                          = 3ED
//   per direction: conv1d EK + E, x_proj E(R + 2N), dt_proj RE + E, A_log EN, D E
//                  = E (K + 1 + R + 2N + R + 1 + N + 1) = E (2R + 3N + 7)   (K = 4)
//   RMSNorm:       D
// Vim-Ti (D 192, E 384, R 12): 3ED = 221,184; per direction 384 x 79 = 30,336, two: 60,672;
//   + 192 = 282,048 per block, x 24 = 6,769,152; patch conv 768 x 192 + 192 = 147,648; class
//   token 192; position embedding 197 x 192 = 37,824; final norm 192; head 192,000 + 1,000:
//   7,148,008 (paper Table 1: 7M).
// Vim-S (D 384, E 768, R 24): 884,736 + 2 x 768 x 103 (158,208) + 384 = 1,043,328 per block,
//   x 24 = 25,039,872; + 295,296 + 384 + 75,648 + 384 + 385,000 = 25,796,584 (paper: 26M).
// Vim-B (D 768, E 1536, R 48): 3,538,944 + 2 x 1536 x 151 (463,872) + 768 = 4,003,584 per
//   block, x 24 = 96,086,016; + 590,592 + 768 + 151,296 + 768 + 769,000 = 97,598,440 (98M).
TEST(Vim, ParameterCountsMatchTheHandDerivationAndThePaper) {
    struct Case {
        const char* id;
        double parameters;
        double paperMillions;
    };
    for (const Case& c :
         {Case{"vim-ti", 7148008, 7}, Case{"vim-s", 25796584, 26}, Case{"vim-b", 97598440, 98}}) {
        const VitConfig config = preset(c.id);
        EXPECT_EQ(config.arch, VitArch::vim) << c.id;
        EXPECT_EQ(config.dtRank, (config.embedDim + 15) / 16) << c.id;
        const auto counts = countVitParameters(config);
        EXPECT_DOUBLE_EQ(static_cast<double>(counts.total), c.parameters) << c.id;
        EXPECT_NEAR(static_cast<double>(counts.total) / 1e6, c.paperMillions, 0.5) << c.id;
        // The workload's weight inventory holds the same parameters, tensor by tensor.
        EXPECT_DOUBLE_EQ(build(c.id).model.parameters, c.parameters) << c.id;
    }
    // Vim-Ti's GEMM weights: patch 147,456 + 24 x (3ED 221,184 + 2 (16,896 + 4,608)) + head
    // 192,000 = 147,456 + 24 x 264,192 + 192,000 = 6,680,064.
    EXPECT_EQ(countVitParameters(preset("vim-ti")).linear, 6680064U);
}

// Vim-Ti GEMM MACs at 224 (T = 196 patches + 1 class token = 197), per block:
//   in_proj 197 x 192 x 768 = 29,048,832; out_proj 197 x 384 x 192 = 14,524,416;
//   x_proj 197 x 384 x 44 = 3,328,512 and dt_proj 197 x 12 x 384 = 907,776, each twice:
//   52,045,824; x 24 = 1,249,099,776; + patch 196 x 768 x 192 = 28,901,376 + head 192,000:
//   1,278,193,152.
// The FLOPs of the Vim follow-up tables (R-MeeTo's calc_flops.py: MACs, one scan direction,
// conv (T + K - 1) E K, scan 9 T E N + 2 T E) are: Vim-Ti 1,448,965,632 (1.45 G), Vim-S
// 5,076,593,664 (5.08 G), Vim-B 18,867,836,928 (18.87 G). Our workload has both directions, so
// that convention is our GEMM MACs less the backward x_proj/dt_proj plus the conv and scan
// terms; the check below derives it from the built layers.
TEST(Vim, MacsAndThePapersFlopsConvention) {
    const core::Workload ti = build("vim-ti");
    EXPECT_DOUBLE_EQ(macs(ti), 1278193152.0);
    EXPECT_DOUBLE_EQ(rows(ti, "in_proj", 0), 197);
    struct Case {
        const char* id;
        double flops;
    };
    for (const Case& c :
         {Case{"vim-ti", 1448965632}, Case{"vim-s", 5076593664}, Case{"vim-b", 18867836928}}) {
        const VitConfig config = preset(c.id);
        const core::Workload w = build(c.id);
        const double e = static_cast<double>(config.innerSize());
        const double t = 197;
        const double perBlock = (t + 3) * e * 4 + 9 * t * e * 16 + 2 * t * e;
        const double convention =
            macs(w) - macs(w, "x_proj_b") - macs(w, "dt_proj_b") + 24 * perBlock;
        EXPECT_DOUBLE_EQ(convention, c.flops) << c.id;
    }
}

// The shared SSM formulas (ssm_costs.h), Vim-S block 0 (T 197, E 768, N 16, K 4):
//   scan 197 x (7 x 768 x 16 + 11 x 768) = 197 x 94,464 = 18,609,408 OPs per direction;
//   conv 197 x 768 x (2 x 4 + 1 + 4) = 1,966,848; both directions are priced alike.
TEST(Vim, BlockLayersUseTheMambaCostFormulas) {
    const core::Workload w = build("vim-s");
    EXPECT_DOUBLE_EQ(ops(w, "ssm_scan", 0), 18609408.0);
    EXPECT_DOUBLE_EQ(ops(w, "ssm_scan_b", 0), 18609408.0);
    EXPECT_DOUBLE_EQ(ops(w, "conv1d", 0), 1966848.0);
    EXPECT_DOUBLE_EQ(ops(w, "conv1d_b", 0), 1966848.0);
    for (const auto& layer : w.layers) {
        if (layer.op == "ssm_scan") {
            EXPECT_EQ(layer.kind, core::LayerKind::ssm_scan);
            // A_log and D: (768 x 16 + 768) x 2 bytes; inputs x, dt, z, B, C.
            EXPECT_DOUBLE_EQ(layer.bytes.weights, (768 * 16 + 768) * 2.0);
            if (layer.block == 0) {
                EXPECT_DOUBLE_EQ(layer.bytes.activationsIn, 197 * (3 * 768 + 2 * 16) * 2.0);
            }
        }
    }
}

// R-MeeTo on Vim-S, r = 11 every 2 blocks (the paper's Vim-S setting): blocks 2, 4, ..., 22
// merge 11 tokens each before their mixer, so the blocks run on 197, 197, 186, 186, ..., 87,
// 87, 76, 76 tokens: 3,276 token-blocks instead of 24 x 197 = 4,728. The scans (two
// directions, 94,464 OPs per token each) fall from 4,728 x 188,928 = 893,251,584 OPs to
// 3,276 x 188,928 = 618,928,128 (-30.7%).
TEST(Vim, RmeetoMergeScheduleAndScanCost) {
    auto schedule = tokenSchedule(preset("vim-s"), 197, parseTokenReduction("rmeeto r=11").value());
    ASSERT_TRUE(schedule.ok()) << schedule.error().message;
    std::int64_t expected = 197;
    for (std::size_t i = 0; i < 24; ++i) {
        if (i > 0 && i % 2 == 0) {
            expected -= 11;
            EXPECT_EQ((*schedule)[i].merged, 11) << i;
        } else {
            EXPECT_EQ((*schedule)[i].merged, 0) << i;
        }
        EXPECT_EQ((*schedule)[i].attention, expected) << i;
    }
    EXPECT_EQ(schedule->back().attention, 76);

    const core::Workload base = build("vim-s");
    const core::Workload merged = build("vim-s", "rmeeto r=11 every=2");
    EXPECT_DOUBLE_EQ(ops(base, "ssm_scan") + ops(base, "ssm_scan_b"), 893251584.0);
    EXPECT_DOUBLE_EQ(ops(merged, "ssm_scan") + ops(merged, "ssm_scan_b"), 618928128.0);
    EXPECT_DOUBLE_EQ(rows(merged, "in_proj", 22), 76);
    // Matching at block 2: the 196 non-class tokens split into 98 + 98, scores 98 x 384 x 98 =
    // 3,687,936 MACs; the merge: 98 x 98 (row max) + 98 log2 98 (argsort) + hidden states and
    // residual scaled, scatter-added and divided (2 x 384 x (197 + 186 + 11) = 302,592) + the
    // ordered sort of 185 kept indices (185 log2 185); L2 norms 3 x 196 x 384 = 225,792.
    EXPECT_DOUBLE_EQ(macs(merged, "rmeeto_match"), 22271616.0);  // sum over the 11 merges
    for (const auto& layer : merged.layers) {
        if (layer.block == 2 && layer.op == "rmeeto_match") {
            EXPECT_DOUBLE_EQ(layer.m * layer.k * layer.n, 3687936.0);
        }
    }
    EXPECT_NEAR(ops(merged, "rmeeto_merge", 2),
                9604 + 98 * std::log2(98.0) + 302592 + 185 * std::log2(185.0), 1e-6);
    EXPECT_DOUBLE_EQ(ops(merged, "rmeeto_metric", 2), 225792.0);
    // GEMM MACs on the reduced schedule: sum over blocks of T (3ED + 2 E (R + 2N) + 2 R E) =
    // 3,276 x (884,736 + 86,016 + 36,864 = 1,007,616) = 3,300,950,016, + patch 57,802,752 +
    // head 384,000 + matching.
    EXPECT_DOUBLE_EQ(macs(merged), 3300950016.0 + 57802752.0 + 384000.0 + 22271616.0);
    // The weights are read in full whatever the token count.
    EXPECT_DOUBLE_EQ(merged.model.parameters, base.model.parameters);
}

// Plain pruning for comparison: the same matching and schedule, the matched tokens dropped
// (no scatter-add: 2 x 11 x 384 = 8,448 OPs fewer per merge block).
TEST(Vim, PlainPruningUsesTheSameScheduleWithoutTheMerge) {
    const core::Workload merged = build("vim-s", "rmeeto r=11 every=2");
    const core::Workload pruned = build("vim-s", "rmeeto r=11 every=2 prune");
    EXPECT_DOUBLE_EQ(ops(pruned, "ssm_scan"), ops(merged, "ssm_scan"));
    EXPECT_DOUBLE_EQ(macs(pruned, "prune_match"), macs(merged, "rmeeto_match"));
    EXPECT_NEAR(ops(merged, "rmeeto_merge", 2) - ops(pruned, "prune_drop", 2), 8448, 1e-6);
    EXPECT_DOUBLE_EQ(ops(pruned, "rmeeto_merge"), 0);
    // Vim-Ti r = 5: 11 merges leave 197 - 55 = 142 tokens.
    EXPECT_DOUBLE_EQ(rows(build("vim-ti", "rmeeto r=5 every=2"), "out_proj", 23), 142);
}

// Zero-TPrune on DeiT-S, keep 0.7 at blocks 3, 6, 9 with 5 WPR iterations: floor(196 x 0.7)
// = 137, floor(196 x 0.49) = 96, floor(196 x 0.343) = 67 patch tokens kept after the
// attention of blocks 3, 6, 9 (attention on 197, 138, 97 tokens; MLP on 138, 97, 68). The
// weighted PageRank costs iterations x heads x t^2 MACs: 5 x 6 x 197^2 = 1,164,270 at block 3,
// 5 x 6 x 138^2 = 571,320 at block 6 and 5 x 6 x 97^2 = 282,270 at block 9 (2,017,860 in all);
// its OPs add the head average (5 x 6 x t) and it reads the probabilities once (6 x 197^2 x 2
// bytes = 465,708 at block 3).
TEST(ZeroTPrune, DeitSmallScheduleAndImportanceCost) {
    const core::Workload w = build("deit-small", "zerotprune keep=0.7 at 3,6,9 iters=5");
    EXPECT_DOUBLE_EQ(rows(w, "qkv", 3), 197);
    EXPECT_DOUBLE_EQ(rows(w, "fc1", 3), 138);
    EXPECT_DOUBLE_EQ(rows(w, "qkv", 6), 138);
    EXPECT_DOUBLE_EQ(rows(w, "fc1", 6), 97);
    EXPECT_DOUBLE_EQ(rows(w, "fc1", 9), 68);
    EXPECT_DOUBLE_EQ(rows(w, "qkv", 11), 68);
    EXPECT_DOUBLE_EQ(macs(w, "zerotprune_wpr"), 2017860.0);
    EXPECT_DOUBLE_EQ(ops(w, "zerotprune_wpr", 3), 2 * 1164270.0 + 5 * 6 * 197);
    for (const auto& layer : w.layers) {
        if (layer.op == "zerotprune_wpr" && layer.block == 3) {
            EXPECT_DOUBLE_EQ(layer.bytes.activationsIn, 465708.0);
            EXPECT_EQ(layer.unit, core::ExecUnit::vector);
        }
    }
    // With FlashAttention the probabilities are recomputed from Q and K: + 6 x 197^2 x
    // (2 x 64 + 5) = 30,969,582 OPs; reads 2 x 197 x 384 x 2 = 302,592 bytes.
    const core::Workload flash = build("deit-small", "zerotprune keep=0.7 at 3,6,9 iters=5", true);
    EXPECT_DOUBLE_EQ(ops(flash, "zerotprune_wpr", 3), 2 * 1164270.0 + 5 * 6 * 197 + 30969582.0);
    // More iterations cost proportionally more: 10 iterations double the MACs.
    EXPECT_DOUBLE_EQ(
        macs(build("deit-small", "zerotprune keep=0.7 at 3,6,9 iters=10"), "zerotprune_wpr"),
        2 * 2017860.0);
}

TEST(TokenGrammar, RmeetoAndZeroTPruneRoundTrip) {
    auto r = parseTokenReduction("rmeeto r=16 every=2");
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->method, TokenMethod::rmeeto);
    EXPECT_EQ(r->mergeR, std::vector<std::int64_t>{16});
    EXPECT_EQ(r->interval, 2);
    EXPECT_FALSE(r->pruneOnly);
    EXPECT_EQ(formatTokenReduction(r.value()), "rmeeto r=16 every=2");
    auto p = parseTokenReduction("RMeeTo 8 every=3 prune");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_TRUE(p->pruneOnly);
    EXPECT_EQ(formatTokenReduction(p.value()), "rmeeto r=8 every=3 prune");
    auto z = parseTokenReduction("zerotprune keep=0.7 at 3,6,9 iters=5");
    ASSERT_TRUE(z.ok()) << z.error().message;
    EXPECT_EQ(z->method, TokenMethod::zeroTPrune);
    EXPECT_DOUBLE_EQ(z->keepRatio, 0.7);
    EXPECT_EQ(z->pruneLocations, (std::vector<std::int64_t>{3, 6, 9}));
    EXPECT_EQ(z->iterations, 5);
    const std::string text = formatTokenReduction(z.value());
    EXPECT_EQ(text, "zerotprune keep=0.7 at 3,6,9 iters=5");
    EXPECT_EQ(formatTokenReduction(parseTokenReduction(text).value()), text);
}

TEST(TokenGrammar, BadRmeetoAndZeroTPruneInputIsLocated) {
    struct Bad {
        const char* text;
        const char* fragment;
    };
    for (const Bad& bad : {Bad{"rmeeto every=2", "rmeeto needs r="},
                           Bad{"rmeeto r=4 foo=1", "unknown argument 'foo='"},
                           Bad{"rmeeto r=4,5", "expected one count"},
                           Bad{"zerotprune at=3,6", "zerotprune needs keep="},
                           Bad{"zerotprune keep=x", "zerotprune keep: expected numbers"},
                           Bad{"zerotprune keep=0.5 iters=1.5", "non-negative integers"}}) {
        auto r = parseTokenReduction(bad.text);
        ASSERT_FALSE(r.ok()) << bad.text;
        EXPECT_NE(r.error().message.find(bad.fragment), std::string::npos)
            << bad.text << ": " << r.error().message;
    }
    // Valid grammar, wrong model or value: the schedule says why.
    struct Wrong {
        const char* model;
        const char* text;
        const char* fragment;
    };
    for (const Wrong& w :
         {Wrong{"deit-small", "rmeeto r=8", "R-MeeTo is modelled for Vision Mamba"},
          Wrong{"vim-s", "tome 8", "has no attention"},
          Wrong{"vim-s", "zerotprune keep=0.7", "has no attention"},
          Wrong{"vim-s", "rmeeto r=8 every=0", "every must be an integer in [1, 24]"},
          Wrong{"deit-small", "zerotprune keep=1.5", "keep ratio must be in (0, 1]"},
          Wrong{"deit-small", "zerotprune keep=0.7 at 6,3", "must increase within [0, 11]"},
          Wrong{"deit-small", "zerotprune keep=0.7 iters=0", "iters must be an integer"}}) {
        auto reduction = parseTokenReduction(w.text);
        ASSERT_TRUE(reduction.ok()) << w.text;
        auto s = tokenSchedule(preset(w.model), 197, reduction.value());
        ASSERT_FALSE(s.ok()) << w.model << " " << w.text;
        EXPECT_NE(s.error().message.find(w.fragment), std::string::npos)
            << w.text << ": " << s.error().message;
    }
}

// The same pipeline as the ViTs: the family is found from the preset list and the builder takes
// the token reduction from the spec.
TEST(Vim, BindsThroughTheWorkloadSpecPipeline) {
    for (const char* id : {"vim-ti", "vim-s", "vim-b"}) {
        auto family = familyOf(id);
        ASSERT_TRUE(family.ok()) << id;
        EXPECT_EQ(family.value(), ModelFamily::vit);
    }
    WorkloadSpec spec;
    spec.family = ModelFamily::vit;
    spec.model = "vim-s";
    spec.tokenReduction = "rmeeto r=11 every=2";
    auto builder = bindWorkload(spec);
    ASSERT_TRUE(builder.ok()) << builder.error().message;
    core::RunSettings s;
    s.batch = 2;
    auto w = builder.value()->build(s, {});
    ASSERT_TRUE(w.ok()) << w.error().message;
    EXPECT_DOUBLE_EQ(rows(w.value(), "in_proj", 23), 2 * 76);
    EXPECT_EQ(builder.value()->tokenReductionLabel("rmeeto r=11 every=2"),
              "R-MeeTo merge r=11 every 2 blocks");
}

TEST(Vim, BadConfigFieldsAreLocated) {
    const core::Json base = {{"schema_version", 1}, {"model_type", "vim"}, {"image_size", 224},
                             {"patch_size", 16},    {"embed_dim", 192},    {"depth", 24}};
    struct Bad {
        const char* key;
        core::Json value;
        const char* fragment;
    };
    for (const Bad& bad :
         {Bad{"d_state", 0, "/d_state"}, Bad{"expand", "two", "/expand"},
          Bad{"num_heads", 3, "not a Vision Mamba field"},
          Bad{"class_token", false, "middle class token"}, Bad{"dt_rank", -1, "/dt_rank"}}) {
        core::Json doc = base;
        doc[bad.key] = bad.value;
        auto c = parseVitConfig(doc, "bad-vim.json", "bad-vim");
        ASSERT_FALSE(c.ok()) << bad.key;
        EXPECT_NE(c.error().message.find(bad.fragment), std::string::npos) << c.error().message;
        EXPECT_NE(c.error().message.find("bad-vim.json"), std::string::npos) << c.error().message;
    }
    auto ok = parseVitConfig(base, "vim.json", "vim");
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->dtRank, 12);  // ceil(192 / 16)
    EXPECT_EQ(ok->innerSize(), 384);
}

}  // namespace
}  // namespace rooflens::models
