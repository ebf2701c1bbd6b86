package dev.tcxsim.cli.render;

import dev.tcxsim.cli.render.NetPicture.Fate;
import dev.tcxsim.cli.render.NetPicture.Outcome;
import dev.tcxsim.cli.render.NetPicture.PacketPath;
import dev.tcxsim.cli.render.NetPicture.Step;
import dev.tcxsim.kernel.TcDirection;
import dev.tcxsim.kernel.sim.TraceEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Turns the simulator's trace of one transmit ({@code SimKernel.lastTrace().events()}) into the
 * {@link PacketPath} the pictures and {@link TraceText} draw: program runs become steps, a frame
 * crossing to another device becomes a transmit step, a redirect a redirect step, and the last
 * deliver/drop/consume/leave event the fate.
 */
public final class SimTracePath {
    private SimTracePath() {
    }

    /**
     * @param events  the trace, in order
     * @param ifnames the device name of an ifindex (for redirect targets); may return null
     */
    public static PacketPath of(List<TraceEvent> events, IntFunction<String> ifnames) {
        List<Step> steps = new ArrayList<>();
        Fate fate = null;
        String lastDevice = null;
        boolean redirected = false;
        for (TraceEvent e : events) {
            switch (e.kind()) {
                case TRANSMIT -> {
                    lastDevice = e.device();
                    redirected = false;
                }
                case RECEIVE -> {
                    if (lastDevice != null && !redirected) {
                        steps.add(Step.transmit(lastDevice, e.device() + " ingress"));
                    }
                    lastDevice = e.device();
                    redirected = false;
                }
                case TCX_RUN -> steps.add(Step.tcx(e.device(), hook(e), e.progId(), e.progName(), e.linkId(),
                        e.returnValue(), tcxVerdict(e) + detail(e.reason())).withOutput(e.printk(), e.mapWrites()));
                case CLASSIC_RUN -> steps.add(Step.classic(e.device(), hook(e), e.prio(), e.handle(), e.progId(),
                        e.progName(), e.returnValue(), e.verdict() + detail(e.reason()))
                        .withOutput(e.printk(), e.mapWrites()));
                case REDIRECT -> {
                    String target = ifnames.apply(e.target());
                    String where = e.verdict().contains("ingress") ? " ingress" : " egress";
                    steps.add(Step.redirect(e.device(), hook(e),
                            (target != null ? target : "ifindex " + e.target()) + where));
                    redirected = true;
                }
                case DELIVER -> fate = new Fate(Outcome.DELIVERED, e.device(), "delivered on " + e.device()
                        + detail(e.reason()));
                case DROP -> fate = new Fate(Outcome.DROPPED, e.device(), "dropped on " + e.device()
                        + detail(e.reason()));
                case CONSUME -> fate = new Fate(Outcome.CONSUMED, e.device(), "consumed on " + e.device()
                        + detail(e.reason()));
                case LEAVE -> fate = new Fate(e.verdict().equals("sent") ? Outcome.TRANSMITTED : Outcome.DELIVERED,
                        e.device(), e.verdict() + " on " + e.device() + detail(e.reason()));
            }
        }
        if (fate == null) {
            fate = new Fate(Outcome.CONSUMED, null, "the trace records no fate");
        }
        return new PacketPath(steps, fate);
    }

    /**
     * The simulator names a tcx verdict by its enum constant; show the uapi names instead, and for 0
     * both names, since programs written for classic tc return TC_ACT_OK and tcx reads it as TCX_PASS.
     * Names it does not know pass through unchanged.
     */
    static String tcxVerdict(TraceEvent e) {
        return switch (e.verdict()) {
            case "NEXT" -> "TCX_NEXT";
            case "PASS" -> "TC_ACT_OK → TCX_PASS";
            case "DROP" -> "TCX_DROP";
            case "REDIRECT" -> "TCX_REDIRECT";
            case "UNKNOWN" -> tcActName(e.returnValue()) + " → unknown: ends the chain, classic tc runs";
            default -> e.verdict();
        };
    }

    private static String tcActName(int value) {
        return switch (value) {
            case 1 -> "TC_ACT_RECLASSIFY";
            case 3 -> "TC_ACT_PIPE";
            case 4 -> "TC_ACT_STOLEN";
            case 5 -> "TC_ACT_QUEUED";
            case 6 -> "TC_ACT_REPEAT";
            case 8 -> "TC_ACT_TRAP";
            default -> "return value " + value;
        };
    }

    private static TcDirection hook(TraceEvent e) {
        return e.hook().equals("ingress") ? TcDirection.INGRESS : TcDirection.EGRESS;
    }

    private static String detail(String reason) {
        return reason == null || reason.isEmpty() ? "" : ": " + reason;
    }
}
