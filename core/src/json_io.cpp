#include "core/json_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace rooflens::core {

namespace {

// nlohmann prefixes messages with "[json.exception.parse_error.101] "; users need the rest.
std::string stripExceptionPrefix(const std::string& what) {
    if (!what.empty() && what.front() == '[') {
        if (auto end = what.find("] "); end != std::string::npos) {
            return what.substr(end + 2);
        }
    }
    return what;
}

}  // namespace

std::string describeJson(const Json& value) {
    switch (value.type()) {
        case Json::value_t::null:
            return "null";
        case Json::value_t::object:
            return "an object";
        case Json::value_t::array:
            return "an array";
        case Json::value_t::string: {
            std::string text = value.get<std::string>();
            if (text.size() > 40) {
                text = text.substr(0, 37) + "...";
            }
            return "\"" + text + "\"";
        }
        case Json::value_t::boolean:
            return value.get<bool>() ? "true" : "false";
        default:
            return value.dump();
    }
}

Result<std::string> readFile(const std::filesystem::path& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
        return makeError(path.string() + ": cannot read: is a directory");
    }
    const std::string tooLarge = path.string() + ": cannot read: larger than " +
                                 std::to_string(kMaxInputFileBytes) +
                                 " bytes (64 MiB), the limit for a JSON input";
    if (const auto size = std::filesystem::file_size(path, ec); !ec && size > kMaxInputFileBytes) {
        return makeError(tooLarge);
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return makeError(path.string() + ": cannot read: " + std::strerror(errno));
    }
    // Read in chunks up to the limit: a FIFO or a device (/dev/zero) has no size to check.
    std::string text;
    char chunk[1 << 16];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        text.append(chunk, static_cast<std::size_t>(in.gcount()));
        if (text.size() > kMaxInputFileBytes) {
            return makeError(tooLarge);
        }
    }
    if (in.bad()) {
        return makeError(path.string() + ": cannot read: I/O error");
    }
    return text;
}

Result<Json> parseJsonText(std::string_view text, std::string_view label) {
    try {
        return Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& e) {
        std::string message = stripExceptionPrefix(e.what());
        if (message.rfind("parse error ", 0) == 0) {
            message = message.substr(12);
        }
        return makeError(std::string(label) + ": invalid JSON " + message);
    } catch (const Json::exception& e) {
        return makeError(std::string(label) + ": invalid JSON: " + stripExceptionPrefix(e.what()));
    }
}

Result<Json> parseJsonFile(const std::filesystem::path& path) {
    auto text = readFile(path);
    if (!text) {
        return text.error();
    }
    return parseJsonText(text.value(), path.string());
}

std::string childPath(std::string_view path, std::string_view key) {
    std::string result(path);
    result += '/';
    for (char c : key) {  // JSON pointer escaping (RFC 6901)
        if (c == '~') {
            result += "~0";
        } else if (c == '/') {
            result += "~1";
        } else {
            result += c;
        }
    }
    return result;
}

std::string childPath(std::string_view path, std::size_t index) {
    return std::string(path) + "/" + std::to_string(index);
}

Error JsonReader::error(std::string_view path, std::string_view what) const {
    std::string message = m_label;
    message += ": ";
    message += path.empty() ? "/" : path;
    message += ": ";
    message += what;
    return Error{std::move(message)};
}

Error JsonReader::expected(std::string_view path, std::string_view expectation,
                           const Json& got) const {
    return error(path, "expected " + std::string(expectation) + ", got " + describeJson(got));
}

bool JsonReader::has(const Json& obj, std::string_view key) const {
    return obj.is_object() && obj.find(key) != obj.end();
}

Result<const Json*> JsonReader::member(const Json& obj, std::string_view path,
                                       std::string_view key) const {
    if (!obj.is_object()) {
        return expected(path, "an object", obj);
    }
    auto it = obj.find(key);
    if (it == obj.end()) {
        return error(childPath(path, key), "missing required field");
    }
    return &*it;
}

Result<std::string> JsonReader::string(const Json& obj, std::string_view path,
                                       std::string_view key) const {
    auto value = member(obj, path, key);
    if (!value) {
        return value.error();
    }
    if (!value.value()->is_string()) {
        return expected(childPath(path, key), "a string", *value.value());
    }
    return value.value()->get<std::string>();
}

Result<bool> JsonReader::boolean(const Json& obj, std::string_view path,
                                 std::string_view key) const {
    auto value = member(obj, path, key);
    if (!value) {
        return value.error();
    }
    if (!value.value()->is_boolean()) {
        return expected(childPath(path, key), "true or false", *value.value());
    }
    return value.value()->get<bool>();
}

Result<double> JsonReader::positiveValue(const Json& value, std::string_view path) const {
    if (!value.is_number()) {
        return expected(path, "a positive finite number", value);
    }
    const double number = value.get<double>();
    if (!std::isfinite(number) || number <= 0) {
        return expected(path, "a positive finite number", value);
    }
    return number;
}

Result<double> JsonReader::positive(const Json& obj, std::string_view path,
                                    std::string_view key) const {
    auto value = member(obj, path, key);
    if (!value) {
        return value.error();
    }
    return positiveValue(*value.value(), childPath(path, key));
}

