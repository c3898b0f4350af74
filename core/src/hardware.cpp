#include "core/hardware.h"

#include <algorithm>

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

bool PeakTable::any() const {
    return std::any_of(opsPerSecond.begin(), opsPerSecond.end(), [](double v) { return v > 0; });
}

double Hardware::onChipBytes() const {
    double largest = 0;
    for (std::size_t i = 0; i + 1 < memory.size(); ++i) {
        largest = std::max(largest, memory[i].capacityBytes);
    }
    return largest;
}

}  // namespace rooflens::core
