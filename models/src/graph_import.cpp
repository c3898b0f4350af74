// Streaming import of a user's graph (edge list or Matrix Market coordinate file) into the
// statistics the GNN cost model needs. Memory is two 4-byte degree counters per node id plus a
// fixed 4 MiB read buffer; the edges themselves are never stored. Symmetry is decided exactly
// in the negative (in-degree != out-degree somewhere) and otherwise by a 128-bit multiset
// fingerprint of the entries against their transposes (docs/gnn.md, "Graph import").
#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "models/graph.h"

namespace rooflens::models {

namespace {

constexpr std::size_t kBufferBytes = std::size_t{4} << 20;
constexpr std::uint64_t kProgressEveryBytes = std::uint64_t{16} << 20;
constexpr std::size_t kMaxTokens = 5;

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// Reads lines from a file through a fixed buffer; a line may not exceed the buffer.
class LineReader {
public:
    explicit LineReader(std::FILE* file) : m_file(file), m_buffer(kBufferBytes) {}

    // false at the end of the file; `tooLong` when a line does not fit in the buffer.
    bool next(std::string_view& line, bool& tooLong) {
        tooLong = false;
        for (;;) {
            const char* start = m_buffer.data() + m_begin;
            const void* newline = std::memchr(start, '\n', m_end - m_begin);
            if (newline != nullptr) {
                const auto length =
                    static_cast<std::size_t>(static_cast<const char*>(newline) - start);
                line = trimCr(std::string_view(start, length));
                m_begin += length + 1;
                return true;
            }
            if (m_eof) {
                if (m_begin == m_end) {
                    return false;
                }
                line = trimCr(std::string_view(start, m_end - m_begin));
                m_begin = m_end;
                return true;
            }
            if (m_begin == 0 && m_end == m_buffer.size()) {
                tooLong = true;
                return false;
            }
            std::memmove(m_buffer.data(), start, m_end - m_begin);
            m_end -= m_begin;
            m_begin = 0;
            const std::size_t n =
                std::fread(m_buffer.data() + m_end, 1, m_buffer.size() - m_end, m_file);
            m_bytesRead += n;
            m_end += n;
            m_eof = n == 0;
        }
    }

    std::uint64_t bytesRead() const { return m_bytesRead; }
    bool failed() const { return std::ferror(m_file) != 0; }

private:
    static std::string_view trimCr(std::string_view line) {
        return !line.empty() && line.back() == '\r' ? line.substr(0, line.size() - 1) : line;
    }

    std::FILE* m_file;
    std::vector<char> m_buffer;
    std::size_t m_begin = 0;
    std::size_t m_end = 0;
    bool m_eof = false;
    std::uint64_t m_bytesRead = 0;
};

// Splits on spaces and tabs; returns the token count (up to kMaxTokens + 1 to detect extras).
std::size_t tokenize(std::string_view line, std::array<std::string_view, kMaxTokens + 1>& out) {
    std::size_t count = 0;
    std::size_t i = 0;
    while (i < line.size() && count < out.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
            ++i;
        }
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
            ++i;
        }
        if (i > start) {
            out[count++] = line.substr(start, i - start);
        }
    }
    return count;
}

bool parseId(std::string_view token, std::uint64_t& value) {
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    return ec == std::errc() && end == token.data() + token.size();
}

bool parseNumber(std::string_view token) {
    double value = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    return ec == std::errc() && end == token.data() + token.size();
}

bool parseInteger(std::string_view token) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    return ec == std::errc() && end == token.data() + token.size();
}

std::string quoted(std::string_view line) {
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
        line.remove_prefix(1);
    }
    constexpr std::size_t kShown = 60;
    std::string text(line.substr(0, kShown));
    if (line.size() > kShown) {
        text += "...";
    }
    return "'" + text + "'";
}

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) !=
            std::tolower(static_cast<unsigned char>(prefix[i]))) {
            return false;
        }
    }
    return true;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

// Two independent 64-bit mixes of an ordered pair (splitmix64 finalizer).
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

constexpr std::uint64_t kSecondLane = 0x6a09e667f3bcc909ULL;  // an independent second hash

