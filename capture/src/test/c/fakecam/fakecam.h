/* A V4L2 camera that exists only inside one process: shared declarations of its three parts.
 * interpose.c answers libc calls on the camera's paths and fds, device.c is the camera (formats, controls,
 * buffer queue, plug state), frames.c makes the bytes of each frame. */
#ifndef FAKECAM_H
#define FAKECAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FC_MAX_SIZES 8
#define FC_MAX_FDS 65536 /* fds at or above this are never the camera's */

/* What the environment asked for; read once, at the first call that needs it. */
struct fc_config {
    char device[256];      /* FAKECAM_DEVICE */
    char by_id[128];       /* a symlink to the device, as udev makes them */
    char by_path[128];
    char link_target[272]; /* what the links read as */
    char frames[512];      /* FAKECAM_FRAMES */
    char state_file[512];  /* FAKECAM_STATE, empty when unset */
    uint32_t formats[2];   /* FAKECAM_FORMATS as V4L2 fourccs, in enumeration order */
    int nformats;
    struct { uint32_t width, height; } sizes[FC_MAX_SIZES]; /* FAKECAM_SIZES */
    int nsizes;
    unsigned fps;          /* FAKECAM_FPS */
    int quirk_trailing;    /* FAKECAM_QUIRKS */
    int quirk_truncated;
    int trace;             /* FAKECAM_TRACE=1: each call on the camera logged to stderr */
    unsigned minor;        /* N of /dev/videoN, the device number's minor */
    char meta_device[256]; /* FAKECAM_META=1: the camera's metadata node (FAKECAM_META_DEVICE); empty without */
    unsigned meta_minor;
};

enum fc_state { FC_PLUGGED, FC_UNPLUGGED, FC_BUSY, FC_DENIED };

extern struct fc_config fc;

/* interpose.c: libc as it would be without this library. */
int fc_real_open(const char *path, int flags);
int fc_real_close(int fd);
ssize_t fc_real_read(int fd, void *buf, size_t n);
void *fc_real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
void fc_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* device.c: the camera. fc_init reads the configuration once; the rest return 0 (or an fd) or -errno. */
void fc_init(void);
extern volatile unsigned char fc_fd_is_camera[FC_MAX_FDS];
/* 1 for an fd of the capture node, FC_META_FD for one of the metadata node. */
#define FC_META_FD 2
static inline int fc_is_camera_fd(int fd) {
    return fd >= 0 && fd < FC_MAX_FDS && fc_fd_is_camera[fd];
}
enum fc_state fc_read_state(void);
int fc_open(int flags, int meta);
int fc_close(int fd);
int fc_ioctl(int fd, unsigned long request, void *arg);
void *fc_mmap(int fd, void *addr, size_t len, int prot, int flags, off_t off, int *err);
/* Poll events of a camera fd now; *next_ns is lowered to when they may change (monotonic ns). */
short fc_poll(int fd, short events, int64_t *next_ns);
int64_t fc_now_ns(void);

/* frames.c: a stream's frames. */
int fc_frames_start(uint32_t fourcc, uint32_t width, uint32_t height); /* 0, or -errno when none */
/* Writes frame `sequence` into buf (capacity cap); returns bytes used; *error set when it did not fit. */
size_t fc_frames_fill(uint64_t sequence, unsigned char *buf, size_t cap, int *error);
/* The JPEG `in` without its DHT segments, into out (capacity n); returns its length, 0 when malformed. */
size_t fc_jpeg_strip_dht(const unsigned char *in, size_t n, unsigned char *out, uint32_t *width, uint32_t *height);

#endif
