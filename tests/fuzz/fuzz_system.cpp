// Multi-device system files (hwdb/systems, docs/parallelism.md): parseSystem against the
// built-in device database.
#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "fuzz_support.h"
#include "hwdb/systems.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rooflens;
    static const hwdb::Database db =
        hwdb::Database::load(hwdb::Database::defaultBuiltinDir(), "/nonexistent-rooflens-fuzz");
    return fuzz::guarded([&] {
        const std::string label = "fuzz-system.json";
        auto doc = core::parseJsonText(fuzz::text(data, size), label);
        fuzz::expectLocated(doc, label);
        if (!doc) {
            return;
        }
        auto system = hwdb::parseSystem(*doc, label, db);
        fuzz::expectLocated(system, label);
    });
}
