package dev.tcxsim.tcx;

/**
 * How mprog resolves a relative object (the uapi relative_fd / relative_id field) in its caller's
 * world: the caller owns fd tables and id registries, the model only decides when to ask.
 * Each method throws the errno the kernel's lookup would return.
 *
 * @param <P> program object
 * @param <L> link object
 */
public interface ObjectLookup<P, L> {
    /** bpf_prog_by_id: ENOENT for 0 or an unknown id. */
    P progById(int id) throws MprogException;

    /** bpf_prog_get: EBADF when fd is not open, EINVAL when it is not a program. */
    P progByFd(int fd) throws MprogException;

    /** bpf_link_by_id: ENOENT for 0 or an unknown id. */
    L linkById(int id) throws MprogException;

    /** bpf_link_get_from_fd: EBADF when fd is not open, EINVAL when it is not a link. */
    L linkByFd(int fd) throws MprogException;

    /** The program a link currently holds. */
    P progOfLink(L link);

    /** The program's type (BPF_PROG_TYPE_*). */
    int progType(P prog);
}
