#pragma once
// Shared by the deployment and plan tests: the built-in database, a bound model, a built-in
// system and a TP-only plan.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/deployment.h"
#include "core/evaluate.h"
#include "hwdb/hwdb.h"
#include "hwdb/systems.h"
#include "models/workload_spec.h"

namespace rooflens::testing {

inline const hwdb::Database& db() {
    static const hwdb::Database database = hwdb::Database::load();
    return database;
}

inline std::shared_ptr<const core::WorkloadBuilder> model(const std::string& id) {
    models::WorkloadSpec spec;
    spec.model = id;
    auto builder = models::bindWorkload(spec);
    EXPECT_TRUE(builder.ok()) << builder.error().message;
    return builder.value();
}

inline core::System system(const std::string& id) {
    auto s = hwdb::resolveSystem(id, db());
    EXPECT_TRUE(s.ok()) << s.error().message;
    return s.value();
}

inline core::Deployment tp(int n) {
    core::Deployment d;
    d.tensorParallel = n;
    return d;
}

}  // namespace rooflens::testing
