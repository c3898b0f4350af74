#pragma once
// Multi-device deployment: how a model is spread over the devices of a system (tensor, pipeline,
// expert, data and context parallelism), the system's links, and the collectives that sharding
// adds, priced alpha-beta. shardWorkload() turns a built (and compressed) workload into the one of
// a representative rank per pipeline stage, with communication layers beside the compute layers
// (docs/parallelism.md). The evaluation pipeline calls it between applyScenario and analyze.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/hardware.h"
#include "core/result.h"
#include "core/workload.h"

namespace rooflens::core {

// How a model is spread over devices. A replica spans TP x EP x PP x CP devices; DP replicas
// multiply throughput, not latency.
//  - tensor: Megatron column/row split of attention (heads; KV heads ceil(h_kv / TP), replicated
//    beyond) and MLPs, embeddings and lm_head split by vocabulary;
//  - expert: MoE experts spread over EP ranks; attention and dense layers run data-parallel over
//    the EP ranks (each holds ceil(B / EP) sequences), tokens reach their experts by a dispatch
//    and a combine all-to-all;
//  - pipeline: contiguous stages of blocks balanced by time, activations sent point to point;
//  - context: the prompt split over CP ranks (ring attention passing K/V); decode splits the KV
//    cache and gathers the partial outputs.
struct Deployment {
    int tensorParallel = 1;
    int pipelineParallel = 1;
    int expertParallel = 1;
    int dataParallel = 1;
    int contextParallel = 1;
    // Prefill micro-batches through the pipeline (GPipe): latency (m - 1) max_j t_j + sum_j t_j,
    // bubble (PP - 1) / (m + PP - 1) for balanced stages. 1 = the batch goes through whole.
    int microBatches = 1;
    // Tokens of the busiest expert over the mean (max/mean routing load); 1 = uniform routing.
    double expertImbalance = 1;
    // Communication overlaps the compute of its pipeline stage (perfectly: a stage takes the
    // longer of the two). Off by default: every collective adds its time.
    bool overlapCommunication = false;
    // All-reduce inside a scale-up domain whose switch reduces (NVLS / SHARP) moves M per device
    // instead of 2 (n - 1) / n M. Off by default (NCCL's ring).
    bool inNetworkReduction = false;

    // In 64 bits: five degrees of up to 65536 each overflow an int (issue 18, 3).
    std::int64_t devicesPerReplica() const {
        return std::int64_t{tensorParallel} * expertParallel * pipelineParallel * contextParallel;
    }
    std::int64_t devices() const { return devicesPerReplica() * dataParallel; }
    bool single() const { return devices() == 1; }
    bool operator==(const Deployment&) const = default;
};

// "TP8 EP1 PP2 DP1" (CP appended when above 1): how tables and errors name a plan.
std::string planName(const Deployment& deployment);
// The degrees of a plan name: "TP8 PP2" (any order, case-insensitive, spaces optional, missing
// degrees 1); planName() round-trips. Errors say which token is wrong.
Result<Deployment> parsePlan(std::string_view text);
// A comma-separated list of plan names ("TP8, TP4 PP2, TP2 EP4").
Result<std::vector<Deployment>> parsePlanList(std::string_view text);

// The devices a deployment runs on and how they are connected: a hwdb device, devices per node
// (one scale-up domain or a part of one) and nodes, with the device's links unless the system
// file overrides them. Loaded by hwdb (hwdb/systems/*.json); `--hw ID --devices N` makes one.
struct System {
    std::string id;
    std::string name;
    Hardware device;
    int devicesPerNode = 1;
    int nodes = 1;
    // Scale-up devices reachable without the scale-out network (NVLink domain, xGMI mesh, ICI
    // slice): at least one node (HGX: 8; GB200 NVL72: 72).
    int scaleUpDomain = 1;
    std::optional<Link> scaleUp;   // device-to-device inside the domain
    std::optional<Link> scaleOut;  // per device, between domains (the NIC)
    std::string sourceFile;
    int devices() const { return devicesPerNode * nodes; }
};

// The most devices a plan may use: 2^28, the largest system file (65536 nodes of 4096 devices,
// hwdb/systems); checkDeployment refuses more, so every device count fits an int.
inline constexpr std::int64_t kMaxPlanDevices = std::int64_t{1} << 28;

// A system of `count` devices of one kind with the device's own links, in nodes of at most the
// device's scale-up domain (or 8 devices where it has none). `count` is clamped to
// [1, kMaxPlanDevices].
System systemOf(const Hardware& device, std::int64_t count);

// How a layer splits under tensor parallelism (the tensor-parallel plan, HF base_model_tp_plan
// style, by operation name).
enum class ShardRole : std::uint8_t {
    replicated,   // norms, residuals, routers, MLA's latent projections: every rank, whole
    column,       // output features split: q/k/v, gate/up, fc1 (k/v by KV heads)
    row,          // input features split: o_proj, down_proj, fc2; an all-reduce follows
    heads,        // per-head work: attention, its matmuls and softmax, Q/K norms
    channels,     // elementwise over split features: activations, SSM channels
    vocabGather,  // embedding rows split by vocabulary; an all-reduce follows
    vocabColumn,  // lm_head split by vocabulary; the logits are all-gathered
    experts,      // routed expert GEMMs and their activations (expert and expert-tensor split)
};
ShardRole shardRoleOf(std::string_view op);
// Whether the plan names the operation (anything unnamed is replicated).
bool hasShardRole(std::string_view op);

// Checks that a deployment fits the model and the system: TP divides the attention heads, EP
// divides the experts (and needs an MoE model), PP is at most the blocks, the devices exist.
// Errors are usage errors that say why.
Status checkDeployment(const Deployment& deployment, const ModelFacts& model, const System& system);

// The pass settings a rank is built with: attention data-parallel over the EP ranks gives each
// ceil(B / EP) sequences.
RunSettings rankSettings(const RunSettings& settings, const Deployment& deployment);

// The workload of one representative rank per pipeline stage, stages in order: compute layers
// split by the plan, communication layers (kinds allreduce, allgather, reducescatter, alltoall,
// p2p) after the layers that need them, Workload::stages, and the per-rank memory footprint
// (the largest stage). `rank` was built with rankSettings(); `full` is the request's batch.
Result<Workload> shardWorkload(const Workload& rank, const RunSettings& full,
                               const Deployment& deployment, const System& system);

}  // namespace rooflens::core
