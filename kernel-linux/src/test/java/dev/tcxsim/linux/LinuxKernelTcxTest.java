package dev.tcxsim.linux;

import dev.tcxsim.kernel.BpfException;
import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.LinkInfo;
import dev.tcxsim.kernel.QueryResult;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.kernel.VethPair;
import dev.tcxsim.tcx.Errno;
import dev.tcxsim.vm.elf.ProgramSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static dev.tcxsim.kernel.Uapi.BPF_F_AFTER;
import static dev.tcxsim.kernel.Uapi.BPF_F_BEFORE;
import static dev.tcxsim.kernel.Uapi.BPF_F_ID;
import static dev.tcxsim.kernel.Uapi.BPF_F_REPLACE;
import static dev.tcxsim.kernel.Uapi.BPF_TCX_INGRESS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** tcx attach, detach, query, links, pins and process exit on the real kernel, through the Kernel API. */
class LinuxKernelTcxTest {
    private LinuxKernel kernel;
    private BpfProcess proc;
    private int ifindex;

    @BeforeEach
    void open() throws BpfException {
        RealKernel.require();
        kernel = LinuxKernel.open();
        proc = kernel.process("test");
        VethPair pair = kernel.addVeth("tcx0", "tcx1");
        ifindex = pair.ifindex();
    }

    @AfterEach
    void close() {
        if (kernel != null) {
            kernel.close();
            assertTrue(kernel.session().closeProblems().isEmpty(), "cleanup: " + kernel.session().closeProblems());
        }
    }

    private int load(String name, int verdict) throws BpfException {
        return proc.progLoad(ProgramSpec.raw(name, Uapi.BPF_PROG_TYPE_SCHED_CLS, RealKernel.ret(verdict)), new int[0]);
    }

    private int id(int progFd) throws BpfException {
        return proc.progInfo(progFd).id();
    }

    private QueryResult query() throws BpfException {
        return proc.progQuery(ifindex, BPF_TCX_INGRESS, 0, 8);
    }

    private static void assertErrno(Errno expected, Executable call) {
        BpfException e = assertThrows(BpfException.class, call);
        assertEquals(expected, e.errno(), e.getMessage());
    }

    @Test
    void attachOrdersQueryReportsAndDetachRemoves() throws BpfException {
        QueryResult empty = query();
        assertEquals(0, empty.count());
        assertEquals(1, empty.revision(), "a hook without a tcx entry reports revision 1");
        int p1 = load("p1", -1);
        int p2 = load("p2", 0);
        int p3 = load("p3", 0);
        proc.progAttach(ifindex, BPF_TCX_INGRESS, p1, 0, 0, 0, 0);
        proc.progAttach(ifindex, BPF_TCX_INGRESS, p2, BPF_F_BEFORE, 0, 0, 0);
        proc.progAttach(ifindex, BPF_TCX_INGRESS, p3, BPF_F_AFTER | BPF_F_ID, id(p2), 0, 3);
        QueryResult q = query();
        assertArrayEquals(new int[] {id(p2), id(p3), id(p1)}, q.progIds());
        assertArrayEquals(new int[] {0, 0, 0}, q.linkIds());
        assertEquals(4, q.revision());

        QueryResult small = proc.progQuery(ifindex, BPF_TCX_INGRESS, 0, 2);
        assertEquals(Errno.ENOSPC.number(), small.errno());
        assertEquals(3, small.count());
        assertArrayEquals(new int[] {id(p2), id(p3)}, small.progIds());

        proc.progDetach(ifindex, BPF_TCX_INGRESS, p3, 0, 0, 4);
        proc.progDetach(ifindex, BPF_TCX_INGRESS, 0, 0, 0, 0); // no args: the last one (p1)
        assertArrayEquals(new int[] {id(p2)}, query().progIds());
        assertEquals(6, query().revision());
    }

