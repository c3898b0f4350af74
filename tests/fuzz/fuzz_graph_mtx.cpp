// Matrix Market coordinate files (docs/gnn.md): the streaming importer.
#include "fuzz_support.h"
#include "models/graph.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rooflens;
    static const fuzz::TempFile file("fuzz-graph.mtx");
    return fuzz::guarded([&] {
        const auto& path = file.write(fuzz::text(data, size));
        models::GraphImportOptions options;
        options.format = models::GraphFormat::matrixMarket;
        auto stats = models::importGraph(path, options);
        fuzz::expectLocated(stats, path.string());
    });
}
