#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/json_io.h"

namespace rooflens::core {
namespace {

namespace fs = std::filesystem;

class TempDir {
public:
    TempDir() {
        m_path =
            fs::temp_directory_path() /
            ("rooflens-core-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
             "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(m_path);
        fs::create_directories(m_path);
    }
    ~TempDir() { fs::remove_all(m_path); }
    const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

TEST(JsonIo, ParseErrorNamesFileLineAndColumn) {
    auto r = parseJsonText("{\n  \"a\": 1,\n  \"b\" 2\n}", "cfg.json");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("cfg.json: invalid JSON"), std::string::npos);
    EXPECT_NE(r.error().message.find("line 3"), std::string::npos) << r.error().message;
}

TEST(JsonIo, MissingFileIsAnError) {
    auto r = parseJsonFile("/nonexistent/rooflens.json");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("/nonexistent/rooflens.json: cannot read"), std::string::npos);
}

struct FieldCase {
    const char* json;
    const char* fragment;
};

class ReaderErrors : public ::testing::TestWithParam<FieldCase> {};

TEST_P(ReaderErrors, NameTheFileThePathAndTheExpectation) {
    const auto doc = Json::parse(GetParam().json);
    JsonReader reader("dev.json");
    auto r = reader.positive(doc.at("o"), "/o", "x");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find(GetParam().fragment), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ReaderErrors,
    ::testing::Values(
        FieldCase{R"({"o": {}})", "dev.json: /o/x: missing required field"},
        FieldCase{R"({"o": {"x": -1}})",
                  "dev.json: /o/x: expected a positive finite number, got -1"},
        FieldCase{R"({"o": {"x": 0}})", "/o/x: expected a positive finite number, got 0"},
        FieldCase{R"({"o": {"x": "5"}})", "/o/x: expected a positive finite number, got \"5\""},
        FieldCase{R"({"o": {"x": null}})", "/o/x: expected a positive finite number, got null"},
        FieldCase{R"({"o": 3})", "dev.json: /o: expected an object, got 3"}));

TEST(JsonIo, IntegerRangeAndFractions) {
    const auto doc = Json::parse(R"({"a": 4096, "b": 1.5, "c": 99999999999999999999, "d": -3})");
    JsonReader reader("c.json");
    EXPECT_EQ(reader.integer(doc, "", "a", 1, 1 << 24).value(), 4096);
    EXPECT_FALSE(reader.integer(doc, "", "b", 1, 100).ok());
    auto big = reader.integer(doc, "", "c", 1, 100);
    ASSERT_FALSE(big.ok());
    EXPECT_NE(big.error().message.find("c.json: /c: expected an integer in [1, 100]"),
              std::string::npos)
        << big.error().message;
    EXPECT_FALSE(reader.integer(doc, "", "d", 1, 100).ok());
    // Non-negative literals are stored unsigned by nlohmann: the minimum must still hold.
    const auto small = Json::parse(R"({"zero": 0, "one": 1})");
    EXPECT_FALSE(reader.integer(small, "", "zero", 1, 100).ok());
    EXPECT_FALSE(reader.integer(small, "", "one", 2, 100).ok());
    EXPECT_EQ(reader.integer(small, "", "zero", 0, 100).value(), 0);
}

TEST(JsonIo, PointerEscaping) {
    EXPECT_EQ(childPath("/a", "b/c~d"), "/a/b~1c~0d");
    EXPECT_EQ(childPath("/a", std::size_t{3}), "/a/3");
}

TEST(AtomicWrite, ReplacesContentAndLeavesNoTemporaries) {
    TempDir dir;
    const fs::path file = dir.path() / "profile.json";
    ASSERT_TRUE(writeFileAtomic(file, "old").ok());
    ASSERT_TRUE(writeFileAtomic(file, "new content").ok());
    EXPECT_EQ(readFile(file).value(), "new content");
    std::size_t entries = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir.path())) {
        ++entries;
    }
    EXPECT_EQ(entries, 1U);
}

TEST(AtomicWrite, FailureKeepsTheOldFile) {
    TempDir dir;
    const fs::path file = dir.path() / "keep.json";
    ASSERT_TRUE(writeFileAtomic(file, "precious").ok());
    // A directory in place of the target: the rename fails and the old file stays.
    const fs::path blocked = dir.path() / "blocked";
    fs::create_directories(blocked / "inner");
    auto status = writeFileAtomic(blocked, "x");
    EXPECT_FALSE(status.ok());
    EXPECT_EQ(readFile(file).value(), "precious");
    auto missing = writeFileAtomic(dir.path() / "no" / "such" / "dir.json", "x");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("cannot write"), std::string::npos);
}