    @Test
    void theKernelsErrnosComeThroughUnchanged() throws BpfException {
        int p1 = load("p1", 0);
        int p2 = load("p2", 0);
        assertErrno(Errno.ENOENT, () -> proc.progDetach(ifindex, BPF_TCX_INGRESS, p1, 0, 0, 0));
        proc.progAttach(ifindex, BPF_TCX_INGRESS, p1, 0, 0, 0, 0);
        assertErrno(Errno.EEXIST, () -> proc.progAttach(ifindex, BPF_TCX_INGRESS, p1, 0, 0, 0, 0));
        assertErrno(Errno.ESTALE, () -> proc.progAttach(ifindex, BPF_TCX_INGRESS, p1, 0, 0, 0, 77));
        assertErrno(Errno.ERANGE, () -> proc.progAttach(ifindex, BPF_TCX_INGRESS, p2, BPF_F_BEFORE | BPF_F_AFTER, 0, 0, 0));
        assertErrno(Errno.EINVAL, () -> proc.progAttach(ifindex, BPF_TCX_INGRESS, p2, Uapi.BPF_F_ALLOW_MULTI, 0, 0, 0));
        assertErrno(Errno.ENOENT, () -> proc.progAttach(ifindex, BPF_TCX_INGRESS, p2, BPF_F_BEFORE | BPF_F_ID, 999999, 0, 0));
        assertErrno(Errno.EINVAL, () -> proc.progAttach(ifindex, BPF_TCX_INGRESS, p2, 0, p1, 0, 0));
        assertErrno(Errno.ENODEV, () -> proc.progAttach(4242, BPF_TCX_INGRESS, p2, 0, 0, 0, 0));
        assertErrno(Errno.EINVAL, () -> proc.progDetach(ifindex, BPF_TCX_INGRESS, p1, BPF_F_REPLACE, 0, 0));
        assertErrno(Errno.EINVAL, () -> proc.progQuery(ifindex, BPF_TCX_INGRESS, 1, 8));
        assertEquals(2, query().revision(), "failed calls do not commit");
    }

    @Test
    void linksOwnTheirSlotUpdateDetachAndGoDefunct() throws BpfException {
        int p1 = load("p1", 0);
        int p2 = load("p2", 0);
        int link = proc.linkCreate(p1, ifindex, BPF_TCX_INGRESS, 0, 0, 0);
        LinkInfo info = proc.linkInfo(link);
        assertEquals(Uapi.BPF_LINK_TYPE_TCX, info.type());
        assertEquals(ifindex, info.ifindex());
        assertEquals(BPF_TCX_INGRESS, info.attachType());
        assertEquals(id(p1), info.progId());
        assertArrayEquals(new int[] {info.id()}, query().linkIds());

        assertErrno(Errno.EBUSY, () -> proc.progAttach(ifindex, BPF_TCX_INGRESS, p2, BPF_F_REPLACE, 0, p1, 0));
        assertErrno(Errno.EBUSY, () -> proc.progDetach(ifindex, BPF_TCX_INGRESS, p1, 0, 0, 0));
        long rev = query().revision();
        proc.linkUpdate(link, p1, 0, 0);
        assertEquals(rev, query().revision(), "an update to the same program does not commit");
        assertErrno(Errno.EPERM, () -> proc.linkUpdate(link, p2, BPF_F_REPLACE, p2));
        proc.linkUpdate(link, p2, BPF_F_REPLACE, p1);
        assertArrayEquals(new int[] {id(p2)}, query().progIds());
        assertEquals(id(p2), proc.linkInfo(link).progId());

        proc.linkDetach(link);
        assertEquals(0, query().count());
        assertEquals(0, proc.linkInfo(link).ifindex(), "a detached link reports ifindex 0");
        assertErrno(Errno.ENOLINK, () -> proc.linkUpdate(link, p1, 0, 0));
    }

    @Test
    void pinnedLinksOutliveTheirProcessAndUnpinnedOnesAutoDetach() throws BpfException {
        int p1 = load("p1", 0);
        BpfProcess other = kernel.process("other");
        int pf = other.progGetFdById(id(p1));
        int pinned = other.linkCreate(pf, ifindex, BPF_TCX_INGRESS, 0, 0, 0);
        other.objPin(pinned, "kept");
        assertErrno(Errno.EEXIST, () -> other.objPin(pinned, "kept"));
        int p2 = load("p2", 0);
        BpfProcess third = kernel.process("third");
        int p2fd = third.progGetFdById(id(p2));
        third.linkCreate(p2fd, ifindex, BPF_TCX_INGRESS, 0, 0, 0);
        assertEquals(2, query().count());
        other.exit();
        third.exit();
        assertArrayEquals(new int[] {id(p1)}, query().progIds(), "the pinned link stays, the other auto-detached");

        int again = proc.objGet("kept");
        int linkId = proc.linkInfo(again).id();
        assertEquals(linkId, proc.linkInfo(proc.linkGetFdById(linkId)).id());
        proc.unpin("kept");
        assertErrno(Errno.ENOENT, () -> proc.objGet("kept"));
        assertErrno(Errno.ENOENT, () -> proc.unpin("kept"));
        proc.exit();
        assertEquals(0, kernel.process("observer").progQuery(ifindex, BPF_TCX_INGRESS, 0, 8).count(),
                "the last fd of the link closed: it detached");
    }

