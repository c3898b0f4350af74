// Device profiles (hwdb schema, docs/hwdb.md): parseDeviceText, then the documented round trip
// parseDevice(serializeDevice(hw)) must accept every device the parser accepted.
#include "fuzz_support.h"
#include "hwdb/hwdb.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rooflens;
    return fuzz::guarded([&] {
        const std::string label = "fuzz-device.json";
        auto hw = hwdb::parseDeviceText(fuzz::text(data, size), label);
        fuzz::expectLocated(hw, label);
        if (!hw) {
            return;
        }
        const std::string again = hwdb::serializeDevice(*hw);
        auto reparsed = hwdb::parseDeviceText(again, "serialized.json");
        if (!reparsed) {
            fuzz::finding("serializeDevice wrote a profile parseDevice rejects",
                          reparsed.error().message + "\n" + again);
        }
    });
}
