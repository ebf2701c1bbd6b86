/**
 * The ELF object loader. CONTRACT (read ENGINEERS-NOW.md at the repository root, which holds the
 * shared working conventions — build with the flock'ed command, no -am, commit only your own
 * paths): the records in this package (BpfObject, MapSpec, ProgramSpec, Relocation, FuncInfo,
 * LineInfo, ElfFormatException, ElfLoader) are consumed by the VM-execution engineer and by the
 * real-kernel backend engineer. Keep their names and components; add components only at the end.
 *
 * <p>How the loader works, in the order it runs: {@code ElfFile} checks the ELF header, section
 * table and symbol table against the file; {@code dev.tcxsim.vm.btf} parses .BTF and .BTF.ext;
 * {@code ObjectMaps} collects legacy, BTF-defined and global data maps; {@code Externs} resolves
 * __kconfig and __ksym externs (a .kconfig map, kfuncs); {@code ProgramLinker} splits program
 * sections at their symbols, lists sections of other program types as ignored, and links each
 * program with its .text sub-programs (libbpf's bpf_object__relocate); before linking,
 * {@code CoreRelocator} applies CO-RE relocations against the target BTF
 * ({@link dev.tcxsim.vm.btf.TargetBtf}, computed by {@link dev.tcxsim.vm.btf.CoreResolver}) and
 * poisons the ones without a match; {@code SectionDefs} gives program and attach types from
 * section names. {@link LoadOptions} are libbpf's open options.
 * {@link dev.tcxsim.vm.elf.Disassembler} prints instructions in bpftool's notation.
 */
package dev.tcxsim.vm.elf;
