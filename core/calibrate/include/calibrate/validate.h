#pragma once
// Validation of the roofline against measurements (calibration.md 4.4): reference kernels for
// the layers of a model (linear layers in prefill and decode, attention, norms, a GNN
// aggregation), each priced with datasheet-style and calibrated ceilings and timed. Used by
// `rooflens validate`; the CLI builds the specs from a model and formats the rows.
#include <cstdint>
#include <string>
#include <vector>

#include "calibrate/harness.h"
#include "calibrate/machine.h"
#include "calibrate/thread_team.h"
#include "core/hardware.h"
#include "core/json_io.h"
#include "core/progress.h"
#include "core/result.h"

namespace rooflens::calibrate {

enum class KernelClass : std::uint8_t { gemm, gemv, spmm, attention, norm };
std::string_view nameOf(KernelClass kind);

// One FP32 reference kernel. gemm/gemv: [m x k] x [k x n] with a [n x k] weight; norm: m rows
// of width k; attention: heads, kvHeads, headDim, queries, keys; spmm: m rows (= columns),
// degree nonzeros per row, features columns of the dense operand.
struct ValidationSpec {
    std::string name;  // "prefill q_proj,o_proj"
    KernelClass kind = KernelClass::gemm;
    std::int64_t m = 0;
    std::int64_t n = 0;
    std::int64_t k = 0;
    std::int64_t heads = 0;
    std::int64_t kvHeads = 0;
    std::int64_t headDim = 0;
    std::int64_t queries = 0;
    std::int64_t keys = 0;
    bool causal = true;
    int degree = 0;
    int features = 0;
    // GEMV only: cycle through copies of the weight until this many bytes stream between two
    // uses of the same copy (cold caches, as inside a whole-model decode pass whose weights do
    // not fit in the caches); 0 keeps one copy.
    double coldBytes = 0;
    int weightCopies() const;
    std::string shape() const;  // "256x2048x5632", "32h x 256q x 256k x 64"
};

// Compulsory cost in FP32 (gathered SpMM rows counted once per nonzero: the gather model).
struct KernelCost {
    double ops = 0;
    double readBytes = 0;
    double writeBytes = 0;
    double gatheredBytes = 0;   // part of readBytes served by random row gathers (SpMM)
    double footprintBytes = 0;  // data touched per iteration (decides the cache level)
    double bytes() const { return readBytes + writeBytes; }
    double intensity() const { return bytes() > 0 ? ops / bytes() : 0; }
};
KernelCost costOf(const ValidationSpec& spec);

// A set of ceilings to price kernels with.
struct Roofs {
    std::string label;
    double computeOpsPerSecond = 0;  // FP32
    std::string computeName;         // "FP32 FMA"
    struct Level {
        std::string name;
        double capacityBytes = 0;
        double readBytesPerSecond = 0;
        double readWriteBytesPerSecond = 0;  // 0: use the read roof
    };
    std::vector<Level> levels;        // closest first; back() is main memory
    double gatherBytesPerSecond = 0;  // 256-byte row gather; 0: none (main memory read)
    // Kernel-class efficiency (calibration.md 4.3 item 5): the library GEMM's share of the FMA
    // roof, measured on a square GEMM; 1 when unknown.
    double gemmEfficiency = 1;
    // eta by M (rows of A) from the calibration's shape series, ascending in M; when present it
    // replaces gemmEfficiency, interpolated in log M and clamped at the ends.
    std::vector<std::pair<double, double>> gemmEfficiencyByRows;
    std::string gemmName;  // "FP32 GEMM (dnnl_sgemm)"
    double gemmEfficiencyFor(double rows) const;
    int threads = 0;
    std::vector<std::string> notes;
};

struct Prediction {
    double seconds = 0;  // the roofline bound
    std::string bound;   // "FP32 FMA", "L3 read", "DRAM read+write", "gather-256B + DRAM"
    // Efficiency-adjusted ("achievable") prediction: GEMMs at the library GEMM's measured share
    // of the FMA roof; the other classes equal the roofline (their reference kernels reach it).
    double achievableSeconds = 0;
    std::string achievableBound;
};

// Roofline time: max(ops / compute, memory time) with the memory level chosen by the footprint
// (the first level holding it within 75 %), its bandwidth interpolated between the read and the
// read+write roofs by the write share, and SpMM row gathers at the gather roof. Also the
// efficiency-adjusted time.
Prediction predict(const ValidationSpec& spec, const KernelCost& cost, const Roofs& roofs);

struct ValidationRow {
    ValidationSpec spec;
    KernelCost cost;
    Prediction datasheet;
    Prediction calibrated;
    SampleStats seconds;  // measured seconds per call: median, p10, p90
    std::string implementation;
    double ratio = 0;         // calibrated roof time / measured median = measured rate / roof rate
    double error = 0;         // |achievable prediction - measured| / measured
    double roofError = 0;     // |roofline prediction - measured| / measured
    bool modelError = false;  // ratio > 1.05: faster than the ceiling allows
};

struct ValidationOptions {
    MeasureOptions trial;
    std::vector<int> cpus;  // threads of the run
};

// Allocates (first touch per thread), runs and times one kernel on `team` (GEMMs use oneDNN
// with OpenMP threads pinned to the same CPUs). Errors: "cancelled", oneDNN unavailable.
core::Result<ValidationRow> runValidation(const ValidationSpec& spec, const Roofs& datasheet,
                                          const Roofs& calibrated, const ValidationOptions& options,
                                          ThreadTeam& team, const core::CancelToken& cancel);

// Median and p90 of the absolute error per kernel class and over all rows ("all").
struct ErrorSummary {
    std::string group;
    int count = 0;
    double median = 0;  // of the achievable prediction's error
    double p90 = 0;
    double roofMedian = 0;  // of the roofline prediction's error
    double roofP90 = 0;
};
std::vector<ErrorSummary> summarizeErrors(const std::vector<ValidationRow>& rows);

// Ceilings of a calibrated profile for `threads` threads: from the sidecar when it has them
// (read+write and gather roofs, 1-thread values), otherwise from the profile's peaks and
// memory levels (read roofs only).
Roofs calibratedRoofs(const core::Hardware& profile, const core::Json* sidecar, int threads);
// Datasheet-style ceilings: the ISA peak x cores x nominal clock (from the sidecar, or from
// `machine` when there is none) and a single main-memory roof, taken from `datasheet` when
// given, else the profile's main memory (a VM slice has no datasheet).
Roofs datasheetRoofs(const core::Hardware& profile, const core::Json* sidecar,
                     const MachineContext& machine, int threads, const core::Hardware* datasheet);

}  // namespace rooflens::calibrate
