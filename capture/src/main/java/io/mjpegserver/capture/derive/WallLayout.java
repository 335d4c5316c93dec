package io.mjpegserver.capture.derive;

import io.mjpegserver.capture.VideoSize;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each tile of a wall goes: {@code columns} x {@code rows} tiles filling {@code size} with no gaps, every
 * edge on an even pixel, tiles in reading order.
 */
public record WallLayout(int columns, int rows, VideoSize size, List<Tile> tiles) {

    /** The mosaic's width when none is asked for: the tiles at their own size, up to this. */
    public static final int DEFAULT_MAX_WIDTH = 1920;

    /** One tile's place in the mosaic. */
    public record Tile(int x, int y, int width, int height) {
    }

    public WallLayout {
        tiles = List.copyOf(tiles);
    }

    /**
     * The grid for {@code count} tiles: {@code ceil(sqrt(count))} columns, as many rows as needed, the tiles of
     * {@code firstTile}'s aspect (16:9 when {@code null}).
     *
     * @param width the whole mosaic's width; 0 for the tiles at {@code firstTile}'s width, within {@link #DEFAULT_MAX_WIDTH}
     */
    static WallLayout of(int count, int width, VideoSize firstTile) {
        if (count < 1) {
            throw new IllegalArgumentException("feeds: " + count + " (expected: >= 1)");
        }
        if (width < 0 || (width > 0 && width < 16) || width > VideoSize.MAX_SIDE) {
            throw new IllegalArgumentException("width: " + width + " (expected: 0 or 16 to " + VideoSize.MAX_SIDE + ")");
        }
        int columns = (int) Math.ceil(Math.sqrt(count));
        int rows = (count + columns - 1) / columns;
        double aspect = firstTile == null ? 9 / 16.0 : firstTile.height() / (double) firstTile.width();
        int total = width != 0 ? width
                : Math.min(DEFAULT_MAX_WIDTH, columns * (firstTile == null ? 640 : firstTile.width()));
        total = Math.max(16, total & ~1);
        int tileHeight = Math.max(even(Math.ceil(16.0 / rows) + 1), even(total / (double) columns * aspect));
        tileHeight = Math.min(tileHeight, (VideoSize.MAX_SIDE / rows) & ~1);
        int height = rows * tileHeight;
        List<Tile> tiles = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int col = i % columns;
            int row = i / columns;
            int x0 = edge(col, columns, total);
            int x1 = edge(col + 1, columns, total);
            tiles.add(new Tile(x0, row * tileHeight, x1 - x0, tileHeight));
        }
        return new WallLayout(columns, rows, new VideoSize(total, height), tiles);
    }

    /** The {@code i}-th of {@code n + 1} even edges from 0 to {@code total}. */
    private static int edge(int i, int n, int total) {
        return i == n ? total : even(i * (double) total / n);
    }

    private static int even(double value) {
        return 2 * (int) Math.round(value / 2);
    }
}
