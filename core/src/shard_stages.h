#pragma once
// Pipeline stages of a sharded workload (private to core: shard.cpp and shard_stages.cpp).
#include "core/deployment.h"

namespace rooflens::core {

struct StageInputs {
    double boundaryBytes = 0;  // activations a stage sends to the next one
    double tp = 1;
    double ep = 1;
    double kvFactor = 1;
};

// Groups the sharded workload `w` into contiguous stages of blocks balanced by time on the
// system's device, adds the point-to-point send at the end of every stage but the last, and
// fills Workload::stages with each stage's rank footprint (weights from the unsharded `rank`'s
// inventory split by the plan, its share of the KV cache and SSM state, its activations).
Status assignStages(Workload& w, const Workload& rank, const Deployment& deployment,
                    const System& system, const StageInputs& in);

}  // namespace rooflens::core
