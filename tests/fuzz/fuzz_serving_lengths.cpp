// Serving length distributions (docs/serving.md): a length file ("file:PATH", one positive
// integer per line) and the flag text itself ("512", "uniform:A:B", "normal:M:S") from the
// input's first line, each followed by what the serving costs read from it.
#include <random>

#include "core/serving.h"
#include "fuzz_support.h"

namespace {

void use(const rooflens::core::LengthDistribution& d) {
    (void)d.points();
    (void)d.bins(8);
    (void)d.mean();
    std::mt19937_64 rng(1);
    (void)d.sample(rng);
    (void)d.describe();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace rooflens;
    static const fuzz::TempFile file("fuzz-lengths.txt");
    return fuzz::guarded([&] {
        const std::string_view input = fuzz::text(data, size);
        const auto& path = file.write(input);
        auto lengths = core::loadLengthFile(path.string());
        fuzz::expectLocated(lengths, path.string());
        if (lengths) {
            use(*lengths);
        }
        const std::string_view line = input.substr(0, input.find('\n'));
        if (line.starts_with("file:")) {
            return;  // only the temporary file is read
        }
        auto flag = core::parseLengthDistribution(line, "prompt-len");
        fuzz::expectLocated(flag, "--prompt-len");
        if (flag) {
            use(*flag);
        }
    });
}
