// Token reduction schedules (formulas.md 1.3, docs/vit.md): explicit counts, DynamicViT, ToMe,
// DiffRate, Zero-TPrune (ViT) and R-MeeTo (Vim); and the comparison of a reduced workload with its
// baseline on a device.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/analysis.h"
#include "models/vit.h"

namespace rooflens::models {

namespace {

// Guards floor(n * rate) against rates like 0.7^2 = 0.48999999999999994 being slightly off: the
// reference implementations compute int(n * rate) in double precision, which we reproduce, but
// a hand-written 0.49 must give the same count.
constexpr double kFloorSlack = 1e-9;

std::int64_t floorCount(double n, double rate) {
    return static_cast<std::int64_t>(std::floor(n * rate + kFloorSlack));
}

std::string joinInts(const std::vector<std::int64_t>& values) {
    std::string out;
    for (auto v : values) {
        out += out.empty() ? "" : ",";
        out += std::to_string(v);
    }
    return out;
}

std::string formatRate(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return text;
}

template <typename T>
core::Result<std::vector<T>> perBlock(const std::vector<T>& values, std::int64_t depth,
                                      const char* what) {
    if (values.size() == 1) {
        return std::vector<T>(static_cast<std::size_t>(depth), values.front());
    }
    if (values.size() != static_cast<std::size_t>(depth)) {
        return core::usageError(std::string(what) + ": expected 1 or " + std::to_string(depth) +
                                " values (one per block), got " + std::to_string(values.size()));
    }
    return values;
}

core::Result<std::vector<BlockTokens>> explicitSchedule(const VitConfig& c, std::int64_t tokens,
                                                        const TokenReduction& r) {
    if (r.tokens.size() != static_cast<std::size_t>(c.depth)) {
        return core::usageError("token schedule: expected " + std::to_string(c.depth) +
                                " counts (tokens entering each block), got " +
                                std::to_string(r.tokens.size()));
    }
    std::vector<BlockTokens> blocks(r.tokens.size());
    std::int64_t current = tokens;
    const std::int64_t minimum = std::max<std::int64_t>(1, c.protectedTokens());
    for (std::size_t i = 0; i < r.tokens.size(); ++i) {
        const std::int64_t t = r.tokens[i];
        if (t < minimum || t > current) {
            return core::usageError("token schedule: block " + std::to_string(i) + ": expected " +
                                    std::to_string(minimum) + " to " + std::to_string(current) +
                                    " tokens (never more than the block before), got " +
                                    std::to_string(t));
        }
        blocks[i].attention = blocks[i].mlp = t;
        blocks[i].keptBefore = t < current ? t : 0;
        current = t;
    }
    return blocks;
}

core::Result<std::vector<BlockTokens>> dynamicVitSchedule(const VitConfig& c, std::int64_t tokens,
                                                          const TokenReduction& r) {
    if (!(r.keepRatio > 0 && r.keepRatio <= 1)) {
        return core::usageError("DynamicViT: keep ratio must be in (0, 1], got " +
                                formatRate(r.keepRatio));
    }
    std::vector<BlockTokens> blocks(static_cast<std::size_t>(c.depth));
    const std::int64_t prot = c.protectedTokens();
    const std::int64_t patches = tokens - prot;
    std::int64_t current = patches;
    std::int64_t previous = -1;
    for (std::size_t i = 0; i < r.pruneLocations.size(); ++i) {
        const std::int64_t loc = r.pruneLocations[i];
        if (loc <= previous || loc < 0 || loc >= c.depth) {
            return core::usageError("DynamicViT: pruning locations must increase within [0, " +
                                    std::to_string(c.depth - 1) + "], got " +
                                    joinInts(r.pruneLocations));
        }
        previous = loc;
        const auto kept = floorCount(static_cast<double>(patches),
                                     std::pow(r.keepRatio, static_cast<double>(i + 1)));
        if (kept < 1) {
            return core::usageError("DynamicViT: keep ratio " + formatRate(r.keepRatio) +
                                    " leaves no patch token at block " + std::to_string(loc));
        }
        BlockTokens& b = blocks[static_cast<std::size_t>(loc)];
        b.predictorTokens = current;
        b.keptBefore = kept + prot;
        current = kept;
    }
    current = patches;
    for (auto& b : blocks) {
        if (b.predictorTokens > 0) {
            current = b.keptBefore - prot;
        }
        b.attention = b.mlp = current + prot;
    }
    return blocks;
}

core::Result<std::vector<BlockTokens>> tomeSchedule(const VitConfig& c, std::int64_t tokens,
                                                    const TokenReduction& r) {
    auto merges = perBlock(r.mergeR, c.depth, "ToMe r");
    if (!merges) {
        return merges.error();
    }
    std::vector<BlockTokens> blocks(merges->size());
    std::int64_t current = tokens;
    const std::int64_t prot = c.protectedTokens();
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const std::int64_t want = (*merges)[i];
        if (want < 0) {
            return core::usageError("ToMe r: block " + std::to_string(i) +
                                    ": expected a count >= 0, got " + std::to_string(want));
        }
        // merge.py: r = min(r, (t - protected) // 2), protected = class (+ distillation) tokens.
        const std::int64_t merged = std::min(want, (current - prot) / 2);
        blocks[i].attention = current;
        blocks[i].merged = merged;
        blocks[i].mlp = current - merged;
        current -= merged;
    }
    return blocks;
}

core::Result<std::vector<BlockTokens>> diffRateSchedule(const VitConfig& c, std::int64_t tokens,
                                                        const TokenReduction& r) {
    auto prune = perBlock(r.pruneRate, c.depth, "DiffRate prune rate");
    auto merge = perBlock(r.mergeRate, c.depth, "DiffRate merge rate");
    if (!prune || !merge) {
        return !prune ? prune.error() : merge.error();
    }
    std::vector<BlockTokens> blocks(prune->size());
    std::int64_t current = tokens;
    const std::int64_t prot = c.protectedTokens();
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const double p = (*prune)[i];
        const double m = (*merge)[i];
        if (!(p >= 0 && m >= p && m < 1)) {
            return core::usageError("DiffRate: block " + std::to_string(i) +
                                    ": expected 0 <= prune rate <= merge rate < 1, got " +
                                    formatRate(p) + ":" + formatRate(m));
        }
        const double patches = static_cast<double>(current - prot);
        const std::int64_t pruned = floorCount(patches, p);
        const std::int64_t removed = floorCount(patches, m);
        blocks[i].attention = current;
        blocks[i].pruned = pruned;
        blocks[i].merged = removed - pruned;
        blocks[i].mlp = current - removed;
        current -= removed;
    }
    return blocks;
}

