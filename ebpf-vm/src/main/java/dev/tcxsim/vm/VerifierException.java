package dev.tcxsim.vm;

/** A program refused at load time; the message names the instruction index (and C line if known) and the rule. */
public class VerifierException extends Exception {
    private final int insnIndex;

    public VerifierException(int insnIndex, String message) {
        super(message);
        this.insnIndex = insnIndex;
    }

    public VerifierException(String message) {
        this(-1, message);
    }

    /** The offending instruction, or -1 when the rule concerns the whole program. */
    public int insnIndex() {
        return insnIndex;
    }
}
