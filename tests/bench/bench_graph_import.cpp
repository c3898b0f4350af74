// Graph import speed and memory: a 10-million-edge edge list and a Matrix Market file with 10M
// stored entries, generated in a temporary directory (nothing large goes in the repository).
// Target (issue 4): under 10 s and under 1 GiB peak RSS. Counters: edges, nodes, peak_rss_MiB
// (getrusage ru_maxrss of the whole process after the import) and MB_per_s of input.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "models/graph.h"

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kEdges = 10'000'000;
constexpr std::uint64_t kNodes = 1'000'000;  // mean out-degree 10

double peakRssMiB() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// Deterministic pseudo-random ids (64-bit LCG, high bits).
struct Lcg {
    std::uint64_t state = 0x853c49e6748fea9bULL;
    std::uint64_t next(std::uint64_t bound) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return (state >> 33) % bound;
    }
};

// Writes the test files once, streaming through a fixed buffer; removes them at exit.
class Files {
public:
    Files() {
        m_dir = fs::temp_directory_path() / ("rooflens-bench-graph-" + std::to_string(::getpid()));
        fs::create_directories(m_dir);
        write(m_dir / "edges.txt", false);
        write(m_dir / "edges.mtx", true);
    }
    ~Files() {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }
    Files(const Files&) = delete;
    Files& operator=(const Files&) = delete;

    fs::path edgeList() const { return m_dir / "edges.txt"; }
    fs::path matrixMarket() const { return m_dir / "edges.mtx"; }

private:
    static void write(const fs::path& path, bool mtx) {
        std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "wb"),
                                                             &std::fclose);
        Lcg random;
        if (mtx) {
            std::fprintf(
                file.get(), "%%%%MatrixMarket matrix coordinate pattern general\n%llu %llu %llu\n",
                static_cast<unsigned long long>(kNodes), static_cast<unsigned long long>(kNodes),
                static_cast<unsigned long long>(kEdges));
        } else {
            std::fprintf(file.get(), "# %llu random edges over %llu nodes\n",
                         static_cast<unsigned long long>(kEdges),
                         static_cast<unsigned long long>(kNodes));
        }
        const std::uint64_t base = mtx ? 1 : 0;
        for (std::uint64_t i = 0; i < kEdges; ++i) {
            std::fprintf(file.get(), "%llu %llu\n",
                         static_cast<unsigned long long>(random.next(kNodes) + base),
                         static_cast<unsigned long long>(random.next(kNodes) + base));
        }
    }

    fs::path m_dir;
};

const Files& files() {
    static const Files instance;
    return instance;
}

void importFile(benchmark::State& state, const fs::path& path) {
    const double inputBytes = static_cast<double>(fs::file_size(path));
    rooflens::models::GraphStats stats;
    for (auto _ : state) {
        auto result = rooflens::models::importGraph(path);
        if (!result) {
            state.SkipWithError(result.error().message.c_str());
            return;
        }
        stats = std::move(result).value();
        benchmark::DoNotOptimize(stats);
    }
    state.counters["edges"] = static_cast<double>(stats.storedEdges);
    state.counters["nodes"] = static_cast<double>(stats.nodes);
    state.counters["peak_rss_MiB"] = peakRssMiB();
    state.counters["MB_per_s"] =
        benchmark::Counter(inputBytes / 1e6, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_ImportEdgeList10M(benchmark::State& state) {
    importFile(state, files().edgeList());
}

void BM_ImportMatrixMarket10M(benchmark::State& state) {
    importFile(state, files().matrixMarket());
}

BENCHMARK(BM_ImportEdgeList10M)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(3);
BENCHMARK(BM_ImportMatrixMarket10M)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
