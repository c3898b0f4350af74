// Database: loading built-in + user directories, lookup, resolve, and importProfile.
#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "core/json_io.h"
#include "core/paths.h"
#include "hwdb/hwdb.h"
#include "hwdb_test_support.h"

namespace rooflens::hwdb {
namespace {

using testing::dataDir;
using testing::devicesDir;
using testing::errorOf;
using testing::TempDir;
namespace fs = std::filesystem;

// File name -> content of every entry of a directory (empty when it does not exist).
std::map<std::string, std::string> snapshot(const fs::path& dir) {
    std::map<std::string, std::string> files;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        return files;
    }
    for (const auto& entry : fs::directory_iterator(dir)) {
        auto text = core::readFile(entry.path());
        files[entry.path().filename().string()] = text ? text.value() : "<unreadable>";
    }
    return files;
}

std::string contentOf(const fs::path& path) {
    auto text = core::readFile(path);
    return text ? text.value() : std::string();
}

// A device file with another id, written into `dir`.
fs::path writeVariant(const fs::path& dir, const std::string& fileName, const std::string& id,
                      double fp32Tflops) {
    auto doc = nlohmann::json::parse(contentOf(dataDir() / "good" / "test-gpu.json"));
    doc["id"] = id;
    doc["compute"]["vector"]["fp32"]["dense"]["value"] = fp32Tflops;
    const fs::path path = dir / fileName;
    EXPECT_TRUE(core::writeFileAtomic(path, doc.dump(2)));
    return path;
}

class DatabaseTest : public ::testing::Test {
protected:
    void SetUp() override {
        // A copy of the built-in devices, so that "nothing is written there" is checked on a
        // directory the test owns.
        fs::create_directories(builtinDir());
        for (const auto& entry : fs::directory_iterator(devicesDir())) {
            fs::copy_file(entry.path(), builtinDir() / entry.path().filename());
        }
        m_builtinBefore = snapshot(builtinDir());
        ASSERT_EQ(m_builtinBefore.size(), testing::builtinIds().size());
    }
    void TearDown() override { EXPECT_EQ(snapshot(builtinDir()), m_builtinBefore); }

    fs::path builtinDir() const { return m_temp.path() / "share" / "hwdb" / "devices"; }
    fs::path userDir() const { return m_temp.path() / "xdg" / "rooflens" / "profiles"; }
    fs::path scratch() const {
        fs::create_directories(m_temp.path() / "scratch");
        return m_temp.path() / "scratch";
    }

    TempDir m_temp;
    std::map<std::string, std::string> m_builtinBefore;
};

TEST_F(DatabaseTest, LoadsBuiltinsWithAMissingUserDir) {
    const Database db = Database::load(builtinDir(), userDir());
    EXPECT_TRUE(db.errors().empty());
    ASSERT_EQ(db.entries().size(), testing::builtinIds().size());
    EXPECT_EQ(db.visibleEntries().size(), testing::builtinIds().size());
    const Entry* h100 = db.find("h100-sxm");
    ASSERT_NE(h100, nullptr);
    EXPECT_EQ(h100->origin, Origin::builtin);
    EXPECT_FALSE(h100->shadowed);
    EXPECT_EQ(db.find("no-such-device"), nullptr);
    EXPECT_FALSE(fs::exists(userDir())) << "loading must not create the user dir";
}

TEST_F(DatabaseTest, ResolvesIdsAndPaths) {
    const Database db = Database::load(builtinDir(), userDir());
    auto byId = db.resolve("mi300x");
    ASSERT_TRUE(byId) << errorOf(byId);
    EXPECT_EQ(byId->id, "mi300x");

    const fs::path file = dataDir() / "good" / "test-gpu.json";
    auto byPath = db.resolve(file.string());
    ASSERT_TRUE(byPath) << errorOf(byPath);
    EXPECT_EQ(byPath->id, "test-gpu");
    EXPECT_EQ(byPath->sourceFile, file.string());

    auto unknown = db.resolve("h100");
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().message.find("unknown hardware id \"h100\""), std::string::npos);
    EXPECT_NE(unknown.error().message.find("h100-sxm"), std::string::npos)
        << "the message lists the known ids";

