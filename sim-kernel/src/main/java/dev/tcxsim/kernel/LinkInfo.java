package dev.tcxsim.kernel;

/**
 * BPF_OBJ_GET_INFO_BY_FD of a tcx link.
 *
 * @param id         link id
 * @param type       link type (BPF_LINK_TYPE_TCX = 11)
 * @param progId     id of the link's program
 * @param ifindex    tcx.ifindex; 0 once the link is defunct (detached or device gone)
 * @param attachType tcx.attach_type (46/47), kept when defunct
 */
public record LinkInfo(int id, int type, int progId, int ifindex, int attachType) {
}
