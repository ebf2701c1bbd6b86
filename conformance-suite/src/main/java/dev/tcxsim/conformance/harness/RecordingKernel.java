package dev.tcxsim.conformance.harness;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.Kernel;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Wraps a {@link Kernel} so that every call through it, and through the processes, sockets and
 * taps it hands out, is written to a {@link Transcript}. The case sees an ordinary Kernel.
 */
final class RecordingKernel {
    private RecordingKernel() {
    }

    static Kernel wrap(Kernel kernel, Transcript transcript) {
        return (Kernel) wrapObject(kernel, Kernel.class, "kernel", transcript);
    }

    private static Object wrapObject(Object target, Class<?> iface, String name, Transcript transcript) {
        InvocationHandler handler = new Handler(target, name, transcript);
        return Proxy.newProxyInstance(iface.getClassLoader(), new Class<?>[] {iface}, handler);
    }

    /** Arguments that are our own proxies (a recorded process passed back in) go to the kernel unwrapped. */
    private static Object[] unwrap(Object[] args) {
        if (args == null) {
            return null;
        }
        Object[] plain = args.clone();
        for (int i = 0; i < plain.length; i++) {
            if (plain[i] != null && Proxy.isProxyClass(plain[i].getClass())
                    && Proxy.getInvocationHandler(plain[i]) instanceof Handler h) {
                plain[i] = h.target();
            }
        }
        return plain;
    }

    private record Handler(Object target, String name, Transcript transcript) implements InvocationHandler {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "toString" -> name + " (recorded " + target + ")";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> method.invoke(target, args);
                };
            }
            String call = name + "." + method.getName();
            try {
                Object result = method.invoke(target, unwrap(args));
                Class<?> type = method.getReturnType();
                if (result != null && type.isInterface() && type.getPackageName().equals("dev.tcxsim.kernel")) {
                    String child = type.getSimpleName() + (args != null && args.length > 0 && args[0] instanceof String s ? ":" + s : "");
                    transcript.add(call + " -> " + child);
                    return wrapObject(result, type, child, transcript);
                }
                if (!method.getName().equals("backend")) {
                    transcript.add(call + " -> " + (type == void.class ? "ok" : transcript.render(method.getName(), result)));
                }
                return result;
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                if (cause instanceof BpfException b) {
                    transcript.add(call + " -> " + b.errno());
                } else {
                    transcript.add(call + " -> threw " + cause.getClass().getSimpleName());
                }
                throw cause;
            }
        }
    }
}
