/**
 * The ELF object loader. CONTRACT (read ENGINEERS-NOW.md at the repository root, which holds the
 * shared working conventions — build with the flock'ed command, no -am, commit only your own
 * paths): the records in this package (BpfObject, MapSpec, ProgramSpec, Relocation, FuncInfo,
 * LineInfo, ElfFormatException, ElfLoader) are consumed by the VM-execution engineer and by the
 * real-kernel backend engineer. Keep their names and components; add components only at the end.
 */
package dev.tcxsim.vm.elf;
