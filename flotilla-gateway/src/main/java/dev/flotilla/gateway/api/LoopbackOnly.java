package dev.flotilla.gateway.api;

import java.util.regex.Pattern;

/**
 * The admin API's access rule until authentication lands (DESIGN.md, "Security"): only clients on
 * this machine, told by the remote address of the connection. The address is an IP literal as
 * the socket reports it; it is never resolved.
 */
public final class LoopbackOnly {
    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

    private LoopbackOnly() {
    }

    /** True for 127.0.0.0/8, ::1 (in any spelling) and IPv4-mapped 127.x; false for anything else or null. */
    public static boolean isLoopback(String remoteAddress) {
        if (remoteAddress == null) {
            return false;
        }
        String a = remoteAddress.trim().toLowerCase(java.util.Locale.ROOT);
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        int zone = a.indexOf('%');
        if (zone >= 0) {
            a = a.substring(0, zone);
        }
        if (IPV4_LOOPBACK.matcher(a).matches()) {
            return true;
        }
        for (String mapped : new String[] {"::ffff:", "0:0:0:0:0:ffff:"}) {
            if (a.startsWith(mapped) && IPV4_LOOPBACK.matcher(a.substring(mapped.length())).matches()) {
                return true;
            }
        }
        return isIpv6Loopback(a);
    }

    private static boolean isIpv6Loopback(String a) {
        if (!a.matches("[0-9a-f:]+") || !a.contains(":")) {
            return false;
        }
        String[] halves = a.split("::", -1);
        if (halves.length > 2) {
            return false;
        }
        java.util.List<String> groups = new java.util.ArrayList<>();
        for (String half : halves) {
            if (!half.isEmpty()) {
                groups.addAll(java.util.List.of(half.split(":", -1)));
            }
        }
        if (groups.size() > 8 || (halves.length == 1 && groups.size() != 8)) {
            return false;
        }
        for (String g : groups) {
            if (g.isEmpty() || g.length() > 4) {
                return false;
            }
        }
        // ::1 is seven zero groups and a 1; "::" fills the missing zero groups
        String last = groups.isEmpty() ? "0" : groups.get(groups.size() - 1);
        if (halves.length == 2 && a.endsWith("::")) {
            last = "0";
        }
        if (Integer.parseInt(last, 16) != 1) {
            return false;
        }
        for (int i = 0; i < groups.size() - 1; i++) {
            if (Integer.parseInt(groups.get(i), 16) != 0) {
                return false;
            }
        }
        return true;
    }
}
