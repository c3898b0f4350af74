#include "calibrate/machine.h"

#include <cpuid.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cstdlib>
#include <cstring>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "calibrate/gemm.h"
#include "calibrate/thread_team.h"

#ifndef ROOFLENS_BUILD_TYPE
#define ROOFLENS_BUILD_TYPE ""
#endif

namespace rooflens::calibrate {

namespace {

std::string readLine(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

// "48K" -> 49152, "1024K", "32M".
double parseSize(const std::string& text) {
    if (text.empty()) {
        return 0;
    }
    double value = 0;
    try {
        value = std::stod(text);
    } catch (...) {
        return 0;
    }
    switch (text.back()) {
        case 'K':
            return value * 1024;
        case 'M':
            return value * 1024 * 1024;
        case 'G':
            return value * 1024 * 1024 * 1024;
        default:
            return value;
    }
}

// "0-3,8" -> {0,1,2,3,8}.
std::set<int> parseCpuList(const std::string& text) {
    std::set<int> cpus;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ',')) {
        const auto dash = part.find('-');
        try {
            if (dash == std::string::npos) {
                cpus.insert(std::stoi(part));
            } else {
                for (int c = std::stoi(part.substr(0, dash)); c <= std::stoi(part.substr(dash + 1));
                     ++c) {
                    cpus.insert(c);
                }
            }
        } catch (...) {
        }
    }
    return cpus;
}

std::string cpuinfoField(const std::string& key) {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(key, 0) == 0) {
            const auto colon = line.find(':');
            if (colon != std::string::npos) {
                return line.substr(line.find_first_not_of(" \t", colon + 1));
            }
        }
    }
    return "";
}

void readCaches(MachineContext& m) {
    const std::set<int> used(m.cpus.begin(), m.cpus.end());
    const int cpu = m.cpus.empty() ? 0 : m.cpus.front();
    for (int index = 0; index < 16; ++index) {
        const std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) +
                                "/cache/index" + std::to_string(index) + "/";
        const std::string type = readLine(dir + "type");
        if (type.empty()) {
            break;
        }
        if (type == "Instruction") {
            continue;
        }
        CacheLevel level;
        level.level = std::atoi(readLine(dir + "level").c_str());
        level.bytes = parseSize(readLine(dir + "size"));
        const auto shared = parseCpuList(readLine(dir + "shared_cpu_list"));
        level.sharedByCpus = std::max<int>(1, static_cast<int>(shared.size()));
        // Instances in use: distinct shared_cpu_list sets among our CPUs.
        std::set<std::string> instances;
        for (int c : used) {
            instances.insert(readLine("/sys/devices/system/cpu/cpu" + std::to_string(c) +
                                      "/cache/index" + std::to_string(index) + "/shared_cpu_list"));
        }
        level.instancesInUse = std::max<int>(1, static_cast<int>(instances.size()));
        if (level.bytes > 0) {
            m.caches.push_back(level);
        }
    }
    std::sort(m.caches.begin(), m.caches.end(),
              [](const CacheLevel& a, const CacheLevel& b) { return a.level < b.level; });
}

int countPhysicalCores(const std::vector<int>& cpus) {
    std::set<std::pair<std::string, std::string>> cores;
    for (int cpu : cpus) {
        const std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/topology/";
        cores.emplace(readLine(dir + "physical_package_id"), readLine(dir + "core_id"));
    }
    return std::max<int>(1, static_cast<int>(cores.size()));
}

}  // namespace

std::vector<std::string> CpuFeatures::names() const {
    std::vector<std::string> out;
    const std::pair<bool, const char*> all[] = {{sse2, "sse2"},
                                                {avx, "avx"},
                                                {avx2, "avx2"},
                                                {fma, "fma"},
                                                {avx512f, "avx512f"},
                                                {avx512bw, "avx512bw"},
                                                {avx512vl, "avx512vl"},
                                                {avx512vnni, "avx512vnni"},
                                                {avx512bf16, "avx512bf16"},
                                                {avxvnni, "avxvnni"},
                                                {amx, "amx"}};
    for (const auto& [present, name] : all) {
        if (present) {
            out.emplace_back(name);
        }
    }
    return out;
}

CpuFeatures detectCpuFeatures() {
    CpuFeatures f;
    __builtin_cpu_init();
    f.sse2 = __builtin_cpu_supports("sse2");
    f.avx = __builtin_cpu_supports("avx");
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512vl = __builtin_cpu_supports("avx512vl");
    f.avx512vnni = __builtin_cpu_supports("avx512vnni");
    f.avx512bf16 = __builtin_cpu_supports("avx512bf16");
    f.avxvnni = __builtin_cpu_supports("avxvnni");
    unsigned a = 0;
    unsigned b = 0;
    unsigned c = 0;
    unsigned d = 0;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d) != 0) {
        f.amx = (d & (1U << 24)) != 0;  // AMX-TILE
    }
    return f;
}

