// Test support, preloaded into a `rooflens` process (LD_PRELOAD): the process kills itself with
// SIGKILL in the middle of writing a file, so a test can check that a writer killed mid-way leaves
// the old file (issue 18, item 5). Without the two variables it only forwards.
//   ROOFLENS_KILL_WRITES_DIR    only writes to files in this directory (canonical path) count;
//                               an O_TMPFILE temporary reads "DIR/#INODE (deleted)", so it counts
//   ROOFLENS_KILL_WRITES_AFTER  bytes: the write that would pass this total writes up to it, then
//                               the process is killed
// write() and writev() are wrapped: every writer in the process (writeFileAtomic, std::ofstream,
// QFile) ends in one of them.
#include <dlfcn.h>
#include <signal.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

using WriteFn = ssize_t (*)(int, const void*, size_t);
using WritevFn = ssize_t (*)(int, const struct iovec*, int);

long long g_written = 0;

WriteFn realWrite() {
    static const auto fn = reinterpret_cast<WriteFn>(dlsym(RTLD_NEXT, "write"));
    return fn;
}

// The byte budget left before the kill, or -1 when writes to `fd` do not count.
long long budget(int fd) {
    const char* dir = std::getenv("ROOFLENS_KILL_WRITES_DIR");
    const char* after = std::getenv("ROOFLENS_KILL_WRITES_AFTER");
    if (dir == nullptr || after == nullptr || fd <= 2) {
        return -1;
    }
    char link[64];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    char target[4096];
    const ssize_t n = ::readlink(link, target, sizeof target - 1);
    if (n <= 0) {
        return -1;
    }
    target[n] = '\0';
    const std::size_t length = std::strlen(dir);
    if (std::strncmp(target, dir, length) != 0 || target[length] != '/') {
        return -1;
    }
    return std::atoll(after) - g_written;
}

[[noreturn]] void die() {
    ::kill(::getpid(), SIGKILL);
    for (;;) {
        ::pause();
    }
}

}  // namespace

extern "C" ssize_t write(int fd, const void* data, size_t size) {
    const long long left = budget(fd);
    if (left >= 0) {
        if (static_cast<long long>(size) > left) {
            if (left > 0) {
                realWrite()(fd, data, static_cast<size_t>(left));
            }
            die();
        }
        g_written += static_cast<long long>(size);
    }
    return realWrite()(fd, data, size);
}

extern "C" ssize_t writev(int fd, const struct iovec* parts, int count) {
    static const auto real = reinterpret_cast<WritevFn>(dlsym(RTLD_NEXT, "writev"));
    long long left = budget(fd);
    if (left >= 0) {
        for (int i = 0; i < count; ++i) {
            const auto size = static_cast<long long>(parts[i].iov_len);
            if (size > left) {
                if (left > 0) {
                    realWrite()(fd, parts[i].iov_base, static_cast<size_t>(left));
                }
                die();
            }
            left -= size;
            g_written += size;
        }
    }
    return real(fd, parts, count);
}
