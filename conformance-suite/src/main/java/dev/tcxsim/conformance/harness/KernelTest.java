package dev.tcxsim.conformance.harness;

import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A conformance case: the method takes a {@link dev.tcxsim.kernel.Kernel} and runs once per
 * backend — the simulator always, the real kernel where it can run (root, Linux >= 6.6; there it
 * is required, so a missing backend fails instead of skipping). Every call the case makes and its
 * outcome are recorded per backend; when both ran to the end their transcripts must agree, and a
 * difference fails the case with both sides printed.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
@ExtendWith(KernelTestExtension.class)
public @interface KernelTest {
}