// Degree counters, the symmetry fingerprint and the running totals of one import.
class Accumulator {
public:
    explicit Accumulator(std::int64_t maxNodes)
        : m_maxNodes(std::min<std::uint64_t>(
              static_cast<std::uint64_t>(std::max<std::int64_t>(maxNodes, 1)),
              std::uint64_t{1} << 32)) {}

    void reserve(std::uint64_t nodes) {
        m_out.assign(nodes, 0);
        m_in.assign(nodes, 0);
    }

    bool fits(std::uint64_t id) const { return id < m_maxNodes; }

    // Adds the stored entry u -> v; false past 2^32 - 1 entries (so no uint32 degree can
    // overflow). Degree increments are batched and prefetched: on graphs with random ids they
    // are cache misses, and overlapping them is most of the import speed.
    bool add(std::uint64_t u, std::uint64_t v) {
        if (m_entries == std::numeric_limits<std::uint32_t>::max()) {
            return false;
        }
        const std::uint64_t high = std::max(u, v);
        if (high >= m_out.size()) {
            const std::uint64_t grown = std::min<std::uint64_t>(
                m_maxNodes, std::max<std::uint64_t>(high + 1, m_out.size() + m_out.size() / 2));
            m_out.resize(grown, 0);
            m_in.resize(grown, 0);
        }
        m_maxId = m_entries == 0 ? high : std::max(m_maxId, high);
        ++m_entries;
        m_selfLoops += u == v ? 1 : 0;
        // Ids are below 2^32 (maxNodes is capped), so (u, v) packs into one word.
        const std::uint64_t forward = u << 32 | v;
        const std::uint64_t reverse = v << 32 | u;
        m_forward[0] += mix(forward);
        m_forward[1] += mix(forward ^ kSecondLane);
        m_reverse[0] += mix(reverse);
        m_reverse[1] += mix(reverse ^ kSecondLane);
        m_pending[m_pendingCount++] = {static_cast<std::uint32_t>(u),
                                       static_cast<std::uint32_t>(v)};
        if (m_pendingCount == m_pending.size()) {
            flush();
        }
        return true;
    }

    std::uint64_t entries() const { return m_entries; }

    GraphStats finish(std::uint64_t nodes, bool knownSymmetric) {
        flush();
        GraphStats stats;
        stats.nodes = static_cast<std::int64_t>(nodes);
        stats.storedEdges = static_cast<std::int64_t>(m_entries);
        stats.selfLoops = static_cast<std::int64_t>(m_selfLoops);
        bool symmetric =
            knownSymmetric || (m_forward[0] == m_reverse[0] && m_forward[1] == m_reverse[1]);
        // Degree histogram: exact counts below 2^16, the rare larger degrees listed.
        constexpr std::uint32_t kSmall = 1U << 16;
        std::vector<std::uint64_t> histogram(kSmall, 0);
        std::vector<std::uint32_t> large;
        DegreeSummary d;
        d.min = std::numeric_limits<std::int64_t>::max();
        for (std::uint64_t i = 0; i < nodes; ++i) {
            const std::uint32_t out = i < m_out.size() ? m_out[i] : 0;
            const std::uint32_t in = i < m_in.size() ? m_in[i] : 0;
            symmetric = symmetric && (knownSymmetric || out == in);
            stats.isolatedNodes += out == 0 && in == 0 ? 1 : 0;
            d.min = std::min<std::int64_t>(d.min, out);
            d.max = std::max<std::int64_t>(d.max, out);
            if (out < kSmall) {
                ++histogram[out];
            } else {
                large.push_back(out);
            }
        }
        std::sort(large.begin(), large.end());
        auto rank = [&](double percent) -> std::int64_t {
            const auto target = static_cast<std::uint64_t>(
                std::max(1.0, std::ceil(percent / 100 * static_cast<double>(nodes))));
            std::uint64_t seen = 0;
            for (std::uint32_t degree = 0; degree < kSmall; ++degree) {
                seen += histogram[degree];
                if (seen >= target) {
                    return degree;
                }
            }
            return large[static_cast<std::size_t>(target - seen - 1)];
        };
        d.mean = nodes > 0 ? static_cast<double>(m_entries) / static_cast<double>(nodes) : 0;
        d.p50 = nodes > 0 ? rank(50) : 0;
        d.p99 = nodes > 0 ? rank(99) : 0;
        if (nodes == 0) {
            d.min = 0;
        }
        stats.outDegree = d;
        stats.symmetric = symmetric;
        m_out = {};
        m_in = {};
        return stats;
    }

