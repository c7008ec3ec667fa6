package dev.windowkv.plots;

import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The look of each policy, the same in every figure: colour and marker follow the policy id
 * (colour-blind-safe Okabe-Ito colours; WindowKV in vermillion), and variants of one policy
 * (different {@link SweepRow#policyLabel}s) share them and differ by line dash. Legends list the
 * baselines in the paper's order, with WindowKV last.
 */
public final class PolicyPalette {

    /** How one legend entry is drawn. */
    public record Style(Color color, Marker marker, BasicStroke line) {
        /** Colours the line and markers of {@code series}. */
        public void applyTo(XYSeries series) {
            series.setLineColor(color);
            series.setMarkerColor(color);
            series.setMarker(marker);
            series.setLineStyle(line);
        }
    }

    /** Legend order: the full cache, the baselines by year, then WindowKV. */
    public static final List<String> POLICY_ORDER =
            List.of("full", "streamingllm", "h2o", "snapkv", "pyramidkv", "windowkv");

    private static final Map<String, Color> COLORS = Map.of(
            "full", new Color(0x000000),
            "streamingllm", new Color(0xE69F00),
            "h2o", new Color(0x009E73),
            "snapkv", new Color(0x0072B2),
            "pyramidkv", new Color(0xCC79A7),
            "windowkv", new Color(0xD55E00));

    private static final Map<String, Marker> MARKERS = Map.of(
            "full", SeriesMarkers.NONE,
            "streamingllm", SeriesMarkers.TRIANGLE_DOWN,
            "h2o", SeriesMarkers.SQUARE,
            "snapkv", SeriesMarkers.TRIANGLE_UP,
            "pyramidkv", SeriesMarkers.DIAMOND,
            "windowkv", SeriesMarkers.CIRCLE);

    /** For policies this module does not know: picked by name, so stable across figures. */
    private static final Color[] OTHER_COLORS = {
            new Color(0x56B4E9), new Color(0x882255), new Color(0x44AA99), new Color(0x332288),
            new Color(0x999933), new Color(0x777777)};

    static final float LINE_WIDTH = 2.4f;

    private static final BasicStroke[] DASHES = {
            new BasicStroke(LINE_WIDTH, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND),
            new BasicStroke(LINE_WIDTH, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[]{9f, 5f}, 0f),
            new BasicStroke(LINE_WIDTH, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, new float[]{2f, 5f}, 0f),
            new BasicStroke(LINE_WIDTH, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[]{12f, 4f, 2f, 4f}, 0f)};

    /** The FullKV reference line. */
    static final BasicStroke REFERENCE_LINE =
            new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[]{7f, 5f}, 0f);

    private final Map<String, Style> byLabel;
    private final List<String> order;

    private PolicyPalette(Map<String, Style> byLabel, List<String> order) {
        this.byLabel = byLabel;
        this.order = order;
    }

    /** The styles for every policy label in {@code rows}. */
    public static PolicyPalette of(Collection<SweepRow> rows) {
        // policy id -> its labels, sorted so the first variant is the solid one in every figure
        Map<String, TreeSet<String>> labelsByPolicy = new TreeMap<>(policyOrder());
        for (SweepRow r : rows) {
            labelsByPolicy.computeIfAbsent(key(r.policy()), k -> new TreeSet<>()).add(r.label());
        }
        Map<String, Style> byLabel = new LinkedHashMap<>();
        for (var e : labelsByPolicy.entrySet()) {
            int variant = 0;
            for (String label : e.getValue()) {
                byLabel.putIfAbsent(label, new Style(colorOf(e.getKey()), markerOf(e.getKey()),
                        DASHES[variant++ % DASHES.length]));
            }
        }
        return new PolicyPalette(byLabel, new ArrayList<>(byLabel.keySet()));
    }

    /** The style of a label; labels not seen when the palette was made get the policy's look. */
    public Style style(String label, String policy) {
        Style s = byLabel.get(label);
        return s != null ? s : new Style(colorOf(key(policy)), markerOf(key(policy)), DASHES[0]);
    }

    /** Sorts labels into legend order. */
    public Comparator<String> labelOrder() {
        return Comparator.comparingInt((String l) -> {
            int i = order.indexOf(l);
            return i < 0 ? Integer.MAX_VALUE : i;
        }).thenComparing(Comparator.naturalOrder());
    }

    public static Color colorOf(String policy) {
        Color c = COLORS.get(key(policy));
        return c != null ? c : OTHER_COLORS[Math.floorMod(key(policy).hashCode(), OTHER_COLORS.length)];
    }

    public static Marker markerOf(String policy) {
        return MARKERS.getOrDefault(key(policy), SeriesMarkers.CIRCLE);
    }

    private static String key(String policy) {
        return policy == null ? "" : policy.toLowerCase(java.util.Locale.ROOT);
    }

    private static Comparator<String> policyOrder() {
        return Comparator.comparingInt((String p) -> {
            int i = POLICY_ORDER.indexOf(p);
            return i < 0 ? POLICY_ORDER.size() - 1 : i; // unknown policies sit before WindowKV
        }).thenComparing(p -> "windowkv".equals(p) ? 1 : 0).thenComparing(Comparator.naturalOrder());
    }
}
