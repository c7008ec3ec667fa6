package dev.windowkv.experiments.bench;

import jdk.incubator.vector.FloatVector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The F32 FMA peak of this machine: {@code cores × FMA ports × lanes × 2 FLOPs × clock}, the
 * ceiling prefill's matrix products are measured against.
 *
 * <ul>
 *   <li>lanes: floats per vector of the Vector API's preferred species (16 with AVX-512, 8 with AVX2);</li>
 *   <li>FMA ports: 2 (Intel cores with AVX-512 have two 512-bit FMA units, and every core of
 *       this kind issues two FMAs per cycle at 256 bits), except AMD Zen 3/4 (family 25) at 512-bit
 *       lanes: it runs a 512-bit FMA on its two 256-bit units, one per cycle;</li>
 *   <li>clock: {@code cpuinfo_max_freq} of cpufreq where the kernel has it, else the highest
 *       {@code cpu MHz} of {@code /proc/cpuinfo}, which in a VM is the nominal clock the hypervisor
 *       reports (a core boosting above it makes the share look higher than it is).</li>
 * </ul>
 * Either can be given instead ({@code --fma-ports}, {@code --clock-ghz}).
 *
 * @param clockSource where {@code clockGHz} came from, for the report
 */
public record FmaPeak(int lanes, int fmaPorts, double clockGHz, String clockSource) {

    /** Peak GFLOP/s on {@code cores} cores. */
    public double gflops(int cores) {
        return cores * fmaPorts * lanes * 2.0 * clockGHz;
    }

    /** This machine's, with {@code ports} and {@code clockGHz} overriding the detected ones where not null. */
    public static FmaPeak detect(Integer ports, Double clockGHz) {
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        List<String> cpuinfo = lines(Path.of("/proc/cpuinfo"));
        int p = ports != null ? ports : defaultPorts(cpuinfo, lanes);
        if (clockGHz != null) return new FmaPeak(lanes, p, clockGHz, "--clock-ghz");
        List<String> max = lines(Path.of("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"));
        if (!max.isEmpty()) {
            try {
                return new FmaPeak(lanes, p, Long.parseLong(max.getFirst().trim()) / 1e6, "cpufreq cpuinfo_max_freq");
            } catch (NumberFormatException ignored) {
                // fall through to /proc/cpuinfo
            }
        }
        double mhz = 0;
        for (String line : cpuinfo) {
            if (line.startsWith("cpu MHz")) {
                try {
                    mhz = Math.max(mhz, Double.parseDouble(line.substring(line.indexOf(':') + 1).trim()));
                } catch (NumberFormatException ignored) {
                    // a line we cannot read does not change the maximum
                }
            }
        }
        return new FmaPeak(lanes, p, mhz / 1000, mhz > 0 ? "/proc/cpuinfo cpu MHz" : "unknown (give --clock-ghz)");
    }

    static int defaultPorts(List<String> cpuinfo, int lanes) {
        boolean amd = false;
        int family = -1;
        for (String line : cpuinfo) {
            if (line.startsWith("vendor_id")) amd = line.contains("AuthenticAMD");
            if (line.startsWith("cpu family") && family < 0) {
                try {
                    family = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
                } catch (NumberFormatException ignored) {
                    // unknown family: the common case below
                }
            }
        }
        return amd && family == 25 && lanes >= 16 ? 1 : 2;
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
