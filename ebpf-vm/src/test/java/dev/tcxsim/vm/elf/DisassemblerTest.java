package dev.tcxsim.vm.elf;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DisassemblerTest {
    private static String one(long... insns) {
        return Disassembler.format(insns, 0);
    }

    private static long op(int code, int dst, int src, int off, int imm) {
        return Insn.make(code, dst, src, off, imm);
    }

    /** Expected texts are lines of bpftool 7.1 "prog dump xlated" on the committed objects, or disasm.c's formats. */
    @Test
    void formatsEveryInstructionClassLikeBpftool() {
        assertEquals("r0 = 0", one(op(0xb7, 0, 0, 0, 0)));
        assertEquals("w0 = -7", one(op(0xb4, 0, 0, 0, -7)));
        assertEquals("r2 += -4", one(op(0x07, 2, 0, 0, -4)));
        assertEquals("r6 = r1", one(op(0xbf, 6, 1, 0, 0)));
        assertEquals("r0 ^= r6", one(op(0xaf, 0, 6, 0, 0)));
        assertEquals("r1 s>>= 56", one(op(0xc7, 1, 0, 0, 56)));
        assertEquals("w3 = -w3", one(op(0x84, 3, 0, 0, 0)));
        assertEquals("r1 = be16 r1", one(op(0xdc, 1, 0, 0, 16)));
        assertEquals("r1 = le32 r1", one(op(0xd4, 1, 0, 0, 32)));
        assertEquals("r1 = bswap64 r1", one(op(0xd7, 1, 0, 0, 64)));
        assertEquals("r1 s/= r2", one(op(0x3f, 1, 2, 1, 0)));
        assertEquals("r1 = (s8)r2", one(op(0xbf, 1, 2, 8, 0)));

        assertEquals("r2 = *(u16 *)(r6 +176)", one(op(0x69, 2, 6, 176, 0)));
        assertEquals("r1 = *(s8 *)(r2 -3)", one(op(0x91, 1, 2, -3, 0)));
        assertEquals("*(u32 *)(r10 -4) = r1", one(op(0x63, 10, 1, -4, 0)));
        assertEquals("*(u64 *)(r10 -8) = 7", one(op(0x7a, 10, 0, -8, 7)));
        assertEquals("lock *(u64 *)(r0 +0) += r1", one(op(0xdb, 0, 1, 0, 0x00)));
        assertEquals("r1 = atomic64_fetch_add((u64 *)(r0 +8), r1)", one(op(0xdb, 0, 1, 8, 0x01)));
        assertEquals("r2 = atomic_xchg((u32 *)(r1 +0), r2)", one(op(0xc3, 1, 2, 0, 0xe1)));
        assertEquals("r0 = atomic64_cmpxchg((u64 *)(r1 +0), r0, r2)", one(op(0xdb, 1, 2, 0, 0xf1)));
        assertEquals("r0 = *(u16 *)skb[12]", one(op(0x28, 0, 0, 0, 12)));

        assertEquals("if r0 >= 0x1 goto pc+3", one(op(0x35, 0, 0, 3, 1)));
        assertEquals("if r0 s> 0xfffffffe goto pc+3", one(op(0x65, 0, 0, 3, -2)));
        assertEquals("if r5 != 0x8 goto pc-8", one(op(0x55, 5, 0, -8, 8)));
        assertEquals("if r2 > r3 goto pc+5", one(op(0x2d, 2, 3, 5, 0)));
        assertEquals("if w1 s< w2 goto pc+1", one(op(0xce, 1, 2, 1, 0)));
        assertEquals("goto pc+1", one(op(0x05, 0, 0, 1, 0)));
        assertEquals("exit", one(op(0x95, 0, 0, 0, 0)));
        assertEquals("call bpf_map_lookup_elem#1", one(op(0x85, 0, 0, 0, 1)));
        assertEquals("call bpf_tail_call#12", one(op(0x85, 0, 0, 0, 12)));
        assertEquals("call bpf_loop#181", one(op(0x85, 0, 0, 0, 181)));
        assertEquals("call pc+6", one(op(0x85, 0, 1, 0, 6)));

        assertEquals("r1 = map[id:0]", one(op(0x18, 1, 1, 0, 0), 0));
        assertEquals("r2 = map[id:3][0]+4", one(op(0x18, 2, 2, 0, 3), op(0, 0, 0, 0, 4)));
        assertEquals("r2 = subprog[+24]", one(op(0x18, 2, 4, 0, 24), 0));
        assertEquals("r1 = 0xffffffff", one(op(0x18, 1, 0, 0, -1), 0));
        assertEquals("r1 = 0x1234567800000001", one(op(0x18, 1, 0, 0, 1), op(0, 0, 0, 0, 0x12345678)));
        assertEquals("BUG_ld_imm64_truncated", one(op(0x18, 1, 0, 0, 1)));
        assertEquals("BUG_alu_f4", one(op(0xf4, 1, 0, 0, 0)));
    }

    /**
     * The loader's sum_calls next to the kernel's xlated dump of the same object (committed in
     * resources/elf/disasm): identical layout and text, except where the kernel rewrote the
     * program (the skb->len load becomes a struct sk_buff offset) or bpftool names the callee.
     */
    @Test
    void listingMatchesTheKernelsDumpOfSumCalls() throws Exception {
        long[] insns = TestObjects.load("calls").program("sum_calls").insns();
        List<String> ours = Disassembler.listing(insns).lines().toList();
        List<String> kernel = Files.readAllLines(Path.of(DisassemblerTest.class
                .getResource("/elf/disasm/sum_calls.xlated").toURI())).stream()
                .map(l -> l.replaceAll("#bpf_prog_\\w+", "")).toList();
        assertEquals(kernel.size(), ours.size());
        assertEquals("   0: (61) r6 = *(u32 *)(r1 +0)", ours.getFirst());
        assertEquals("   0: (61) r6 = *(u32 *)(r1 +112)", kernel.getFirst());
        assertEquals(kernel.subList(1, kernel.size()), ours.subList(1, ours.size()));
    }
}
