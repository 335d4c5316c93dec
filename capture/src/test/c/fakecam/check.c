/* Checks the fake camera as a V4L2 client sees it, run under LD_PRELOAD=libfakecam.so by `make check`.
 * Argument: mjpeg (MJPEG and YUYV offered, MJPEG streamed), yuyv (YUYV only) or quirks (MJPEG with bytes after
 * EOI and truncated frames). Exits 1 at the first failed check, naming it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <linux/videodev2.h>

#define DEVICE "/dev/video7"
#define BY_ID "/dev/v4l/by-id/usb-FakeCam_FakeCam_0001-video-index0"
#define FRAMES_TO_STREAM 30
#define INTERVAL_US 33333

static int checks;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        checks++;                                                          \
        if (!(cond)) {                                                     \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);           \
            fprintf(stderr, __VA_ARGS__);                                  \
            fprintf(stderr, " (errno %d %s)\n", errno, strerror(errno));   \
            exit(1);                                                       \
        }                                                                  \
    } while (0)

static const char *mode;

static void set_state(const char *state) {
    FILE *f = fopen(getenv("FAKECAM_STATE"), "w");
    CHECK(f && fputs(state, f) >= 0 && fclose(f) == 0, "write FAKECAM_STATE");
}

static int64_t now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static unsigned char *read_frame_file(const char *name, size_t *len) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", getenv("FAKECAM_FRAMES"), name);
    FILE *f = fopen(path, "rb");
    CHECK(f, "open %s", path);
    unsigned char *data = malloc(8 << 20);
    *len = fread(data, 1, 8 << 20, f);
    fclose(f);
    return data;
}

/* What a UVC camera sends for this file: the JPEG without its DHT segments (all before the scan here). */
static unsigned char *expected_jpeg(const char *name, size_t *len) {
    size_t n;
    unsigned char *in = read_frame_file(name, &n), *out = malloc(n);
    size_t i = 2, o = 2;
    memcpy(out, in, 2);
    while (i + 4 <= n && in[i] == 0xFF && in[i + 1] != 0xDA) {
        size_t seg = 2 + ((size_t)in[i + 2] << 8 | in[i + 3]);
        if (in[i + 1] != 0xC4) {
            memcpy(out + o, in + i, seg);
            o += seg;
        }
        i += seg;
    }
    memcpy(out + o, in + i, n - i);
    *len = o + n - i;
    free(in);
    return out;
}

static int has_dht(const unsigned char *p, size_t n) {
    for (size_t i = 2; i + 4 <= n && p[i] == 0xFF && p[i + 1] != 0xDA; i += 2 + ((size_t)p[i + 2] << 8 | p[i + 3]))
        if (p[i + 1] == 0xC4)
            return 1;
    return 0;
}

