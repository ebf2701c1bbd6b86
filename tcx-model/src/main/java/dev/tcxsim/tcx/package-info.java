/**
 * The kernel's tcx algorithms as plain Java, with no dependencies.
 *
 * <p>Start with {@link dev.tcxsim.tcx.Mprog} (kernel/bpf/mprog.c): one hook's ordered program
 * list with its two preallocated entries, the shared control-path items (the owning link per
 * slot), the revision and every attach/detach/query rule with its errno in the kernel's order of
 * checks. {@link dev.tcxsim.tcx.TcxHook} is a device's ingress or egress pointer and the tcx.c
 * operations around it: it creates the {@link dev.tcxsim.tcx.TcxEntry} on first use and drops it
 * when neither programs nor a clsact qdisc need it (so the revision starts again at 1).
 * {@link dev.tcxsim.tcx.TcxVerdict} maps a program's return value the way the chain walk does.
 *
 * <p>The model never resolves fds or ids itself: the caller passes an
 * {@link dev.tcxsim.tcx.ObjectLookup}, and the model asks it at the moment the kernel would, so
 * errno precedence (ESTALE before EEXIST before the capacity ERANGE before the relative object's
 * ENOENT/EBADF/EINVAL) comes out right.
 *
 * <p>Two rules where mprog.c (and Linux 6.18, checked through the conformance suite) differ from
 * a first reading of tcx-semantics.md: REPLACE together with a bare BEFORE or AFTER never agrees
 * (ERANGE), and detaching BEFORE the first or AFTER the last program removes that program itself.
 */
package dev.tcxsim.tcx;
