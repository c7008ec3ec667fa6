package dev.windowkv.plots;

/**
 * What {@link Plots#drawAll} draws and how big.
 *
 * @param width         figure width in pixels (PNG size; SVG uses the same units)
 * @param height        figure height in pixels
 * @param needleBudget  budget of the needle heatmaps; null picks the smallest budget swept, where
 *                      the policies differ most
 * @param profileBudget budget of the per-layer profile; null picks the smallest budget swept
 * @param profileLength prompt length of the per-layer profile; null picks the longest one swept at
 *                      that budget
 * @param sweepName     the sweep's name, which the figure titles start with; null leaves it out
 */
public record PlotOptions(int width, int height, Integer needleBudget, Integer profileBudget, Integer profileLength,
                          String sweepName) {

    /** About one full page width at 150 dpi, a 3:2 aspect ratio. */
    public static final int DEFAULT_WIDTH = 960;
    public static final int DEFAULT_HEIGHT = 640;

    public PlotOptions(int width, int height, Integer needleBudget, Integer profileBudget, Integer profileLength) {
        this(width, height, needleBudget, profileBudget, profileLength, null);
    }

    public static PlotOptions defaults() {
        return new PlotOptions(DEFAULT_WIDTH, DEFAULT_HEIGHT, null, null, null, null);
    }

    public PlotOptions withSize(int width, int height) {
        return new PlotOptions(width, height, needleBudget, profileBudget, profileLength, sweepName);
    }

    public PlotOptions withSweepName(String name) {
        return new PlotOptions(width, height, needleBudget, profileBudget, profileLength, name);
    }

    /** Budget of the needle heatmaps and the layer profile, as {@code plot --budget} and {@code heatmapBudget} set it. */
    public PlotOptions withBudget(Integer budget) {
        return new PlotOptions(width, height, budget, budget, profileLength, sweepName);
    }
}
