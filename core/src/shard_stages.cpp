// Pipeline stages: contiguous blocks balanced by time, the sends between stages, and each
// stage's per-rank memory footprint.
#include <algorithm>
#include <cmath>

#include "core/analysis.h"
#include "shard_stages.h"

namespace rooflens::core {

namespace {

// Blocks a layer covers: a collapsed run of identical blocks covers `repeat` of them.
std::int32_t blocksCovered(const Layer& l) {
    return l.block < 0 ? 0 : static_cast<std::int32_t>(std::max<std::uint32_t>(1, l.repeat));
}

// Weight bytes per block (one instance), the embedding's and the head's beside. Stages are
// balanced by them: the time of weight-bound decode steps and of GEMM-bound prefill both follow
// the weights, and the stages stay the same in every pass of a request (a balance by one pass's
// time would move blocks between the prefill and the decode steps).
struct BlockTimes {
    std::vector<double> block;
    double before = 0;  // embedding
    double after = 0;   // final norm, lm_head
};

BlockTimes blockWeights(const Workload& rank) {
    BlockTimes t;
    t.block.assign(static_cast<std::size_t>(std::max(0, rank.model.blocks)), 0.0);
    auto add = [&](std::int32_t block, std::int32_t count, double bytes, bool before) {
        if (block < 0) {
            (before ? t.before : t.after) += bytes;
            return;
        }
        for (std::int32_t b = block; b < block + count; ++b) {
            if (b < static_cast<std::int32_t>(t.block.size())) {
                t.block[static_cast<std::size_t>(b)] += bytes;
            }
        }
    };
    // An embedding table is gathered row by row, not read: it weighs nothing in the balance.
    auto gathered = [](std::string_view op) {
        return op == "embed_tokens" || op == "embed_positions";
    };
    if (!rank.weightTensors.empty()) {
        for (const WeightTensor& w : rank.weightTensors) {
            if (w.block >= 0 && w.block < static_cast<std::int32_t>(t.block.size())) {
                t.block[static_cast<std::size_t>(w.block)] += w.bytes();  // the common case
                continue;
            }
            add(w.block, 1, gathered(w.op) ? 0 : w.bytes(), gathered(w.op));
        }
        return t;
    }
    bool seenBlock = false;
    for (const Layer& l : rank.layers) {
        seenBlock |= l.block >= 0;
        add(l.block, blocksCovered(l), gathered(l.op) ? 0 : l.bytes.weights, !seenBlock);
    }
    return t;
}

// First block of each stage: cut the prefix sums of the block weights at multiples of 1/PP of
// the total, every stage keeping at least one block.
std::vector<std::int32_t> stageStarts(const BlockTimes& t, int stages) {
    const auto blocks = static_cast<std::int32_t>(t.block.size());
    std::vector<double> prefix(t.block.size() + 1, t.before);
    for (std::size_t b = 0; b < t.block.size(); ++b) {
        prefix[b + 1] = prefix[b] + t.block[b];
    }
    const double total = prefix.back() + t.after;
    std::vector<std::int32_t> starts{0};
    for (int s = 1; s < stages; ++s) {
        const double target = total * s / stages;
        auto b = static_cast<std::int32_t>(std::lower_bound(prefix.begin(), prefix.end(), target) -
                                           prefix.begin());
        // The cut before or after the block that crosses the target, whichever is closer.
        if (b > 0 && b <= blocks && target - prefix[b - 1] < prefix[b] - target) {
            --b;
        }
        b = std::clamp(b, starts.back() + 1, blocks - (stages - s));
        starts.push_back(b);
    }
    return starts;
}

std::size_t stageOf(std::int32_t block, const std::vector<std::int32_t>& starts) {
    return static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), block) -
                                    starts.begin() - 1);
}

// The weight share one rank holds of a tensor under the plan.
double weightShare(std::string_view op, const StageInputs& in) {
    switch (shardRoleOf(op)) {
        case ShardRole::column:
            return op == "k_proj" || op == "v_proj" ? in.kvFactor : 1 / in.tp;
        case ShardRole::row:
        case ShardRole::heads:
        case ShardRole::channels:
        case ShardRole::vocabGather:
        case ShardRole::vocabColumn:
            return 1 / in.tp;
        case ShardRole::experts:
            return 1 / (in.tp * in.ep);
        case ShardRole::replicated:
            return 1;
    }
    return 1;
}