static void check_paths(void) {
    struct stat st;
    char link[256], *real;
    CHECK(stat(DEVICE, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 81 && (st.st_mode & 0777) == 0660,
          "stat " DEVICE ": a character device, major 81, mode 0660");
    CHECK(lstat(BY_ID, &st) == 0 && S_ISLNK(st.st_mode), "lstat " BY_ID ": a symlink");
    CHECK(stat(BY_ID, &st) == 0 && S_ISCHR(st.st_mode), "stat " BY_ID ": the device");
    ssize_t n = readlink(BY_ID, link, sizeof link - 1);
    CHECK(n > 0 && (link[n] = 0, strcmp(link, "../../video7") == 0), "readlink " BY_ID ": %s", n > 0 ? link : "");
    CHECK((real = realpath(BY_ID, NULL)) && strcmp(real, DEVICE) == 0, "realpath " BY_ID);
    free(real);
    CHECK(access(DEVICE, R_OK | W_OK) == 0, "access " DEVICE);
    CHECK(stat("/dev/video77", &st) < 0 && errno == ENOENT, "another path is left to libc");
}

static void check_enumeration(int fd) {
    struct v4l2_capability cap = {0};
    CHECK(ioctl(fd, VIDIOC_QUERYCAP, &cap) == 0 && strcmp((char *)cap.driver, "uvcvideo") == 0
          && strcmp((char *)cap.card, "FakeCam") == 0 && (cap.capabilities & V4L2_CAP_VIDEO_CAPTURE)
          && (cap.capabilities & V4L2_CAP_STREAMING) && (cap.capabilities & V4L2_CAP_DEVICE_CAPS),
          "QUERYCAP");
    uint32_t want[2] = {V4L2_PIX_FMT_YUYV, 0};
    if (strcmp(mode, "yuyv") != 0) {
        want[0] = V4L2_PIX_FMT_MJPEG;
        want[1] = strcmp(mode, "mjpeg") == 0 ? V4L2_PIX_FMT_YUYV : 0;
    }
    for (uint32_t i = 0; i < 3; i++) {
        struct v4l2_fmtdesc d = {.index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
        int r = ioctl(fd, VIDIOC_ENUM_FMT, &d);
        if (i < 2 && want[i]) {
            CHECK(r == 0 && d.pixelformat == want[i], "ENUM_FMT %u", i);
            CHECK(!!(d.flags & V4L2_FMT_FLAG_COMPRESSED) == (want[i] == V4L2_PIX_FMT_MJPEG), "ENUM_FMT flags");
        } else {
            CHECK(r < 0 && errno == EINVAL, "ENUM_FMT %u ends the list", i);
            break;
        }
    }
    struct v4l2_frmsizeenum s = {.index = 1, .pixel_format = want[0]};
    CHECK(ioctl(fd, VIDIOC_ENUM_FRAMESIZES, &s) == 0 && s.type == V4L2_FRMSIZE_TYPE_DISCRETE
          && s.discrete.width == 1280 && s.discrete.height == 720, "ENUM_FRAMESIZES 1");
    s.index = 2;
    CHECK(ioctl(fd, VIDIOC_ENUM_FRAMESIZES, &s) < 0 && errno == EINVAL, "ENUM_FRAMESIZES ends");
    struct v4l2_frmivalenum v = {.pixel_format = want[0], .width = 640, .height = 480};
    CHECK(ioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &v) == 0 && v.type == V4L2_FRMIVAL_TYPE_DISCRETE
          && v.discrete.numerator == 1 && v.discrete.denominator == 30, "ENUM_FRAMEINTERVALS 0: 1/30");
    v.index = 1;
    CHECK(ioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &v) == 0 && v.discrete.numerator * 30 > v.discrete.denominator,
          "ENUM_FRAMEINTERVALS 1: a slower one");
    v.index = 2;
    CHECK(ioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &v) < 0 && errno == EINVAL, "ENUM_FRAMEINTERVALS ends");

    struct v4l2_streamparm p = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
    CHECK(ioctl(fd, VIDIOC_G_PARM, &p) == 0 && p.parm.capture.timeperframe.numerator == 1
          && p.parm.capture.timeperframe.denominator == 30, "G_PARM before any S_FMT: 1/30");
    struct v4l2_input in = {.index = 0};
    int input = -1;
    CHECK(ioctl(fd, VIDIOC_ENUMINPUT, &in) == 0 && in.type == V4L2_INPUT_TYPE_CAMERA, "ENUMINPUT 0");
    CHECK(ioctl(fd, VIDIOC_G_INPUT, &input) == 0 && input == 0, "G_INPUT");
    v4l2_std_id std;
    CHECK(ioctl(fd, VIDIOC_G_STD, &std) < 0 && errno == ENOTTY, "G_STD: ENOTTY, as UVC");

    struct v4l2_queryctrl q = {.id = V4L2_CTRL_FLAG_NEXT_CTRL};
    int controls = 0;
    while (ioctl(fd, VIDIOC_QUERYCTRL, &q) == 0) {
        controls++;
        q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
    }
    CHECK(controls == 9 && errno == EINVAL, "NEXT_CTRL enumerates 9 controls (%d)", controls);
    struct v4l2_querymenu m = {.id = V4L2_CID_POWER_LINE_FREQUENCY, .index = 1};
    CHECK(ioctl(fd, VIDIOC_QUERYMENU, &m) == 0 && strcmp((char *)m.name, "50 Hz") == 0, "QUERYMENU power line 1");
    m = (struct v4l2_querymenu){.id = V4L2_CID_EXPOSURE_AUTO, .index = 0};
    CHECK(ioctl(fd, VIDIOC_QUERYMENU, &m) < 0 && errno == EINVAL, "QUERYMENU exposure 0: not offered");
    struct v4l2_control c = {.id = V4L2_CID_BRIGHTNESS};
    CHECK(ioctl(fd, VIDIOC_G_CTRL, &c) == 0 && c.value == 128, "G_CTRL brightness: default");
    c.value = 300;
    CHECK(ioctl(fd, VIDIOC_S_CTRL, &c) == 0 && c.value == 255, "S_CTRL brightness 300: clamped to 255");
    c = (struct v4l2_control){.id = V4L2_CID_EXPOSURE_AUTO, .value = 2};
    CHECK(ioctl(fd, VIDIOC_S_CTRL, &c) < 0 && errno == EINVAL, "S_CTRL exposure auto 2: not offered");
    q = (struct v4l2_queryctrl){.id = V4L2_CID_WHITE_BALANCE_TEMPERATURE};
    CHECK(ioctl(fd, VIDIOC_QUERYCTRL, &q) == 0 && (q.flags & V4L2_CTRL_FLAG_INACTIVE), "wb temperature inactive");
    c = (struct v4l2_control){.id = 0x00990000};
    CHECK(ioctl(fd, VIDIOC_G_CTRL, &c) < 0 && errno == EINVAL, "G_CTRL of a control it lacks");
}

