package dev.tcxsim.kernel;

import dev.tcxsim.vm.elf.BpfObject;
import dev.tcxsim.vm.elf.MapSpec;
import dev.tcxsim.vm.elf.ProgramSpec;

/**
 * A process calling bpf(2): it owns an fd table. Every method is one bpf(2) command with the
 * uapi's arguments; failures throw {@link BpfException} with the kernel's errno.
 *
 * <p>{@link #close()} is process exit: every fd is closed, so links that are neither pinned nor
 * held by another fd auto-detach.
 */
public interface BpfProcess extends AutoCloseable {
    /** The name given at creation. */
    String name();

    /**
     * BPF_PROG_LOAD of one program. Map references of the spec are resolved with
     * {@code mapFdsByIndex[mapIndex]}; raw instructions may also carry a map fd directly in an
     * LD_IMM64 with src_reg BPF_PSEUDO_MAP_FD, as bpf(2) takes them. Returns the program fd.
     */
    int progLoad(ProgramSpec spec, int[] mapFdsByIndex) throws BpfException;

    /** Like libbpf's bpf_object__load: creates every map, then loads every program. */
    LoadedObjectFds loadObject(BpfObject obj) throws BpfException;

    /** BPF_MAP_CREATE; returns the map fd. */
    int mapCreate(MapSpec spec) throws BpfException;

    /** BPF_MAP_LOOKUP_ELEM; ENOENT when the key is absent. */
    byte[] mapLookup(int mapFd, byte[] key) throws BpfException;

    /** BPF_MAP_UPDATE_ELEM with BPF_ANY (0) / BPF_NOEXIST (1) / BPF_EXIST (2). */
    void mapUpdate(int mapFd, byte[] key, byte[] value, long flags) throws BpfException;

    /** BPF_MAP_DELETE_ELEM; ENOENT when the key is absent. */
    void mapDelete(int mapFd, byte[] key) throws BpfException;

    /**
     * BPF_MAP_GET_NEXT_KEY: the key after {@code key} (null: the first key) in the map's own order,
     * or null when there is none (the kernel's ENOENT at the end).
     */
    byte[] mapNextKey(int mapFd, byte[] key) throws BpfException;

    /**
     * BPF_PROG_ATTACH: {@code ifindex} = target_ifindex, {@code relativeFdOrId} = relative_fd or
     * relative_id (an id when {@code flags} has BPF_F_ID), {@code replaceProgFd} = replace_bpf_fd,
     * {@code expectedRevision} 0 = don't care.
     */
    void progAttach(int ifindex, int attachType, int progFd, int flags, int relativeFdOrId, int replaceProgFd,
                    long expectedRevision) throws BpfException;

    /** BPF_PROG_DETACH; {@code progFd} 0 = no program given. */
    void progDetach(int ifindex, int attachType, int progFd, int flags, int relativeFdOrId, long expectedRevision)
            throws BpfException;

    /**
     * BPF_PROG_QUERY with a prog_ids and a link_ids buffer of {@code count} entries each (count 0:
     * no buffers). A too small buffer is not thrown: the result carries ENOSPC and partial arrays,
     * as the kernel fills them.
     */
    QueryResult progQuery(int ifindex, int attachType, int queryFlags, int count) throws BpfException;

    /** BPF_LINK_CREATE for tcx: flags, tcx.relative_fd|id and tcx.expected_revision. Returns the link fd. */
    int linkCreate(int progFd, int ifindex, int attachType, int flags, int relativeFdOrId, long expectedRevision)
            throws BpfException;

    /** BPF_LINK_UPDATE; {@code oldProgFd} is only read with BPF_F_REPLACE (0 = none). */
    void linkUpdate(int linkFd, int newProgFd, int flags, int oldProgFd) throws BpfException;

    /** BPF_LINK_DETACH. */
    void linkDetach(int linkFd) throws BpfException;

    /** BPF_OBJ_GET_INFO_BY_FD on a link. */
    LinkInfo linkInfo(int linkFd) throws BpfException;

    /** BPF_OBJ_GET_INFO_BY_FD on a program. */
    ProgInfo progInfo(int progFd) throws BpfException;

    /** BPF_PROG_GET_FD_BY_ID; ENOENT for an unknown id. */
    int progGetFdById(int id) throws BpfException;

    /** BPF_LINK_GET_FD_BY_ID; ENOENT for an unknown id. */
    int linkGetFdById(int id) throws BpfException;

    /** BPF_OBJ_PIN at a path relative to the session's bpffs root; EEXIST if taken. */
    void objPin(int fd, String path) throws BpfException;

    /** BPF_OBJ_GET: a new fd for a pinned object; ENOENT if nothing is pinned there. */
    int objGet(String path) throws BpfException;

    /** unlink(2) of a pin; ENOENT if absent. */
    void unpin(String path) throws BpfException;

    /** close(2); EBADF if the fd is not open in this process. */
    void close(int fd) throws BpfException;

    /** Process exit: closes every fd this process holds. Idempotent. */
    void exit();

    /** Same as {@link #exit()}. */
    @Override
    default void close() {
        exit();
    }
}
