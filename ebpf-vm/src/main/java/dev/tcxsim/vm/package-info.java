/**
 * The eBPF execution engine: load a program, run it on packets.
 *
 * <p>Start here:
 * <ol>
 * <li>{@link dev.tcxsim.vm.EbpfVm} loads an object ({@code load(BpfObject)}: maps, relocations,
 * prog-array slots) or one program ({@code loadProgram}, {@code loadRaw}). Loading runs the
 * structural {@link dev.tcxsim.vm.verifier.Verifier} and resolves every map reference into a
 * tagged pointer ({@link dev.tcxsim.vm.mem.Ptr}).
 * <li>{@link dev.tcxsim.vm.LoadedProgram#run} takes a {@link dev.tcxsim.vm.ctx.SkBuff} and a
 * {@link dev.tcxsim.vm.RunEnv} and returns a {@link dev.tcxsim.vm.RunResult}: r0, a redirect, or
 * a fault naming the instruction, source line, address and region. It never throws for a
 * program's mistakes and may be called from several threads.
 * <li>Two executors share the semantics of {@link dev.tcxsim.vm.isa.Alu} (arithmetic),
 * {@link dev.tcxsim.vm.mem.Memory} (every load and store, bounds- and permission-checked) and
 * {@link dev.tcxsim.vm.helpers.Helpers} (helper calls by kernel number):
 * {@link dev.tcxsim.vm.truffle.EbpfFunctionNode} is the product, a Truffle bytecode loop that
 * Graal compiles; {@link dev.tcxsim.vm.interp.ReferenceInterpreter} is the plain reference the
 * tests compare it with.
 * <li>Maps live in {@link dev.tcxsim.vm.maps}: preallocated value memory that program pointers
 * address directly, and the kernel's errnos on the Java side.
 * </ol>
 */
package dev.tcxsim.vm;