static void negotiate(int fd, uint32_t fourcc) {
    struct v4l2_format f = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
    f.fmt.pix = (struct v4l2_pix_format){.width = 800, .height = 600, .pixelformat = fourcc};
    CHECK(ioctl(fd, VIDIOC_TRY_FMT, &f) == 0 && f.fmt.pix.width == 640 && f.fmt.pix.height == 480,
          "TRY_FMT 800x600: the nearest, 640x480 (%ux%u)", f.fmt.pix.width, f.fmt.pix.height);
    f.fmt.pix = (struct v4l2_pix_format){.width = 1280, .height = 700, .pixelformat = fourcc};
    CHECK(ioctl(fd, VIDIOC_S_FMT, &f) == 0 && f.fmt.pix.width == 1280 && f.fmt.pix.height == 720,
          "S_FMT 1280x700: 1280x720");
    f.fmt.pix = (struct v4l2_pix_format){.width = 640, .height = 480, .pixelformat = fourcc};
    CHECK(ioctl(fd, VIDIOC_S_FMT, &f) == 0 && f.fmt.pix.pixelformat == fourcc && f.fmt.pix.width == 640,
          "S_FMT 640x480");
    memset(&f.fmt, 0, sizeof f.fmt);
    CHECK(ioctl(fd, VIDIOC_G_FMT, &f) == 0 && f.fmt.pix.width == 640 && f.fmt.pix.height == 480
          && f.fmt.pix.pixelformat == fourcc && f.fmt.pix.sizeimage >= 640 * 480, "G_FMT");
    struct v4l2_streamparm p = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE};
    CHECK(ioctl(fd, VIDIOC_G_PARM, &p) == 0 && (p.parm.capture.capability & V4L2_CAP_TIMEPERFRAME), "G_PARM");
    p.parm.capture.timeperframe = (struct v4l2_fract){1, 30};
    CHECK(ioctl(fd, VIDIOC_S_PARM, &p) == 0 && p.parm.capture.timeperframe.numerator == 1
          && p.parm.capture.timeperframe.denominator == 30, "S_PARM 1/30");
}

