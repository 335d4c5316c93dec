/* The camera: its configuration, plug state, formats, controls and buffer queue, answering V4L2 ioctls as the
 * uvcvideo driver does. One camera per process; its state is shared by every fd open on it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include "fakecam.h"

#define MAX_BUFFERS 32         /* uvcvideo's limit: REQBUFS asking more gets this many */
#define WAIT_SLICE_NS 20000000 /* a blocked DQBUF or poll looks at the plug state this often */

struct fc_config fc;
volatile unsigned char fc_fd_is_camera[FC_MAX_FDS];
static unsigned char fd_dead[FC_MAX_FDS]; /* open while the camera was unplugged: ENODEV for ever */

/* ---- configuration ---- */

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed; /* a buffer queued, the stream stopped or the camera unplugged */

static const char *env(const char *name, const char *fallback) {
    const char *value = getenv(name);
    return value && *value ? value : fallback;
}

/* N of a path ending in digits, as /dev/videoN. */
static unsigned minor_of(const char *path) {
    const char *digits = path + strlen(path);
    while (digits > path && digits[-1] >= '0' && digits[-1] <= '9')
        digits--;
    return (unsigned)atoi(digits);
}

static void parse_config(void) {
    snprintf(fc.device, sizeof fc.device, "%s", env("FAKECAM_DEVICE", "/dev/video7"));
    snprintf(fc.by_id, sizeof fc.by_id, "/dev/v4l/by-id/usb-FakeCam_FakeCam_0001-video-index0");
    snprintf(fc.by_path, sizeof fc.by_path, "/dev/v4l/by-path/pci-0000:00:14.0-usb-0:1:1.0-video-index0");
    if (strncmp(fc.device, "/dev/", 5) == 0) /* udev's links are relative: ../../video0 */
        snprintf(fc.link_target, sizeof fc.link_target, "../../%.250s", fc.device + 5);
    else
        snprintf(fc.link_target, sizeof fc.link_target, "%s", fc.device);
    fc.minor = minor_of(fc.device);
    if (strcmp(env("FAKECAM_META", "0"), "1") == 0) {
        snprintf(fc.meta_device, sizeof fc.meta_device, "%s", env("FAKECAM_META_DEVICE", "/dev/video8"));
        fc.meta_minor = minor_of(fc.meta_device);
    }
    snprintf(fc.frames, sizeof fc.frames, "%s", env("FAKECAM_FRAMES", "."));
    snprintf(fc.state_file, sizeof fc.state_file, "%s", env("FAKECAM_STATE", ""));

    char list[256];
    snprintf(list, sizeof list, "%s", env("FAKECAM_FORMATS", "mjpeg,yuyv"));
    for (char *save, *t = strtok_r(list, ",", &save); t && fc.nformats < 2; t = strtok_r(NULL, ",", &save)) {
        if (strcmp(t, "mjpeg") == 0)
            fc.formats[fc.nformats++] = V4L2_PIX_FMT_MJPEG;
        else if (strcmp(t, "yuyv") == 0)
            fc.formats[fc.nformats++] = V4L2_PIX_FMT_YUYV;
        else
            fprintf(stderr, "fakecam: FAKECAM_FORMATS: %s (expected: mjpeg or yuyv), ignored\n", t);
    }
    if (fc.nformats == 0)
        fc.formats[fc.nformats++] = V4L2_PIX_FMT_MJPEG;

    snprintf(list, sizeof list, "%s", env("FAKECAM_SIZES", "640x480,1280x720"));
    for (char *save, *t = strtok_r(list, ",", &save); t && fc.nsizes < FC_MAX_SIZES; t = strtok_r(NULL, ",", &save)) {
        unsigned w, h;
        if (sscanf(t, "%ux%u", &w, &h) == 2 && w > 0 && h > 0 && w % 2 == 0) {
            fc.sizes[fc.nsizes].width = w;
            fc.sizes[fc.nsizes++].height = h;
        } else {
            fprintf(stderr, "fakecam: FAKECAM_SIZES: %s (expected: WIDTHxHEIGHT, even width), ignored\n", t);
        }
    }
    if (fc.nsizes == 0) {
        fc.sizes[0].width = 640;
        fc.sizes[0].height = 480;
        fc.nsizes = 1;
    }
    fc.fps = (unsigned)atoi(env("FAKECAM_FPS", "30"));
    if (fc.fps == 0 || fc.fps > 1000)
        fc.fps = 30;
    const char *quirks = env("FAKECAM_QUIRKS", "");
    fc.quirk_trailing = strstr(quirks, "trailing") != NULL;
    fc.quirk_truncated = strstr(quirks, "truncated") != NULL;
    fc.trace = strcmp(env("FAKECAM_TRACE", "0"), "1") == 0;

    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&changed, &attr);
}

