/**
 * The simulated kernel behind {@link dev.tcxsim.kernel.Kernel}.
 *
 * <p>{@link dev.tcxsim.kernel.sim.SimKernel} is one network namespace (loopback at ifindex 1,
 * dummies, veth pairs), one bpffs and the program/map/link id spaces. Each
 * {@code BpfProcess} it hands out has its own fd table (0-2 are stdio, so they are never BPF
 * objects) and performs the bpf(2) commands with the kernel's argument checks in the kernel's
 * order. Programs, maps and links are refcounted: fds, pins, attachments and links hold
 * references, and a link whose last reference goes detaches itself.
 *
 * <p>Packets ({@code transmit}) run without the control lock: the sender's egress hook, the wire
 * (veth peer, loopback, or out of the simulation for a dummy), the receiver's taps and ingress
 * hook, then UDP delivery. At each hook tcx programs run first, then classic cls_bpf filters when
 * the chain said NEXT. Every step is a {@link dev.tcxsim.kernel.sim.TraceEvent} in the
 * {@link dev.tcxsim.kernel.sim.Trace} of that frame ({@code lastTrace()}, {@code transmitTraced}).
 * A packet must never take a control-path lock while it walks an entry: writers wait for walkers.
 *
 * <p>Programs run on ebpf-vm through {@link dev.tcxsim.kernel.sim.ProgramRuntime}.
 */
package dev.tcxsim.kernel.sim;
