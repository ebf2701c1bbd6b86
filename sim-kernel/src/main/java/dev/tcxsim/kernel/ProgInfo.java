package dev.tcxsim.kernel;

/**
 * BPF_OBJ_GET_INFO_BY_FD of a program.
 *
 * @param id       program id
 * @param type     program type (SCHED_CLS = 3)
 * @param name     the program name (the kernel truncates it to 15 characters)
 * @param runCount run_cnt: how many times it ran (the real kernel counts only with bpf stats enabled)
 */
public record ProgInfo(int id, int type, String name, long runCount) {
}
