package dev.tcxsim.vm.elf;

/**
 * An extern the object declares and how the loader resolved it: a {@code __kconfig} variable
 * (a value in the object's {@code .kconfig} map), a {@code __ksym} variable (kernel memory,
 * which the simulator has none of: weak ones read as 0, others fail the load), or a
 * {@code __ksym} function, a kfunc (see {@link KfuncCall}).
 *
 * @param resolution what the loader made of it, for people: "= 397824 at .kconfig+0",
 *                   "weak, not set: 0", "kfunc, target BTF id 63566"
 */
public record Extern(String name, Kind kind, boolean weak, String resolution) {
    public enum Kind { KCONFIG, KSYM_VARIABLE, KFUNC }
}
