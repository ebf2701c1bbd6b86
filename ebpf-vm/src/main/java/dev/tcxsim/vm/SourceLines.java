package dev.tcxsim.vm;

import dev.tcxsim.vm.elf.LineInfo;
import dev.tcxsim.vm.elf.ProgramSpec;

/** Names an instruction for messages: "insn 12 (line foo.c:33)", or "insn 12" without line info. */
public final class SourceLines {
    private SourceLines() {
    }

    public static String describe(ProgramSpec spec, int pc) {
        LineInfo best = null;
        if (spec != null && spec.lineInfo() != null) {
            for (LineInfo li : spec.lineInfo()) {
                if (li.insnOffset() <= pc && (best == null || li.insnOffset() >= best.insnOffset())) {
                    best = li;
                }
            }
        }
        if (best == null) {
            return "insn " + pc;
        }
        String file = best.file() == null ? "?" : best.file().substring(best.file().lastIndexOf('/') + 1);
        return "insn " + pc + " (line " + file + ":" + best.lineNumber() + ")";
    }
}