// A writer killed mid-way (SIGKILL at several moments of a 64 MiB write) leaves the target
// either with its old content or with the whole new one, never a prefix (issue 18, item 5).
TEST(AtomicWrite, AWriterKilledMidWayLeavesTheOldOrTheWholeNewFile) {
    TempDir dir;
    const fs::path file = dir.path() / "session.json";
    ASSERT_TRUE(writeFileAtomic(file, "old session").ok());
    const std::string big(32u << 20, 'x');
    int sawOld = 0;
    for (int delayMs : {0, 1, 3, 10, 30}) {
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            const bool ok = writeFileAtomic(file, big).ok();
            ::_exit(ok ? 0 : 1);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(delayMs));
        ::kill(child, SIGKILL);
        int status = 0;
        ::waitpid(child, &status, 0);
        const std::string now = readFile(file).value();
        ASSERT_TRUE(now == "old session" || now == big)
            << "after " << delayMs << " ms: a " << now.size() << "-byte partial file";
        sawOld += now == "old session" ? 1 : 0;
        // The temporary is an unnamed O_TMPFILE (ext4, tmpfs): a kill leaves nothing beside the
        // target; without O_TMPFILE only the hidden ".session.json.tmp-PID-N" could remain.
        for (const auto& entry : fs::directory_iterator(dir.path())) {
            EXPECT_EQ(entry.path().filename(), "session.json") << "left after " << delayMs << " ms";
        }
        ASSERT_TRUE(writeFileAtomic(file, "old session").ok());
    }
    // The earliest kills land before the rename on any disk.
    EXPECT_GE(sawOld, 1);
}

// A profile and its sidecar: the second cannot be written (its directory is missing), so neither
// target changes and no temporary stays in the first one's directory.
TEST(AtomicWrite, FilesWrittenTogetherAllStayOldWhenOneFails) {
    TempDir dir;
    const fs::path profile = dir.path() / "cpu.json";
    ASSERT_TRUE(writeFileAtomic(profile, "old profile").ok());
    const FileContent files[] = {{profile, "new profile"},
                                 {dir.path() / "missing" / "cpu.calibration.json", "new sidecar"}};
    const auto status = writeFilesAtomic(files);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.error().message.find("missing/cpu.calibration.json: cannot write"),
              std::string::npos)
        << status.error().message;
    EXPECT_EQ(readFile(profile).value(), "old profile");
    for (const auto& entry : fs::directory_iterator(dir.path())) {
        EXPECT_EQ(entry.path().filename(), "cpu.json");
    }
    const fs::path sidecar = dir.path() / "cpu.calibration.json";
    const FileContent both[] = {{profile, "new profile"}, {sidecar, "new sidecar"}};
    ASSERT_TRUE(writeFilesAtomic(both).ok());
    EXPECT_EQ(readFile(profile).value(), "new profile");
    EXPECT_EQ(readFile(sidecar).value(), "new sidecar");
}

// Issue 18, 3: a JSON input is read whole, so its size is bounded before it is parsed; a device
// (no size to check) is cut off at the limit instead of growing memory without end.
TEST(ReadFile, RefusesInputsOver64MiB) {
    TempDir dir;
    const fs::path sparse = dir.path() / "huge.json";
    { std::ofstream out(sparse); }
    fs::resize_file(sparse, kMaxInputFileBytes + 1);  // sparse: no disk space used
    const auto huge = readFile(sparse);
    ASSERT_FALSE(huge.ok());
    EXPECT_NE(huge.error().message.find("huge.json: cannot read: larger than 67108864 bytes "
                                        "(64 MiB), the limit for a JSON input"),
              std::string::npos)
        << huge.error().message;
    const auto endless = parseJsonFile("/dev/zero");
    ASSERT_FALSE(endless.ok());
    EXPECT_NE(endless.error().message.find("/dev/zero: cannot read: larger than 67108864"),
              std::string::npos)
        << endless.error().message;
    fs::resize_file(sparse, kMaxInputFileBytes);
    EXPECT_EQ(readFile(sparse).value().size(), kMaxInputFileBytes);
}

}  // namespace
}  // namespace rooflens::core