const CacheLevel* MachineContext::cache(int level) const {
    for (const auto& c : caches) {
        if (c.level == level) {
            return &c;
        }
    }
    return nullptr;
}

double MachineContext::cacheBytesFor(int level, const std::vector<int>& cpuSet) const {
    const CacheLevel* c = cache(level);
    if (c == nullptr) {
        return 0;
    }
    std::set<std::string> instances;
    for (int cpu : cpuSet) {
        for (int index = 0; index < 16; ++index) {
            const std::string dir = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) +
                                    "/cache/index" + std::to_string(index) + "/";
            const std::string type = readLine(dir + "type");
            if (type.empty()) {
                break;
            }
            if (type != "Instruction" && std::atoi(readLine(dir + "level").c_str()) == level) {
                instances.insert(readLine(dir + "shared_cpu_list"));
            }
        }
    }
    return c->bytes * static_cast<double>(std::max<std::size_t>(1, instances.size()));
}

double MachineContext::lastLevelCacheBytes() const {
    return caches.empty() ? 0 : caches.back().totalBytes();
}

std::vector<std::string> MachineContext::warnings() const {
    std::vector<std::string> out;
    if (debugBuild) {
        out.emplace_back(
            "this is a debug build (NDEBUG not defined or no optimization): kernels may be slow");
    }
    return out;
}

MachineContext detectMachine() {
    MachineContext m;
    unsigned a = 0;
    unsigned b = 0;
    unsigned c = 0;
    unsigned d = 0;
    if (__get_cpuid(0, &a, &b, &c, &d) != 0) {
        char vendor[13] = {};
        std::memcpy(vendor, &b, 4);
        std::memcpy(vendor + 4, &d, 4);
        std::memcpy(vendor + 8, &c, 4);
        const std::string v = vendor;
        m.vendor = v == "AuthenticAMD" ? "AMD" : v == "GenuineIntel" ? "Intel" : v;
    }
    if (__get_cpuid(1, &a, &b, &c, &d) != 0) {
        const unsigned baseFamily = (a >> 8) & 0xF;
        const unsigned baseModel = (a >> 4) & 0xF;
        m.family =
            static_cast<int>(baseFamily == 0xF ? baseFamily + ((a >> 20) & 0xFF) : baseFamily);
        m.model = static_cast<int>(baseFamily == 0xF || baseFamily == 0x6
                                       ? baseModel + (((a >> 16) & 0xF) << 4)
                                       : baseModel);
        m.stepping = static_cast<int>(a & 0xF);
        m.hypervisor = (c & (1U << 31)) != 0;
    }
    m.cpuModel = cpuinfoField("model name");
    if (m.cpuModel.empty()) {
        m.cpuModel = m.vendor.empty() ? "unknown CPU" : m.vendor + " CPU";
    }
    m.features = detectCpuFeatures();
    m.cpus = availableCpus();
    m.physicalCores = countPhysicalCores(m.cpus);
    readCaches(m);
    try {
        m.nominalHz = std::stod(cpuinfoField("cpu MHz")) * 1e6;
    } catch (...) {
        m.nominalHz = 0;
    }
    {
        std::ifstream in("/proc/meminfo");
        std::string key;
        double kib = 0;
        while (in >> key >> kib) {
            if (key == "MemTotal:") {
                m.memoryBytes = kib * 1024;
                break;
            }
            in.ignore(1 << 10, '\n');
        }
    }
    m.pageBytes = sysconf(_SC_PAGESIZE);
    {
        const std::string thp = readLine("/sys/kernel/mm/transparent_hugepage/enabled");
        const auto open = thp.find('[');
        const auto close = thp.find(']');
        if (open != std::string::npos && close != std::string::npos && close > open) {
            m.transparentHugePages = thp.substr(open + 1, close - open - 1);
        }
    }
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) == 0) {
        m.hostname = host;
    }
    struct utsname name {};
    if (uname(&name) == 0) {
        m.os = std::string(name.sysname) + " " + name.release;
    }
#if defined(__clang__)
    m.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
    m.compiler = "g++ " __VERSION__;
#endif
#if defined(NDEBUG) && defined(__OPTIMIZE__)
    m.debugBuild = false;
#else
    m.debugBuild = true;
#endif
    m.buildType = ROOFLENS_BUILD_TYPE;
    m.dnnlVersion = dnnlVersion();
    return m;
}

double fmaInstructionsPerCycle(const MachineContext& machine, int vectorBits) {
    const bool zen4 = machine.vendor == "AMD" && machine.family == 0x19;
    if (vectorBits >= 512 && zen4) {
        return 1;
    }
    return 2;
}

double peakInstructionsPerCycle(const MachineContext& machine, core::DataType type,
                                int vectorBits) {
    const double fma = fmaInstructionsPerCycle(machine, vectorBits);
    if (type == core::DataType::bf16 && machine.vendor == "Intel") {
        return fma / 2;
    }
    return fma;
}

}  // namespace rooflens::calibrate
