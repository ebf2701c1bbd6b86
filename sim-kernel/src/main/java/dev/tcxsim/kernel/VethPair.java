package dev.tcxsim.kernel;

/** Both ends of a veth pair. */
public record VethPair(String name, int ifindex, String peer, int peerIfindex) {
}
