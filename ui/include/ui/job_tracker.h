#pragma once
// JobTracker: runs background jobs on its own worker thread, after KDAB hotspot's jobtracker.
// Every job gets a generation number and a cancel token; starting a job cancels the previous
// one. Results and progress come back to the GUI thread by queued calls and are dropped when a
// newer job started or the job was cancelled, so stale results never reach the widgets.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include <QMetaObject>
#include <QObject>
#include <QString>
#include <QThreadPool>

#include "core/progress.h"

namespace rooflens::ui {

class JobTracker {
public:
    // `context` receives the queued calls; it must outlive the tracker (make the tracker a
    // member of it).
    explicit JobTracker(QObject* context);
    ~JobTracker();  // cancels the running job and waits for it
    JobTracker(const JobTracker&) = delete;
    JobTracker& operator=(const JobTracker&) = delete;

    using ProgressHandler = std::function<void(double fraction, const QString& label)>;

    // job(const core::CancelToken&, const core::ProgressCallback&) -> R runs on the worker
    // thread; done(R) runs on the GUI thread unless the job was superseded or cancelled.
    template <typename Job, typename Done>
    std::uint64_t start(Job job, Done done, ProgressHandler onProgress = {}) {
        cancel();
        auto token = std::make_shared<core::CancelToken>();
        m_token = token;
        const std::uint64_t generation = ++m_generation;
        auto finished = std::make_shared<std::atomic<bool>>(false);
        m_finished = finished;
        QObject* context = m_context;
        core::ProgressCallback progress;
        if (onProgress) {
            progress = [context, token, onProgress](double fraction, std::string_view label,
                                                    double /*secondsLeft*/) {
                if (token->cancelled()) {
                    return;
                }
                QMetaObject::invokeMethod(
                    context,
                    [token, onProgress, fraction,
                     text = QString::fromUtf8(label.data(), static_cast<qsizetype>(label.size()))] {
                        if (!token->cancelled()) {
                            onProgress(fraction, text);
                        }
                    },
                    Qt::QueuedConnection);
            };
        }
        m_pool.start([context, token, finished, job = std::move(job), done = std::move(done),
                      progress = std::move(progress)]() mutable {
            if (!token->cancelled()) {
                auto result =
                    std::make_shared<decltype(job(*token, progress))>(job(*token, progress));
                if (!token->cancelled()) {
                    QMetaObject::invokeMethod(
                        context,
                        [token, done = std::move(done), result] {
                            if (!token->cancelled()) {
                                done(std::move(*result));
                            }
                        },
                        Qt::QueuedConnection);
                }
            }
            finished->store(true);
        });
        return generation;
    }

    // Cancels the current job: its token fires and its result will be dropped.
    void cancel();
    bool isRunning() const;
    std::uint64_t generation() const { return m_generation; }
    // Blocks until the worker is idle (tests, shutdown).
    void waitForDone();

private:
    QObject* m_context;
    QThreadPool m_pool;
    std::uint64_t m_generation = 0;
    std::shared_ptr<core::CancelToken> m_token;
    std::shared_ptr<std::atomic<bool>> m_finished;
};

}  // namespace rooflens::ui
