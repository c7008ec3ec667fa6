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
 */
public record PlotOptions(int width, int height, Integer needleBudget, Integer profileBudget, Integer profileLength) {

    /** About one full page width at 150 dpi, a 3:2 aspect ratio. */
    public static final int DEFAULT_WIDTH = 960;
    public static final int DEFAULT_HEIGHT = 640;

    public static PlotOptions defaults() {
        return new PlotOptions(DEFAULT_WIDTH, DEFAULT_HEIGHT, null, null, null);
    }

    public PlotOptions withSize(int width, int height) {
        return new PlotOptions(width, height, needleBudget, profileBudget, profileLength);
    }
}
