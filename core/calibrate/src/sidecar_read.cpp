// Reading a calibration sidecar back (calibrate/sidecar.h).
#include <nlohmann/json.hpp>

#include "calibrate/sidecar.h"

namespace rooflens::calibrate {

core::Result<core::Json> parseSidecar(std::string_view text, const std::string& label) {
    ROOFLENS_TRY(core::Json doc, core::parseJsonText(text, label));
    const core::JsonReader r(label);
    if (!doc.is_object()) {
        return r.expected("", "a rooflens calibration sidecar (a JSON object)", doc);
    }
    const auto kind = doc.find("kind");
    if (kind == doc.end() || !kind->is_string() || *kind != "rooflens-calibration") {
        return r.error("/kind",
                       "not a rooflens calibration sidecar (expected \"kind\": "
                       "\"rooflens-calibration\")");
    }
    if (r.has(doc, "schema_version")) {
        ROOFLENS_CHECK(r.integer(doc, "", "schema_version", 1, kSidecarSchemaVersion));
    }
    if (r.has(doc, "threads")) {
        ROOFLENS_CHECK(r.integer(doc, "", "threads", 1, 65536));
    }
    for (const char* key : {"compute", "memory", "gather", "gemm"}) {
        const auto list = doc.find(key);
        if (list == doc.end()) {
            continue;
        }
        const std::string path = core::childPath("", key);
        if (!list->is_array()) {
            return r.expected(path, "an array of objects", *list);
        }
        for (std::size_t i = 0; i < list->size(); ++i) {
            if (!(*list)[i].is_object()) {
                return r.expected(core::childPath(path, i), "an object", (*list)[i]);
            }
        }
    }
    return doc;
}

core::Result<core::Json> loadSidecar(const std::filesystem::path& path) {
    ROOFLENS_TRY(const std::string text, core::readFile(path));
    return parseSidecar(text, path.string());
}

}  // namespace rooflens::calibrate