    std::uint64_t maxId() const { return m_maxId; }

private:
    void flush() {
        constexpr std::size_t kAhead = 16;
        for (std::size_t i = 0; i < m_pendingCount; ++i) {
            if (i + kAhead < m_pendingCount) {
                __builtin_prefetch(&m_out[m_pending[i + kAhead].first], 1);
                __builtin_prefetch(&m_in[m_pending[i + kAhead].second], 1);
            }
            ++m_out[m_pending[i].first];
            ++m_in[m_pending[i].second];
        }
        m_pendingCount = 0;
    }

    std::uint64_t m_maxNodes;
    std::vector<std::uint32_t> m_out;
    std::vector<std::uint32_t> m_in;
    std::uint64_t m_entries = 0;
    std::uint64_t m_selfLoops = 0;
    std::uint64_t m_maxId = 0;
    std::array<std::uint64_t, 2> m_forward{};
    std::array<std::uint64_t, 2> m_reverse{};
    std::array<std::pair<std::uint32_t, std::uint32_t>, 4096> m_pending{};
    std::size_t m_pendingCount = 0;
};

// The node ids a file may use: options.maxNodes, and at most 64 per byte of the file (at least
// 2^22). Memory is 8 bytes per node id up to the largest one, so without the second bound a
// 12-byte edge list ("0 268435455") cost 2.2 GB (issue 18, 3); 64 ids per byte leaves room for
// sparse id spaces (an edge line is at least 4 bytes).
std::int64_t nodeLimit(const std::filesystem::path& path, const GraphImportOptions& options) {
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path, ec);
    if (ec) {
        return options.maxNodes;
    }
    constexpr std::uint64_t kFloor = std::uint64_t{1} << 22;
    const std::uint64_t bySize =
        std::max<std::uint64_t>(kFloor, 64 * static_cast<std::uint64_t>(bytes));
    return static_cast<std::int64_t>(
        std::min<std::uint64_t>(static_cast<std::uint64_t>(options.maxNodes), bySize));
}

class Importer {
public:
    Importer(const std::filesystem::path& path, const GraphImportOptions& options)
        : m_path(path),
          m_label(path.string()),
          m_options(options),
          m_limit(nodeLimit(path, options)),
          m_acc(m_limit) {}

    core::Result<GraphStats> run() {
        std::unique_ptr<std::FILE, FileCloser> file(std::fopen(m_path.c_str(), "rb"));
        std::error_code ec;
        if (!file || std::filesystem::is_directory(m_path, ec)) {
            return core::makeError(
                m_label + ": cannot read: " + (file ? "is a directory" : std::strerror(errno)));
        }
        m_fileBytes = static_cast<double>(std::filesystem::file_size(m_path, ec));
        m_start = std::chrono::steady_clock::now();
        LineReader reader(file.get());
        std::string_view first;
        bool tooLong = false;
        GraphFormat format = m_options.format;
        core::Result<GraphStats> result = core::makeError("");
        if (!reader.next(first, tooLong)) {
            return core::makeError(m_label +
                                   (tooLong ? ":1: line longer than 4 MiB" : ": empty file"));
        }
        m_line = 1;
        if (format == GraphFormat::automatic) {
            format = m_path.extension() == ".mtx" || startsWithNoCase(first, "%%MatrixMarket")
                         ? GraphFormat::matrixMarket
                         : GraphFormat::edgeList;
        }
        result = format == GraphFormat::matrixMarket ? matrixMarket(reader, first)
                                                     : edgeList(reader, first);
        if (result && reader.failed()) {
            return core::makeError(m_label + ": read error");
        }
        if (result) {
            result.value().id = m_path.filename().string();
            result.value().source = m_label;
            if (m_options.progress) {
                m_options.progress(1.0, "import " + m_path.filename().string(), 0);
            }
        }
        return result;
    }

private:
    core::Error lineError(const std::string& what) const {
        return core::makeError(m_label + ":" + std::to_string(m_line) + ": " + what);
    }

