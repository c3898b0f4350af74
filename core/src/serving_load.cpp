// Serving loads and options from text: length distributions, length files, --speculative and
// --offload, the default price table (core/serving.h).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "core/serving.h"

namespace rooflens::core {

namespace {

std::optional<double> toNumber(std::string_view text) {
    // std::from_chars for double is in libstdc++ 11+.
    double value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || !std::isfinite(value)) {
        return std::nullopt;
    }
    return value;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        const std::size_t at = text.find(separator, start);
        parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
        if (at == std::string_view::npos) {
            return parts;
        }
        start = at + 1;
    }
}

constexpr std::size_t kMaxPoints = 256;

// Issue 18, 3: every length (flag or file) is at most 2^26 tokens, the longest context a config
// may declare (max_position_embeddings), so a length never overflows the int64 it is rounded to
// and bin x batch x length products stay exact in a double; a file holds at most 2^24 lengths
// (128 MiB as int64; points() sorts a copy), each on a line of at most 4095 characters.
constexpr double kMaxLength = 67108864;  // 2^26
constexpr std::size_t kMaxLengths = std::size_t{1} << 24;
constexpr std::size_t kMaxLineChars = 4096;

// Inverse of the standard normal CDF by bisection (|z| <= 8).
double normalQuantile(double p) {
    double lo = -8;
    double hi = 8;
    for (int i = 0; i < 80; ++i) {
        const double mid = 0.5 * (lo + hi);
        (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

std::int64_t roundLength(double x) {
    return std::max<std::int64_t>(1, std::llround(x));
}

}  // namespace

std::vector<std::pair<std::int64_t, double>> LengthDistribution::points() const {
    std::vector<std::pair<std::int64_t, double>> out;
    switch (kind) {
        case Kind::fixed:
            out.emplace_back(roundLength(a), 1.0);
            break;
        case Kind::uniform: {
            const auto lo = static_cast<std::int64_t>(a);
            const auto hi = static_cast<std::int64_t>(b);
            const auto count = static_cast<std::size_t>(hi - lo + 1);
            const std::size_t n = std::min(count, kMaxPoints);
            for (std::size_t i = 0; i < n; ++i) {
                const double q = (static_cast<double>(i) + 0.5) / static_cast<double>(n);
                const auto v = n == count
                                   ? lo + static_cast<std::int64_t>(i)
                                   : lo + static_cast<std::int64_t>(q * static_cast<double>(count));
                out.emplace_back(v, 1.0 / static_cast<double>(n));
            }
            break;
        }
        case Kind::normal:
            for (std::size_t i = 0; i < kMaxPoints; ++i) {
                const double q = (static_cast<double>(i) + 0.5) / kMaxPoints;
                out.emplace_back(roundLength(a + b * normalQuantile(q)), 1.0 / kMaxPoints);
            }
            break;
        case Kind::empirical: {
            std::vector<std::int64_t> sorted = values;
            std::sort(sorted.begin(), sorted.end());
            const double w = 1.0 / static_cast<double>(sorted.size());
            for (std::int64_t v : sorted) {
                if (!out.empty() && out.back().first == v) {
                    out.back().second += w;
                } else {
                    out.emplace_back(v, w);
                }
            }
            break;
        }
    }
    return out;
}

std::vector<std::pair<double, double>> LengthDistribution::bins(int count) const {
    const auto support = points();
    std::vector<std::pair<double, double>> out;
    if (static_cast<int>(support.size()) <= count) {
        for (const auto& [v, p] : support) {
            out.emplace_back(static_cast<double>(v), p);
        }
        return out;
    }
    double mass = 0;
    double sum = 0;
    double cumulative = 0;
    int bin = 1;
    for (const auto& [v, p] : support) {
        mass += p;
        sum += p * static_cast<double>(v);
        cumulative += p;
        if (cumulative >= static_cast<double>(bin) / count - 1e-12 || &v == &support.back().first) {
            out.emplace_back(sum / mass, mass);
            mass = sum = 0;
            ++bin;
        }
    }
    return out;
}

double LengthDistribution::mean() const {
    return meanOf([](double x) { return x; });
}

double LengthDistribution::meanOf(double (*f)(double)) const {
    double sum = 0;
    for (const auto& [v, p] : points()) {
        sum += p * f(static_cast<double>(v));
    }
    return sum;
}

std::int64_t LengthDistribution::sample(std::mt19937_64& rng) const {
    switch (kind) {
        case Kind::fixed:
            return roundLength(a);
        case Kind::uniform:
            return std::uniform_int_distribution<std::int64_t>(static_cast<std::int64_t>(a),
                                                               static_cast<std::int64_t>(b))(rng);
        case Kind::normal:
            return roundLength(std::normal_distribution<double>(a, b)(rng));
        case Kind::empirical:
            return values[std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(rng)];
    }
    return 1;
}

std::string LengthDistribution::describe() const {
    std::ostringstream out;
    switch (kind) {
        case Kind::fixed:
            out << roundLength(a);
            break;
        case Kind::uniform:
            out << "uniform " << a << ".." << b;
            break;
        case Kind::normal:
            out << "normal mean " << a << " sd " << b;
            break;
        case Kind::empirical:
            out << "empirical (" << values.size() << " lengths, mean " << mean() << ")";
            break;
    }
    return out.str();
}

Result<LengthDistribution> loadLengthFile(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        return makeError(path + ": cannot open the length file");
    }
    LengthDistribution d;
    d.kind = LengthDistribution::Kind::empirical;
    char buffer[kMaxLineChars];
    std::int64_t number = 0;
    while (in.getline(buffer, sizeof buffer) || in.gcount() > 0) {
        ++number;
        if (in.fail() && !in.eof()) {
            return makeError(path + ":" + std::to_string(number) + ": a line longer than " +
                             std::to_string(kMaxLineChars - 1) +
                             " characters (expected one token count per line)");
        }
        std::string_view text = buffer;
        text = text.substr(0, text.find('#'));
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
            text.remove_suffix(1);
        }
        while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
            text.remove_prefix(1);
        }
        if (text.empty()) {
            continue;
        }
        std::int64_t value = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || ptr != text.data() + text.size() || value < 1 ||
            static_cast<double>(value) > kMaxLength) {
            return makeError(path + ":" + std::to_string(number) +
                             ": expected a token count in [1, 67108864], got '" +
                             std::string(text) + "'");
        }
        if (d.values.size() == kMaxLengths) {
            return makeError(path + ":" + std::to_string(number) + ": more than " +
                             std::to_string(kMaxLengths) + " lengths (2^24, the limit of a file)");
        }
        d.values.push_back(value);
    }
    if (d.values.empty()) {
        return makeError(path + ": no lengths (one positive integer per line)");
    }
    return d;
}

