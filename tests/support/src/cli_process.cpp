#include "test_support/cli_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

extern char** environ;

namespace rooflens::testing {

namespace fs = std::filesystem;

const std::string& cliPath() {
    static const std::string path = ROOFLENS_CLI_PATH;
    return path;
}

fs::path scratch() {
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("rooflens-test-" + std::to_string(::getpid()));
        fs::remove_all(d);
        fs::create_directories(d);
        return d;
    }();
    return dir;
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

Outcome rooflens(const std::string& args, const std::string& xdg) {
    return rooflensWith("", args, xdg);
}

std::string killWritesAfter(const fs::path& dir, long long bytes) {
    return "LD_PRELOAD='" + std::string(ROOFLENS_KILL_WRITES_PATH) +
           "' ASAN_OPTIONS=verify_asan_link_order=0 ROOFLENS_KILL_WRITES_DIR='" + dir.string() +
           "' ROOFLENS_KILL_WRITES_AFTER=" + std::to_string(bytes);
}

Outcome rooflensWith(const std::string& environment, const std::string& args,
                     const std::string& xdg) {
    const fs::path errFile = scratch() / "stderr.txt";
    const std::string home = xdg.empty() ? (scratch() / "xdg").string() : xdg;
    // exec: the shell becomes rooflens, so a signal that ends it is seen here, not as 128 + n.
    const std::string command = "XDG_DATA_HOME='" + home + "' " + environment + " exec '" +
                                cliPath() + "' " + args + " 2>'" + errFile.string() + "'";
    Outcome run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return run;
    }
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        run.out.append(buffer, n);
    }
    const int status = ::pclose(pipe);
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    run.err = slurp(errFile);
    return run;
}

pid_t spawnRooflens(const std::vector<std::string>& args, const fs::path& errFile) {
    std::vector<std::string> words{cliPath()};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& word : words) {
        argv.push_back(word.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, errFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int started =
        posix_spawn(&pid, cliPath().c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    return started == 0 ? pid : -1;
}

}  // namespace rooflens::testing
