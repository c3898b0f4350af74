#pragma once
// Hardware: one device as the engine sees it (peaks per unit and data type, memory hierarchy,
// provenance). Loaded and validated by hwdb, produced by calibration, consumed by analyze().
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/datatypes.h"
#include "core/efficiency.h"
#include "core/result.h"

namespace rooflens::core {

enum class ExecUnit : std::uint8_t { matrix, vector };
std::string_view nameOf(ExecUnit unit);

enum class DeviceKind : std::uint8_t { gpu, cpu, tpu, soc };
std::string_view nameOf(DeviceKind kind);
std::optional<DeviceKind> parseDeviceKind(std::string_view name);

// Peak rate in OPs/s per data type; 0 means the unit has no datapath for that type.
struct PeakTable {
    std::array<double, kDataTypeCount> opsPerSecond{};
    double at(DataType type) const { return opsPerSecond[indexOf(type)]; }
    void set(DataType type, double value) { opsPerSecond[indexOf(type)] = value; }
    bool any() const;
    bool operator==(const PeakTable&) const = default;
};

// One level of the memory hierarchy, ordered from the closest to the cores (L1/SRAM) to main
// memory (HBM/DRAM), which is always the last level.
struct MemoryLevel {
    std::string name;           // "L2", "HBM3", "DDR5"
    double capacityBytes = 0;   // whole device
    double bytesPerSecond = 0;  // 0 when not published (on-chip levels in datasheets)
    bool measured = false;      // from calibration rather than a datasheet
};

// Where a number came from: the datasheet, arithmetic from datasheet numbers, an unconfirmed
// source, or a measurement on this machine.
enum class Provenance : std::uint8_t { datasheet, derived, unverified, measured };
std::string_view nameOf(Provenance provenance);
std::optional<Provenance> parseProvenance(std::string_view name);

struct ProvenanceEntry {
    std::string jsonPath;  // "/compute/matrix/fp16/dense"
    Provenance status = Provenance::datasheet;
    std::string source;  // URL or citation
    std::string note;
};

// The technology of a link; it decides the default latency when no vendor figure exists.
enum class LinkKind : std::uint8_t {
    nvlink,       // NVIDIA NVLink (through NVSwitch or a bridge)
    nvlink_c2c,   // NVIDIA NVLink-C2C chip-to-chip (Grace <-> Blackwell host link)
    xgmi,         // AMD Infinity Fabric (xGMI) GPU links
    ici,          // Google TPU inter-chip interconnect
    neuronlink,   // AWS NeuronLink
    pcie,         // PCI Express
    infiniband,   // InfiniBand NIC (RDMA)
    roce,         // RDMA over Converged Ethernet (Gaudi's on-die NICs, RoCE NICs)
    efa,          // AWS Elastic Fabric Adapter
    ethernet,     // plain (TCP) Ethernet, data-center network via host NICs
    thunderbolt,  // Thunderbolt (IP over Thunderbolt between Macs)
};
std::string_view nameOf(LinkKind kind);
std::optional<LinkKind> parseLinkKind(std::string_view name);
// Per-step latency used when a file gives none (docs/hwdb.md, "Link latency defaults"): the time
// one message of a collective step takes to reach a neighbour, software included, launch excluded.
double defaultLatencySeconds(LinkKind kind);

// How the devices of a scale-up domain are wired; issue 11's collectives pick their step count
// and bus factor from it.
enum class Topology : std::uint8_t {
    switched,   // every device has one port into a switch (NVSwitch): full bandwidth to any peer
    full_mesh,  // a direct link to every peer (MI300X UBB, Gaudi 3): bandwidth / (n - 1) per peer
    torus_2d,   // TPU v5e/v6e, Trainium2
    torus_3d,   // TPU v4, TPU v7
};
std::string_view nameOf(Topology topology);
std::optional<Topology> parseTopology(std::string_view name);

// One tier of the network seen from one device. Bandwidth is per device and per direction, all
// ports of the tier together (NVLink 5: 18 links x 50 GB/s = 900 GB/s); 0 = not published.
struct Link {
    std::string name;  // "NVLink 5 (18 links x 50 GB/s/dir)"
    LinkKind kind = LinkKind::pcie;
    double bytesPerSecond = 0;  // per device, per direction
    double latencySeconds = 0;  // per collective step; defaultLatencySeconds(kind) if unpublished
    bool latencyDefaulted = false;  // latencySeconds came from defaultLatencySeconds(kind)
    bool operator==(const Link&) const = default;
};

// The fast fabric among a group of devices (NVLink domain, xGMI mesh, ICI slice/pod).
struct ScaleUpLink : Link {
    std::int64_t domainDevices = 1;  // devices in one domain, this one included
    Topology topology = Topology::switched;
    bool inNetworkReduction = false;  // the switch reduces (NVLink SHARP / NVLS): all-reduce
                                      // moves M per device instead of 2 (n-1)/n M
    bool operator==(const ScaleUpLink&) const = default;
};

// The device's link to its host CPU (and to NICs and storage behind it).
struct HostLink : Link {
    int pcieGeneration = 0;  // 4, 5, 6; 0 when the link is not PCIe (NVLink-C2C)
    int pcieLanes = 0;       // 16, 8; 0 when not PCIe or not published
    bool operator==(const HostLink&) const = default;
};

// Every tier a device can talk over. A tier that is absent does not exist or is not described:
// no scale-up (PCIe cards, SoCs: peers are reached over the host link, then scale-out), no host
// link (the device is the host: CPUs, SoCs with unified memory), no scale-out NIC described.
struct Interconnect {
    std::optional<ScaleUpLink> scaleUp;
    std::optional<HostLink> host;
    std::optional<Link> scaleOut;  // NIC bandwidth per device (a shared NIC divided by devices)
    bool any() const { return scaleUp || host || scaleOut; }
    bool operator==(const Interconnect&) const = default;
};

// The ceilings of a calibrated CPU at one thread count (issue 14, 7c): one profile keeps them
// for every measured count and `--threads N` picks one (Hardware::atThreads).
struct ThreadCeilings {
    int threads = 1;
    PeakTable vector;                          // vector peaks at this thread count
    std::vector<double> memoryBytesPerSecond;  // per level, parallel to Hardware::memory (0 = none)
    std::optional<EfficiencyModel> efficiency;
    bool operator==(const ThreadCeilings&) const = default;
};

struct Hardware {
    std::string id;
    std::string name;
    std::string vendor;
    DeviceKind kind = DeviceKind::gpu;