// Zero-TPrune (arXiv:2305.17328): at location i the attention of the block runs on all tokens,
// then floor(N rho^(i+1)) patch tokens are kept for its MLP and the blocks after it (the
// DynamicViT rule for the counts, so "keep 0.7 at 3,6,9" gives 137, 96, 67 patch tokens of 196).
core::Result<std::vector<BlockTokens>> zeroTPruneSchedule(const VitConfig& c, std::int64_t tokens,
                                                          const TokenReduction& r) {
    if (!(r.keepRatio > 0 && r.keepRatio <= 1)) {
        return core::usageError("Zero-TPrune: keep ratio must be in (0, 1], got " +
                                formatRate(r.keepRatio));
    }
    if (r.iterations < 1 || r.iterations > 1000) {
        return core::usageError("Zero-TPrune: iters must be an integer in [1, 1000], got " +
                                std::to_string(r.iterations));
    }
    const std::int64_t prot = c.protectedTokens();
    const std::int64_t patches = tokens - prot;
    std::vector<BlockTokens> blocks(static_cast<std::size_t>(c.depth));
    std::int64_t previous = -1;
    std::int64_t current = patches;
    std::size_t next = 0;
    for (std::size_t i = 0; i < r.pruneLocations.size(); ++i) {
        const std::int64_t loc = r.pruneLocations[i];
        if (loc <= previous || loc < 0 || loc >= c.depth) {
            return core::usageError("Zero-TPrune: pruning locations must increase within [0, " +
                                    std::to_string(c.depth - 1) + "], got " +
                                    joinInts(r.pruneLocations));
        }
        previous = loc;
    }
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        blocks[b].attention = current + prot;
        if (next < r.pruneLocations.size() &&
            r.pruneLocations[next] == static_cast<std::int64_t>(b)) {
            const auto kept = floorCount(static_cast<double>(patches),
                                         std::pow(r.keepRatio, static_cast<double>(next + 1)));
            if (kept < 1) {
                return core::usageError("Zero-TPrune: keep ratio " + formatRate(r.keepRatio) +
                                        " leaves no patch token at block " + std::to_string(b));
            }
            blocks[b].pruned = current - kept;
            current = kept;
            ++next;
        }
        blocks[b].mlp = current + prot;
    }
    return blocks;
}

