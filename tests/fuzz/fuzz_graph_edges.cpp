// Graph edge lists ("src dst [weight]" per line, docs/gnn.md): the streaming importer.
#include "fuzz_support.h"
#include "models/graph.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rooflens;
    static const fuzz::TempFile file("fuzz-graph.txt");
    return fuzz::guarded([&] {
        const auto& path = file.write(fuzz::text(data, size));
        models::GraphImportOptions options;
        options.format = models::GraphFormat::edgeList;
        auto stats = models::importGraph(path, options);
        fuzz::expectLocated(stats, path.string());
    });
}
