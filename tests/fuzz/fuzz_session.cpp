// GUI session files (ui/src/session.cpp, "kind": "rooflens-session"): parseSession, built with
// QtCore only (the session code and the family registry it checks names against use QString and
// QObject::tr, no widgets); a parsed session must survive serializeSession and parse again.
#include "fuzz_support.h"
#include "ui/session.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rooflens;
    return fuzz::guarded([&] {
        const std::string label = "fuzz-session.json";
        auto session = ui::parseSession(fuzz::text(data, size), label);
        fuzz::expectLocated(session, label);
        if (!session) {
            return;
        }
        const std::string again = ui::serializeSession(*session);
        auto reparsed = ui::parseSession(again, "serialized.json");
        if (!reparsed) {
            fuzz::finding("serializeSession wrote a session parseSession rejects",
                          reparsed.error().message + "\n" + again);
        }
    });
}
