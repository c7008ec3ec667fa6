package dev.windowkv.plots;

/**
 * What a device backend moved and launched per decoded token after a prompt, in a
 * {@link BackendResult}: the counters a GPU's speed follows from.
 *
 * @param promptTokens          the prompt the tokens were decoded after
 * @param bytesToDevicePerToken host→device bytes per decoded token
 * @param bytesToHostPerToken   device→host bytes per decoded token
 * @param launchesPerToken      kernels launched per decoded token
 * @param compilations          plans compiled during the whole backend run (each compiles its kernels once)
 * @param deviceBytes           device memory the backend held at the end of the run
 * @param profiled              true when the bytes are TornadoVM's profiler's, false when counted at the transfer sites
 * @param slowdown              the decode's slowdown from a short to this prompt beside attention's growth; null when
 *                              not measured (a prompt too short to compare, older files)
 */
public record DeviceCost(
        int promptTokens,
        double bytesToDevicePerToken,
        double bytesToHostPerToken,
        double launchesPerToken,
        long compilations,
        long deviceBytes,
        boolean profiled,
        DecodeSlowdown slowdown) {

    public DeviceCost(int promptTokens, double bytesToDevicePerToken, double bytesToHostPerToken, double launchesPerToken,
                      long compilations, long deviceBytes, boolean profiled) {
        this(promptTokens, bytesToDevicePerToken, bytesToHostPerToken, launchesPerToken, compilations, deviceBytes, profiled,
                null);
    }
}
