#include "core/hardware.h"

#include <algorithm>
#include <array>
#include <utility>

namespace rooflens::core {

std::string_view nameOf(ExecUnit unit) {
    return unit == ExecUnit::matrix ? "matrix" : "vector";
}

std::string_view nameOf(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::gpu:
            return "gpu";
        case DeviceKind::cpu:
            return "cpu";
        case DeviceKind::tpu:
            return "tpu";
        case DeviceKind::soc:
            return "soc";
    }
    return "?";
}

std::optional<DeviceKind> parseDeviceKind(std::string_view name) {
    for (DeviceKind kind : {DeviceKind::gpu, DeviceKind::cpu, DeviceKind::tpu, DeviceKind::soc}) {
        if (nameOf(kind) == name) {
            return kind;
        }
    }
    return std::nullopt;
}

std::string_view nameOf(Provenance provenance) {
    switch (provenance) {
        case Provenance::datasheet:
            return "datasheet";
        case Provenance::derived:
            return "derived";
        case Provenance::unverified:
            return "unverified";
        case Provenance::measured:
            return "measured";
    }
    return "?";
}

std::optional<Provenance> parseProvenance(std::string_view name) {
    for (Provenance p : {Provenance::datasheet, Provenance::derived, Provenance::unverified,
                         Provenance::measured}) {
        if (nameOf(p) == name) {
            return p;
        }
    }
    return std::nullopt;
}

namespace {

struct LinkKindInfo {
    LinkKind kind;
    std::string_view name;
    double latencySeconds;
};

// Default per-step latencies (docs/hwdb.md, "Link latency defaults"). Peers (next-wave.md B.6):
// GenZ presets 1 us per link step (ICN_LL), GenZ System default 1.9 us; AIC p2p_latency 10 us on
// NVIDIA systems (a per-transfer "nonofficial correction"), 5 us inter-rack on GB200, 2 us
// measured on a PCIe 5.0 x8 card (b60.yaml); llm-analysis 8 us; Calculon 10 us NVLink / 20 us IB.
constexpr std::array<LinkKindInfo, 11> kLinkKinds = {{
    {LinkKind::nvlink, "nvlink", 1e-6},
    {LinkKind::nvlink_c2c, "nvlink_c2c", 1e-6},
    {LinkKind::xgmi, "xgmi", 1e-6},
    {LinkKind::ici, "ici", 1e-6},
    {LinkKind::neuronlink, "neuronlink", 1e-6},
    {LinkKind::pcie, "pcie", 2e-6},
    {LinkKind::infiniband, "infiniband", 5e-6},
    {LinkKind::roce, "roce", 5e-6},
    {LinkKind::efa, "efa", 5e-6},
    {LinkKind::ethernet, "ethernet", 20e-6},
    {LinkKind::thunderbolt, "thunderbolt", 20e-6},
}};

constexpr std::array<std::pair<Topology, std::string_view>, 4> kTopologies = {{
    {Topology::switched, "switch"},
    {Topology::full_mesh, "full_mesh"},
    {Topology::torus_2d, "torus_2d"},
    {Topology::torus_3d, "torus_3d"},
}};

}  // namespace

std::string_view nameOf(LinkKind kind) {
    for (const auto& info : kLinkKinds) {
        if (info.kind == kind) {
            return info.name;
        }
    }
    return "?";
}

std::optional<LinkKind> parseLinkKind(std::string_view name) {
    for (const auto& info : kLinkKinds) {
        if (info.name == name) {
            return info.kind;
        }
    }
    return std::nullopt;
}

double defaultLatencySeconds(LinkKind kind) {
    for (const auto& info : kLinkKinds) {
        if (info.kind == kind) {
            return info.latencySeconds;
        }
    }
    return 0;
}

std::string_view nameOf(Topology topology) {
    for (const auto& [value, name] : kTopologies) {
        if (value == topology) {
            return name;
        }
    }
    return "?";
}

std::optional<Topology> parseTopology(std::string_view name) {
    for (const auto& [value, text] : kTopologies) {
        if (text == name) {
            return value;
        }
    }
    return std::nullopt;
}

bool PeakTable::any() const {
    return std::any_of(opsPerSecond.begin(), opsPerSecond.end(), [](double v) { return v > 0; });
}

Result<Hardware> Hardware::atThreads(int count) const {
    std::string available;
    for (const ThreadCeilings& t : threadCeilings) {
        if (t.threads == count) {
            Hardware hw = *this;
            hw.vector = t.vector;
            for (std::size_t i = 0; i < hw.memory.size() && i < t.memoryBytesPerSecond.size();
                 ++i) {
                if (t.memoryBytesPerSecond[i] > 0) {
                    hw.memory[i].bytesPerSecond = t.memoryBytesPerSecond[i];
                }
            }
            hw.efficiency = t.efficiency;
            hw.threads = count;
            hw.name += " @ " + std::to_string(count) + (count == 1 ? " thread" : " threads");
            return hw;
        }
        available += (available.empty() ? "" : ", ") + std::to_string(t.threads);
    }
    if (count == threads && count > 0) {
        return *this;
    }
    if (available.empty()) {
        return makeError("device " + id + " has no ceilings at " + std::to_string(count) +
                             " thread(s): it has no per-thread-count ceilings (calibrated CPU "
                             "profiles written since issue 14 have them)",
                         ErrorKind::usage);
    }
    return makeError("device " + id + " has no ceilings at " + std::to_string(count) +
                         " thread(s): it was calibrated at " + available + " thread(s)",
                     ErrorKind::usage);
}

double Hardware::onChipBytes() const {
    double largest = 0;
    for (std::size_t i = 0; i + 1 < memory.size(); ++i) {
        largest = std::max(largest, memory[i].capacityBytes);
    }
    return largest;
}

}  // namespace rooflens::core
