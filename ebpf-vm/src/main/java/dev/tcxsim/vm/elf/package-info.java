/**
 * The ELF object loader. CONTRACT (read ENGINEERS-NOW.md at the repository root, which holds the
 * shared working conventions — build with the flock'ed command, no -am, commit only your own
 * paths): the records in this package (BpfObject, MapSpec, ProgramSpec, Relocation, FuncInfo,
 * LineInfo, ElfFormatException, ElfLoader) are consumed by the VM-execution engineer and by the
 * real-kernel backend engineer. Keep their names and components; add components only at the end.
 *
 * <p>How the loader works, in the order it runs: {@code ElfFile} checks the ELF header, section
 * table and symbol table against the file; {@code dev.tcxsim.vm.btf} parses .BTF and .BTF.ext;
 * {@code ObjectMaps} collects legacy, BTF-defined and global data maps; {@code ProgramLinker}
 * splits program sections at their symbols and links each program with its .text sub-programs
 * (libbpf's bpf_object__relocate); {@code SectionDefs} gives program and attach types from section
 * names. {@link dev.tcxsim.vm.elf.Disassembler} prints instructions in bpftool's notation.
 */
package dev.tcxsim.vm.elf;
