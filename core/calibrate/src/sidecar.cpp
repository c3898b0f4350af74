// The calibration sidecar: everything the hwdb schema (version 1) cannot hold.
#include <nlohmann/json.hpp>

#include "calibrate/profile.h"

namespace rooflens::calibrate {

namespace {

using Ordered = nlohmann::ordered_json;

Ordered rateJson(const RateStats& r) {
    Ordered j;
    j["typical"] = r.typical;
    j["achievable"] = r.achievable;
    j["best"] = r.best;
    j["min"] = r.min;
    j["p10"] = r.p10;
    j["p90"] = r.p90;
    j["iqr"] = r.iqr;
    j["cv"] = r.cv;
    j["spread"] = r.spread;
    j["run_medians"] = r.runMedians;
    j["trials"] = r.trials;
    return j;
}

Ordered machineJson(const MachineContext& m) {
    Ordered j;
    j["vendor"] = m.vendor;
    j["cpu_model"] = m.cpuModel;
    j["family"] = m.family;
    j["model"] = m.model;
    j["stepping"] = m.stepping;
    j["hypervisor"] = m.hypervisor;
    j["isa"] = m.features.names();
    j["cpus"] = m.cpus;
    j["physical_cores"] = m.physicalCores;
    Ordered caches = Ordered::array();
    for (const auto& c : m.caches) {
        caches.push_back({{"level", c.level},
                          {"bytes", c.bytes},
                          {"shared_by_cpus", c.sharedByCpus},
                          {"instances_in_use", c.instancesInUse}});
    }
    j["caches"] = caches;
    j["nominal_hz"] = m.nominalHz;
    j["memory_bytes"] = m.memoryBytes;
    j["page_bytes"] = m.pageBytes;
    j["transparent_huge_pages"] = m.transparentHugePages;
    j["buffers"] = m.transparentHugePages == "never"
                       ? "2 MiB aligned, 4 KiB pages (THP disabled)"
                       : "2 MiB aligned with MADV_HUGEPAGE at >= 4 MiB";
    j["hostname"] = m.hostname;
    j["os"] = m.os;
    j["compiler"] = m.compiler;
    j["build_type"] = m.buildType;
    j["debug_build"] = m.debugBuild;
    j["onednn"] = m.dnnlVersion;
    return j;
}

}  // namespace

std::string calibrationJson(const Calibration& c, const std::string& profileId) {
    Ordered doc;
    doc["schema_version"] = kSidecarSchemaVersion;
    doc["kind"] = "rooflens-calibration";
    doc["profile_id"] = profileId;
    doc["mode"] = std::string(nameOf(c.mode));
    doc["budget_scale"] = c.budgetScale;
    doc["time_budget_s"] = c.timeBudgetSeconds;
    doc["started_at"] = c.startedAt;
    doc["duration_s"] = c.durationSeconds;
    doc["threads"] = c.threads();
    doc["cpus"] = c.cpus;
    doc["clock_hz"] = {{"median", c.clockHz},
                       {"min", c.clockMinHz},
                       {"max", c.clockMaxHz},
                       {"nominal", c.machine.nominalHz}};
    doc["machine"] = machineJson(c.machine);
    Ordered steps = Ordered::array();
    for (const auto& step : c.steps) {
        steps.push_back({{"label", step.label},
                         {"seconds", step.seconds},
                         {"estimate_seconds", step.estimateSeconds},
                         {"pace", step.pace}});
    }
    doc["steps"] = steps;

    Ordered compute = Ordered::array();
    for (const auto& e : c.compute) {
        compute.push_back(
            {{"data_type", std::string(core::nameOf(e.type))},
             {"threads", e.threads},
             {"kernel", e.kernel},
             {"instruction", e.instruction},
             {"vector_bits", e.vectorBits},
             {"ops_per_s", e.opsPerSecond},
             {"typical_ops_per_s", e.typicalOpsPerSecond},
             {"ops_per_cycle_per_core", e.opsPerCycle},
             {"theoretical_ops_per_cycle_per_core", e.theoreticalOpsPerCycle},
             {"theoretical_ops_per_s_at_measured_clock", e.theoreticalAtMeasuredClock},
             {"theoretical_ops_per_s_at_nominal_clock", e.theoreticalAtNominalClock},
             {"ratio_to_theoretical", e.theoreticalAtMeasuredClock > 0
                                          ? e.opsPerSecond / e.theoreticalAtMeasuredClock
                                          : 0.0}});
    }
    doc["compute"] = compute;

    Ordered memory = Ordered::array();
    for (const auto& m : c.memory) {
        memory.push_back({{"level", m.level},
                          {"threads", m.threads},
                          {"capacity_bytes", m.capacityBytes},
                          {"plateau_from_bytes_per_thread", m.fromBytes},
                          {"plateau_to_bytes_per_thread", m.toBytes},
                          {"points", m.points},
                          {"read_bytes_per_s", m.readBytesPerSecond},
                          {"read_best_bytes_per_s", m.readBestBytesPerSecond},
                          {"triad_bytes_per_s", m.triadBytesPerSecond},
                          {"triad_nt_bytes_per_s", m.triadNtBytesPerSecond},
                          {"read_write_bytes_per_s", m.readWriteBytesPerSecond()}});
    }
    doc["memory"] = memory;

    Ordered gather = Ordered::array();
    for (const auto& g : c.gather) {
        gather.push_back({{"granule_bytes", g.granuleBytes},
                          {"threads", g.threads},
                          {"prefetch", g.prefetch},
                          {"table_bytes", g.tableBytes},
                          {"useful_bytes_per_s", g.usefulBytesPerSecond},
                          {"gathers_per_s", g.gathersPerSecond}});
    }
    doc["gather"] = gather;

    Ordered gemm = Ordered::array();
    for (const auto& g : c.gemm) {
        gemm.push_back({{"data_type", std::string(nameOf(g.type))},
                        {"implementation", g.implementation},
                        {"m", g.shape.m},
                        {"n", g.shape.n},
                        {"k", g.shape.k},
                        {"threads", g.threads},
                        {"ops_per_s", g.opsPerSecond},
                        {"typical_ops_per_s", g.typicalOpsPerSecond},
                        {"efficiency_vs_fma_roof", g.efficiency}});
    }
    doc["gemm"] = gemm;

    Ordered coldReads = Ordered::array();
    for (const auto& r : c.coldReads) {
        coldReads.push_back(
            {{"threads", r.threads}, {"bytes", r.bytes}, {"bytes_per_s", r.bytesPerSecond}});
    }
    doc["cold_reads"] = coldReads;
    Ordered overheads = Ordered::array();
    for (const auto& o : c.overheads) {
        overheads.push_back({{"threads", o.threads}, {"seconds", o.seconds}, {"kernel", o.kernel}});
    }
    doc["kernel_overheads"] = overheads;
    // The efficiency model at every measured thread count (the profile carries the all-thread
    // one): GEMM grids, memory efficiency vs bytes, overhead.
    Ordered models = Ordered::array();
    for (int threads : c.threads() > 1 ? std::vector<int>{1, c.threads()} : std::vector<int>{1}) {
        const core::EfficiencyModel model = efficiencyModel(c, threads);
        Ordered grids = Ordered::array();
        for (const auto& g : model.gemm) {
            grids.push_back({{"type", g.type ? std::string(core::nameOf(*g.type)) : "any"},
                             {"m", g.m},
                             {"k", g.k},
                             {"n", g.n},
                             {"efficiency", g.values}});
        }
        Ordered entry = {{"threads", threads},
                         {"gemm", grids},
                         {"kernel_overhead_s", model.kernelOverheadSeconds}};
        if (model.memory) {
            entry["memory"] = {{"bytes", model.memory->bytes},
                               {"efficiency", model.memory->values}};
        }
        models.push_back(std::move(entry));
    }
    doc["efficiency"] = models;

    Ordered sweeps = Ordered::array();
    for (const auto& s : c.sweeps) {
        Ordered points = Ordered::array();
        for (const auto& p : s.points) {
            points.push_back({p.bytes, p.bytesPerSecond});
        }
        sweeps.push_back({{"kernel", s.kernel},
                          {"threads", s.threads},
                          {"points_bytes_per_thread_and_bytes_per_s", points}});
    }
    doc["sweeps"] = sweeps;

    Ordered kernels = Ordered::array();
    for (const auto& k : c.kernels) {
        Ordered j;
        j["name"] = k.name;
        j["group"] = k.group;
        j["isa"] = k.isa;
        j["unit"] = k.unit;
        j["threads"] = k.threads;
        j["working_set_bytes_per_thread"] = k.workingSetBytes;
        j["work_per_iteration"] = k.workPerIteration;
        j["iterations_per_trial"] = k.measurement.iterations;
        j["warmup_trials"] = k.measurement.warmupTrials;
        j["rate"] = rateJson(k.rate);
        j["theoretical"] = k.theoretical;
        j["clock_hz"] = k.clockHz;
        j["flags"] = k.flags;
        Ordered runs = Ordered::array();
        for (const auto& run : k.measurement.runs) {
            runs.push_back(run);
        }
        j["seconds_per_iteration_by_run"] = runs;
        kernels.push_back(j);
    }
    doc["kernels"] = kernels;
    doc["warnings"] = c.warnings;
    return doc.dump(1) + "\n";
}

}  // namespace rooflens::calibrate