struct stream {
    int fd, count;
    void *mem[32];
    size_t len[32];
};

static void start(struct stream *s, int want) {
    struct v4l2_requestbuffers r = {.count = want, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
    CHECK(ioctl(s->fd, VIDIOC_REQBUFS, &r) == 0 && r.count >= 2 && r.count <= 32, "REQBUFS %d: %u", want, r.count);
    s->count = r.count;
    for (int i = 0; i < s->count; i++) {
        struct v4l2_buffer b = {.index = i, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
        CHECK(ioctl(s->fd, VIDIOC_QUERYBUF, &b) == 0, "QUERYBUF %d", i);
        s->len[i] = b.length;
        s->mem[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd, b.m.offset);
        CHECK(s->mem[i] != MAP_FAILED, "mmap buffer %d", i);
        CHECK(ioctl(s->fd, VIDIOC_QBUF, &b) == 0, "QBUF %d", i);
    }
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    CHECK(ioctl(s->fd, VIDIOC_STREAMON, &type) == 0, "STREAMON");
}

static void stop(struct stream *s) {
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    ioctl(s->fd, VIDIOC_STREAMOFF, &type);
    for (int i = 0; i < s->count; i++)
        munmap(s->mem[i], s->len[i]);
    CHECK(close(s->fd) == 0, "close");
}

/* The frame a camera sends as `sequence`: the n-th file of its size in name order, with the quirks. */
static void check_frame(uint32_t sequence, const unsigned char *p, size_t used) {
    char name[32];
    size_t len;
    if (strcmp(mode, "yuyv") == 0) {
        snprintf(name, sizeof name, "%03u.yuv", sequence % 3 + 1);
        unsigned char *want = read_frame_file(name, &len);
        CHECK(used == 640 * 480 * 2 && memcmp(p, want, len) == 0, "frame %u is %s", sequence, name);
        free(want);
        return;
    }
    snprintf(name, sizeof name, "%03u.jpg", sequence % 5 + 1);
    unsigned char *want = expected_jpeg(name, &len);
    size_t cut = len, extra = 0;
    if (strcmp(mode, "quirks") == 0) {
        cut = sequence % 10 == 5 ? len / 2 : len;
        extra = sequence % 3 == 1 ? 37 : 0;
    }
    CHECK(used == cut + extra, "frame %u: bytesused %zu (expected: %zu)", sequence, used, cut + extra);
    CHECK(memcmp(p, want, cut) == 0, "frame %u is %s without its DHT", sequence, name);
    for (size_t i = 0; i < extra; i++)
        CHECK(p[cut + i] == 0, "frame %u: zero bytes after EOI", sequence);
    CHECK(!has_dht(p, used) && p[0] == 0xFF && p[1] == 0xD8, "frame %u: a JPEG with no DHT", sequence);
    free(want);
}

static void check_stream(int fd) {
    struct stream s = {.fd = fd};
    start(&s, 256);
    CHECK(s.count == 32, "REQBUFS 256 gets uvcvideo's 32");
    CHECK(open(DEVICE, O_RDWR) < 0 && errno == EBUSY, "a second open while streaming: EBUSY");
    struct v4l2_buffer b = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
    fcntl(fd, F_SETFL, O_NONBLOCK);
    CHECK(ioctl(fd, VIDIOC_DQBUF, &b) < 0 && errno == EAGAIN, "non-blocking DQBUF before the first frame: EAGAIN");
    fcntl(fd, F_SETFL, 0);
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    CHECK(poll(&pfd, 1, 2000) == 1 && (pfd.revents & POLLIN), "poll: readable within a frame");
    int pipefd[2];
    CHECK(pipe(pipefd) == 0 && write(pipefd[1], "x", 1) == 1, "a pipe with a byte in it");
    struct pollfd both[2] = {{.fd = fd, .events = POLLIN}, {.fd = pipefd[0], .events = POLLIN}};
    CHECK(poll(both, 2, 1000) == 2 && (both[0].revents & POLLIN) && (both[1].revents & POLLIN),
          "poll of the camera and a pipe: both readable");
    fd_set readable;
    FD_ZERO(&readable);
    FD_SET(fd, &readable);
    FD_SET(pipefd[0], &readable);
    struct timeval tv = {1, 0};
    CHECK(select((fd > pipefd[0] ? fd : pipefd[0]) + 1, &readable, NULL, NULL, &tv) == 2 && FD_ISSET(fd, &readable),
          "select: the camera readable");
    close(pipefd[0]);
    close(pipefd[1]);

    /* A process stalled for longer than 32 frames loses some, as with a real camera: the sequence and the
     * timestamps then skip them, together. */
    int64_t first_ts = 0, last_ts = 0;
    uint32_t first = 0, last = 0;
    for (int i = 0; i < FRAMES_TO_STREAM; i++) {
        b = (struct v4l2_buffer){.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
        CHECK(ioctl(fd, VIDIOC_DQBUF, &b) == 0 && b.index < 32, "DQBUF %d", i);
        int64_t ts = (int64_t)b.timestamp.tv_sec * 1000000 + b.timestamp.tv_usec;
        CHECK(b.flags & V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC, "monotonic timestamps");
        CHECK(ts <= now_us() && ts > now_us() - 30000000, "timestamp %lld is of CLOCK_MONOTONIC", (long long)ts);
        if (i == 0) {
            first = b.sequence;
            first_ts = ts;
        } else {
            int64_t frames = b.sequence - last, apart = ts - last_ts;
            CHECK(b.sequence > last, "sequence %u after %u", b.sequence, last);
            CHECK(apart >= frames * INTERVAL_US && apart <= frames * (INTERVAL_US + 1), "sequence %u comes %lld us"
                  " after %u (expected: %lld x 33333)", b.sequence, (long long)apart, last, (long long)frames);
        }
        last = b.sequence;
        last_ts = ts;
        check_frame(b.sequence, s.mem[b.index], b.bytesused);
        CHECK(ioctl(fd, VIDIOC_QBUF, &b) == 0, "QBUF again");
    }
    /* No frame before its time: the last comes (last - first) intervals after the first, whatever the load. */
    int64_t took = now_us() - first_ts;
    CHECK(took >= (int64_t)(last - first) * INTERVAL_US, "%u frames in %lld us", last - first, (long long)took);
    stop(&s);
    int reused = open("/dev/null", O_RDONLY);
    char byte;
    CHECK(reused == fd && read(reused, &byte, 1) == 0 && close(reused) == 0, "the fd's number, reused, is libc's");
}

static void *unplug_soon(void *arg) {
    (void)arg;
    usleep(200000);
    set_state("unplugged");
    return NULL;
}

static void check_states(uint32_t fourcc) {
    struct stat st;
    struct stream s = {.fd = open(DEVICE, O_RDWR)};
    CHECK(s.fd >= 0, "open again");
    negotiate(s.fd, fourcc);
    start(&s, 2);
    struct v4l2_buffer b = {.type = V4L2_BUF_TYPE_VIDEO_CAPTURE, .memory = V4L2_MEMORY_MMAP};
    /* Two buffers, not dequeued for 6 frames: they hold the first two, the next four find none and are lost. */
    usleep(6 * INTERVAL_US + 10000);
    CHECK(ioctl(s.fd, VIDIOC_DQBUF, &b) == 0 && b.sequence == 0, "DQBUF: the oldest frame (%u)", b.sequence);
    CHECK(ioctl(s.fd, VIDIOC_DQBUF, &b) == 0 && b.sequence == 1, "DQBUF: the next (%u)", b.sequence);
    CHECK(ioctl(s.fd, VIDIOC_QBUF, &b) == 0 && ioctl(s.fd, VIDIOC_DQBUF, &b) == 0 && b.sequence >= 6,
          "DQBUF after the drops: sequence %u (expected: >= 6)", b.sequence);
    /* With no buffer queued DQBUF blocks, as in the kernel, until the camera goes away. */
    pthread_t unplugger;
    pthread_create(&unplugger, NULL, unplug_soon, NULL);
    int64_t t = now_us();
    CHECK(ioctl(s.fd, VIDIOC_DQBUF, &b) < 0 && errno == ENODEV, "DQBUF when unplugged: ENODEV");
    CHECK(now_us() - t < 5000000, "a blocked DQBUF sees the unplug (it looks every 20 ms)");
    pthread_join(unplugger, NULL);
    struct pollfd pfd = {.fd = s.fd, .events = POLLIN};
    CHECK(poll(&pfd, 1, 1000) == 1 && (pfd.revents & (POLLERR | POLLHUP)) == (POLLERR | POLLHUP),
          "poll when unplugged: POLLERR|POLLHUP");
    CHECK(open(DEVICE, O_RDWR) < 0 && errno == ENOENT, "open when unplugged: ENOENT");
    CHECK(stat(DEVICE, &st) < 0 && errno == ENOENT, "stat when unplugged: ENOENT");
    CHECK(access(DEVICE, F_OK) < 0 && errno == ENOENT, "access when unplugged: ENOENT");
    CHECK(lstat(BY_ID, &st) < 0 && errno == ENOENT, "the by-id link goes too");
    CHECK(fstat(s.fd, &st) == 0 && S_ISCHR(st.st_mode), "fstat of the fd open on it still works");
    set_state("plugged");
    int fd = open(BY_ID, O_RDWR);
    CHECK(fd >= 0, "open when plugged back, by its by-id link");
    struct v4l2_capability cap;
    CHECK(ioctl(s.fd, VIDIOC_QUERYCAP, &cap) < 0 && errno == ENODEV, "the fd of the old camera stays dead");
    CHECK(ioctl(fd, VIDIOC_QUERYCAP, &cap) == 0, "the new fd works");
    stop(&s);
    CHECK(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode), "fstat of a camera fd");
    char byte;
    CHECK(read(fd, &byte, 1) < 0 && errno == EINVAL, "read(): EINVAL, uvcvideo has none");
    CHECK(close(fd) == 0, "close");

    set_state("busy");
    CHECK(open(DEVICE, O_RDWR) < 0 && errno == EBUSY, "open when busy: EBUSY");
    CHECK(stat(DEVICE, &st) == 0, "stat when busy");
    set_state("denied");
    CHECK(open(DEVICE, O_RDWR) < 0 && errno == EACCES, "open when denied: EACCES");
    CHECK(access(DEVICE, R_OK) < 0 && errno == EACCES, "access R_OK when denied: EACCES");
    CHECK(access(DEVICE, F_OK) == 0, "access F_OK when denied");
    set_state("plugged");
    CHECK((fd = open(DEVICE, O_RDWR | O_CLOEXEC)) >= 0 && close(fd) == 0, "open when plugged again");
}

int main(int argc, char **argv) {
    mode = argc > 1 ? argv[1] : "mjpeg";
    uint32_t fourcc = strcmp(mode, "yuyv") == 0 ? V4L2_PIX_FMT_YUYV : V4L2_PIX_FMT_MJPEG;
    set_state("plugged");
    check_paths();
    int fd = open(DEVICE, O_RDWR);
    CHECK(fd >= 0, "open " DEVICE);
    check_enumeration(fd);
    negotiate(fd, fourcc);
    check_stream(fd);
    check_states(fourcc);
    printf("fakecam check %s: %d checks passed\n", mode, checks);
    return 0;
}
