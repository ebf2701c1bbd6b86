package dev.tcxsim.vm.btf;

import dev.tcxsim.vm.elf.ElfLoader;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The BTF parser on the committed parser.o's types, and on hand-made BTF with one defect each. */
class BtfTest {
    private static final int INT = 1, PTR = 2, STRUCT = 4, TYPEDEF = 8;

    private static Btf parserBtf() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (!dir.resolve("testdata/progs").toFile().isDirectory()) {
            dir = dir.getParent();
        }
        return Btf.parse(ElfLoader.load(dir.resolve("testdata/progs/parser.o")).btf());
    }

    @Test
    void readsTheTypesOfACompiledObject() throws Exception {
        Btf btf = parserBtf();
        int key = btf.find(BtfKind.STRUCT, "flow_key").orElseThrow();
        BtfType.Composite flowKey = (BtfType.Composite) btf.type(key);
        assertEquals(List.of("src", "dst", "sport", "dport", "proto", "family", "pad"),
                flowKey.members().stream().map(BtfType.Member::name).toList());
        assertEquals(40, btf.sizeOf(key));
        assertEquals(List.of(0, 128, 256, 272, 288, 296, 304),
                flowKey.members().stream().map(BtfType.Member::bitOffset).toList());
        BtfType.Array src = (BtfType.Array) btf.type(btf.skipModifiers(flowKey.members().getFirst().type()));
        assertEquals(16, src.elemCount());

        int u32 = btf.find(BtfKind.TYPEDEF, "__u32").orElseThrow();
        BtfType.Int unsigned = assertInstanceOf(BtfType.Int.class, btf.type(btf.skipModifiers(u32)));
        assertEquals(List.of("unsigned int", 4, 32, 0), List.of(unsigned.name(), unsigned.size(), unsigned.bits(),
                unsigned.encoding()));

        BtfType.DataSec maps = (BtfType.DataSec) btf.type(btf.find(BtfKind.DATASEC, ".maps").orElseThrow());
        assertEquals(List.of("flows", "parse_errors"),
                maps.vars().stream().map(v -> btf.type(v.type()).name()).toList());
        BtfType.Func func = (BtfType.Func) btf.type(btf.find(BtfKind.FUNC, "parse_flow").orElseThrow());
        assertEquals(1, func.linkage());
        assertInstanceOf(BtfType.FuncProto.class, btf.type(func.type()));
    }

    /** A BTF blob with the given type records (ints) and string table. */
    private static byte[] blob(int[] types, String strings) {
        byte[] str = strings.getBytes();
        ByteBuffer b = ByteBuffer.allocate(24 + types.length * 4 + str.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) 0xeB9F).put((byte) 1).put((byte) 0).putInt(24);
        b.putInt(0).putInt(types.length * 4).putInt(types.length * 4).putInt(str.length);
        for (int t : types) {
            b.putInt(t);
        }
        b.put(str);
        return b.array();
    }

    @Test
    void handMadeBlobParses() throws Exception {
        // [1] INT "x" size 4, 32 bits; [2] PTR -> 1; [3] TYPEDEF "t" -> 2
        Btf btf = Btf.parse(blob(new int[] {1, INT << 24, 4, 32, 0, PTR << 24, 1, 3, TYPEDEF << 24, 2}, "\0x\0t\0"));
        assertEquals(4, btf.typeCount());
        assertEquals(8, btf.sizeOf(3));
        assertEquals(2, btf.skipModifiers(3));
        assertEquals("t", btf.type(3).name());
    }

    @Test
    void defectsAreReportedWithTheirOffset() {
        BtfFormatException e = assertThrows(BtfFormatException.class, () -> Btf.parse(new byte[10]));
        assertTrue(e.detail().contains("header truncated"), e.getMessage());

        byte[] badMagic = blob(new int[0], "\0");
        badMagic[0] = 0x12;
        assertTrue(assertThrows(BtfFormatException.class, () -> Btf.parse(badMagic)).detail().contains("bad magic"));

        // [1] PTR -> 7, but there is no type 7
        e = assertThrows(BtfFormatException.class, () -> Btf.parse(blob(new int[] {0, PTR << 24, 7}, "\0")));
        assertEquals(24, e.offset());
        assertTrue(e.detail().contains("type id 1 refers to type id 7, out of range"), e.detail());

        // a name offset past the string table
        e = assertThrows(BtfFormatException.class, () -> Btf.parse(blob(new int[] {99, PTR << 24, 0}, "\0")));
        assertTrue(e.detail().contains("string offset 99 outside"), e.detail());

        // a struct claiming 1000 members in a 12-byte record
        e = assertThrows(BtfFormatException.class, () -> Btf.parse(blob(new int[] {0, STRUCT << 24 | 1000, 4}, "\0")));
        assertTrue(e.detail().contains("needs 12000 bytes"), e.detail());

        // unknown kind 31
        e = assertThrows(BtfFormatException.class, () -> Btf.parse(blob(new int[] {0, 31 << 24, 0}, "\0")));
        assertTrue(e.detail().contains("unknown kind 31"), e.detail());
    }

    @Test
    void typedefCyclesEndInAnErrorNotAStackOverflow() throws Exception {
        // [1] TYPEDEF "a" -> 2, [2] TYPEDEF "b" -> 1
        Btf btf = Btf.parse(blob(new int[] {1, TYPEDEF << 24, 2, 3, TYPEDEF << 24, 1}, "\0a\0b\0"));
        assertTrue(assertThrows(BtfFormatException.class, () -> btf.sizeOf(1)).detail().contains("deeper than"));
        assertTrue(assertThrows(BtfFormatException.class, () -> btf.skipModifiers(1)).detail()
                .contains("longer than"));
    }
}