    PeakTable matrixDense;
    PeakTable
        matrixSparse;  // 2:4 structured-sparse rate; empty when the device has no sparse units
    PeakTable vector;

    std::vector<MemoryLevel> memory;  // closest first; back() is main memory
    double sramPerCoreBytes = 0;      // shared memory / L1 per SM (FlashAttention tile size)
    Interconnect interconnect;
    double tdpWatts = 0;   // board/module power limit (TDP, TBP, TGP); 0 = not published
    double idleWatts = 0;  // idle power; 0 = not published
    int releaseYear = 0;   // year the device became available; 0 = unknown
    std::string notes;
    // What fraction of the roof real kernels reach (issue 14); nullopt = the ideal roof, and the
    // expected time equals the roofline time exactly.
    std::optional<EfficiencyModel> efficiency;
    // Calibrated profiles: the thread count the ceilings above are at (0 = not stated) and the
    // ceilings at every measured thread count.
    int threads = 0;
    std::vector<ThreadCeilings> threadCeilings;
    std::vector<ProvenanceEntry> provenance;
    std::string sourceFile;  // file it was loaded from, empty for built in code

    const MemoryLevel& mainMemory() const { return memory.back(); }
    double memoryCapacityBytes() const { return memory.back().capacityBytes; }
    double memoryBytesPerSecond() const { return memory.back().bytesPerSecond; }
    // Largest on-chip level (L2, SLC, CMEM); 0 when none is listed.
    double onChipBytes() const;

    // The device with the ceilings measured at `threads` in place of the top-level ones; an
    // error naming the thread counts the profile has when it has none for `threads`.
    Result<Hardware> atThreads(int threads) const;

    // Feature flags derived from the peaks, so they can never disagree with them.
    bool hasSparseMatrixUnits() const { return matrixSparse.any(); }
    bool supportsMatrix(DataType type) const { return matrixDense.at(type) > 0; }
};

}  // namespace rooflens::core