    // Progress and cancellation, every 16 MiB of input.
    bool checkpoint(const LineReader& reader) {
        if (reader.bytesRead() < m_nextReport) {
            return true;
        }
        m_nextReport = reader.bytesRead() + kProgressEveryBytes;
        if (m_options.cancel != nullptr && m_options.cancel->cancelled()) {
            return false;
        }
        if (m_options.progress && m_fileBytes > 0) {
            const double fraction =
                std::min(1.0, static_cast<double>(reader.bytesRead()) / m_fileBytes);
            const double elapsed =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
            const double left = fraction > 0 ? elapsed * (1 - fraction) / fraction : -1;
            m_options.progress(fraction, "import " + m_path.filename().string(), left);
        }
        return true;
    }

    core::Error cancelled() const { return core::makeError(m_label + ": import cancelled"); }

    core::Result<GraphStats> edgeList(LineReader& reader, std::string_view line) {
        std::array<std::string_view, kMaxTokens + 1> tokens;
        std::size_t columns = 0;
        std::int64_t columnsLine = 0;
        bool tooLong = false;
        do {
            if (!checkpoint(reader)) {
                return cancelled();
            }
            const std::size_t n = tokenize(line, tokens);
            if (n == 0 || tokens[0].front() == '#' || tokens[0].front() == '%') {
                continue;
            }
            std::uint64_t u = 0;
            std::uint64_t v = 0;
            if (n < 2 || !parseId(tokens[0], u) || !parseId(tokens[1], v)) {
                return lineError("expected two non-negative integer node ids, got " + quoted(line));
            }
            if (n > 3) {
                return lineError("expected 'src dst [weight]', got " + std::to_string(n) +
                                 " columns: " + quoted(line));
            }
            if (n == 3 && !parseNumber(tokens[2])) {
                return lineError("expected a numeric edge weight, got " + quoted(tokens[2]));
            }
            if (columns == 0) {
                columns = n;
                columnsLine = m_line;
            } else if (n != columns) {
                return lineError("expected " + std::to_string(columns) + " columns like line " +
                                 std::to_string(columnsLine) + ", got " + std::to_string(n) + ": " +
                                 quoted(line));
            }
            if (!m_acc.fits(u) || !m_acc.fits(v)) {
                return lineError("node id " + std::to_string(std::max(u, v)) +
                                 " exceeds the import limit of " + limitText() + " node ids");
            }
            if (!m_acc.add(u, v)) {
                return lineError("more than 2^32 - 1 stored entries");
            }
        } while (++m_line, reader.next(line, tooLong));
        if (tooLong) {
            return lineError("line longer than 4 MiB");
        }
        if (m_acc.entries() == 0) {
            return core::makeError(m_label + ": no edges (only comments or blank lines)");
        }
        GraphStats stats = m_acc.finish(m_acc.maxId() + 1, false);
        stats.weighted = columns == 3;
        return stats;
    }