Result<double> JsonReader::nonNegative(const Json& obj, std::string_view path,
                                       std::string_view key) const {
    auto value = member(obj, path, key);
    if (!value) {
        return value.error();
    }
    const Json& v = *value.value();
    if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0) {
        return expected(childPath(path, key), "a finite number >= 0", v);
    }
    return v.get<double>();
}

Result<std::int64_t> JsonReader::integer(const Json& obj, std::string_view path,
                                         std::string_view key, std::int64_t minimum,
                                         std::int64_t maximum) const {
    auto value = member(obj, path, key);
    if (!value) {
        return value.error();
    }
    const Json& v = *value.value();
    const std::string expectation =
        "an integer in [" + std::to_string(minimum) + ", " + std::to_string(maximum) + "]";
    if (v.is_number_unsigned()) {
        const auto number = v.get<std::uint64_t>();
        if (number > static_cast<std::uint64_t>(maximum) ||
            (minimum > 0 && number < static_cast<std::uint64_t>(minimum))) {
            return expected(childPath(path, key), expectation, v);
        }
        return static_cast<std::int64_t>(number);
    }
    if (!v.is_number_integer()) {
        return expected(childPath(path, key), expectation, v);
    }
    const auto number = v.get<std::int64_t>();
    if (number < minimum || number > maximum) {
        return expected(childPath(path, key), expectation, v);
    }
    return number;
}

namespace {

std::string reason(int error) {
    return std::strerror(error);
}

// Writes all of `content` to `fd` and flushes it to the disk; 0 or the errno.
int writeAll(int fd, std::string_view content) {
    const char* data = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        const ssize_t written = ::write(fd, data, left);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        data += written;
        left -= static_cast<std::size_t>(written);
    }
    return ::fsync(fd) != 0 ? errno : 0;
}

// One file being written: its content in a temporary file of the target's directory, not yet
// visible under the target's name. Where the file system supports O_TMPFILE the temporary has
// no name until commit(), so a writer killed at any moment before it leaves nothing behind;
// elsewhere it is the hidden ".NAME.tmp-PID-N" beside the target.
class StagedFile {
public:
    explicit StagedFile(std::filesystem::path target) : m_target(std::move(target)) {}
    StagedFile(const StagedFile&) = delete;
    StagedFile& operator=(const StagedFile&) = delete;
    StagedFile(StagedFile&& other) noexcept
        : m_target(std::move(other.m_target)),
          m_temp(std::move(other.m_temp)),
          m_content(other.m_content),
          m_fd(std::exchange(other.m_fd, -1)),
          m_named(std::exchange(other.m_named, false)) {}
    ~StagedFile() { discard(); }

    Status write(std::string_view content) {
        static std::atomic<unsigned> counter{0};
        m_content = content;
        std::string name = ".";  // appended piece by piece: "." + string trips GCC 12's -Wrestrict
        name += m_target.filename().string();
        name += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
        m_temp = directory() / name;
        m_fd = ::open(directory().c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
        if (m_fd >= 0) {
            const int error = writeAll(m_fd, content);
            return error == 0 ? Status(Ok{}) : Status(failed(error));
        }
        return writeNamed();
    }

    // Names the temporary (an O_TMPFILE one only now), renames it over the target and flushes
    // the directory entry.
    Status commit() {
        if (!m_named) {
            const std::string self = "/proc/self/fd/" + std::to_string(m_fd);
            if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, m_temp.c_str(), AT_SYMLINK_FOLLOW) ==
                0) {
                m_named = true;
            } else {
                ::close(std::exchange(m_fd, -1));  // no /proc: write a named temporary again
                ROOFLENS_CHECK(writeNamed());
            }
        }
        if (::rename(m_temp.c_str(), m_target.c_str()) != 0) {
            return failed(errno);
        }
        m_named = false;
        ::close(std::exchange(m_fd, -1));
        if (const int d = ::open(directory().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); d >= 0) {
            ::fsync(d);
            ::close(d);
        }
        return Ok{};
    }

private:
    std::filesystem::path directory() const {
        return m_target.has_parent_path() ? m_target.parent_path() : std::filesystem::path(".");
    }
    Status writeNamed() {
        m_fd = ::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (m_fd < 0) {
            return failed(errno);
        }
        m_named = true;
        const int error = writeAll(m_fd, m_content);
        return error == 0 ? Status(Ok{}) : Status(failed(error));
    }
    Error failed(int error) {
        discard();
        return makeError(m_target.string() + ": cannot write: " + reason(error));
    }
    void discard() {
        if (m_fd >= 0) {
            ::close(std::exchange(m_fd, -1));
        }
        if (m_named) {
            ::unlink(m_temp.c_str());
            m_named = false;
        }
    }

    std::filesystem::path m_target;
    std::filesystem::path m_temp;
    std::string_view m_content;
    int m_fd = -1;
    bool m_named = false;
};

}  // namespace

Status writeFileAtomic(const std::filesystem::path& path, std::string_view content) {
    const FileContent file{path, content};
    return writeFilesAtomic(std::span(&file, 1));
}

Status writeFilesAtomic(std::span<const FileContent> files) {
    std::vector<StagedFile> staged;
    staged.reserve(files.size());
    for (const FileContent& file : files) {
        staged.emplace_back(file.path);
        ROOFLENS_CHECK(staged.back().write(file.content));
    }
    for (StagedFile& file : staged) {
        ROOFLENS_CHECK(file.commit());
    }
    return Ok{};
}

}  // namespace rooflens::core