// R-MeeTo (arXiv:2412.12496, RMeeTo_vim.py): blocks i > 0 with i % interval == 0 merge (or
// prune) r_i = min(r, floor((T_i - 1) / 2)) tokens before their mixer; the class token stays.
core::Result<std::vector<BlockTokens>> rmeetoSchedule(const VitConfig& c, std::int64_t tokens,
                                                      const TokenReduction& r) {
    if (r.mergeR.size() != 1) {
        return core::usageError("R-MeeTo: expected one r (tokens per merging block), got " +
                                std::to_string(r.mergeR.size()) + " values");
    }
    if (r.interval < 1 || r.interval > c.depth) {
        return core::usageError("R-MeeTo: every must be an integer in [1, " +
                                std::to_string(c.depth) + "] (blocks between merges), got " +
                                std::to_string(r.interval));
    }
    const std::int64_t want = r.mergeR.front();
    const std::int64_t prot = c.protectedTokens();
    std::vector<BlockTokens> blocks(static_cast<std::size_t>(c.depth));
    std::int64_t current = tokens;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const auto index = static_cast<std::int64_t>(i);
        std::int64_t removed = 0;
        if (index > 0 && index % r.interval == 0) {
            removed = std::min(want, (current - prot) / 2);
        }
        (r.pruneOnly ? blocks[i].pruned : blocks[i].merged) = removed;
        current -= removed;
        blocks[i].attention = blocks[i].mlp = current;
        blocks[i].keptBefore = removed > 0 ? current : 0;
    }
    return blocks;
}

}  // namespace

std::string describe(const TokenReduction& r) {
    switch (r.method) {
        case TokenMethod::none:
            return "none";
        case TokenMethod::schedule:
            return "token schedule " + joinInts(r.tokens);
        case TokenMethod::dynamicVit:
            return "DynamicViT rho=" + formatRate(r.keepRatio) + " at blocks " +
                   joinInts(r.pruneLocations);
        case TokenMethod::tome:
            return "ToMe r=" + joinInts(r.mergeR);
        case TokenMethod::diffRate: {
            std::string rates;
            for (std::size_t i = 0; i < r.pruneRate.size() && i < r.mergeRate.size(); ++i) {
                rates += rates.empty() ? "" : ",";
                rates += formatRate(r.pruneRate[i]) + ":" + formatRate(r.mergeRate[i]);
            }
            return "DiffRate prune:merge=" + rates;
        }
        case TokenMethod::rmeeto:
            return std::string(r.pruneOnly ? "token pruning (R-MeeTo matching, no merge)"
                                           : "R-MeeTo merge") +
                   " r=" + joinInts(r.mergeR) + " every " + std::to_string(r.interval) + " blocks";
        case TokenMethod::zeroTPrune:
            return "Zero-TPrune keep=" + formatRate(r.keepRatio) + " at blocks " +
                   joinInts(r.pruneLocations) + ", " + std::to_string(r.iterations) +
                   " WPR iterations";
    }
    return "?";
}

core::Result<std::vector<BlockTokens>> tokenSchedule(const VitConfig& config, std::int64_t tokens,
                                                     const TokenReduction& reduction) {
    const bool vimMethod = reduction.method == TokenMethod::rmeeto;
    const bool anyArch =
        reduction.method == TokenMethod::none || reduction.method == TokenMethod::schedule;
    if (config.arch == VitArch::vim && !vimMethod && !anyArch) {
        return core::usageError(
            "a Vision Mamba (" + config.id +
            ") has no attention: its token reductions are rmeeto (merge or prune) and schedule, "
            "not " +
            describe(reduction));
    }
    if (config.arch == VitArch::vit && vimMethod) {
        return core::usageError(
            "R-MeeTo is modelled for Vision Mamba (vim-ti, vim-s, vim-b); for " + config.id +
            " use tome");
    }
    if (config.arch == VitArch::swin && !(reduction.method == TokenMethod::none)) {
        return core::usageError("token reduction is modelled for ViT/DeiT and Vim, not for " +
                                config.modelType + " (" + config.id + ")");
    }
    switch (reduction.method) {
        case TokenMethod::none: {
            std::vector<BlockTokens> blocks(static_cast<std::size_t>(config.depth));
            for (auto& b : blocks) {
                b.attention = b.mlp = tokens;
            }
            return blocks;
        }
        case TokenMethod::schedule:
            return explicitSchedule(config, tokens, reduction);
        case TokenMethod::dynamicVit:
            return dynamicVitSchedule(config, tokens, reduction);
        case TokenMethod::tome:
            return tomeSchedule(config, tokens, reduction);
        case TokenMethod::diffRate:
            return diffRateSchedule(config, tokens, reduction);
        case TokenMethod::rmeeto:
            return rmeetoSchedule(config, tokens, reduction);
        case TokenMethod::zeroTPrune:
            return zeroTPruneSchedule(config, tokens, reduction);
    }
    return core::usageError("unknown token reduction method");
}

ReductionEffect measureTokenReduction(const core::Workload& reduced, const core::Workload& baseline,
                                      const core::Hardware& hw) {
    const core::Report a = core::analyze(reduced, hw);
    const core::Report b = core::analyze(baseline, hw);
    ReductionEffect effect;
    effect.reducedMacs = a.totals.macs;
    effect.reducedSeconds = a.totals.timeSeconds;
    effect.baselineMacs = b.totals.macs;
    effect.baselineSeconds = b.totals.timeSeconds;
    return effect;
}

}  // namespace rooflens::models
