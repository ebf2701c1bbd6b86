package dev.tcxsim.kernel.sim;

import dev.tcxsim.kernel.BpfProcess;
import dev.tcxsim.kernel.UdpSocket;
import dev.tcxsim.kernel.Uapi;
import dev.tcxsim.kernel.VethPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Packets on several threads while the control plane attaches, replaces and detaches on the same
 * hook. Every program says NEXT, so every frame must be delivered, and no walk may see a program
 * twice (a walk over an entry that is being rewritten would). It also guards the rule that a
 * packet never takes a control-path lock while it walks an entry: the writer waits for the
 * walkers, so such a lock deadlocks (it did, before traces looked links up lock-free).
 */
class DatapathConcurrencyTest {
    static final int SENDERS = 3;
    static final int FRAMES = 150;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)   // a deadlock must fail the build, not hang it
    void packetsSeeWholeChainsWhileTheChainChanges() throws Exception {
        try (SimKernel k = new SimKernel()) {
            VethPair v = k.addVeth("va", "vb");
            k.addAddress("vb", "192.0.2.2/24");
            UdpSocket sock = k.udpListen("192.0.2.2", 5000);
            BpfProcess p = k.process("ctl");
            int[] progs = new int[12];
            for (int i = 0; i < progs.length; i++) {
                progs[i] = p.progLoad(Progs.ret("n" + i, -1), new int[0]);
            }
            AtomicReference<String> broken = new AtomicReference<>();
            AtomicInteger sent = new AtomicInteger();
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < SENDERS; t++) {
                senders.add(Thread.ofPlatform().start(() -> {
                    byte[] frame = Progs.udp("192.0.2.2", 5000, "x".getBytes());
                    for (int i = 0; i < FRAMES && broken.get() == null; i++) {
                        try {
                            Trace tr = k.transmitTraced("va", frame);
                            sent.incrementAndGet();
                            Set<Integer> seen = new HashSet<>();
                            for (TraceEvent e : tr.events()) {
                                if (e.kind() == TraceEvent.Kind.TCX_RUN && !seen.add(e.progId())) {
                                    broken.compareAndSet(null, "program " + e.progId() + " ran twice in one walk:\n" + tr);
                                }
                            }
                        } catch (Exception e) {
                            broken.compareAndSet(null, e.toString());
                        }
                    }
                }));
            }
            SplittableRandom r = new SplittableRandom(7);
            boolean[] attached = new boolean[progs.length];
            int dev = v.peerIfindex();
            while (senders.stream().anyMatch(Thread::isAlive)) {
                int i = r.nextInt(progs.length);
                int j = r.nextInt(progs.length);
                if (!attached[i]) {
                    p.progAttach(dev, Uapi.BPF_TCX_INGRESS, progs[i], r.nextBoolean() ? Uapi.BPF_F_BEFORE : 0, 0, 0, 0);
                    attached[i] = true;
                } else if (!attached[j]) {
                    p.progAttach(dev, Uapi.BPF_TCX_INGRESS, progs[j], Uapi.BPF_F_REPLACE, 0, progs[i], 0);
                    attached[i] = false;
                    attached[j] = true;
                } else {
                    p.progDetach(dev, Uapi.BPF_TCX_INGRESS, progs[i], 0, 0, 0);
                    attached[i] = false;
                }
            }
            for (Thread t : senders) {
                t.join();
            }
            assertNull(broken.get(), broken.get());
            assertEquals(SENDERS * FRAMES, sent.get());
            assertEquals(SENDERS * FRAMES, sock.received().size());
        }
    }
}