    core::Result<GraphStats> matrixMarket(LineReader& reader, std::string_view header) {
        std::array<std::string_view, kMaxTokens + 1> tokens;
        const std::size_t n = tokenize(header, tokens);
        if (n != 5 || lower(tokens[0]) != "%%matrixmarket" || lower(tokens[1]) != "matrix") {
            return lineError(
                "expected a header '%%MatrixMarket matrix coordinate <field> <symmetry>', got " +
                quoted(header));
        }
        if (lower(tokens[2]) != "coordinate") {
            return lineError("expected the coordinate (sparse) format, got '" +
                             std::string(tokens[2]) + "'");
        }
        const std::string field = lower(tokens[3]);
        if (field != "pattern" && field != "real" && field != "integer") {
            return lineError("unsupported field '" + std::string(tokens[3]) +
                             "'; supported: pattern, real, integer");
        }
        const std::string symmetry = lower(tokens[4]);
        if (symmetry != "general" && symmetry != "symmetric") {
            return lineError("unsupported symmetry '" + std::string(tokens[4]) +
                             "'; supported: general, symmetric");
        }
        const bool symmetric = symmetry == "symmetric";
        const std::size_t columns = field == "pattern" ? 2 : 3;
        std::string_view line;
        bool tooLong = false;
        std::uint64_t rows = 0;
        std::uint64_t cols = 0;
        std::uint64_t declared = 0;
        std::int64_t sizeLine = 0;
        std::uint64_t seen = 0;
        while (++m_line, reader.next(line, tooLong)) {
            if (!checkpoint(reader)) {
                return cancelled();
            }
            const std::size_t count = tokenize(line, tokens);
            if (count == 0 || tokens[0].front() == '%') {
                continue;
            }
            if (sizeLine == 0) {
                if (count != 3 || !parseId(tokens[0], rows) || !parseId(tokens[1], cols) ||
                    !parseId(tokens[2], declared)) {
                    return lineError("expected the size line 'rows columns entries', got " +
                                     quoted(line));
                }
                if (rows != cols) {
                    return lineError("expected a square adjacency matrix, got " +
                                     std::to_string(rows) + " x " + std::to_string(cols));
                }
                if (!m_acc.fits(rows - (rows > 0 ? 1 : 0))) {
                    return lineError(std::to_string(rows) + " nodes exceed the import limit of " +
                                     limitText());
                }
                m_acc.reserve(rows);
                sizeLine = m_line;
                continue;
            }
            std::uint64_t i = 0;
            std::uint64_t j = 0;
            if (count < 2 || !parseId(tokens[0], i) || !parseId(tokens[1], j)) {
                return lineError("expected two positive integer indices, got " + quoted(line));
            }
            if (count != columns) {
                return lineError("expected " + std::to_string(columns) + " columns for a " + field +
                                 " matrix, got " + std::to_string(count) + ": " + quoted(line));
            }
            if (columns == 3 &&
                !(field == "integer" ? parseInteger(tokens[2]) : parseNumber(tokens[2]))) {
                return lineError("expected " +
                                 std::string(field == "integer" ? "an integer" : "a real") +
                                 " value, got " + quoted(tokens[2]));
            }
            if (i < 1 || i > rows || j < 1 || j > cols) {
                return lineError("entry (" + std::to_string(i) + ", " + std::to_string(j) +
                                 ") outside 1.." + std::to_string(rows) +
                                 " (Matrix Market is 1-based)");
            }
            if (++seen > declared) {
                return lineError("more entries than the " + std::to_string(declared) +
                                 " declared on line " + std::to_string(sizeLine));
            }
            bool ok = m_acc.add(i - 1, j - 1);
            if (symmetric && i != j) {
                ok = ok && m_acc.add(j - 1, i - 1);  // the mirrored entry is stored too
            }
            if (!ok) {
                return lineError("more than 2^32 - 1 stored entries");
            }
        }
        if (tooLong) {
            return lineError("line longer than 4 MiB");
        }
        if (sizeLine == 0) {
            return core::makeError(m_label + ": missing the size line 'rows columns entries'");
        }
        if (seen != declared) {
            return core::makeError(m_label + ": expected " + std::to_string(declared) +
                                   " entries (declared on line " + std::to_string(sizeLine) +
                                   "), found " + std::to_string(seen));
        }
        GraphStats stats = m_acc.finish(rows, symmetric);
        stats.weighted = columns == 3;
        return stats;
    }

    std::filesystem::path m_path;
    std::string m_label;
    // "268435456", or "4194304 (64 per byte of this 12-byte file)" when the file size binds.
    std::string limitText() const {
        if (m_limit < m_options.maxNodes) {
            return std::to_string(m_limit) + " (64 per byte of this file, at least 4194304)";
        }
        return std::to_string(m_options.maxNodes);
    }

    const GraphImportOptions& m_options;
    std::int64_t m_limit;
    Accumulator m_acc;
    std::int64_t m_line = 0;
    double m_fileBytes = 0;
    std::uint64_t m_nextReport = kProgressEveryBytes;
    std::chrono::steady_clock::time_point m_start;
};

}  // namespace

core::Result<GraphStats> importGraph(const std::filesystem::path& path,
                                     const GraphImportOptions& options) {
    return Importer(path, options).run();
}

}  // namespace rooflens::models
