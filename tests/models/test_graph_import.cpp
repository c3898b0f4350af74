// Graph import: statistics of small hand-made files (edge lists and Matrix Market, symmetric and
// general, self-loops, comments, blank lines) counted by hand, one fixture per malformed-input
// defect with its line number, progress and cancellation; and the built-in graph statistics.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "models/graph.h"

namespace rooflens::models {
namespace {

const std::filesystem::path kData = std::filesystem::path(ROOFLENS_TEST_DATA_DIR) / "graphs";

GraphStats load(const std::string& name) {
    auto stats = importGraph(kData / name);
    EXPECT_TRUE(stats.ok()) << (stats.ok() ? "" : stats.error().message);
    return stats.ok() ? stats.value() : GraphStats{};
}

struct Expected {
    const char* file;
    std::int64_t nodes;
    std::int64_t storedEdges;
    std::int64_t selfLoops;
    bool symmetric;
    bool weighted;
    std::int64_t isolated;
    DegreeSummary degree;  // min, max, mean, p50, p99 (nearest rank)
};

class GoodGraph : public ::testing::TestWithParam<Expected> {};

TEST_P(GoodGraph, CountsMatchTheHandCount) {
    const Expected e = GetParam();
    const GraphStats s = load(e.file);
    EXPECT_EQ(s.nodes, e.nodes);
    EXPECT_EQ(s.storedEdges, e.storedEdges);
    EXPECT_EQ(s.selfLoops, e.selfLoops);
    EXPECT_EQ(s.symmetric, e.symmetric);
    EXPECT_EQ(s.weighted, e.weighted);
    EXPECT_EQ(s.isolatedNodes, e.isolated);
    ASSERT_TRUE(s.outDegree.has_value());
    EXPECT_EQ(s.outDegree->min, e.degree.min);
    EXPECT_EQ(s.outDegree->max, e.degree.max);
    EXPECT_DOUBLE_EQ(s.outDegree->mean, e.degree.mean);
    EXPECT_EQ(s.outDegree->p50, e.degree.p50);
    EXPECT_EQ(s.outDegree->p99, e.degree.p99);
    EXPECT_EQ(s.features, 0);  // files carry no features
}

// small.txt: 0->1, 0->2, 1->2, 2->0, 3->3 (comments and a blank line skipped). Nodes = max id
// + 1 = 4; out-degrees 2,1,1,1 (sorted 1,1,1,2: p50 = 2nd = 1, p99 = 4th = 2); in-degrees
// 1,1,2,1 differ, so not symmetric. general.mtx is the same graph, 1-based.
// symmetric.txt: 0-1 and 1-2 stored both ways plus 4->4, weights, CRLF, tabs; ids 0..4 with
// 3 isolated: out-degrees 1,2,1,0,1 (sorted 0,1,1,1,2: p50 = 3rd = 1, p99 = 5th = 2).
// cycle.txt: 0->1->2->0; in = out everywhere, but A != A^T: only the fingerprint sees it.
// symmetric.mtx: (2,1) and (3,2) stored twice each, diagonal (5,5) and (4,4) once: 6 entries;
// 0-based out-degrees 1,2,1,1,1 (p50 = 1, p99 = 2), mean 6/5.
// integer.mtx: (1,2) and (2,1) with different values, (3,3): pattern-symmetric.
INSTANTIATE_TEST_SUITE_P(
    Files, GoodGraph,
    ::testing::Values(Expected{"small.txt", 4, 5, 1, false, false, 0, {1, 2, 1.25, 1, 2}},
                      Expected{"general.mtx", 4, 5, 1, false, false, 0, {1, 2, 1.25, 1, 2}},
                      Expected{"symmetric.txt", 5, 5, 1, true, true, 1, {0, 2, 1.0, 1, 2}},
                      Expected{"cycle.txt", 3, 3, 0, false, false, 0, {1, 1, 1.0, 1, 1}},
                      Expected{"symmetric.mtx", 5, 6, 2, true, true, 0, {1, 2, 1.2, 1, 2}},
                      Expected{"integer.mtx", 3, 3, 1, true, true, 0, {1, 1, 1.0, 1, 1}}));

struct Bad {
    const char* file;
    const char* fragment;  // expected in the message, after "<path>"
};

class BadGraph : public ::testing::TestWithParam<Bad> {};

TEST_P(BadGraph, IsRejectedWithItsLine) {
    const Bad b = GetParam();
    const auto path = kData / "bad" / b.file;
    auto stats = importGraph(path);
    ASSERT_FALSE(stats.ok()) << b.file;
    const std::string& message = stats.error().message;
    EXPECT_EQ(message.rfind(path.string(), 0), 0U) << message;  // names the file first
    EXPECT_NE(message.find(b.fragment), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    EdgeLists, BadGraph,
    ::testing::Values(
        Bad{"letters.txt", ":2: expected two non-negative integer node ids, got 'a b'"},
        Bad{"negative-id.txt", ":2: expected two non-negative integer node ids, got '-1 2'"},
        Bad{"one-column.txt", ":2: expected two non-negative integer node ids, got '5'"},
        Bad{"fractional-id.txt", ":1: expected two non-negative integer node ids, got '1.5 2'"},
        Bad{"four-columns.txt", ":1: expected 'src dst [weight]', got 4 columns"},
        Bad{"bad-weight.txt", ":1: expected a numeric edge weight, got 'x'"},
        Bad{"mixed-columns.txt", ":2: expected 3 columns like line 1, got 2"},
        Bad{"id-over-limit.txt", ":1: node id 99999999999999 exceeds the import limit"},
        Bad{"id-overflow.txt", ":1: expected two non-negative integer node ids"},
        // Issue 18, 3: 12 bytes naming node 2^28 - 1 cost 2.2 GB; ids are bounded by 64 per
        // byte of the file (at least 2^22), so this is refused before any allocation.
        Bad{"sparse-huge-id.txt",
            ":1: node id 268435455 exceeds the import limit of 4194304 "
            "(64 per byte of this file"},
        Bad{"only-comments.txt", ": no edges"}));

INSTANTIATE_TEST_SUITE_P(
    MatrixMarket, BadGraph,
    ::testing::Values(
        Bad{"array-format.mtx", ":1: expected the coordinate (sparse) format, got 'array'"},
        Bad{"complex-field.mtx", ":1: unsupported field 'complex'"},
        Bad{"skew-symmetric.mtx", ":1: unsupported symmetry 'skew-symmetric'"},
        Bad{"short-header.mtx", ":1: expected a header '%%MatrixMarket matrix coordinate"},
        Bad{"not-square.mtx", ":2: expected a square adjacency matrix, got 3 x 4"},
        Bad{"bad-size-line.mtx", ":2: expected the size line 'rows columns entries', got '3 3'"},
        Bad{"index-out-of-range.mtx", ":4: entry (4, 1) outside 1..3"},
        Bad{"zero-index.mtx", ":3: entry (0, 1) outside 1..3 (Matrix Market is 1-based)"},
        Bad{"too-many-entries.mtx", ":4: more entries than the 1 declared on line 2"},
        Bad{"too-few-entries.mtx", ": expected 3 entries (declared on line 2), found 2"},
        Bad{"missing-value.mtx", ":3: expected 3 columns for a real matrix, got 2"},
        Bad{"fractional-integer.mtx", ":3: expected an integer value, got '0.5'"},
        Bad{"missing-size-line.mtx", ": missing the size line"},
        Bad{"huge-size-line.mtx", ":2: 268435455 nodes exceed the import limit of 4194304"}));

TEST(GraphImport, MissingFileIsAnError) {
    auto stats = importGraph(kData / "no-such-file.txt");
    ASSERT_FALSE(stats.ok());
    EXPECT_NE(stats.error().message.find("cannot read"), std::string::npos);
}

// A 20 MiB edge list (two progress checkpoints at 16 MiB steps) in a temporary directory.
std::filesystem::path bigEdgeList() {
    const auto path = std::filesystem::temp_directory_path() /
                      ("rooflens-graph-" + std::to_string(::getpid()) + ".txt");
    std::ofstream out(path);
    std::string line = "123456 654321\n";  // 14 bytes
    for (int i = 0; i < 1500000; ++i) {    // 21,000,000 bytes
        out << line;
    }
    return path;
}

TEST(GraphImport, ReportsProgressAndHonoursCancel) {
    const auto path = bigEdgeList();
    double last = 0;
    int calls = 0;
    GraphImportOptions options;
    options.progress = [&](double fraction, std::string_view label, double) {
        EXPECT_GE(fraction, last);
        EXPECT_NE(label.find("import"), std::string_view::npos);
        last = fraction;
        ++calls;
    };
    auto stats = importGraph(path, options);
    ASSERT_TRUE(stats.ok()) << stats.error().message;
    EXPECT_EQ(stats->storedEdges, 1500000);
    EXPECT_EQ(stats->nodes, 654322);  // max id + 1
    EXPECT_GE(calls, 2);
    EXPECT_DOUBLE_EQ(last, 1.0);

    core::CancelToken cancel;
    cancel.cancel();
    options.progress = nullptr;
    options.cancel = &cancel;
    stats = importGraph(path, options);
    ASSERT_FALSE(stats.ok());
    EXPECT_NE(stats.error().message.find("import cancelled"), std::string::npos);
    std::filesystem::remove(path);
}

// formulas.md 2.6 (PyG Planetoid STATS, OGB paper arXiv:2005.00687, PyG Reddit docs).
TEST(BuiltinGraphs, MatchThePublishedStatistics) {
    struct Row {
        const char* id;
        std::int64_t nodes, edges, features, classes;
        bool symmetric;
    };
    const Row rows[] = {{"cora", 2708, 10556, 1433, 7, true},
                        {"citeseer", 3327, 9104, 3703, 6, true},
                        {"pubmed", 19717, 88648, 500, 3, true},
                        {"ogbn-arxiv", 169343, 1166243, 128, 40, false},
                        {"ogbn-products", 2449029, 123718280, 100, 47, true},
                        {"reddit", 232965, 114615892, 602, 41, true}};
    EXPECT_EQ(listBuiltinGraphs().size(), std::size(rows));
    for (const Row& r : rows) {
        auto stats = resolveGraph(r.id);
        ASSERT_TRUE(stats.ok()) << stats.error().message;
        EXPECT_EQ(stats->nodes, r.nodes) << r.id;
        EXPECT_EQ(stats->storedEdges, r.edges) << r.id;
        EXPECT_EQ(stats->features, r.features) << r.id;
        EXPECT_EQ(stats->classes, r.classes) << r.id;
        EXPECT_EQ(stats->symmetric, r.symmetric) << r.id;
        EXPECT_FALSE(stats->source.empty()) << r.id;
    }
    // ogbn-products: 2 x 61,859,140 undirected edges; average degree 50.5 (OGB).
    EXPECT_NEAR(resolveGraph("ogbn-products")->meanDegree(), 50.5, 0.05);
}

TEST(BuiltinGraphs, ResolveNamesTheChoices) {
    auto stats = resolveGraph("cora2");
    ASSERT_FALSE(stats.ok());
    EXPECT_NE(stats.error().message.find("cora, ogbn-arxiv"), std::string::npos);
    stats = resolveGraph((kData / "small.txt").string());  // a path imports the file
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->storedEdges, 5);
}

}  // namespace
}  // namespace rooflens::models