Result<LengthDistribution> parseLengthDistribution(std::string_view text, std::string_view flag) {
    const std::string where = "--" + std::string(flag);
    if (text.starts_with("file:")) {
        return loadLengthFile(std::string(text.substr(5)));
    }
    const auto parts = split(text, ':');
    auto bad = [&](const std::string& why) {
        return usageError(where + ": " + why + ", got '" + std::string(text) +
                          "' (expected N, uniform:MIN:MAX, normal:MEAN:SD or file:PATH)");
    };
    LengthDistribution d;
    if (parts.size() == 1) {
        const auto v = toNumber(parts[0]);
        if (!v || *v < 1 || *v != std::floor(*v) || *v > kMaxLength) {
            return bad("a length must be an integer in [1, 67108864]");
        }
        d.a = *v;
        return d;
    }
    if (parts.size() != 3 || (parts[0] != "uniform" && parts[0] != "normal")) {
        return bad("unknown distribution");
    }
    const auto x = toNumber(parts[1]);
    const auto y = toNumber(parts[2]);
    if (!x || !y) {
        return bad("two numbers expected");
    }
    if (parts[0] == "uniform") {
        if (*x < 1 || *y < *x || *x != std::floor(*x) || *y != std::floor(*y) || *y > kMaxLength) {
            return bad("uniform needs integers 1 <= MIN <= MAX <= 67108864");
        }
        d.kind = LengthDistribution::Kind::uniform;
    } else {
        // Quantiles reach 8 SD from the mean: at most 9 x 2^26, still exact as a double.
        if (*x < 1 || *y < 0 || *x > kMaxLength || *y > kMaxLength) {
            return bad("normal needs 1 <= MEAN <= 67108864 and 0 <= SD <= 67108864");
        }
        d.kind = LengthDistribution::Kind::normal;
    }
    d.a = *x;
    d.b = *y;
    return d;
}

