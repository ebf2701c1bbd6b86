package dev.tcxsim.conformance.harness;

import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/** Prints the per-backend summary (cases, passes, time, disagreements) when a test run ends. */
public final class SummaryListener implements TestExecutionListener {
    @Override
    public void testPlanExecutionFinished(TestPlan testPlan) {
        if (!ConformanceStats.cases().isEmpty()) {
            System.out.println("[tcxsim] " + ConformanceStats.summary());
        }
    }
}
