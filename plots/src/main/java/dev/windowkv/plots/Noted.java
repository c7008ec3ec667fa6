package dev.windowkv.plots;

import java.util.List;

/** A figure with text drawn over its plot (point labels, caveats), which its SVG description lists. */
public interface Noted {

    /** The texts, in the order they were added. */
    List<String> noteTexts();
}
