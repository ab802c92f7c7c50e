// A Catch listener that tells the clusters whether the running test case
// has failed, so they print the processes' output (and keep the logs).
#define CATCH_CONFIG_EXTERNAL_INTERFACES
#include "cluster.hpp"

#include <catch2/catch.hpp>

namespace {

class failure_listener : public Catch::TestEventListenerBase {
public:
    using TestEventListenerBase::TestEventListenerBase;

    void testCaseStarting(const Catch::TestCaseInfo& info) override
    {
        ovs::integration::reset_test_failure();
        TestEventListenerBase::testCaseStarting(info);
    }

    bool assertionEnded(const Catch::AssertionStats& stats) override
    {
        if (!stats.assertionResult.isOk()) ovs::integration::note_test_failure();
        return TestEventListenerBase::assertionEnded(stats);
    }
};

}  // namespace

CATCH_REGISTER_LISTENER(failure_listener)
