/* The bytes of each frame: the JPEGs of FAKECAM_FRAMES as a UVC camera sends them (no DHT segment, some with
 * bytes after EOI, now and then one cut short), or its raw YUYV images, or a YUYV pattern when it has none. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include "fakecam.h"

#define MAX_FRAMES 256
#define TRAILING_BYTES 37   /* appended after EOI to every third JPEG with the "trailing" quirk */

struct frame {
    unsigned char *data;
    size_t len;
    uint32_t width, height;
};

static struct frame jpegs[MAX_FRAMES]; /* every JPEG of the directory, DHT stripped; loaded once */
static int njpegs = -1;
static struct frame yuvs[MAX_FRAMES];  /* the YUYV images of the running stream's size */
static int nyuvs;
static int selected[MAX_FRAMES];       /* the JPEGs of the running stream's size */
static int nselected;
static uint32_t cur_fourcc, cur_width, cur_height;

static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in the frames directory ending with `suffix`, sorted; returns how many (at most MAX_FRAMES). */
static int list_files(const char *suffix, char **names) {
    DIR *dir = opendir(fc.frames);
    int n = 0;
    if (!dir)
        return 0;
    size_t slen = strlen(suffix);
    for (struct dirent *e; (e = readdir(dir)) && n < MAX_FRAMES;) {
        size_t len = strlen(e->d_name);
        if (len > slen && strcmp(e->d_name + len - slen, suffix) == 0)
            names[n++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, n, sizeof *names, by_name);
    return n;
}

static unsigned char *read_file(const char *name, size_t *len) {
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", fc.frames, name);
    int fd = fc_real_open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    unsigned char *data = NULL;
    if (fstat(fd, &st) == 0 && st.st_size > 0 && (data = malloc(st.st_size))) {
        size_t got = 0;
        ssize_t r;
        while (got < (size_t)st.st_size && (r = fc_real_read(fd, data + got, st.st_size - got)) > 0)
            got += r;
        *len = got;
    }
    fc_real_close(fd);
    return data;
}

size_t fc_jpeg_strip_dht(const unsigned char *in, size_t n, unsigned char *out, uint32_t *width, uint32_t *height) {
    size_t i = 2, o = 2;
    if (n < 4 || in[0] != 0xFF || in[1] != 0xD8)
        return 0;
    out[0] = 0xFF;
    out[1] = 0xD8;
    *width = *height = 0;
    for (;;) {
        if (i >= n || in[i] != 0xFF)
            return 0;
        while (i < n && in[i] == 0xFF) /* fill bytes before a marker */
            i++;
        if (i >= n)
            return 0;
        unsigned char marker = in[i++];
        if (marker == 0xD9) { /* EOI: anything after it is not part of the image */
            out[o++] = 0xFF;
            out[o++] = 0xD9;
            return o;
        }
        if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8))
            return 0; /* no segment starts with these outside a scan */
        if (i + 2 > n)
            return 0;
        size_t len = (size_t)in[i] << 8 | in[i + 1]; /* counts itself, not the marker */
        if (len < 2 || i + len > n)
            return 0;
        int sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof && len >= 7) {
            *height = in[i + 3] << 8 | in[i + 4];
            *width = in[i + 5] << 8 | in[i + 6];
        }
        if (marker != 0xC4) {
            out[o++] = 0xFF;
            out[o++] = marker;
            memcpy(out + o, in + i, len);
            o += len;
        }
        i += len;
        if (marker == 0xDA) {
            /* Entropy-coded data runs to the next marker: an FF not followed by 00 (stuffing) or RSTn. */
            size_t start = i;
            while (i + 1 < n && !(in[i] == 0xFF && in[i + 1] != 0x00 && (in[i + 1] < 0xD0 || in[i + 1] > 0xD7)))
                i++;
            if (i + 1 >= n)
                return 0;
            memcpy(out + o, in + start, i - start);
            o += i - start;
        }
    }
}

static void load_jpegs(void) {
    char *names[MAX_FRAMES];
    int n = list_files(".jpg", names);
    njpegs = 0;
    for (int k = 0; k < n; k++) {
        size_t len = 0;
        unsigned char *data = read_file(names[k], &len);
        unsigned char *stripped = data ? malloc(len) : NULL;
        struct frame *f = &jpegs[njpegs];
        if (stripped && (f->len = fc_jpeg_strip_dht(data, len, stripped, &f->width, &f->height)) > 0) {
            f->data = stripped;
            njpegs++;
        } else {
            fprintf(stderr, "fakecam: %s/%s is not a JPEG it can read, skipped\n", fc.frames, names[k]);
            free(stripped);
        }
        free(data);
        free(names[k]);
    }
}

static void load_yuvs(uint32_t width, uint32_t height) {
    char *names[MAX_FRAMES];
    int n = list_files(".yuv", names);
    for (int k = 0; k < nyuvs; k++)
        free(yuvs[k].data);
    nyuvs = 0;
    for (int k = 0; k < n; k++) {
        size_t len = 0;
        unsigned char *data = read_file(names[k], &len);
        if (data && len == (size_t)width * height * 2) {
            yuvs[nyuvs].data = data;
            yuvs[nyuvs++].len = len;
        } else {
            free(data);
        }
        free(names[k]);
    }
}

int fc_frames_start(uint32_t fourcc, uint32_t width, uint32_t height) {
    cur_fourcc = fourcc;
    cur_width = width;
    cur_height = height;
    if (fourcc == V4L2_PIX_FMT_YUYV) {
        load_yuvs(width, height);
        return 0;
    }
    if (njpegs < 0)
        load_jpegs();
    /* The JPEGs of the negotiated size; all of them when none has it. */
    nselected = 0;
    for (int k = 0; k < njpegs; k++)
        if (jpegs[k].width == width && jpegs[k].height == height)
            selected[nselected++] = k;
    if (nselected == 0) {
        for (int k = 0; k < njpegs; k++)
            selected[k] = k;
        nselected = njpegs;
    }
    if (nselected == 0) {
        fprintf(stderr, "fakecam: no *.jpg in FAKECAM_FRAMES (%s): nothing to stream\n", fc.frames);
        return -EIO;
    }
    return 0;
}

size_t fc_frames_fill(uint64_t sequence, unsigned char *buf, size_t cap, int *error) {
    *error = 0;
    if (cur_fourcc == V4L2_PIX_FMT_YUYV) {
        size_t len = (size_t)cur_width * cur_height * 2;
        if (len > cap) {
            *error = 1;
            return 0;
        }
        if (nyuvs > 0) {
            memcpy(buf, yuvs[sequence % nyuvs].data, len);
        } else { /* a grey ramp that moves 4 pixels a frame */
            for (size_t p = 0; p < len; p += 2) {
                buf[p] = (unsigned char)((p / 2 % cur_width) + sequence * 4);
                buf[p + 1] = 128;
            }
        }
        return len;
    }
    const struct frame *f = &jpegs[selected[sequence % nselected]];
    size_t len = f->len;
    if (fc.quirk_truncated && sequence % 10 == 5)
        len /= 2;
    size_t trailing = fc.quirk_trailing && sequence % 3 == 1 ? TRAILING_BYTES : 0;
    if (len + trailing > cap) {
        *error = 1;
        len = cap;
        trailing = 0;
    }
    memcpy(buf, f->data, len);
    memset(buf + len, 0, trailing);
    return len + trailing;
}