    @Test
    void anFdOfAnotherProcessIsBadThere() throws BpfException {
        int p1 = load("p1", 0);
        BpfProcess other = kernel.process("other");
        assertErrno(Errno.EBADF, () -> other.progAttach(ifindex, BPF_TCX_INGRESS, p1, 0, 0, 0, 0));
        assertErrno(Errno.EBADF, () -> other.close(p1));
        proc.close(p1);
        assertErrno(Errno.EBADF, () -> proc.close(p1));
        // OBJ_GET_INFO_BY_FD answers a bad fd with EBADFD (77), which tcx-model's Errno does not name yet.
        BpfException info = assertThrows(BpfException.class, () -> proc.progInfo(p1));
        assertTrue(info.getMessage().contains("EBADFD"), info.getMessage());
    }

    @Test
    void removingTheDeviceMakesItsLinksDefunct() throws BpfException {
        int p1 = load("p1", 0);
        int link = proc.linkCreate(p1, ifindex, BPF_TCX_INGRESS, 0, 0, 0);
        kernel.deleteDevice("tcx1");
        assertErrno(Errno.ENODEV, () -> kernel.ifindex("tcx0"));
        assertEquals(0, proc.linkInfo(link).ifindex());
        assertErrno(Errno.ENOLINK, () -> proc.linkUpdate(link, p1, 0, 0));
        proc.linkDetach(link);
        assertErrno(Errno.ENODEV, this::query);
    }

    @Test
    void aRejectedProgramCarriesTheVerifierLog() {
        BpfException e = assertThrows(BpfException.class, () -> proc.progLoad(
                ProgramSpec.raw("noret", Uapi.BPF_PROG_TYPE_SCHED_CLS, 0x95L), new int[0]));
        assertEquals(Errno.EACCES, e.errno());
        assertTrue(e.getMessage().contains("R0"), "the verifier names the unset R0: " + e.getMessage());
    }

    @Test
    void mapsCheckKeyAndValueSizesAndKeepTheKernelsErrnos() throws BpfException {
        int map = proc.mapCreate(dev.tcxsim.vm.elf.MapSpec.of("m", 1, 4, 8, 4, 0));
        byte[] key = {1, 0, 0, 0};
        assertErrno(Errno.ENOENT, () -> proc.mapLookup(map, key));
        proc.mapUpdate(map, key, new byte[] {9, 0, 0, 0, 0, 0, 0, 0}, 0);
        assertEquals(9, proc.mapLookup(map, key)[0]);
        assertErrno(Errno.EEXIST, () -> proc.mapUpdate(map, key, new byte[8], 1));
        assertErrno(Errno.EINVAL, () -> proc.mapLookup(map, new byte[3]));
        assertErrno(Errno.EINVAL, () -> proc.mapUpdate(map, key, new byte[7], 0));
        assertErrno(Errno.EINVAL, () -> proc.mapDelete(map, null));
        proc.mapDelete(map, key);
        assertErrno(Errno.ENOENT, () -> proc.mapDelete(map, key));
        assertErrno(Errno.EBADF, () -> proc.mapLookup(999, key));
        int prog = load("notamap", 0);
        assertErrno(Errno.EINVAL, () -> proc.mapLookup(prog, key));
        // insn_cnt 0 is "too big or empty" to bpf_prog_load: E2BIG
        assertErrno(Errno.E2BIG, () -> proc.progLoad(ProgramSpec.raw("empty", Uapi.BPF_PROG_TYPE_SCHED_CLS), new int[0]));
    }

    @Test
    void aFailedObjectLoadLeavesNothingOpen() throws BpfException {
        java.util.Set<Integer> before = ((LinuxBpfProcess) proc).openFds();
        dev.tcxsim.vm.elf.BpfObject broken = new dev.tcxsim.vm.elf.BpfObject("broken", "GPL", 0,
                java.util.List.of(dev.tcxsim.vm.elf.MapSpec.of("counts", 2, 4, 8, 1, 0)),
                java.util.List.of(ProgramSpec.raw("good", Uapi.BPF_PROG_TYPE_SCHED_CLS, RealKernel.ret(0)),
                        ProgramSpec.raw("noret", Uapi.BPF_PROG_TYPE_SCHED_CLS, 0x95L)), null);
        assertErrno(Errno.EACCES, () -> proc.loadObject(broken));
        assertEquals(before, ((LinuxBpfProcess) proc).openFds(), "the map and the loaded program were closed again");
    }

    @Test
    void progInfoNamesTheProgram() throws BpfException {
        int p = load("a_rather_long_program_name", 0);
        assertEquals("a_rather_long_p", proc.progInfo(p).name(), "the kernel keeps 15 characters");
        assertEquals(Uapi.BPF_PROG_TYPE_SCHED_CLS, proc.progInfo(p).type());
        assertNotEquals(0, id(p));
    }
}
