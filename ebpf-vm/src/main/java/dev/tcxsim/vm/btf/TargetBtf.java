package dev.tcxsim.vm.btf;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The kernel's type information that CO-RE relocations are resolved against (libbpf's "target
 * BTF"), with its named types indexed by essential name (the name up to a "___flavor" suffix).
 *
 * <p>{@link #host()} picks, in this order: the file named by the system property
 * {@value #PROPERTY}; the running kernel's {@value #VMLINUX}; the BTF shipped with tcxsim,
 * which describes a Linux 6.18 x86_64 kernel pruned to what tc programs use
 * ({@value #RESOURCE}, made by {@link BtfPruner}).
 */
public final class TargetBtf {
    /** System property naming a raw (or gzipped) BTF file to use instead of the host's. */
    public static final String PROPERTY = "tcxsim.btf";
    public static final String VMLINUX = "/sys/kernel/btf/vmlinux";
    public static final String RESOURCE = "/dev/tcxsim/vm/btf/vmlinux-6.18-x86_64.btf.gz";

    private static volatile TargetBtf host;
    private static volatile TargetBtf shipped;

    private final Btf btf;
    private final String source;
    private final Map<String, List<Integer>> byEssentialName = new HashMap<>();

    private TargetBtf(Btf btf, String source) {
        this.btf = btf;
        this.source = source;
        for (int id = 1; id < btf.typeCount(); id++) {
            String name = btf.type(id).name();
            if (!name.isEmpty()) {
                byEssentialName.computeIfAbsent(essentialName(name), k -> new ArrayList<>(1)).add(id);
            }
        }
    }

    /** Wraps already parsed BTF; {@code source} says where it came from in messages. */
    public static TargetBtf of(Btf btf, String source) {
        return new TargetBtf(btf, source);
    }

    /** Reads a BTF file, raw or gzipped (told apart by the gzip magic). */
    public static TargetBtf load(Path file) throws IOException, BtfFormatException {
        return new TargetBtf(Btf.parse(gunzipIfNeeded(Files.readAllBytes(file))), file.toString());
    }

    /** The target BTF for this process (see the class comment); read once. */
    public static TargetBtf host() {
        TargetBtf t = host;
        if (t == null) {
            synchronized (TargetBtf.class) {
                if (host == null) {
                    host = findHost();
                }
                t = host;
            }
        }
        return t;
    }

    /** What {@link #host()} would read now, without caching (tests change the property). */
    static TargetBtf findHost() {
        String override = System.getProperty(PROPERTY);
        try {
            if (override != null && !override.isBlank()) {
                return load(Path.of(override));
            }
            Path vmlinux = Path.of(VMLINUX);
            if (Files.isReadable(vmlinux)) {
                return load(vmlinux);
            }
        } catch (IOException | BtfFormatException e) {
            throw new IllegalStateException("cannot read the target BTF " + (override != null ? override : VMLINUX)
                    + ": " + e.getMessage(), e);
        }
        return shipped();
    }

    /** The Linux 6.18 x86_64 BTF shipped as a resource, whatever the host has. */
    public static TargetBtf shipped() {
        TargetBtf t = shipped;
        if (t == null) {
            synchronized (TargetBtf.class) {
                if (shipped == null) {
                    try (InputStream in = TargetBtf.class.getResourceAsStream(RESOURCE)) {
                        if (in == null) {
                            throw new IllegalStateException("resource " + RESOURCE + " is missing from the build");
                        }
                        shipped = new TargetBtf(Btf.parse(gunzipIfNeeded(in.readAllBytes())),
                                "shipped Linux 6.18 x86_64 BTF");
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (BtfFormatException e) {
                        throw new IllegalStateException("resource " + RESOURCE + " is not valid BTF: " + e.getMessage(), e);
                    }
                }
                t = shipped;
            }
        }
        return t;
    }

    private static byte[] gunzipIfNeeded(byte[] data) throws IOException {
        if (data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(data))) {
                return in.readAllBytes();
            }
        }
        return data;
    }

    public Btf btf() {
        return btf;
    }

    /** Where this BTF came from, for messages. */
    public String source() {
        return source;
    }

    /** Named types whose essential name is {@code essentialName}, in id order. */
    public List<Integer> named(String essentialName) {
        return byEssentialName.getOrDefault(essentialName, List.of());
    }

    /**
     * libbpf's essential name: {@code name} without its last "___" and what follows, when at
     * least two characters follow and something precedes (bpf_core_essential_name_len).
     */
    public static String essentialName(String name) {
        for (int i = name.length() - 5; i > 0; i--) {
            if (name.startsWith("___", i)) {
                return name.substring(0, i);
            }
        }
        return name;
    }
}