    const fs::path bad = dataDir() / "bad" / "negative-bandwidth.json";
    auto invalid = db.resolve(bad.string());
    ASSERT_FALSE(invalid);
    EXPECT_EQ(invalid.error().message.rfind(bad.string() + ": /memory/1/bandwidth/value", 0), 0u);

    auto missing = db.resolve("does-not-exist.json");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().message.find("does-not-exist.json: cannot read"), std::string::npos);
}

TEST_F(DatabaseTest, BrokenUserProfileIsReportedAndExplainsAnUnknownId) {
    fs::create_directories(userDir());
    fs::copy_file(dataDir() / "bad" / "zero-capacity.json", userDir() / "my-gpu.json");
    writeVariant(userDir(), "other.json", "other", 12);
    const Database db = Database::load(builtinDir(), userDir());
    EXPECT_EQ(db.entries().size(), testing::builtinIds().size() + 1);
    ASSERT_EQ(db.errors().size(), 1u);
    EXPECT_NE(db.errors()[0].message.find("my-gpu.json: /memory/0/capacity/value"),
              std::string::npos);
    auto resolved = db.resolve("my-gpu");
    ASSERT_FALSE(resolved);
    EXPECT_NE(resolved.error().message.find("its file failed to load"), std::string::npos)
        << resolved.error().message;
}

TEST_F(DatabaseTest, ImportWritesAnExactCopyIntoTheUserDir) {
    Database db = Database::load(builtinDir(), userDir());
    const fs::path file = dataDir() / "good" / "test-gpu.json";
    auto imported = db.importProfile(file, false);
    ASSERT_TRUE(imported) << errorOf(imported);
    EXPECT_EQ(imported->id, "test-gpu");
    const fs::path target = userDir() / "test-gpu.json";
    EXPECT_EQ(imported->sourceFile, target.string());
    EXPECT_EQ(contentOf(target), contentOf(file));
    EXPECT_EQ(snapshot(userDir()).size(), 1u) << "no temporary files are left behind";
    const Entry* entry = db.find("test-gpu");
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->origin, Origin::user);

    // A fresh load sees it too.
    const Database again = Database::load(builtinDir(), userDir());
    ASSERT_NE(again.find("test-gpu"), nullptr);
    EXPECT_EQ(again.find("test-gpu")->origin, Origin::user);
}

TEST_F(DatabaseTest, ImportRefusesAnExistingProfileUnlessForced) {
    Database db = Database::load(builtinDir(), userDir());
    ASSERT_TRUE(db.importProfile(writeVariant(scratch(), "v1.json", "my-gpu", 10), false));
    const fs::path target = userDir() / "my-gpu.json";
    const std::string first = contentOf(target);

    const fs::path second = writeVariant(scratch(), "v2.json", "my-gpu", 20);
    auto refused = db.importProfile(second, false);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("already exists"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("force"), std::string::npos);
    EXPECT_EQ(contentOf(target), first);

    // The same refusal for a profile that was on disk before this session.
    Database reloaded = Database::load(builtinDir(), userDir());
    EXPECT_FALSE(reloaded.importProfile(second, false));
    EXPECT_EQ(contentOf(target), first);

    auto forced = reloaded.importProfile(second, true);
    ASSERT_TRUE(forced) << errorOf(forced);
    EXPECT_EQ(contentOf(target), contentOf(second));
    EXPECT_EQ(reloaded.find("my-gpu")->hardware.vector.at(core::DataType::fp32), 20e12);
    std::size_t count = 0;
    for (const auto& entry : reloaded.entries()) {
        count += entry.hardware.id == "my-gpu" ? 1 : 0;
    }
    EXPECT_EQ(count, 1u) << "the replaced profile is not listed twice";
}

