// Deployments: collectives priced alpha-beta, systems of devices, the tensor-parallel plan by
// operation name, and the checks a plan must pass (docs/parallelism.md).
#include "core/deployment.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

namespace rooflens::core {

namespace {

struct RoleEntry {
    std::string_view op;
    ShardRole role;
};

// The tensor-parallel plan (Megatron; HF's base_model_tp_plan names the same split). Every
// operation the builders emit is listed; anything else is replicated, and a test checks that no
// preset emits an operation missing here.
constexpr std::array kRoles = {
    RoleEntry{"q_proj", ShardRole::column},
    RoleEntry{"k_proj", ShardRole::column},
    RoleEntry{"v_proj", ShardRole::column},
    RoleEntry{"qkv_proj", ShardRole::column},
    RoleEntry{"q_b_proj", ShardRole::column},
    RoleEntry{"kv_b_proj", ShardRole::column},
    RoleEntry{"gate_proj", ShardRole::column},
    RoleEntry{"up_proj", ShardRole::column},
    RoleEntry{"gate_up_proj", ShardRole::column},
    RoleEntry{"fc1", ShardRole::column},
    RoleEntry{"shared_experts.gate_proj", ShardRole::column},
    RoleEntry{"shared_experts.up_proj", ShardRole::column},
    RoleEntry{"in_proj", ShardRole::column},
    RoleEntry{"dt_proj", ShardRole::column},
    RoleEntry{"o_proj", ShardRole::row},
    RoleEntry{"down_proj", ShardRole::row},
    RoleEntry{"fc2", ShardRole::row},
    RoleEntry{"shared_experts.down_proj", ShardRole::row},
    RoleEntry{"out_proj", ShardRole::row},
    RoleEntry{"x_proj", ShardRole::row},
    RoleEntry{"attention", ShardRole::heads},
    RoleEntry{"qk_matmul", ShardRole::heads},
    RoleEntry{"sv_matmul", ShardRole::heads},
    RoleEntry{"softmax", ShardRole::heads},
    RoleEntry{"qk_norm", ShardRole::heads},
    RoleEntry{"q_absorb", ShardRole::heads},
    RoleEntry{"v_absorb", ShardRole::heads},
    RoleEntry{"act", ShardRole::channels},
    RoleEntry{"act_mul", ShardRole::channels},
    RoleEntry{"shared_experts.act_mul", ShardRole::channels},
    RoleEntry{"conv1d", ShardRole::channels},
    RoleEntry{"ssm_scan", ShardRole::channels},
    RoleEntry{"ssm_gate", ShardRole::channels},
    RoleEntry{"ssm_norm", ShardRole::channels},
    RoleEntry{"ssm_norms", ShardRole::channels},
    RoleEntry{"embed_tokens", ShardRole::vocabGather},
    RoleEntry{"lm_head", ShardRole::vocabColumn},
    RoleEntry{"logit_softcap", ShardRole::channels},
    RoleEntry{"experts.gate_proj", ShardRole::experts},
    RoleEntry{"experts.up_proj", ShardRole::experts},
    RoleEntry{"experts.down_proj", ShardRole::experts},
    RoleEntry{"experts.act_mul", ShardRole::experts},
    // Whole on every rank: norms, residuals, routers and gates, MLA's latent projections (no
    // head axis), the expert combine (on the rank's own tokens).
    RoleEntry{"input_norm", ShardRole::replicated},
    RoleEntry{"post_attention_norm", ShardRole::replicated},
    RoleEntry{"pre_ffn_norm", ShardRole::replicated},
    RoleEntry{"post_ffn_norm", ShardRole::replicated},
    RoleEntry{"final_norm", ShardRole::replicated},
    RoleEntry{"attn_residual", ShardRole::replicated},
    RoleEntry{"mlp_residual", ShardRole::replicated},
    RoleEntry{"mixer_add", ShardRole::replicated},
    RoleEntry{"mixer_residual", ShardRole::replicated},
    RoleEntry{"router", ShardRole::replicated},
    RoleEntry{"shared_expert_gate", ShardRole::replicated},
    RoleEntry{"q_a_proj", ShardRole::replicated},
    RoleEntry{"q_a_norm", ShardRole::replicated},
    RoleEntry{"kv_a_proj", ShardRole::replicated},
    RoleEntry{"kv_a_norm", ShardRole::replicated},
    RoleEntry{"experts.combine", ShardRole::replicated},
    RoleEntry{"embed_positions", ShardRole::replicated},
};

bool divides(std::int64_t d, std::int64_t n) {
    return d > 0 && n % d == 0;
}

}  // namespace

std::string_view nameOf(CollectiveOp op) {
    switch (op) {
        case CollectiveOp::allReduce:
            return "all-reduce";
        case CollectiveOp::allGather:
            return "all-gather";
        case CollectiveOp::reduceScatter:
            return "reduce-scatter";
        case CollectiveOp::allToAll:
            return "all-to-all";
        case CollectiveOp::p2p:
            return "p2p";
    }
    return "?";
}

LayerKind layerKindOf(CollectiveOp op) {
    switch (op) {
        case CollectiveOp::allReduce:
            return LayerKind::allreduce;
        case CollectiveOp::allGather:
            return LayerKind::allgather;
        case CollectiveOp::reduceScatter:
            return LayerKind::reducescatter;
        case CollectiveOp::allToAll:
            return LayerKind::alltoall;
        case CollectiveOp::p2p:
            return LayerKind::p2p;
    }
    return LayerKind::p2p;
}

double busFactor(CollectiveOp op, double n, bool inNetworkReduction) {
    if (op == CollectiveOp::p2p) {
        return 1;
    }
    if (n <= 1) {
        return 0;
    }
    if (op == CollectiveOp::allReduce) {
        return inNetworkReduction ? 1.0 : 2 * (n - 1) / n;
    }
    return (n - 1) / n;
}

double latencySteps(CollectiveOp op, double n, bool inNetworkReduction) {
    if (op == CollectiveOp::p2p) {
        return 1;
    }
    if (n <= 1) {
        return 0;
    }
    if (op == CollectiveOp::allReduce) {
        return inNetworkReduction ? 2 : 2 * (n - 1);  // NVLS: one push, one pull
    }
    return n - 1;
}

double collectiveSeconds(const CollectiveShape& c) {
    const double steps = latencySteps(c.op, c.ranks, c.inNetworkReduction);
    if (steps <= 0) {
        return 0;
    }
    const double wire = c.bytes * busFactor(c.op, c.ranks, c.inNetworkReduction);
    return c.latencySeconds * steps + (c.linkBytesPerSecond > 0 ? wire / c.linkBytesPerSecond : 0);
}

ShardRole shardRoleOf(std::string_view op) {
    for (const RoleEntry& e : kRoles) {
        if (e.op == op) {
            return e.role;
        }
    }
    return ShardRole::replicated;
}

bool hasShardRole(std::string_view op) {
    return std::any_of(kRoles.begin(), kRoles.end(),
                       [&](const RoleEntry& e) { return e.op == op; });
}

System systemOf(const Hardware& device, std::int64_t devices) {
    const int count = static_cast<int>(std::clamp<std::int64_t>(devices, 1, kMaxPlanDevices));
    System s;
    s.id = device.id + " x" + std::to_string(count);
    s.name = std::to_string(count) + "x " + device.name;
    s.device = device;
    const auto& up = device.interconnect.scaleUp;
    const int domain = up ? static_cast<int>(std::max<std::int64_t>(1, up->domainDevices)) : 8;
    s.devicesPerNode = std::min(count, domain);
    s.nodes = (count + s.devicesPerNode - 1) / s.devicesPerNode;
    s.scaleUpDomain = up ? domain : 1;
    if (up) {
        s.scaleUp = *up;
    } else if (device.interconnect.host) {
        s.scaleUp = *device.interconnect.host;  // PCIe cards reach their peers over PCIe
        s.scaleUpDomain = s.devicesPerNode;
    }
    if (device.interconnect.scaleOut) {
        s.scaleOut = *device.interconnect.scaleOut;
    }
    return s;
}

Status checkDeployment(const Deployment& d, const ModelFacts& m, const System& system) {
    for (auto [name, value] :
         {std::pair{"tensor", d.tensorParallel}, std::pair{"pipeline", d.pipelineParallel},
          std::pair{"expert", d.expertParallel}, std::pair{"data", d.dataParallel},
          std::pair{"context", d.contextParallel}, std::pair{"micro-batch", d.microBatches}}) {
        if (value < 1 || value > 65536) {
            return usageError(std::string(name) + " parallelism must be in [1, 65536], got " +
                              std::to_string(value));
        }
    }
    if (d.devices() > kMaxPlanDevices) {
        return usageError(
            "the plan needs " + std::to_string(d.devices()) + " devices (TP " +
            std::to_string(d.tensorParallel) + " x EP " + std::to_string(d.expertParallel) +
            " x PP " + std::to_string(d.pipelineParallel) + " x CP " +
            std::to_string(d.contextParallel) + " x DP " + std::to_string(d.dataParallel) +
            "); at most 268435456 (2^28, the largest system: 65536 nodes of 4096)");
    }
    if (d.expertImbalance < 1 || !std::isfinite(d.expertImbalance)) {
        return usageError("expert imbalance (max/mean tokens per expert) must be >= 1");
    }
    if (d.single()) {
        return Ok{};
    }
    if (m.family != ModelFamily::llm || m.hiddenSize <= 0 || m.attentionHeads <= 0) {
        return usageError("multi-device deployments are modelled for LLMs; " + m.id +
                          " runs on one device");
    }
    const std::int64_t tp = d.tensorParallel;
    if (!divides(tp, m.attentionHeads)) {
        return usageError("tensor parallelism " + std::to_string(tp) + " does not divide the " +
                          std::to_string(m.attentionHeads) + " attention heads of " + m.id);
    }
    if (d.expertParallel > 1 && m.experts <= 0) {
        return usageError("expert parallelism needs an MoE model; " + m.id + " is dense");
    }
    if (d.expertParallel > 1 && !divides(d.expertParallel, m.experts)) {
        return usageError("expert parallelism " + std::to_string(d.expertParallel) +
                          " does not divide the " + std::to_string(m.experts) + " experts of " +
                          m.id);
    }
    if (d.pipelineParallel > m.blocks) {
        return usageError("pipeline parallelism " + std::to_string(d.pipelineParallel) +
                          " exceeds the " + std::to_string(m.blocks) + " blocks of " + m.id +
                          " (a stage needs at least one block)");
    }
    if (d.devices() > system.devices()) {
        return usageError(
            "the plan needs " + std::to_string(d.devices()) + " devices (TP " +
            std::to_string(d.tensorParallel) + " x EP " + std::to_string(d.expertParallel) +
            " x PP " + std::to_string(d.pipelineParallel) + " x CP " +
            std::to_string(d.contextParallel) + " x DP " + std::to_string(d.dataParallel) + "); " +
            system.id + " has " + std::to_string(system.devices()));
    }
    return Ok{};
}

RunSettings rankSettings(const RunSettings& settings, const Deployment& d) {
    RunSettings s = settings;
    const std::int64_t ep = d.expertParallel;
    s.batch = (settings.batch + ep - 1) / ep;
    return s;
}

std::string planName(const Deployment& d) {
    std::string name = "TP" + std::to_string(d.tensorParallel) + " EP" +
                       std::to_string(d.expertParallel) + " PP" +
                       std::to_string(d.pipelineParallel) + " DP" + std::to_string(d.dataParallel);
    if (d.contextParallel > 1) {
        name += " CP" + std::to_string(d.contextParallel);
    }
    return name;
}

Result<Deployment> parsePlan(std::string_view text) {
    Deployment d;
    std::size_t i = 0;
    bool any = false;
    auto bad = [&](std::string_view why) {
        return usageError("plan '" + std::string(text) + "': " + std::string(why) +
                          " (expected degrees like TP8 EP2 PP2 DP1 CP1)");
    };
    while (i < text.size()) {
        if (text[i] == ' ' || text[i] == '\t') {
            ++i;
            continue;
        }
        if (i + 2 > text.size()) {
            return bad("a degree needs a name (TP, EP, PP, DP, CP) and a number");
        }
        std::string name{text.substr(i, 2)};
        for (char& c : name) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        i += 2;
        std::size_t digits = i;
        while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
            ++digits;
        }
        if (digits == i || digits - i > 5) {
            return bad("'" + name + "' needs a number from 1 to 65536");
        }
        const int value = std::stoi(std::string(text.substr(i, digits - i)));
        i = digits;
        if (value < 1 || value > 65536) {
            return bad("'" + name + "' needs a number from 1 to 65536");
        }
        int* target = name == "TP"   ? &d.tensorParallel
                      : name == "EP" ? &d.expertParallel
                      : name == "PP" ? &d.pipelineParallel
                      : name == "DP" ? &d.dataParallel
                      : name == "CP" ? &d.contextParallel
                                     : nullptr;
        if (target == nullptr) {
            return bad("unknown degree '" + name + "'");
        }
        *target = value;
        any = true;
    }
    if (!any) {
        return bad("empty");
    }
    return d;
}

Result<std::vector<Deployment>> parsePlanList(std::string_view text) {
    std::vector<Deployment> plans;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        std::string_view item = text.substr(start, comma - start);
        if (item.find_first_not_of(" \t") != std::string_view::npos) {
            ROOFLENS_TRY(Deployment d, parsePlan(item));
            plans.push_back(d);
        }
        start = comma + 1;
    }
    return plans;
}

}  // namespace rooflens::core