double expectedTokensPerStep(double alpha, int gamma) {
    return (1 - std::pow(alpha, gamma + 1)) / (1 - alpha);
}

Result<SpeculativeDecoding> parseSpeculative(std::string_view text) {
    SpeculativeDecoding s;
    for (std::string_view item : split(text, ',')) {
        const std::size_t eq = item.find('=');
        const std::string_view key = item.substr(0, eq);
        const std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
        if (key == "draft" && !value.empty()) {
            s.draft = std::string(value);
            continue;
        }
        const auto v = toNumber(value);
        if (key == "alpha" && v && *v >= 0 && *v < 1) {
            s.alpha = *v;
        } else if (key == "gamma" && v && *v >= 1 && *v == std::floor(*v) && *v <= 64) {
            s.gamma = static_cast<int>(*v);
        } else {
            return usageError("--speculative: bad item '" + std::string(item) +
                              "' (expected draft=ID, alpha in [0, 1), gamma an integer 1..64)");
        }
    }
    if (s.draft.empty()) {
        return usageError("--speculative: draft=ID is required (the draft model)");
    }
    return s;
}

std::string_view nameOf(Tier tier) {
    switch (tier) {
        case Tier::hbm:
            return "hbm";
        case Tier::host:
            return "host";
        case Tier::nvme:
            return "nvme";
    }
    return "?";
}

namespace {

Status setOffloadItem(Offload& o, std::string_view key, std::string_view value) {
    auto tier = [&](Tier& t) -> Status {
        if (value == "hbm" || value == "host" || value == "nvme") {
            t = value == "hbm" ? Tier::hbm : value == "host" ? Tier::host : Tier::nvme;
            return Ok{};
        }
        return usageError("--offload: " + std::string(key) + " must be hbm, host or nvme, got '" +
                          std::string(value) + "'");
    };
    if (key == "weights")
        return tier(o.weights);
    if (key == "kv")
        return tier(o.kv);
    if (key == "experts")
        return tier(o.experts);
    if (key == "overlap" && (value == "on" || value == "off")) {
        o.overlap = value == "on";
        return Ok{};
    }
    const auto v = toNumber(value);
    if (key == "hit" && v && *v >= 0 && *v <= 1) {
        o.expertHitRate = *v;
    } else if (key == "host-bw" && v && *v > 0) {
        o.hostBytesPerSecond = *v;
    } else if (key == "nvme-bw" && v && *v > 0) {
        o.nvmeBytesPerSecond = *v;
    } else if (key == "csd-bw" && v && *v > 0) {
        o.storageAttentionBytesPerSecond = *v;
    } else {
        return usageError("--offload: bad item '" + std::string(key) + "=" + std::string(value) +
                          "' (weights|kv|experts=hbm|host|nvme, hit in [0, 1], overlap=on|off, "
                          "host-bw|nvme-bw|csd-bw in bytes/s > 0)");
    }
    return Ok{};
}

}  // namespace

Result<Offload> parseOffload(std::string_view text) {
    Offload o;
    for (std::string_view item : split(text, ',')) {
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos) {
            return usageError("--offload: expected KEY=VALUE, got '" + std::string(item) + "'");
        }
        ROOFLENS_CHECK(setOffloadItem(o, item.substr(0, eq), item.substr(eq + 1)));
    }
    if (o.storageAttentionBytesPerSecond > 0 && o.kv != Tier::nvme) {
        return usageError("--offload: csd-bw (attention on the storage device) needs kv=nvme");
    }
    return o;
}

std::optional<double> defaultDollarsPerHour(std::string_view id) {
    // On-demand $/GPU-hour, midpoints of the "specialty cloud" column of the Mercatus GPU index
    // (mercatus-ai.com/blog/cloud-gpu-pricing, May 2026): A100 80GB $1.10-1.50, H100 SXM5
    // $2.50-3.50, H200 SXM5 $3.50-4.50. docs/serving.md lists them; --price overrides.
    struct Price {
        std::string_view id;
        double dollars;
    };
    static constexpr Price kPrices[] = {
        {"a100-80gb-sxm", 1.30}, {"h100-sxm", 3.00}, {"h200-sxm", 4.00}};
    for (const Price& p : kPrices) {
        if (p.id == id) {
            return p.dollars;
        }
    }
    return std::nullopt;
}

}  // namespace rooflens::core
