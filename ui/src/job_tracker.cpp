#include "ui/job_tracker.h"

namespace rooflens::ui {

JobTracker::JobTracker(QObject* context) : m_context(context) {
    m_pool.setMaxThreadCount(1);
    m_pool.setExpiryTimeout(-1);
}

JobTracker::~JobTracker() {
    cancel();
    m_pool.waitForDone();
}

void JobTracker::cancel() {
    if (m_token) {
        m_token->cancel();
    }
    m_pool.clear();  // jobs queued but not started never run
}

bool JobTracker::isRunning() const {
    return m_finished && !m_finished->load() && m_token && !m_token->cancelled();
}

void JobTracker::waitForDone() {
    m_pool.waitForDone();
}

}  // namespace rooflens::ui