TEST_F(DatabaseTest, ImportWithABuiltinIdNeedsForceAndThenShadowsIt) {
    Database db = Database::load(builtinDir(), userDir());
    const fs::path file = writeVariant(scratch(), "my-h100.json", "h100-sxm", 33);
    auto refused = db.importProfile(file, false);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("built-in device"), std::string::npos)
        << refused.error().message;
    EXPECT_FALSE(fs::exists(userDir() / "h100-sxm.json"));

    auto forced = db.importProfile(file, true);
    ASSERT_TRUE(forced) << errorOf(forced);
    const Entry* found = db.find("h100-sxm");
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->origin, Origin::user);
    EXPECT_EQ(found->hardware.vector.at(core::DataType::fp32), 33e12);
    EXPECT_EQ(db.entries().size(), testing::builtinIds().size() + 1);
    EXPECT_EQ(db.visibleEntries().size(), testing::builtinIds().size());
    auto resolved = db.resolve("h100-sxm");
    ASSERT_TRUE(resolved);
    EXPECT_EQ(resolved->vector.at(core::DataType::fp32), 33e12);

    const Database reloaded = Database::load(builtinDir(), userDir());
    EXPECT_EQ(reloaded.find("h100-sxm")->origin, Origin::user);
    bool sawShadowed = false;
    for (const auto& entry : reloaded.entries()) {
        if (entry.hardware.id == "h100-sxm" && entry.origin == Origin::builtin) {
            sawShadowed = entry.shadowed;
        }
    }
    EXPECT_TRUE(sawShadowed);
}

TEST_F(DatabaseTest, InvalidImportChangesNothing) {
    Database db = Database::load(builtinDir(), userDir());
    ASSERT_TRUE(db.importProfile(dataDir() / "good" / "test-gpu.json", false));
    const auto before = snapshot(userDir());

    // Same id "test-gpu", invalid content, even with force.
    for (const char* bad : {"negative-bandwidth.json", "syntax-missing-comma.json",
                            "infinite-value.json", "schema-version-3.json"}) {
        auto result = db.importProfile(dataDir() / "bad" / bad, true);
        ASSERT_FALSE(result) << bad;
        EXPECT_NE(result.error().message.find(bad), std::string::npos) << result.error().message;
        EXPECT_EQ(snapshot(userDir()), before) << bad;
    }
    EXPECT_EQ(db.find("test-gpu")->hardware.vector.at(core::DataType::fp32), 10e12);
    EXPECT_FALSE(db.importProfile(dataDir() / "good" / "no-such-file.json", true));
    EXPECT_EQ(snapshot(userDir()), before);
}

TEST_F(DatabaseTest, ImportRefusesAFileNameTakenByAnotherProfile) {
    fs::create_directories(userDir());
    writeVariant(userDir(), "my-gpu.json", "someone-else", 10);
    Database db = Database::load(builtinDir(), userDir());
    const auto before = snapshot(userDir());
    auto refused = db.importProfile(writeVariant(scratch(), "x.json", "my-gpu", 20), false);
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().message.find("already exists"), std::string::npos)
        << refused.error().message;
    EXPECT_EQ(snapshot(userDir()), before);
}

TEST_F(DatabaseTest, NeverImportsIntoTheBuiltinDir) {
    for (const fs::path& userDir : {builtinDir(), builtinDir() / "profiles"}) {
        Database db = Database::load(builtinDir(), userDir);
        auto result = db.importProfile(dataDir() / "good" / "test-gpu.json", true);
        ASSERT_FALSE(result) << userDir;
        EXPECT_NE(result.error().message.find("built-in device directory"), std::string::npos)
            << result.error().message;
        EXPECT_FALSE(fs::exists(builtinDir() / "profiles"));
    }
}

TEST(DatabaseDefaults, DirectoriesFollowTheCorePaths) {
    EXPECT_EQ(Database::defaultBuiltinDir(), core::builtinDataDir() / "hwdb" / "devices");
    EXPECT_EQ(Database::defaultUserDir(), core::userDataDir() / "profiles");
}

}  // namespace
}  // namespace rooflens::hwdb
