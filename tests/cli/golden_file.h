#pragma once
// Golden-file comparison for the CLI tests (STYLE.md habit 6): text is compared with a file under
// the golden directory; numbers may be compared within a relative tolerance, so a computation
// that only reassociates floating-point sums (1e-9 relative) still matches. On mismatch the text
// is written to <file>.actual and the failure names the first differing line and the
// `diff -u` command; ROOFLENS_UPDATE_GOLDEN=1 rewrites the golden file instead.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rooflens::testing {

inline std::vector<std::string_view> splitLines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        lines.push_back(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
    return lines;
}

// Length of the decimal number ([+-]digits[.digits][e[+-]digits]) at the start of `s`, or 0.
inline std::size_t numberLength(std::string_view s) {
    std::size_t i = 0;
    auto digits = [&] {
        const std::size_t start = i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) != 0) {
            ++i;
        }
        return i > start;
    };
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
        ++i;
    }
    if (!digits()) {
        return 0;
    }
    if (i + 1 < s.size() && s[i] == '.' && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
        ++i;
        digits();
    }
    if (i + 1 < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        const std::size_t mantissaEnd = i;
        ++i;
        if (i < s.size() && (s[i] == '-' || s[i] == '+')) {
            ++i;
        }
        if (!digits()) {
            i = mantissaEnd;
        }
    }
    return i;
}

// True when the lines agree: text outside numbers is identical and each pair of numbers agrees
// within relative `rtol` (|x - y| <= rtol * max(|x|, |y|)). rtol 0 asks for identical text.
inline bool linesMatch(std::string_view a, std::string_view b, double rtol) {
    if (a == b) {
        return true;
    }
    if (rtol <= 0) {
        return false;
    }
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < a.size() && j < b.size()) {
        const std::size_t na = numberLength(a.substr(i));
        const std::size_t nb = numberLength(b.substr(j));
        if (na > 0 && nb > 0) {
            const double x = std::strtod(std::string(a.substr(i, na)).c_str(), nullptr);
            const double y = std::strtod(std::string(b.substr(j, nb)).c_str(), nullptr);
            if (!(std::fabs(x - y) <= rtol * std::max(std::fabs(x), std::fabs(y)))) {
                return false;
            }
            i += na;
            j += nb;
            continue;
        }
        if (a[i] != b[j]) {
            return false;
        }
        ++i;
        ++j;
    }
    return i == a.size() && j == b.size();
}

struct LineMismatch {
    std::size_t line = 0;  // 1-based
    std::string expected;  // "(end of file)" past the last line
    std::string actual;
};

inline std::optional<LineMismatch> firstMismatch(std::string_view expected, std::string_view actual,
                                                 double rtol) {
    const auto e = splitLines(expected);
    const auto a = splitLines(actual);
    const std::size_t n = std::max(e.size(), a.size());
    for (std::size_t k = 0; k < n; ++k) {
        const bool haveE = k < e.size();
        const bool haveA = k < a.size();
        if (haveE && haveA && linesMatch(e[k], a[k], rtol)) {
            continue;
        }
        return LineMismatch{k + 1, haveE ? std::string(e[k]) : "(end of file)",
                            haveA ? std::string(a[k]) : "(end of file)"};
    }
    if (expected.empty() != actual.empty() ||
        (!expected.empty() && (expected.back() == '\n') != (actual.back() == '\n'))) {
        return LineMismatch{n, "(final newline differs)", "(final newline differs)"};
    }
    return std::nullopt;
}

// A JSON document with two-space indented objects and every array element on one line, so a
// report of hundreds of layers reads and diffs as one line per layer. Lossless: the values are
// those of `doc`, numbers as nlohmann prints them (shortest round trip).
inline std::string compactJson(const nlohmann::json& doc, int indent = 0) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    if (doc.is_object() && !doc.empty()) {
        std::string out = "{";
        bool first = true;
        for (auto it = doc.begin(); it != doc.end(); ++it) {
            out += first ? "\n" : ",\n";
            out += pad + "  " + nlohmann::json(it.key()).dump() + ": " +
                   compactJson(it.value(), indent + 2);
            first = false;
        }
        return out + "\n" + pad + "}";
    }
    if (doc.is_array() && !doc.empty()) {
        std::string out = "[";
        for (std::size_t k = 0; k < doc.size(); ++k) {
            out += (k == 0 ? "\n" : ",\n") + pad + "  " + doc[k].dump();
        }
        return out + "\n" + pad + "]";
    }
    return doc.dump();
}

inline std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

inline std::string tolerance(double rtol) {
    std::ostringstream text;
    text << "numbers within " << rtol << " relative";
    return rtol > 0 ? text.str() : std::string("compared as text");
}

inline bool updatingGolden() {
    const char* update = std::getenv("ROOFLENS_UPDATE_GOLDEN");
    return update != nullptr && std::string_view(update) == "1";
}

// Compares `actual` with the golden file `path` (numbers within `rtol`, see linesMatch).
inline ::testing::AssertionResult matchesGolden(const std::filesystem::path& path,
                                                const std::string& actual, double rtol) {
    std::filesystem::path actualPath = path;
    actualPath += ".actual";
    std::error_code ignored;
    if (updatingGolden()) {
        std::filesystem::create_directories(path.parent_path(), ignored);
        std::ofstream(path, std::ios::binary) << actual;
        std::filesystem::remove(actualPath, ignored);
        return ::testing::AssertionSuccess() << "rewrote " << path;
    }
    const bool exists = std::filesystem::exists(path);
    const std::string expected = exists ? readFile(path) : std::string();
    const auto mismatch = exists ? firstMismatch(expected, actual, rtol)
                                 : std::optional<LineMismatch>(LineMismatch{});
    if (!mismatch) {
        std::filesystem::remove(actualPath, ignored);
        return ::testing::AssertionSuccess();
    }
    std::ofstream(actualPath, std::ios::binary) << actual;
    auto failure = ::testing::AssertionFailure();
    if (!exists) {
        failure << "golden file " << path << " is missing";
    } else {
        failure << path.filename().string() << " differs from the golden file at line "
                << mismatch->line << " (" << tolerance(rtol) << "):\n"
                << "- " << mismatch->expected << "\n+ " << mismatch->actual;
    }
    return failure << "\nactual output written to " << actualPath << "\n  diff -u " << path << ' '
                   << actualPath << "\nreview the change; ROOFLENS_UPDATE_GOLDEN=1 regenerates";
}

}  // namespace rooflens::testing
