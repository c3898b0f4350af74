// The GPU calibration driver: runs the CUDA benchmarks through the same harness as the CPU suite
// (host timing around synchronized launches, >= 100 ms per trial in full mode) and builds a GPU
// profile.
#include "calibrate/cuda_backend.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "calibrate/layer_kernels.h"
#include "core/units.h"
#include "cuda_kernels.h"

namespace rooflens::calibrate {

namespace {

std::string versionText(int v) {
    return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

// CUDA cores (FP32 lanes) per SM by compute capability.
int fp32LanesPerSm(int major, int minor) {
    if (major == 8 && minor == 0) {
        return 64;  // A100
    }
    return major >= 8 ? 128 : 64;
}

struct Runner {
    Mode mode;
    double scale;
    const core::ProgressCallback& progress;
    const core::CancelToken& cancel;
    CudaCalibration& out;
    SteadyClock clock;
    int step = 0;
    int steps = 1;

    // Measures a bench; false only when cancelled. A failing bench adds a warning.
    // `probe`: one of the many short points of the efficiency model (shorter trials).
    bool measure(cuda::Bench* raw, const std::string& name, const std::string& group,
                 const std::string& unit, core::DataType type, double& result, bool probe = false) {
        std::unique_ptr<cuda::Bench> bench(raw);
        if (progress) {
            progress(static_cast<double>(step) / steps, name, -1);
        }
        ++step;
        if (!bench->error().empty()) {
            out.warnings.push_back(name + ": " + bench->error());
            return true;
        }
        MeasureOptions o = measureOptionsFor(mode, scale);
        o.minTrialSeconds = (mode == Mode::full ? 0.1 : 0.03) * std::min(1.0, scale);
        if (probe) {
            o.minTrialSeconds = (mode == Mode::full ? 0.02 : 0.005) * std::min(1.0, scale);
            o.minRunSeconds = (mode == Mode::full ? 0.15 : 0.04) * std::min(1.0, scale);
            o.minTrials = mode == Mode::full ? 7 : 5;
        }
        bool failed = false;
        auto m = calibrate::measure([&](std::int64_t n) { failed |= !bench->run(n); }, clock, o,
                                    &cancel);
        if (!m) {
            return false;
        }
        if (failed) {
            out.warnings.push_back(name + ": " + bench->error());
            return true;
        }
        KernelResult r;
        r.name = name;
        r.group = group;
        r.unit = unit;
        r.type = type;
        r.workPerIteration = bench->workPerIteration();
        r.measurement = std::move(*m);
        r.rate = rateStats(r.measurement, r.workPerIteration);
        result = r.rate.achievable;
        out.kernels.push_back(std::move(r));
        return true;
    }
};

// The efficiency model's shapes: transfers of 64 KiB to 1 GiB; GEMMs over the m of decode
// to prefill and the (k, n) of 7-70B decoders (quick: k = 4096 only).
const std::vector<double>& coldReadSizes() {
    static const std::vector<double> sizes = {65536.0,    262144.0,   1048576.0,   4194304.0,
                                              16777216.0, 67108864.0, 268435456.0, 1073741824.0};
    return sizes;
}
std::vector<int> gridM(Mode mode) {
    return mode == Mode::full
               ? std::vector<int>{1, 4, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192}
               : std::vector<int>{1, 16, 64, 256, 1024, 4096};
}
std::vector<int> gridK(Mode mode) {
    return mode == Mode::full ? std::vector<int>{4096, 14336} : std::vector<int>{4096};
}
const std::vector<int>& gridN() {
    static const std::vector<int> n = {1024, 4096, 14336};
    return n;
}
constexpr core::DataType kGridTypes[] = {core::DataType::bf16, core::DataType::fp16};

int efficiencySteps(Mode mode) {
    const auto gemms = gridM(mode).size() * gridK(mode).size() * gridN().size();
    return static_cast<int>(1 + coldReadSizes().size() + std::size(kGridTypes) * gemms);
}

// Copies of an operand set of `bytes` so that a graph of them touches >= 4x the L2.
int coldCopies(double bytes, double l2Bytes, int cap) {
    const double target = 4.0 * std::max(l2Bytes, 1.0);
    return static_cast<int>(
        std::clamp(std::ceil(target / std::max(bytes, 1.0)), 1.0, static_cast<double>(cap)));
}

// Launch cost, cold reads and the GEMM shape grid (cudaEfficiencyModel turns them into the
// profile's efficiency model). False only when cancelled.
bool measureEfficiency(Runner& run, int device, int cc) {
    CudaCalibration& c = run.out;
    double launches = 0;
    if (!run.measure(cuda::makeLaunchBench(device, 256), "kernel launch (CUDA graph node)",
                     "overhead", "launch/s", core::DataType::fp32, launches, true)) {
        return false;
    }
    c.launchSeconds = launches > 0 ? 1.0 / launches : 0;
    for (double bytes : coldReadSizes()) {
        double rate = 0;
        const int copies = coldCopies(bytes, c.l2Bytes, 4096);
        if (!run.measure(cuda::makeColdReadBench(device, static_cast<std::size_t>(bytes), copies),
                         "cold read " + core::formatBinary(bytes, "B"), "cold-read", "B/s",
                         core::DataType::fp32, rate, true)) {
            return false;
        }
        if (rate > 0) {
            c.coldReads.push_back({bytes, rate});
        }
    }
    for (core::DataType type : kGridTypes) {
        const bool bf16 = type == core::DataType::bf16;
        if (cc < (bf16 ? 80 : 70) || !(c.matrix.at(type) > 0)) {
            run.step +=
                static_cast<int>(gridM(c.mode).size() * gridK(c.mode).size() * gridN().size());
            continue;
        }
        for (int k : gridK(c.mode)) {
            for (int n : gridN()) {
                for (int m : gridM(c.mode)) {
                    const double bytes =
                        2.0 * (static_cast<double>(m) * k + static_cast<double>(k) * n +
                               static_cast<double>(m) * n);
                    const int copies = coldCopies(bytes, c.l2Bytes, 64);
                    double rate = 0;
                    const std::string name = "cuBLASLt GEMM " + std::string(core::nameOf(type)) +
                                             " " + std::to_string(m) + "x" + std::to_string(k) +
                                             "x" + std::to_string(n);
                    if (!run.measure(cuda::makeGemmBench(
                                         device, bf16 ? cuda::GemmKind::bf16 : cuda::GemmKind::fp16,
                                         m, n, k, copies),
                                     name, "gemm-shape", "FLOP/s", type, rate, true)) {
                        return false;
                    }
                    if (rate > 0) {
                        c.gemmShapes.push_back({type, m, k, n, bytes, rate});
                    }
                }
            }
        }
        // The matrix peak is the best GEMM measured, so the roof stays above every shape (a
        // prefill GEMM of 2048 x 4096 x 14336 can run a few percent above the square one).
        double best = c.matrix.at(type);
        for (const CudaGemmShape& g : c.gemmShapes) {
            if (g.type == type) {
                best = std::max(best, g.opsPerSecond);
            }
        }
        c.matrix.set(type, best);
    }
    return true;
}

}  // namespace

bool cudaBackendBuilt() {
    return true;
}

core::Result<int> cudaDeviceCount() {
    std::string error;
    const int count = cuda::deviceCount(error);
    if (count <= 0) {
        return core::makeError("no CUDA GPU found (no NVIDIA driver or no device: " + error + ")");
    }
    return count;
}

core::Result<CudaCalibration> runCudaCalibration(Mode mode, double budgetScale, int device,
                                                 const core::ProgressCallback& progress,
                                                 const core::CancelToken& cancel) {
    auto count = cudaDeviceCount();
    if (!count) {
        return count.error();
    }
    if (device < 0 || device >= count.value()) {
        return core::makeError("CUDA device " + std::to_string(device) + " does not exist (" +
                               std::to_string(count.value()) + " found)");
    }
    cuda::DeviceInfo info;
    std::string error;
    if (!cuda::deviceInfo(device, info, error)) {
        return core::makeError(error);
    }
    CudaCalibration c;
    c.device = device;
    c.mode = mode;
    c.name = info.name;
    c.computeMajor = info.major;
    c.computeMinor = info.minor;
    c.multiprocessors = info.multiprocessors;
    c.memoryBytes = info.memoryBytes;
    c.l2Bytes = info.l2Bytes;
    c.sharedPerMultiprocessorBytes = info.sharedPerMultiprocessorBytes;
    c.smClockHz = info.clockHz;
    c.runtimeVersion = versionText(info.runtimeVersion);
    c.driverVersion = versionText(info.driverVersion);
    c.theoreticalFp32 =
        2.0 * fp32LanesPerSm(info.major, info.minor) * info.multiprocessors * info.clockHz;
    {
        const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
        std::tm utc{};
        gmtime_r(&now, &utc);
        char text[32];
        std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
        c.startedAt = text;
    }
    Runner run{mode, budgetScale, progress, cancel, c, {}, 0, 11 + efficiencySteps(mode)};
    const double start = run.clock.now();
    const double s = std::min(1.0, budgetScale);
    // >= 8x L2 and >= 1 GiB per array, within a quarter of the device memory.
    const auto bytes = static_cast<std::size_t>(
        std::min(std::max(8 * c.l2Bytes, (1 << 30) * s), c.memoryBytes / 4));
    const std::pair<cuda::MemoryKind, const char*> memoryKinds[] = {
        {cuda::MemoryKind::read, "device memory read"},
        {cuda::MemoryKind::copy, "device memory copy"},
        {cuda::MemoryKind::triad, "device memory triad"}};
    double* memoryResults[] = {&c.readBytesPerSecond, &c.copyBytesPerSecond,
                               &c.triadBytesPerSecond};
    for (int i = 0; i < 3; ++i) {
        if (!run.measure(cuda::makeMemoryBench(device, memoryKinds[i].first, bytes),
                         memoryKinds[i].second, "memory", "B/s", core::DataType::fp32,
                         *memoryResults[i])) {
            return core::makeError("cancelled");
        }
    }
    const std::pair<cuda::FmaKind, core::DataType> fmaKinds[] = {
        {cuda::FmaKind::fp32, core::DataType::fp32}, {cuda::FmaKind::fp16, core::DataType::fp16}};
    for (const auto& [kind, type] : fmaKinds) {
        double rate = 0;
        if (!run.measure(cuda::makeFmaBench(device, kind, c.multiprocessors),
                         "FMA peak " + std::string(core::nameOf(type)), "peak", "FLOP/s", type,
                         rate)) {
            return core::makeError("cancelled");
        }
        c.vector.set(type, rate);
    }
    const int cc = info.major * 10 + info.minor;
    const int n = mode == Mode::full ? 8192 : 4096;
    const int dim = std::max(256, static_cast<int>(n * std::sqrt(s)) / 256 * 256);
    struct GemmCase {
        cuda::GemmKind kind;
        core::DataType type;
        int minimumCc;
    };
    const GemmCase gemms[] = {{cuda::GemmKind::fp16, core::DataType::fp16, 70},
                              {cuda::GemmKind::bf16, core::DataType::bf16, 80},
                              {cuda::GemmKind::tf32, core::DataType::tf32, 80},
                              {cuda::GemmKind::fp8, core::DataType::fp8_e4m3, 89},
                              {cuda::GemmKind::int8, core::DataType::int8, 75}};
    for (const auto& g : gemms) {
        if (cc < g.minimumCc) {
            ++run.step;
            continue;
        }
        double rate = 0;
        if (!run.measure(cuda::makeGemmBench(device, g.kind, dim, dim, dim),
                         "cuBLASLt GEMM " + std::string(core::nameOf(g.type)) + " " +
                             std::to_string(dim) + "^3",
                         "gemm", g.type == core::DataType::int8 ? "OP/s" : "FLOP/s", g.type,
                         rate)) {
            return core::makeError("cancelled");
        }
        c.matrix.set(g.type, rate);
    }
    c.matrix.set(core::DataType::fp8_e5m2, 0);
    if (!measureEfficiency(run, device, cc)) {
        return core::makeError("cancelled");
    }
    {
        const int rows = static_cast<int>(std::max(4096.0, 2e6 * s));
        const CsrGraph graph = randomGraph(rows, rows, 16, 7);
        std::vector<std::int32_t> rowPtr(graph.rowPtr.begin(), graph.rowPtr.end());
        double rate = 0;
        if (!run.measure(cuda::makeSpmmBench(device, rows, rows, rowPtr.data(), graph.col.data(),
                                             graph.value.data(), static_cast<int>(graph.nnz()), 64),
                         "cuSPARSE SpMM F=64", "spmm", "FLOP/s", core::DataType::fp32, rate)) {
            return core::makeError("cancelled");
        }
    }
    c.durationSeconds = run.clock.now() - start;
    for (const auto& k : c.kernels) {
        const double limit =
            k.group == "memory" || k.group == "cold-read" ? kMemoryCvLimit : kComputeCvLimit;
        if (k.rate.cv > limit) {
            c.warnings.push_back(k.name + ": noisy (CV above the limit)");
        }
    }
    if (progress) {
        progress(1.0, "done", 0);
    }
    return c;
}

core::Hardware toHardware(const CudaCalibration& c, const ProfileOptions& options) {
    core::Hardware hw;
    hw.id = options.id.empty() ? "calibrated-gpu" + std::to_string(c.device) : options.id;
    hw.name = options.name.empty() ? c.name + " (calibrated)" : options.name;
    hw.vendor = "NVIDIA";
    hw.kind = core::DeviceKind::gpu;
    const char* props = "cudaGetDeviceProperties on the calibrated machine";
    for (auto type : core::kAllDataTypes) {
        if (c.vector.at(type) > 0) {
            hw.vector.set(type, roundSignificant(c.vector.at(type)));
            hw.provenance.push_back(
                {"/compute/vector/" + std::string(core::nameOf(type)) + "/dense",
                 core::Provenance::measured, "", "FMA chains, 8 per thread, full occupancy"});
        }
        if (c.matrix.at(type) > 0) {
            hw.matrixDense.set(type, roundSignificant(c.matrix.at(type)));
            hw.provenance.push_back(
                {"/compute/matrix/" + std::string(core::nameOf(type)) + "/dense",
                 core::Provenance::measured, "",
                 type == core::DataType::bf16 || type == core::DataType::fp16
                     ? "cuBLASLt GEMM (TN, autotuned), the best of the square GEMM and the "
                       "shape grid"
                     : "cuBLASLt GEMM (TN, autotuned), achievable"});
        }
    }
    if (c.l2Bytes > 0) {
        hw.memory.push_back({"L2", c.l2Bytes, 0, false});
        hw.provenance.push_back({"/memory/0/capacity", core::Provenance::derived, props, ""});
    }
    const std::string path = "/memory/" + std::to_string(hw.memory.size());
    hw.memory.push_back({"device memory", c.memoryBytes,
                         roundSignificant(std::max(c.readBytesPerSecond, 1.0)), true});
    hw.provenance.push_back({path + "/capacity", core::Provenance::derived, props, ""});
    hw.provenance.push_back({path + "/bandwidth", core::Provenance::measured, "",
                             "read-only grid-stride float4 kernel"});
    if (c.sharedPerMultiprocessorBytes > 0) {
        hw.sramPerCoreBytes = c.sharedPerMultiprocessorBytes;
        hw.provenance.push_back({"/sram_per_core", core::Provenance::derived, props, ""});
    }
    hw.efficiency = cudaEfficiencyModel(c);
    hw.notes = "Calibrated by rooflens calibrate --device cuda on " + c.startedAt +
               ", CUDA runtime " + c.runtimeVersion + ", driver " + c.driverVersion + ".";
    return hw;
}

std::string calibrationJson(const CudaCalibration& c, const std::string& profileId) {
    nlohmann::ordered_json doc;
    doc["schema_version"] = kSidecarSchemaVersion;
    doc["kind"] = "rooflens-calibration";
    doc["profile_id"] = profileId;
    doc["device"] = "cuda";
    doc["gpu"] = {{"name", c.name},
                  {"compute_capability",
                   std::to_string(c.computeMajor) + "." + std::to_string(c.computeMinor)},
                  {"multiprocessors", c.multiprocessors},
                  {"memory_bytes", c.memoryBytes},
                  {"l2_bytes", c.l2Bytes},
                  {"sm_clock_hz", c.smClockHz},
                  {"runtime", c.runtimeVersion},
                  {"driver", c.driverVersion}};
    doc["mode"] = std::string(nameOf(c.mode));
    doc["started_at"] = c.startedAt;
    doc["duration_s"] = c.durationSeconds;
    doc["memory"] = {{"read_bytes_per_s", c.readBytesPerSecond},
                     {"copy_bytes_per_s", c.copyBytesPerSecond},
                     {"triad_bytes_per_s", c.triadBytesPerSecond}};
    doc["theoretical_fp32_flops_at_boost_clock"] = c.theoreticalFp32;
    nlohmann::ordered_json kernels = nlohmann::ordered_json::array();
    for (const auto& k : c.kernels) {
        kernels.push_back({{"name", k.name},
                           {"group", k.group},
                           {"unit", k.unit},
                           {"typical", k.rate.typical},
                           {"achievable", k.rate.achievable},
                           {"cv", k.rate.cv},
                           {"trials", k.rate.trials}});
    }
    doc["kernels"] = kernels;
    nlohmann::ordered_json reads = nlohmann::ordered_json::array();
    for (const CudaColdRead& r : c.coldReads) {
        reads.push_back({{"bytes", r.bytes}, {"bytes_per_s", r.bytesPerSecond}});
    }
    nlohmann::ordered_json shapes = nlohmann::ordered_json::array();
    for (const CudaGemmShape& g : c.gemmShapes) {
        shapes.push_back({{"type", std::string(core::nameOf(g.type))},
                          {"m", g.m},
                          {"k", g.k},
                          {"n", g.n},
                          {"bytes", g.bytesMoved},
                          {"ops_per_s", g.opsPerSecond}});
    }
    doc["efficiency_points"] = {
        {"launch_s", c.launchSeconds}, {"cold_reads", reads}, {"gemm_shapes", shapes}};
    doc["warnings"] = c.warnings;
    return doc.dump(1) + "\n";
}

}  // namespace rooflens::calibrate
