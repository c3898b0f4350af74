#pragma once
// Shared by the libFuzzer harnesses (tests/fuzz, docs/fuzzing.md). A harness feeds one input to
// a real loader; a located error (core::Error naming the input) is a normal outcome. What counts
// as a finding: a crash or sanitizer report, a leak, a hang or an out-of-memory (libFuzzer's
// -timeout / -rss_limit_mb), an exception leaving the loader, and an error message that does not
// name the file it is about (fuzz::expectLocated aborts on those).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "core/result.h"

namespace rooflens::fuzz {

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

[[noreturn]] inline void finding(std::string_view what, std::string_view detail) {
    std::fprintf(stderr, "FUZZ FINDING: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(detail.size()), detail.data());
    std::abort();
}

// A loader's error must name the input (its label or path): "file: /json/path: expected ...".
inline void expectLocated(const core::Error& error, std::string_view label) {
    if (error.message.find(label) == std::string::npos) {
        finding("error without the file name", error.message);
    }
}

template <typename T>
void expectLocated(const core::Result<T>& result, std::string_view label) {
    if (!result) {
        expectLocated(result.error(), label);
    }
}

// Runs one input; an exception that leaves the loaders is a finding (with its message).
template <typename F>
int guarded(F&& body) {
    try {
        body();
    } catch (const std::exception& e) {
        finding("uncaught exception", e.what());
    } catch (...) {
        finding("uncaught exception", "not a std::exception");
    }
    return 0;
}

// A file per process for loaders that take only a path; rewritten for every input. In
// /dev/shm when it exists (no disk traffic at tens of thousands of inputs per second).
class TempFile {
public:
    explicit TempFile(std::string_view name) {
        std::filesystem::path dir = std::filesystem::exists("/dev/shm")
                                        ? std::filesystem::path("/dev/shm")
                                        : std::filesystem::temp_directory_path();
        m_dir = dir / ("rooflens-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(m_dir);
        m_path = m_dir / std::string(name);
    }
    ~TempFile() {
        std::error_code ec;
        std::filesystem::remove_all(m_dir, ec);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    const std::filesystem::path& write(std::string_view content) const {
        std::ofstream out(m_path, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.close();
        if (!out) {
            finding("harness", "cannot write " + m_path.string());
        }
        return m_path;
    }
    const std::filesystem::path& path() const { return m_path; }

private:
    std::filesystem::path m_dir;
    std::filesystem::path m_path;
};

}  // namespace rooflens::fuzz