void fc_init(void) {
    pthread_once(&once, parse_config);
}

int64_t fc_now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

enum fc_state fc_read_state(void) {
    char text[32] = {0};
    if (!fc.state_file[0])
        return FC_PLUGGED;
    int fd = fc_real_open(fc.state_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return FC_PLUGGED;
    ssize_t n = fc_real_read(fd, text, sizeof text - 1);
    fc_real_close(fd);
    if (n > 0 && strncmp(text, "unplugged", 9) == 0)
        return FC_UNPLUGGED;
    if (n > 0 && strncmp(text, "busy", 4) == 0)
        return FC_BUSY;
    if (n > 0 && strncmp(text, "denied", 6) == 0)
        return FC_DENIED;
    return FC_PLUGGED;
}

/* ---- the device's state, under `lock` ---- */

enum { DEQUEUED, QUEUED, DONE };

struct buffer {
    int state;
    uint64_t order; /* when it was queued, or filled: the oldest is filled, or dequeued, first */
    uint32_t bytesused, flags;
    uint64_t sequence;
    int64_t timestamp_ns;
};

static struct {
    int format, size;          /* indexes into fc.formats and fc.sizes */
    struct v4l2_fract interval;
    int owner;                 /* the fd that allocated the buffers, -1 when none */
    int nbuffers;
    size_t length, stride;     /* a buffer's size, and its distance to the next one (page aligned) */
    int memfd;
    unsigned char *memory;     /* every buffer, mapped for the camera to write frames into */
    struct buffer buffers[MAX_BUFFERS];
    uint64_t orders;
    int streaming;
    int64_t start_ns;
    uint64_t produced;         /* frames the camera has sent since STREAMON, filled or dropped */
} dev = { .owner = -1, .memfd = -1 };

static void stop_streaming(void) {
    dev.streaming = 0;
    for (int i = 0; i < dev.nbuffers; i++)
        dev.buffers[i].state = DEQUEUED;
    pthread_cond_broadcast(&changed);
}

static void release_buffers(void) {
    stop_streaming();
    if (dev.memory)
        munmap(dev.memory, dev.stride * dev.nbuffers);
    if (dev.memfd >= 0)
        fc_real_close(dev.memfd);
    dev.memory = NULL;
    dev.memfd = -1;
    dev.nbuffers = 0;
    dev.owner = -1;
}

/* The camera is gone: every fd open on it fails with ENODEV from now on, as after a USB disconnect. */
static void unplug(void) {
    for (int fd = 0; fd < FC_MAX_FDS; fd++)
        if (fc_fd_is_camera[fd])
            fd_dead[fd] = 1;
    release_buffers();
}

static enum fc_state sync_state(void) {
    enum fc_state state = fc_read_state();
    if (state == FC_UNPLUGGED) {
        pthread_mutex_lock(&lock);
        unplug();
        pthread_mutex_unlock(&lock);
    }
    return state;
}

static int64_t interval_ns(void) {
    return (int64_t)1000000000 * dev.interval.numerator / dev.interval.denominator;
}

/* Fills queued buffers with the frames due by `now`, oldest buffer first; frames finding none are dropped. */
static void advance(int64_t now) {
    if (!dev.streaming)
        return;
    uint64_t due = (uint64_t)((now - dev.start_ns) / interval_ns());
    while (dev.produced < due) {
        struct buffer *b = NULL;
        int index = -1;
        for (int i = 0; i < dev.nbuffers; i++)
            if (dev.buffers[i].state == QUEUED && (!b || dev.buffers[i].order < b->order))
                b = &dev.buffers[index = i];
        if (!b) {
            dev.produced = due;
            return;
        }
        int error;
        b->bytesused = fc_frames_fill(dev.produced, dev.memory + index * dev.stride, dev.length, &error);
        b->flags = error ? V4L2_BUF_FLAG_ERROR : 0;
        b->sequence = dev.produced;
        b->timestamp_ns = dev.start_ns + (int64_t)(dev.produced + 1) * interval_ns();
        b->state = DONE;
        b->order = ++dev.orders;
        dev.produced++;
    }
}

static int64_t next_frame_ns(void) {
    return dev.start_ns + (int64_t)(dev.produced + 1) * interval_ns();
}

/* ---- formats ---- */

static void fill_pix(struct v4l2_pix_format *pix, int format, int size) {
    memset(pix, 0, sizeof *pix);
    pix->width = fc.sizes[size].width;
    pix->height = fc.sizes[size].height;
    pix->pixelformat = fc.formats[format];
    pix->field = V4L2_FIELD_NONE;
    pix->bytesperline = fc.formats[format] == V4L2_PIX_FMT_YUYV ? pix->width * 2 : 0;
    pix->sizeimage = pix->width * pix->height * 2; /* for MJPEG too: a UVC camera's largest frame */
    pix->colorspace = V4L2_COLORSPACE_SRGB;
}

static int find_format(uint32_t fourcc) {
    for (int i = 0; i < fc.nformats; i++)
        if (fc.formats[i] == fourcc)
            return i;
    return -1;
}

static int find_size(uint32_t width, uint32_t height) {
    for (int i = 0; i < fc.nsizes; i++)
        if (fc.sizes[i].width == width && fc.sizes[i].height == height)
            return i;
    return -1;
}

/* The offered size nearest to the one asked, by area of difference, as uvcvideo chooses. */
static int nearest_size(uint32_t width, uint32_t height) {
    int best = 0;
    uint64_t best_d = UINT64_MAX;
    for (int i = 0; i < fc.nsizes; i++) {
        uint64_t w = fc.sizes[i].width, h = fc.sizes[i].height;
        uint64_t common = (uint64_t)(w < width ? w : width) * (h < height ? h : height);
        uint64_t d = w * h + (uint64_t)width * height - 2 * common;
        if (d < best_d) {
            best_d = d;
            best = i;
        }
    }
    return best;
}

static int try_format(struct v4l2_format *f, int set) {
    if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
        return -EINVAL;
    int format = find_format(f->fmt.pix.pixelformat);
    if (format < 0)
        format = 0; /* uvcvideo answers with its first format, and the caller sees the change */
    int size = nearest_size(f->fmt.pix.width, f->fmt.pix.height);
    if (set) {
        if (dev.streaming || dev.nbuffers > 0)
            return -EBUSY;
        dev.format = format;
        dev.size = size;
        dev.interval = (struct v4l2_fract){1, fc.fps};
    }
    fill_pix(&f->fmt.pix, format, size);
    return 0;
}

static int get_format(struct v4l2_format *f) {
    if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
        return -EINVAL;
    fill_pix(&f->fmt.pix, dev.format, dev.size);
    return 0;
}

static int parm(struct v4l2_streamparm *p, int set) {
    if (p->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
        return -EINVAL;
    if (set) {
        if (dev.streaming)
            return -EBUSY;
        struct v4l2_fract asked = p->parm.capture.timeperframe;
        /* The offered intervals are 1/fps and 2/fps: the nearest to the one asked. */
        int slow = asked.denominator && asked.numerator
                   && (double)asked.numerator / asked.denominator > 1.5 / fc.fps;
        dev.interval = (struct v4l2_fract){slow ? 2 : 1, fc.fps};
    }
    memset(&p->parm, 0, sizeof p->parm);
    p->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
    p->parm.capture.timeperframe = dev.interval;
    return 0;
}

/* ---- controls ---- */

struct control {
    uint32_t id, type;
    const char *name;
    int32_t min, max, step, def, value;
    const char *menu[4];
};

static struct control controls[] = { /* in id order, as NEXT_CTRL enumerates them */
    {V4L2_CID_BRIGHTNESS, V4L2_CTRL_TYPE_INTEGER, "Brightness", 0, 255, 1, 128, 128, {0}},
    {V4L2_CID_CONTRAST, V4L2_CTRL_TYPE_INTEGER, "Contrast", 0, 255, 1, 128, 128, {0}},
    {V4L2_CID_SATURATION, V4L2_CTRL_TYPE_INTEGER, "Saturation", 0, 255, 1, 128, 128, {0}},
    {V4L2_CID_AUTO_WHITE_BALANCE, V4L2_CTRL_TYPE_BOOLEAN, "White Balance, Automatic", 0, 1, 1, 1, 1, {0}},
    {V4L2_CID_POWER_LINE_FREQUENCY, V4L2_CTRL_TYPE_MENU, "Power Line Frequency", 0, 2, 1, 2, 2,
     {"Disabled", "50 Hz", "60 Hz", NULL}},
    {V4L2_CID_WHITE_BALANCE_TEMPERATURE, V4L2_CTRL_TYPE_INTEGER, "White Balance Temperature", 2000, 6500, 1,
     4000, 4000, {0}},
    {V4L2_CID_SHARPNESS, V4L2_CTRL_TYPE_INTEGER, "Sharpness", 0, 255, 1, 128, 128, {0}},
    {V4L2_CID_EXPOSURE_AUTO, V4L2_CTRL_TYPE_MENU, "Auto Exposure", 0, 3, 1, 3, 3,
     {NULL, "Manual Mode", NULL, "Aperture Priority Mode"}},
    {V4L2_CID_EXPOSURE_ABSOLUTE, V4L2_CTRL_TYPE_INTEGER, "Exposure Time, Absolute", 3, 2047, 1, 250, 250, {0}},
};
#define NCONTROLS (int)(sizeof controls / sizeof controls[0])

static struct control *find_control(uint32_t id) {
    for (int i = 0; i < NCONTROLS; i++)
        if (controls[i].id == id)
            return &controls[i];
    return NULL;
}

/* A control its automatic counterpart overrides is flagged inactive, as uvcvideo does. */
static uint32_t control_flags(const struct control *c) {
    if (c->id == V4L2_CID_WHITE_BALANCE_TEMPERATURE && find_control(V4L2_CID_AUTO_WHITE_BALANCE)->value)
        return V4L2_CTRL_FLAG_INACTIVE;
    if (c->id == V4L2_CID_EXPOSURE_ABSOLUTE && find_control(V4L2_CID_EXPOSURE_AUTO)->value != V4L2_EXPOSURE_MANUAL)
        return V4L2_CTRL_FLAG_INACTIVE;
    return 0;
}

static int query_control(struct v4l2_queryctrl *q) {
    const struct control *c = NULL;
    if (q->id & V4L2_CTRL_FLAG_NEXT_CTRL) {
        uint32_t after = q->id & ~(V4L2_CTRL_FLAG_NEXT_CTRL | V4L2_CTRL_FLAG_NEXT_COMPOUND);
        for (int i = 0; i < NCONTROLS && !c; i++)
            if (controls[i].id > after)
                c = &controls[i];
    } else {
        c = find_control(q->id);
    }
    if (!c)
        return -EINVAL;
    memset(q, 0, sizeof *q);
    q->id = c->id;
    q->type = c->type;
    snprintf((char *)q->name, sizeof q->name, "%s", c->name);
    q->minimum = c->min;
    q->maximum = c->max;
    q->step = c->step;
    q->default_value = c->def;
    q->flags = control_flags(c);
    return 0;
}

static int query_menu(struct v4l2_querymenu *m) {
    const struct control *c = find_control(m->id);
    if (!c || c->type != V4L2_CTRL_TYPE_MENU || (int32_t)m->index < c->min || (int32_t)m->index > c->max
            || !c->menu[m->index])
        return -EINVAL;
    snprintf((char *)m->name, sizeof m->name, "%s", c->menu[m->index]);
    m->reserved = 0;
    return 0;
}

static int set_control(struct v4l2_control *v) {
    struct control *c = find_control(v->id);
    if (!c)
        return -EINVAL;
    int32_t value = v->value;
    if (c->type == V4L2_CTRL_TYPE_MENU) {
        if (value < c->min || value > c->max || !c->menu[value])
            return -EINVAL;
    } else if (c->type == V4L2_CTRL_TYPE_BOOLEAN) {
        value = value != 0;
    } else { /* integers are clamped and rounded to the step, as uvcvideo does */
        value = value < c->min ? c->min : value > c->max ? c->max : value;
        value = c->min + (value - c->min + c->step / 2) / c->step * c->step;
    }
    c->value = v->value = value;
    return 0;
}

/* ---- buffers ---- */

static int request_buffers(int fd, struct v4l2_requestbuffers *r) {
    if (r->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || r->memory != V4L2_MEMORY_MMAP)
        return -EINVAL;
    if ((dev.owner >= 0 && dev.owner != fd) || dev.streaming)
        return -EBUSY;
    release_buffers();
    r->capabilities = V4L2_BUF_CAP_SUPPORTS_MMAP;
    if (r->count == 0)
        return 0;
    struct v4l2_pix_format pix;
    fill_pix(&pix, dev.format, dev.size);
    long page = sysconf(_SC_PAGESIZE);
    int count = r->count < 2 ? 2 : r->count > MAX_BUFFERS ? MAX_BUFFERS : (int)r->count;
    dev.length = pix.sizeimage;
    dev.stride = (pix.sizeimage + page - 1) / page * page;
    dev.memfd = memfd_create("fakecam", MFD_CLOEXEC);
    if (dev.memfd < 0 || ftruncate(dev.memfd, (off_t)(dev.stride * count)) < 0)
        return release_buffers(), -ENOMEM;
    dev.memory = fc_real_mmap(NULL, dev.stride * count, PROT_READ | PROT_WRITE, MAP_SHARED, dev.memfd, 0);
    if (dev.memory == MAP_FAILED) {
        dev.memory = NULL;
        return release_buffers(), -ENOMEM;
    }
    dev.nbuffers = count;
    dev.owner = fd;
    memset(dev.buffers, 0, sizeof dev.buffers);
    r->count = count;
    return 0;
}

static void fill_buffer(struct v4l2_buffer *b, int index) {
    const struct buffer *s = &dev.buffers[index];
    memset(b, 0, sizeof *b);
    b->index = index;
    b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    b->memory = V4L2_MEMORY_MMAP;
    b->m.offset = (uint32_t)(index * dev.stride);
    b->length = (uint32_t)dev.length;
    b->field = V4L2_FIELD_NONE;
    b->flags = s->flags | V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC | V4L2_BUF_FLAG_TSTAMP_SRC_SOE
               | (s->state == QUEUED ? V4L2_BUF_FLAG_QUEUED : 0) | (s->state == DONE ? V4L2_BUF_FLAG_DONE : 0);
    if (s->state != QUEUED) {
        b->bytesused = s->bytesused;
        b->sequence = (uint32_t)s->sequence;
        b->timestamp.tv_sec = s->timestamp_ns / 1000000000;
        b->timestamp.tv_usec = s->timestamp_ns % 1000000000 / 1000;
    }
}

static int check_buffer(int fd, const struct v4l2_buffer *b, int need_index) {
    if (b->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || b->memory != V4L2_MEMORY_MMAP)
        return -EINVAL;
    if (dev.owner != fd)
        return dev.owner < 0 ? -EINVAL : -EBUSY;
    if (need_index && b->index >= (uint32_t)dev.nbuffers)
        return -EINVAL;
    return 0;
}

/* Waits, unless the fd is non-blocking, for a filled buffer; called and returning with `lock` held. */
static int dequeue(int fd, struct v4l2_buffer *b) {
    for (;;) {
        if (fd_dead[fd])
            return -ENODEV;
        int err = check_buffer(fd, b, 0);
        if (err || !dev.streaming)
            return err ? err : -EINVAL;
        int64_t now = fc_now_ns();
        advance(now);
        int index = -1;
        for (int i = 0; i < dev.nbuffers; i++)
            if (dev.buffers[i].state == DONE && (index < 0 || dev.buffers[i].order < dev.buffers[index].order))
                index = i;
        if (index >= 0) {
            dev.buffers[index].state = DEQUEUED;
            fill_buffer(b, index);
            return 0;
        }
        if (fcntl(fd, F_GETFL) & O_NONBLOCK)
            return -EAGAIN;
        int64_t until = next_frame_ns();
        if (until > now + WAIT_SLICE_NS)
            until = now + WAIT_SLICE_NS;
        struct timespec deadline = {until / 1000000000, until % 1000000000};
        pthread_cond_timedwait(&changed, &lock, &deadline);
        if (fc_read_state() == FC_UNPLUGGED)
            unplug();
    }
}

/* ---- the ioctls not above ---- */

static int query_capabilities(struct v4l2_capability *cap) {
    memset(cap, 0, sizeof *cap);
    snprintf((char *)cap->driver, sizeof cap->driver, "uvcvideo");
    snprintf((char *)cap->card, sizeof cap->card, "FakeCam");
    snprintf((char *)cap->bus_info, sizeof cap->bus_info, "usb-0000:00:14.0-1");
    cap->version = 0x060100;
    cap->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
    cap->capabilities = cap->device_caps | V4L2_CAP_DEVICE_CAPS;
    return 0;
}

/* The metadata node uvcvideo makes beside each capture node: same camera and bus, only META_CAPTURE; it answers
 * QUERYCAP and nothing else here. */
static int query_meta_capabilities(struct v4l2_capability *cap) {
    query_capabilities(cap);
    cap->device_caps = V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING;
    cap->capabilities = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING | V4L2_CAP_DEVICE_CAPS;
    return 0;
}

static int enum_format(struct v4l2_fmtdesc *d) {
    uint32_t index = d->index, type = d->type;
    if (type != V4L2_BUF_TYPE_VIDEO_CAPTURE || index >= (uint32_t)fc.nformats)
        return -EINVAL;
    memset(d, 0, sizeof *d);
    d->index = index;
    d->type = type;
    d->pixelformat = fc.formats[index];
    int mjpeg = d->pixelformat == V4L2_PIX_FMT_MJPEG;
    d->flags = mjpeg ? V4L2_FMT_FLAG_COMPRESSED : 0;
    snprintf((char *)d->description, sizeof d->description, "%s", mjpeg ? "Motion-JPEG" : "YUYV 4:2:2");
    return 0;
}

static int enum_sizes(struct v4l2_frmsizeenum *s) {
    if (find_format(s->pixel_format) < 0 || s->index >= (uint32_t)fc.nsizes)
        return -EINVAL;
    s->type = V4L2_FRMSIZE_TYPE_DISCRETE;
    s->discrete.width = fc.sizes[s->index].width;
    s->discrete.height = fc.sizes[s->index].height;
    return 0;
}

static int enum_intervals(struct v4l2_frmivalenum *v) {
    if (find_format(v->pixel_format) < 0 || find_size(v->width, v->height) < 0 || v->index > 1)
        return -EINVAL;
    v->type = V4L2_FRMIVAL_TYPE_DISCRETE;
    v->discrete = (struct v4l2_fract){v->index + 1, fc.fps}; /* the camera's rate, and half of it */
    return 0;
}

static int enum_input(struct v4l2_input *in) {
    if (in->index != 0)
        return -EINVAL;
    memset(in, 0, sizeof *in);
    snprintf((char *)in->name, sizeof in->name, "Camera 1");
    in->type = V4L2_INPUT_TYPE_CAMERA;
    return 0;
}

static int get_control(struct v4l2_control *v) {
    const struct control *c = find_control(v->id);
    if (!c)
        return -EINVAL;
    v->value = c->value;
    return 0;
}

static int queue_buffer(int fd, struct v4l2_buffer *b) {
    int err = check_buffer(fd, b, 1);
    if (err)
        return err;
    if (dev.buffers[b->index].state != DEQUEUED)
        return -EINVAL;
    dev.buffers[b->index].state = QUEUED;
    dev.buffers[b->index].order = ++dev.orders;
    fill_buffer(b, b->index);
    pthread_cond_broadcast(&changed);
    return 0;
}

static int stream(int fd, const int *type, int on) {
    if (*type != V4L2_BUF_TYPE_VIDEO_CAPTURE || dev.owner < 0)
        return -EINVAL;
    if (dev.owner != fd)
        return -EBUSY;
    if (!on) {
        stop_streaming();
        return 0;
    }
    if (dev.streaming)
        return 0;
    int err = fc_frames_start(fc.formats[dev.format], fc.sizes[dev.size].width, fc.sizes[dev.size].height);
    if (err)
        return err;
    dev.streaming = 1;
    dev.start_ns = fc_now_ns();
    dev.produced = 0;
    return 0;
}

/* ---- the entry points ---- */

int fc_open(int flags, int meta) {
    enum fc_state state = sync_state();
    if (state != FC_PLUGGED)
        return state == FC_UNPLUGGED ? -ENOENT : state == FC_BUSY ? -EBUSY : -EACCES;
    pthread_mutex_lock(&lock);
    if (!dev.interval.denominator) /* the camera's rate until S_FMT or S_PARM */
        dev.interval = (struct v4l2_fract){1, fc.fps};
    int fd = dev.streaming && !meta ? -EBUSY
             : eventfd(0, (flags & O_CLOEXEC ? EFD_CLOEXEC : 0) | (flags & O_NONBLOCK ? EFD_NONBLOCK : 0));
    if (fd == -1)
        fd = -errno;
    if (fd >= FC_MAX_FDS) {
        fc_real_close(fd);
        fd = -EMFILE;
    }
    if (fd >= 0) {
        fd_dead[fd] = 0;
        fc_fd_is_camera[fd] = meta ? FC_META_FD : 1;
    }
    pthread_mutex_unlock(&lock);
    return fd;
}

int fc_close(int fd) {
    pthread_mutex_lock(&lock);
    if (dev.owner == fd)
        release_buffers();
    fc_fd_is_camera[fd] = 0;
    fd_dead[fd] = 0;
    pthread_mutex_unlock(&lock);
    return fc_real_close(fd);
}

int fc_ioctl(int fd, unsigned long request, void *arg) {
    sync_state();
    pthread_mutex_lock(&lock);
    int err;
    if (fd_dead[fd]) {
        err = -ENODEV;
    } else if (fc_fd_is_camera[fd] == FC_META_FD) {
        err = request == VIDIOC_QUERYCAP ? query_meta_capabilities(arg) : -ENOTTY;
    } else switch (request) {
    case VIDIOC_QUERYCAP: err = query_capabilities(arg); break;
    case VIDIOC_ENUM_FMT: err = enum_format(arg); break;
    case VIDIOC_G_FMT: err = get_format(arg); break;
    case VIDIOC_S_FMT: err = try_format(arg, 1); break;
    case VIDIOC_TRY_FMT: err = try_format(arg, 0); break;
    case VIDIOC_ENUM_FRAMESIZES: err = enum_sizes(arg); break;
    case VIDIOC_ENUM_FRAMEINTERVALS: err = enum_intervals(arg); break;
    case VIDIOC_G_PARM: err = parm(arg, 0); break;
    case VIDIOC_S_PARM: err = parm(arg, 1); break;
    case VIDIOC_ENUMINPUT: err = enum_input(arg); break;
    case VIDIOC_G_INPUT: *(int *)arg = 0; err = 0; break;
    case VIDIOC_S_INPUT: err = *(int *)arg == 0 ? 0 : -EINVAL; break;
    case VIDIOC_QUERYCTRL: err = query_control(arg); break;
    case VIDIOC_QUERYMENU: err = query_menu(arg); break;
    case VIDIOC_G_CTRL: err = get_control(arg); break;
    case VIDIOC_S_CTRL: err = set_control(arg); break;
    case VIDIOC_REQBUFS: err = request_buffers(fd, arg); break;
    case VIDIOC_QUERYBUF:
        if (!(err = check_buffer(fd, arg, 1)))
            fill_buffer(arg, ((struct v4l2_buffer *)arg)->index);
        break;
    case VIDIOC_QBUF: err = queue_buffer(fd, arg); break;
    case VIDIOC_DQBUF: err = dequeue(fd, arg); break;
    case VIDIOC_STREAMON: err = stream(fd, arg, 1); break;
    case VIDIOC_STREAMOFF: err = stream(fd, arg, 0); break;
    default: err = -ENOTTY; /* G_STD, ENUMSTD and the rest: a UVC camera has no analog standard */
    }
    pthread_mutex_unlock(&lock);
    return err;
}

void *fc_mmap(int fd, void *addr, size_t len, int prot, int flags, off_t off, int *err) {
    sync_state();
    void *p = MAP_FAILED;
    pthread_mutex_lock(&lock);
    *err = fd_dead[fd] ? ENODEV : 0;
    if (!*err && (dev.owner != fd || !(flags & MAP_SHARED) || off < 0 || dev.stride == 0
                  || off % dev.stride != 0 || off / dev.stride >= (size_t)dev.nbuffers || len > dev.stride))
        *err = EINVAL;
    if (!*err && (p = fc_real_mmap(addr, len, prot, flags, dev.memfd, off)) == MAP_FAILED)
        *err = errno;
    pthread_mutex_unlock(&lock);
    return p;
}

short fc_poll(int fd, short events, int64_t *next_ns) {
    sync_state();
    short revents;
    pthread_mutex_lock(&lock);
    if (fd_dead[fd]) {
        revents = POLLERR | POLLHUP;
    } else if (!dev.streaming || dev.owner != fd) {
        revents = POLLERR;
    } else {
        advance(fc_now_ns());
        revents = 0;
        for (int i = 0; i < dev.nbuffers; i++)
            if (dev.buffers[i].state == DONE)
                revents = (POLLIN | POLLRDNORM) & events;
        if (!revents && next_frame_ns() < *next_ns)
            *next_ns = next_frame_ns();
    }
    pthread_mutex_unlock(&lock);
    return revents;
}
