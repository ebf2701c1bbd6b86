package dev.tcxsim.conformance.harness;

import dev.tcxsim.kernel.Kernel;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.Extension;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestTemplateInvocationContext;
import org.junit.jupiter.api.extension.TestTemplateInvocationContextProvider;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.util.List;
import java.util.stream.Stream;

/** Runs a {@link KernelTest} once per backend and compares the transcripts. */
final class KernelTestExtension implements TestTemplateInvocationContextProvider {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(KernelTestExtension.class);

    @Override
    public boolean supportsTestTemplate(ExtensionContext context) {
        return context.getTestMethod().map(m -> m.isAnnotationPresent(KernelTest.class)).orElse(false);
    }

    @Override
    public Stream<TestTemplateInvocationContext> provideTestTemplateInvocationContexts(ExtensionContext context) {
        return Backend.selected().stream().map(Invocation::new);
    }

    private record Invocation(Backend backend) implements TestTemplateInvocationContext {
        @Override
        public String getDisplayName(int invocationIndex) {
            return "[" + backend.label() + "]";
        }

        @Override
        public List<Extension> getAdditionalExtensions() {
            return List.of(new PerBackend(backend));
        }
    }

    /** The key under which a case's transcripts are kept, one per backend. */
    private static String caseKey(ExtensionContext context) {
        return context.getRequiredTestClass().getName() + "#" + context.getRequiredTestMethod().getName();
    }

    private record PerBackend(Backend backend)
            implements BeforeEachCallback, ParameterResolver, AfterTestExecutionCallback, AfterEachCallback {

        @Override
        public void beforeEach(ExtensionContext context) {
            String why = backend.whyUnavailable();
            if (why == null) {
                return;
            }
            if (backend.required()) {
                throw new AssertionFailedError("the " + backend.label() + " backend is required here but cannot run: " + why);
            }
            System.out.println("[tcxsim] " + context.getDisplayName() + " skipped on " + backend.label() + ": " + why);
            throw new TestAbortedException(backend.label() + " backend unavailable: " + why);
        }

        @Override
        public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
            Class<?> type = p.getParameter().getType();
            return type == Kernel.class || type == Backend.class;
        }

        @Override
        public Object resolveParameter(ParameterContext p, ExtensionContext context) {
            if (p.getParameter().getType() == Backend.class) {
                return backend;
            }
            ExtensionContext.Store store = context.getStore(NS);
            Transcript transcript = new Transcript();
            long start = System.nanoTime();
            Kernel kernel = backend.open();
            store.put("kernel", kernel);
            store.put("transcript", transcript);
            store.put("start", start);
            return RecordingKernel.wrap(kernel, transcript);
        }

        @Override
        public void afterTestExecution(ExtensionContext context) {
            ExtensionContext.Store store = context.getStore(NS);
            Transcript transcript = store.get("transcript", Transcript.class);
            Long start = store.get("start", Long.class);
            if (start != null) {
                ConformanceStats.add(backend, System.nanoTime() - start);
            }
            boolean passed = context.getExecutionException().isEmpty();
            ConformanceStats.outcome(caseKey(context), backend, passed,
                    context.getExecutionException().map(Throwable::getMessage).orElse(null),
                    transcript == null ? List.of() : transcript.lines());
            if (transcript == null || !passed) {
                return;
            }
            transcript.markCompleted();
            ExtensionContext.Store shared = context.getRoot().getStore(NS);
            String key = caseKey(context);
            for (Backend other : Backend.values()) {
                Transcript theirs = shared.get(key + "@" + other.label(), Transcript.class);
                if (other != backend && theirs != null && theirs.completed()) {
                    compare(key, other, theirs, backend, transcript);
                }
            }
            shared.put(key + "@" + backend.label(), transcript);
        }

        @Override
        public void afterEach(ExtensionContext context) {
            Kernel kernel = context.getStore(NS).remove("kernel", Kernel.class);
            if (kernel != null) {
                kernel.close();
            }
        }
    }

    /** Fails with both transcripts side by side when they differ. */
    static void compare(String key, Backend a, Transcript ta, Backend b, Transcript tb) {
        List<String> la = ta.lines();
        List<String> lb = tb.lines();
        if (la.equals(lb)) {
            return;
        }
        ConformanceStats.disagree(key);
        throw new AssertionFailedError(Comparison.sideBySide(key, a.label(), la, b.label(), lb));
    }
}
