// The GPU calibration driver: runs the CUDA benchmarks through the same harness as the CPU suite
// (host timing around synchronized launches, >= 100 ms per trial in full mode) and builds a GPU
// profile.
#include "calibrate/cuda_backend.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>

#include <nlohmann/json.hpp>

#include "calibrate/layer_kernels.h"
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
    bool measure(cuda::Bench* raw, const std::string& name, const std::string& group,
                 const std::string& unit, core::DataType type, double& result) {
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
    Runner run{mode, budgetScale, progress, cancel, c, {}, 0, 11};
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
        const double limit = k.group == "memory" ? kMemoryCvLimit : kComputeCvLimit;
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
                 core::Provenance::measured, "", "cuBLASLt GEMM (TN), achievable"});
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
    doc["warnings"] = c.warnings;
    return doc.dump(1) + "\n";
}

}  // namespace rooflens::calibrate
