package io.mjpegserver.capture.derive;

/**
 * A {@link Transform} worked out for one source size: the part of the source kept (the crop, moved and shrunk to
 * fit, sides even), the size after rotation, and the output size.
 *
 * @param clamped whether the transform's crop had to be changed to fit
 */
record Geometry(int cropX, int cropY, int cropWidth, int cropHeight, int outWidth, int outHeight, boolean clamped) {

    static Geometry of(Transform t, int width, int height) {
        int w = width & ~1;
        int h = height & ~1;
        int cw = w;
        int ch = h;
        int cx = 0;
        int cy = 0;
        boolean clamped = false;
        Transform.Crop crop = t.crop();
        if (crop != null) {
            cw = Math.min(crop.width(), w);
            ch = Math.min(crop.height(), h);
            cx = Math.min(crop.x(), w - cw);
            cy = Math.min(crop.y(), h - ch);
            clamped = cw != crop.width() || ch != crop.height() || cx != crop.x() || cy != crop.y();
        }
        int rw = t.rotation().quarter() ? ch : cw;
        int rh = t.rotation().quarter() ? cw : ch;
        int ow = t.scale() == null ? rw : t.scale().widthFor(rw, rh);
        int oh = t.scale() == null ? rh : t.scale().heightFor(rw, rh);
        return new Geometry(cx, cy, cw, ch, ow, oh, clamped);
    }

    /** The width the crop is resized to before rotation: the output's, in source orientation. */
    int scaledWidth(Transform t) {
        return t.rotation().quarter() ? outHeight : outWidth;
    }

    int scaledHeight(Transform t) {
        return t.rotation().quarter() ? outWidth : outHeight;
    }
}
