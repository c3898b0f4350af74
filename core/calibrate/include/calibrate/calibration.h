#pragma once
// The calibration suite: runs the reference kernels (calibration.md 4.1) at one thread and at
// all cores, fits the ceilings (4.3) and returns them with every statistic and the machine
// context. Used by `rooflens calibrate`; profile.h turns the result into a hardware profile.
// Reports progress through a callback and stops between trials when the token is cancelled.
#include <string>
#include <vector>

#include "calibrate/gemm.h"
#include "calibrate/harness.h"
#include "calibrate/machine.h"
#include "calibrate/plateau.h"
#include "core/progress.h"
#include "core/result.h"

namespace rooflens::calibrate {

enum class Mode : std::uint8_t {
    quick,  // about 20 s on a 2-core machine: short trials, one pass, 128 MiB+ DRAM sweep
    full,   // under 3 min: 50 ms trials, three interleaved passes of the peaks, 1 GiB sweep
};
std::string_view nameOf(Mode mode);

struct CalibrationOptions {
    Mode mode = Mode::quick;
    int threads = 0;  // 0: one thread per physical core of the affinity mask
    // Scales trial durations and the largest working sets (tests use 0.01); below 1 the results
    // are flagged as not representative.
    double budgetScale = 1.0;
    bool gemm = true;
    bool sparse = true;  // gather, SpMM, attention
    // Wall-clock budget of the run (issue 14 item 6): the suite scales the trial durations of
    // the steps still to run so the run ends within it (paceFor). 0: the mode's default
    // (defaultTimeBudget), scaled by budgetScale; negative: no budget (trials at full length).
    double timeBudgetSeconds = 0;
};

// The mode's default wall-clock budget: quick 27 s (the target is 30 s on every machine; 3 s
// of margin for the fit, the profile and one slow trial), full 170 s (target 3 minutes).
double defaultTimeBudget(Mode mode);

// The pace of the remaining steps: the factor their trial durations are scaled by so the run
// ends within the budget. `secondsLeft`: budget left; `estimateLeft`: the planned seconds of the
// remaining steps at pace 1; `slowdown`: measured / planned seconds of the steps done so far
// (how far the plan undershoots on this machine: large caches, slow memory, a loaded host).
// Clamped to [minPace, 1]: never longer trials than planned, and never so short that a trial
// loses its statistics (at 0.25 a quick trial is still >= 5 ms and 20 timer ticks).
double paceFor(double secondsLeft, double estimateLeft, double slowdown, double minPace = 0.25);

// CPUs the suite runs on: the first CPU of each physical core, at most `threads` of them.
std::vector<int> selectCpus(const MachineContext& machine, int threads);

// One measured kernel with its statistics.
struct KernelResult {
    std::string name;   // "peak fp32-avx512", "read 48 KiB", "gemm fp32 1024^3"
    std::string group;  // clock, peak, sweep, gather, spmm, attention, gemm
    std::string isa;    // instruction or path: "vfmadd231ps zmm", "avx512", "dnnl_sgemm"
    std::string unit;   // FLOP/s, OP/s, B/s, Hz
    int threads = 1;
    core::DataType type = core::DataType::fp32;  // compute and GEMM kernels
    int vectorBits = 0;                          // peak kernels
    double workingSetBytes = 0;                  // per thread (0 for compute kernels)
    double workPerIteration = 0;
    Measurement measurement;
    RateStats rate;
    double theoreticalPerCycle = 0;  // peak kernels: per clock cycle, all threads
    double theoretical = 0;          // same unit, at the measured clock; 0 when unknown
    double clockHz = 0;              // measured clock (per core) around the kernel
    std::vector<std::string> flags;
};

struct ComputeCeiling {
    core::DataType type = core::DataType::fp32;
    std::string kernel;  // the best variant
    std::string instruction;
    int vectorBits = 0;
    int threads = 1;
    double opsPerSecond = 0;         // achievable (p90 of the best run)
    double typicalOpsPerSecond = 0;  // median of run medians
    double opsPerCycle = 0;          // per core, at the measured clock
    double theoreticalOpsPerCycle = 0;
    double theoreticalAtMeasuredClock = 0;
    double theoreticalAtNominalClock = 0;
};

struct MemoryCeiling {
    std::string level;  // L1, L2, L3, DRAM
    int threads = 1;
    double capacityBytes = 0;  // device total (sum of the instances in use)
    double fromBytes = 0;      // plateau range, per thread
    double toBytes = 0;
    int points = 0;
    double readBytesPerSecond = 0;  // plateau median of the read-only sweep
    double readBestBytesPerSecond = 0;
    double triadBytesPerSecond = 0;    // regular stores, STREAM convention
    double triadNtBytesPerSecond = 0;  // non-temporal stores
    // The read+write roof: triad for caches, max(triad, triad-nt) for DRAM.
    double readWriteBytesPerSecond() const;
};

struct GatherCeiling {
    int granuleBytes = 0;
    int threads = 1;
    bool prefetch = true;
    double tableBytes = 0;
    double usefulBytesPerSecond = 0;  // achievable, granule bytes only
    double gathersPerSecond = 0;
};

struct GemmCeiling {
    GemmType type = GemmType::fp32;
    std::string implementation;
    GemmShape shape;
    int threads = 1;
    double opsPerSecond = 0;  // achievable
    double typicalOpsPerSecond = 0;
    double efficiency = 0;  // vs the FMA roof of the same data type and threads
};

// One cold single-pass read of `bytes` (all threads together; each pass reads a region of the
// pool not touched for a while, in a scattered order so the prefetchers cannot run ahead): the
// memory efficiency as a function of the bytes one kernel moves (issue 14).
struct ColdRead {
    int threads = 1;
    double bytes = 0;
    double bytesPerSecond = 0;  // achievable
};

// The fixed cost of one library call: a 1x16x16 oneDNN SGEMM, whose 512 FLOP take 2 ns at the
// roof, so its time is dispatch (per-kernel overhead of the efficiency model).
struct KernelOverhead {
    int threads = 1;
    double seconds = 0;
    std::string kernel;
};

struct Sweep {
    std::string kernel;  // read, triad, triad-nt
    int threads = 1;
    std::vector<SweepPoint> points;
};

struct Calibration {
    MachineContext machine;
    Mode mode = Mode::quick;
    double budgetScale = 1;
    std::vector<int> cpus;  // the all-core set; thread counts measured: 1 and cpus.size()
    std::string startedAt;  // ISO 8601 UTC
    double durationSeconds = 0;
    double clockHz = 0;  // median of the clock probes at one thread
    double clockMinHz = 0;
    double clockMaxHz = 0;
    std::vector<KernelResult> kernels;
    std::vector<ComputeCeiling> compute;
    std::vector<MemoryCeiling> memory;
    std::vector<GatherCeiling> gather;
    std::vector<GemmCeiling> gemm;
    std::vector<Sweep> sweeps;
    std::vector<ColdRead> coldReads;
    std::vector<KernelOverhead> overheads;
    double timeBudgetSeconds = 0;  // the budget the run was paced to (0: none)
    struct Step {
        std::string label;
        double seconds = 0;
        double estimateSeconds = 0;
        double pace = 1;  // trial durations relative to the plan (paceFor)
    };
    std::vector<Step> steps;  // wall time of every step of the run
    std::vector<std::string> warnings;

    int threads() const { return static_cast<int>(cpus.size()); }
    const ComputeCeiling* computeCeiling(core::DataType type, int threads) const;
    const MemoryCeiling* memoryCeiling(const std::string& level, int threads) const;
    const GatherCeiling* gatherCeiling(int granuleBytes, int threads) const;
};

// Runs the suite. Errors: "cancelled" when the token fired (nothing partial is returned), or a
// failure to allocate the working sets.
core::Result<Calibration> runCalibration(const CalibrationOptions& options,
                                         const core::ProgressCallback& progress,
                                         const core::CancelToken& cancel);

// Trial settings of a mode (exposed for validate and the benchmarks).
MeasureOptions measureOptionsFor(Mode mode, double budgetScale);

}  // namespace rooflens::calibrate
