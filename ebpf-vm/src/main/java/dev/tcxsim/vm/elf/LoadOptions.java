package dev.tcxsim.vm.elf;

import dev.tcxsim.vm.btf.TargetBtf;

import java.util.Map;
import java.util.Objects;

/**
 * How to open an object, like libbpf's {@code bpf_object_open_opts}.
 *
 * @param objectName  the object's name instead of the file name without ".o" (null: the file's)
 * @param pinRootPath where maps with {@code LIBBPF_PIN_BY_NAME} are pinned ({@link #DEFAULT_PIN_ROOT})
 * @param targetBtf   the kernel BTF that CO-RE relocations and typed externs resolve against
 *                    (null: {@link TargetBtf#host()}, read only when an object needs it)
 * @param kconfig     values for {@code .kconfig} externs, keyed "CONFIG_FOO" as in a kernel
 *                    .config: "y", "m", "n", a number, or a quoted string (libbpf's kconfig_data)
 * @param unknownSectionsAreTc iproute2's rule instead of libbpf's: a code section whose name libbpf
 *                    does not know ("cls_test", "encap_ipip") holds SCHED_CLS programs instead of
 *                    being listed as ignored ({@code tc filter add ... bpf obj X.o sec NAME})
 */
public record LoadOptions(String objectName, String pinRootPath, TargetBtf targetBtf, Map<String, String> kconfig,
                          boolean unknownSectionsAreTc) {
    public static final String DEFAULT_PIN_ROOT = "/sys/fs/bpf";
    public static final LoadOptions DEFAULTS = new LoadOptions(null, DEFAULT_PIN_ROOT, null, Map.of(), false);

    public LoadOptions {
        Objects.requireNonNull(pinRootPath, "pinRootPath");
        kconfig = Map.copyOf(kconfig);
    }

    public LoadOptions withObjectName(String name) {
        return new LoadOptions(name, pinRootPath, targetBtf, kconfig, unknownSectionsAreTc);
    }

    public LoadOptions withPinRootPath(String path) {
        return new LoadOptions(objectName, path, targetBtf, kconfig, unknownSectionsAreTc);
    }

    public LoadOptions withTargetBtf(TargetBtf btf) {
        return new LoadOptions(objectName, pinRootPath, btf, kconfig, unknownSectionsAreTc);
    }

    public LoadOptions withKconfig(Map<String, String> values) {
        return new LoadOptions(objectName, pinRootPath, targetBtf, values, unknownSectionsAreTc);
    }

    public LoadOptions withUnknownSectionsAsTc(boolean on) {
        return new LoadOptions(objectName, pinRootPath, targetBtf, kconfig, on);
    }

    /** The target BTF to use: the one given, else the host's (an unreadable one is a load error). */
    TargetBtf target() throws ElfFormatException {
        if (targetBtf != null) {
            return targetBtf;
        }
        try {
            return TargetBtf.host();
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new ElfFormatException("no target BTF for CO-RE relocations and kfuncs: " + e.getMessage());
        }
    }
}