// Each stage's weights from the unsharded rank's inventory (scaled to its memory.weights, which
// includes the compression's metadata).
std::vector<double> stageWeights(const Workload& rank, const std::vector<std::int32_t>& starts,
                                 const StageInputs& in) {
    std::vector<double> bytes(starts.size(), 0.0);
    double inventory = 0;
    for (const WeightTensor& t : rank.weightTensors) {
        inventory += t.bytes();
    }
    if (inventory <= 0) {  // collapsed builds carry no inventory: an even split
        for (double& b : bytes) {
            b = rank.memory.weights / static_cast<double>(starts.size()) / in.tp;
        }
        return bytes;
    }
    const double scale = rank.memory.weights / inventory;
    // An MoE inventory lists every expert (DeepSeek-V3: 44,000 tensors), in runs of one op and
    // block: the share and the stage are looked up once per run.
    std::string_view lastOp;
    std::int32_t lastBlock = -2;
    double share = 1;
    std::size_t stage = 0;
    for (const WeightTensor& t : rank.weightTensors) {
        if (t.op.data() != lastOp.data() || t.op.size() != lastOp.size()) {
            lastOp = t.op;
            share = weightShare(t.op, in);
            lastBlock = -2;
        }
        if (t.block != lastBlock) {
            lastBlock = t.block;
            stage = t.block >= 0                                          ? stageOf(t.block, starts)
                    : t.op == "embed_tokens" || t.op == "embed_positions" ? 0
                                                                          : starts.size() - 1;
        }
        bytes[stage] += t.bytes() * scale * share;
    }
    return bytes;
}

}  // namespace

Status assignStages(Workload& w, const Workload& rank, const Deployment& d, const System& system,
                    const StageInputs& in) {
    const int stages = d.pipelineParallel;
    const std::vector<std::int32_t> starts =
        stages > 1 ? stageStarts(blockWeights(rank), stages) : std::vector<std::int32_t>{0};
    std::vector<std::vector<Layer>> byStage(starts.size());
    for (auto& stage : byStage) {
        stage.reserve(w.layers.size() / starts.size() + 16);
    }
    bool seenBlock = false;
    for (const Layer& l : w.layers) {
        if (l.block < 0) {
            byStage[seenBlock ? starts.size() - 1 : 0].push_back(l);
            continue;
        }
        seenBlock = true;
        // A collapsed run that crosses a cut is split at it.
        std::int32_t b = l.block;
        const std::int32_t end = l.block + blocksCovered(l);
        while (b < end) {
            const std::size_t s = stageOf(b, starts);
            const std::int32_t stop = s + 1 < starts.size() ? std::min(end, starts[s + 1]) : end;
            Layer part = l;
            part.block = b;
            if (l.repeat > 1) {
                part.repeat = static_cast<std::uint32_t>(stop - b);
            }
            byStage[s].push_back(part);
            b = stop;
        }
    }
    const std::vector<double> weights = stageWeights(rank, starts, in);
    double kvWritten = 0;
    double ssmLayers = 0;
    for (const Layer& l : rank.layers) {
        kvWritten += l.bytes.kvWrite * l.repeat;
        ssmLayers += l.kind == LayerKind::ssm_scan ? l.repeat : 0;
    }
    w.layers.clear();
    w.stages.clear();
    for (std::size_t s = 0; s < byStage.size(); ++s) {
        Stage stage;
        stage.firstBlock = starts[s];
        stage.lastBlock =
            (s + 1 < starts.size() ? starts[s + 1] : std::max(1, rank.model.blocks)) - 1;
        stage.firstLayer = w.layers.size();
        double kv = 0;
        double ssm = 0;
        for (const Layer& l : byStage[s]) {
            kv += l.bytes.kvWrite * l.repeat;
            ssm += l.kind == LayerKind::ssm_scan ? l.repeat : 0;
            stage.memory.activations =
                std::max(stage.memory.activations, l.bytes.activationsIn + l.bytes.activationsOut);
            w.layers.push_back(l);
        }
        if (s + 1 < byStage.size()) {
            // The stage's output activations go to the next stage's first rank.
            const bool inside = static_cast<double>(d.devicesPerReplica()) <= system.scaleUpDomain;
            const auto& link = inside && system.scaleUp ? system.scaleUp : system.scaleOut;
            if (!link) {
                return usageError("system " + system.id +
                                  " has no link between pipeline stages (no scale-out NIC)");
            }
            CollectiveShape c{CollectiveOp::p2p,    2,     in.boundaryBytes, link->bytesPerSecond,
                              link->latencySeconds, false, link->name};
            Layer send;
            send.op = internName("stage_send");
            send.block = stage.lastBlock;
            send.kind = LayerKind::p2p;
            send.unit = ExecUnit::vector;
            send.collective = static_cast<std::int32_t>(w.collectives.size());
            w.collectives.push_back(c);
            w.layers.push_back(send);
        }
        stage.endLayer = w.layers.size();
        stage.memory.weights = weights[s];
        stage.memory.kvCache = kvWritten > 0 ? rank.memory.kvCache * kv / kvWritten : 0;
        stage.memory.state = ssmLayers > 0 ? rank.memory.state * ssm / ssmLayers / in.tp : 0;
        w.stages.push_back(stage);
    }
    const auto fullest = std::max_element(
        w.stages.begin(), w.stages.end(),
        [](const Stage& a, const Stage& b) { return a.memory.total() < b.memory.total(); });
    w.memory = fullest->memory;
    return Ok{};
}

}  // namespace rooflens::core
