package dev.flotilla.gateway.scheduling;

import java.util.List;

/**
 * The scheduling profiles that ship with the gateway, by name; a configuration refers to them
 * without declaring them (and may declare a profile of the same name to replace one).
 */
public final class BuiltInProfiles {
    private BuiltInProfiles() {
    }

    /** Every built-in profile. */
    public static List<ProfileSpec> all() {
        return List.of(new ProfileSpec("least-requests",
                List.of(ProfileSpec.Plugin.of(HealthyFilter.TYPE), ProfileSpec.Plugin.of(ServesModelFilter.TYPE)),
                List.of(), ProfileSpec.Plugin.of(LeastRequestsPicker.TYPE)));
    }
}
