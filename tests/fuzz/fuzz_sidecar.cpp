// Calibration sidecars (*.calibration.json, docs/calibration.md): parseSidecar, then what
// `rooflens validate` reads from an accepted one before the lenient ceiling readers (its
// "threads"), which must not throw.
#include <nlohmann/json.hpp>

#include "calibrate/sidecar.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rooflens;
    return fuzz::guarded([&] {
        const std::string label = "fuzz.calibration.json";
        auto doc = calibrate::parseSidecar(fuzz::text(data, size), label);
        fuzz::expectLocated(doc, label);
        if (!doc) {
            return;
        }
        const int threads = doc->value("threads", 1);
        if (threads < 1) {
            fuzz::finding("parseSidecar accepted threads", std::to_string(threads));
        }
    });
}
