// shardWorkload(): the workload of a representative rank per pipeline stage (docs/parallelism.md).
// The rank was built with ceil(B / EP) sequences (attention data-parallel over the EP ranks);
// here its layers are split by the tensor-parallel plan, expert layers get the EP share of the
// tokens and experts, the prompt is split over CP ranks, blocks are grouped into stages, and the
// collectives those splits need are inserted as communication layers.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/analysis.h"
#include "core/deployment.h"
#include "shard_stages.h"

namespace rooflens::core {

namespace {

// Constants of one sharding.
struct Plan {
    double tp = 1;
    double ep = 1;
    double cp = 1;
    int pp = 1;
    double kvFactor = 1;       // KV heads per rank / KV heads: ceil(h_kv / TP) / h_kv
    double qkvFactor = 1;      // fused qkv_proj columns per rank / columns
    double expertPairs = 1;    // token-expert pairs per rank / the rank build's
    double expertWeights = 1;  // experts touched per rank / the rank build's
    double tokens = 0;         // tokens of the rank's pass (B_r x queries / CP)
    double actBytes = 2;       // activation bytes per element
    bool prefill = true;
    bool inNetworkReduction = false;
    const System* system = nullptr;
};

double expectedTouched(double experts, double topK, double tokens) {
    if (experts <= 0 || tokens <= 0) {
        return 0;
    }
    return experts * (1 - std::pow(1 - topK / experts, tokens));
}

Plan makePlan(const Workload& rank, const RunSettings& full, const Deployment& d,
              const System& system) {
    Plan p;
    const ModelFacts& m = rank.model;
    p.tp = d.tensorParallel;
    p.ep = d.expertParallel;
    p.cp = d.contextParallel;
    p.pp = d.pipelineParallel;
    p.system = &system;
    p.inNetworkReduction = d.inNetworkReduction;
    p.prefill = rank.settings.phase == Phase::prefill;
    const double hkv = static_cast<double>(std::max<std::int64_t>(1, m.kvHeads));
    const double hq = static_cast<double>(m.attentionHeads);
    p.kvFactor = m.latentKv ? 1.0 : std::ceil(hkv / p.tp) / hkv;
    p.qkvFactor = (hq / p.tp + 2 * std::ceil(hkv / p.tp)) / (hq + 2 * hkv);
    const double queries = p.prefill ? static_cast<double>(rank.settings.promptLength) : 1.0;
    const double rankBatch = static_cast<double>(rank.settings.batch);
    p.tokens = rankBatch * queries / (p.prefill ? p.cp : 1.0);
    p.actBytes = rank.layers.empty() ? 2 : bytesOf(rank.layers.front().activationType);
    if (p.ep > 1 && m.experts > 0) {
        const double e = static_cast<double>(m.experts);
        const double k = static_cast<double>(m.expertsPerToken);
        const double all = static_cast<double>(full.batch) * queries;
        const double mine = rankBatch * queries;
        p.expertPairs = static_cast<double>(full.batch) / (p.ep * rankBatch) * d.expertImbalance;
        const double built = expectedTouched(e, k, mine);
        p.expertWeights = built > 0 ? expectedTouched(e, k, all) / p.ep / built : 1;
    }
    return p;
}

// The link a collective over devices [0, span) takes: the scale-up fabric inside its domain,
// the scale-out NIC beyond it.
Result<Link> linkFor(const System& system, double span) {
    if (span <= system.scaleUpDomain && system.scaleUp) {
        return *system.scaleUp;
    }
    if (system.scaleOut) {
        return *system.scaleOut;
    }
    if (system.scaleUp && span <= system.devices()) {
        return *system.scaleUp;
    }
    return usageError("system " + system.id + " has no link between " +
                      std::to_string(static_cast<long long>(span)) +
                      " devices (no scale-out NIC described)");
}

void scaleAll(Layer& l, double f) {
    l.ops *= f;
    ByteBreakdown& b = l.bytes;
    for (double* x :
         {&b.weights, &b.activationsIn, &b.activationsOut, &b.kvRead, &b.kvWrite, &b.metadata}) {
        *x *= f;
    }
    l.weightElements *= f;
}

void splitColumns(Layer& l, double f) {
    l.ops *= f;
    l.bytes.weights *= f;
    l.bytes.metadata *= f;
    l.bytes.activationsOut *= f;
    l.bytes.kvWrite *= f;
    l.weightElements *= f;
    l.n *= f;
}

void splitRows(Layer& l, double f) {
    l.ops *= f;
    l.bytes.weights *= f;
    l.bytes.metadata *= f;
    l.bytes.activationsIn *= f;
    l.weightElements *= f;
    l.k *= f;
}

// Per-head work: the query heads split TP ways, K and V by KV heads (replicated beyond them).
void splitHeads(Layer& l, Workload& w, const Plan& p) {
    const double f = 1 / p.tp;
    l.ops *= f;
    l.bytes.activationsIn *= f;
    l.bytes.activationsOut *= f;
    l.bytes.kvRead *= p.kvFactor;
    l.bytes.kvWrite *= p.kvFactor;
    l.bytes.weights *= l.op == "qk_norm" ? 1 : f;
    l.m *= l.kind == LayerKind::matmul ? f : 1;
    l.weightElements *= f;
    if (l.attentionShape >= 0) {
        AttentionShape& s = w.attentionShapes[static_cast<std::size_t>(l.attentionShape)];
        s.queryHeads /= p.tp;
        s.kvHeads = std::ceil(s.kvHeads / p.tp);
    }
}

// Expert layers: the EP share of the token-expert pairs and of the experts touched, each expert
// split TP ways (gate/up by columns, down by rows).
void splitExperts(Layer& l, const Plan& p) {
    const double t = 1 / p.tp;
    if (l.kind == LayerKind::gemm) {
        l.ops *= p.expertPairs;
        l.bytes.activationsIn *= p.expertPairs;
        l.bytes.activationsOut *= p.expertPairs;
        l.m *= p.expertPairs;
        l.bytes.weights *= p.expertWeights;
        l.bytes.metadata *= p.expertWeights;
        l.weightElements *= p.expertWeights;
        l.op == "experts.down_proj" ? splitRows(l, t) : splitColumns(l, t);
        return;
    }
    scaleAll(l, p.expertPairs * t);  // experts.act_mul
}

void splitLayer(Layer& l, Workload& w, const Plan& p) {
    const double t = 1 / p.tp;
    switch (shardRoleOf(l.op)) {
        case ShardRole::column:
            splitColumns(l, l.op == "k_proj" || l.op == "v_proj" ? p.kvFactor
                            : l.op == "qkv_proj"                 ? p.qkvFactor
                                                                 : t);
            if (l.op == "qkv_proj") {
                l.bytes.kvWrite *= p.kvFactor / p.qkvFactor;
            }
            break;
        case ShardRole::row:
            splitRows(l, t);
            break;
        case ShardRole::heads:
            splitHeads(l, w, p);
            break;
        case ShardRole::channels:
            scaleAll(l, t);
            break;
        case ShardRole::vocabGather:
            l.bytes.weights *= t;  // rows of the rank's vocabulary slice
            break;
        case ShardRole::vocabColumn:
            splitColumns(l, t);
            break;
        case ShardRole::experts:
            splitExperts(l, p);
            break;
        case ShardRole::replicated:
            break;
    }
}

// Context parallelism in prefill: each rank holds 1/CP of the prompt's tokens (the weights are
// whole on every rank); attention's query blocks divide the same way.
void splitContext(Layer& l, Workload& w, const Plan& p) {
    if (p.cp <= 1 || l.op == "lm_head") {
        return;  // logits of the last position: one rank
    }
    const double c = 1 / p.cp;
    const double weights = l.bytes.weights;
    const double metadata = l.bytes.metadata;
    const double elements = l.weightElements;
    const bool expert = shardRoleOf(l.op) == ShardRole::experts;
    scaleAll(l, c);
    if (l.kind != LayerKind::embedding && !expert) {
        l.bytes.weights = weights;  // the whole matrix is read for the rank's tokens
        l.bytes.metadata = metadata;
        l.weightElements = elements;
    }
    l.m *= l.kind == LayerKind::gemm || l.kind == LayerKind::router ? c : 1;
    if (l.attentionShape >= 0) {
        w.attentionShapes[static_cast<std::size_t>(l.attentionShape)].batch *= c;
    }
}

// Decode with context parallelism: the KV cache is split; each rank attends over its part.
void splitCachedContext(Layer& l, Workload& w, const Plan& p) {
    if (p.cp <= 1) {
        return;
    }
    const bool attention = l.kind == LayerKind::attention || l.kind == LayerKind::matmul ||
                           l.kind == LayerKind::softmax;
    if (attention) {
        l.ops /= p.cp;
        l.bytes.kvRead /= p.cp;
        l.bytes.activationsOut /= l.kind == LayerKind::matmul && l.op == "qk_matmul" ? p.cp : 1;
        if (l.attentionShape >= 0) {
            w.attentionShapes[static_cast<std::size_t>(l.attentionShape)].keys /= p.cp;
        }
    }
    l.bytes.kvWrite /= p.cp;  // the new token's K/V lands on one rank
}

class Sharder {
public:
    Sharder(const Workload& rank, const Plan& plan) : m_in(rank), m_p(plan) {
        m_out = rank;
        m_out.layers.clear();
        m_out.layers.reserve(rank.layers.size() * 3 / 2 + 8);
    }
    Status run();
    Workload take() { return std::move(m_out); }

private:
    Status collective(const Layer& after, std::string_view op, CollectiveOp kind, double ranks,
                      double span, double bytes);
    Status communicationAfter(const Layer& l);
    const Workload& m_in;
    Plan m_p;
    Workload m_out;
};

Status Sharder::collective(const Layer& after, std::string_view op, CollectiveOp kind, double ranks,
                           double span, double bytes) {
    if (ranks <= 1 && kind != CollectiveOp::p2p) {
        return Ok{};
    }
    ROOFLENS_TRY(const Link link, linkFor(*m_p.system, span));
    CollectiveShape c;
    c.op = kind;
    c.ranks = ranks;
    c.bytes = bytes;
    c.linkBytesPerSecond = link.bytesPerSecond;
    c.latencySeconds = link.latencySeconds;
    c.inNetworkReduction = m_p.inNetworkReduction && kind == CollectiveOp::allReduce &&
                           m_p.system->scaleUp && span <= m_p.system->scaleUpDomain &&
                           m_p.system->device.interconnect.scaleUp &&
                           m_p.system->device.interconnect.scaleUp->inNetworkReduction;
    c.link = link.name;
    Layer layer;
    layer.op = internName(std::string(op));
    layer.block = after.block;
    layer.repeat = after.repeat;
    layer.kind = layerKindOf(kind);
    layer.unit = ExecUnit::vector;
    layer.collective = static_cast<std::int32_t>(m_out.collectives.size());
    m_out.collectives.push_back(c);
    m_out.layers.push_back(layer);
    return Ok{};
}

// The collectives a layer's split needs right after it.
Status Sharder::communicationAfter(const Layer& l) {
    const Plan& p = m_p;
    const double d = static_cast<double>(m_in.model.hiddenSize);
    const double hidden = p.tokens * d * p.actBytes;
    const std::string name(l.op);
    if (l.op == "o_proj" || l.op == "down_proj" || l.op == "fc2" || l.op == "out_proj" ||
        l.op == "x_proj" || l.op == "experts.combine") {
        const double out = l.op == "x_proj" ? p.tokens * l.n * p.actBytes : hidden;
        ROOFLENS_CHECK(
            collective(l, name + ".allreduce", CollectiveOp::allReduce, p.tp, p.tp, out));
    }
    if (l.op == "embed_tokens") {
        ROOFLENS_CHECK(
            collective(l, name + ".allreduce", CollectiveOp::allReduce, p.tp, p.tp, hidden));
    }
    if (l.op == "lm_head") {
        const double logits = static_cast<double>(m_in.settings.batch) *
                              static_cast<double>(m_in.model.vocabSize) * p.actBytes;
        ROOFLENS_CHECK(
            collective(l, name + ".allgather", CollectiveOp::allGather, p.tp, p.tp, logits));
    }
    const double k = static_cast<double>(m_in.model.expertsPerToken);
    if (p.ep > 1 && (l.op == "router" || l.op == "experts.down_proj")) {
        const bool dispatch = l.op == "router";
        ROOFLENS_CHECK(collective(l, dispatch ? "experts.dispatch" : "experts.combine_a2a",
                                  CollectiveOp::allToAll, p.ep, p.tp * p.ep,
                                  p.tokens * k * d * p.actBytes));
    }
    if (p.cp > 1 && (l.kind == LayerKind::attention || l.op == "sv_matmul")) {
        if (p.prefill) {
            // Ring attention passes K/V around the CP ranks: (CP - 1)/CP of the prompt's K/V.
            const double kv = 2 * static_cast<double>(m_in.settings.batch) *
                              static_cast<double>(m_in.settings.promptLength) *
                              std::ceil(static_cast<double>(m_in.model.kvHeads) / p.tp) *
                              static_cast<double>(m_in.model.headDim) * p.actBytes;
            ROOFLENS_CHECK(collective(l, "attention.ring_kv", CollectiveOp::allGather, p.cp,
                                      p.tp * p.ep * p.cp, kv));
        } else {
            // Partial outputs of the new token, combined across the CP ranks.
            const double partial = static_cast<double>(m_in.settings.batch) *
                                   static_cast<double>(m_in.model.attentionHeads) / p.tp *
                                   static_cast<double>(m_in.model.headDim) * p.actBytes;
            ROOFLENS_CHECK(collective(l, "attention.allreduce", CollectiveOp::allReduce, p.cp,
                                      p.tp * p.ep * p.cp, partial));
        }
    }
    return Ok{};
}

Status Sharder::run() {
    for (const Layer& source : m_in.layers) {
        Layer l = source;
        splitLayer(l, m_out, m_p);
        if (m_p.prefill) {
            splitContext(l, m_out, m_p);
        } else {
            splitCachedContext(l, m_out, m_p);
        }
        m_out.layers.push_back(l);
        ROOFLENS_CHECK(communicationAfter(source));
    }
    return Ok{};
}

}  // namespace

Result<Workload> shardWorkload(const Workload& rank, const RunSettings& full,
                               const Deployment& deployment, const System& system) {
    ROOFLENS_CHECK(checkDeployment(deployment, rank.model, system));
    const Plan plan = makePlan(rank, full, deployment, system);
    Sharder sharder(rank, plan);
    ROOFLENS_CHECK(sharder.run());
    Workload w = sharder.take();
    w.devices = deployment.devicesPerReplica();
    w.overlapCommunication = deployment.overlapCommunication;
    StageInputs in;
    in.boundaryBytes = plan.tokens * plan.actBytes * static_cast<double>(rank.model.hiddenSize);
    in.tp = plan.tp;
    in.ep = plan.ep;
    in.kvFactor = plan.kvFactor;
    ROOFLENS_CHECK(assignStages(w, rank, deployment, system, in));
    return w;
}

}  // namespace rooflens::core
