package dev.tcxsim.kernel;

import java.util.List;

/**
 * One network device.
 *
 * @param ifindex   its ifindex
 * @param name      its name
 * @param kind      "loopback", "dummy" or "veth"
 * @param peer      the veth peer's name, null for other kinds
 * @param addresses IPv4 addresses in CIDR form
 */
public record DeviceInfo(int ifindex, String name, String kind, String peer, List<String> addresses) {
    public DeviceInfo {
        addresses = List.copyOf(addresses);
    }
}
