/* The libc calls a V4L2 client and the JDK make, answered for the camera's paths and fds and passed to libc
 * (the next definition, dlsym(RTLD_NEXT)) for everything else. The check comes first and is cheap: the JVM
 * makes these calls all the time. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/videodev2.h>

#include "fakecam.h"

/* Fortified entry points (what _FORTIFY_SOURCE builds call), declared here whatever the headers' settings. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);
int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen);
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);

#define NEXT(name)                                  \
    static __typeof__(name) *next_##name;           \
    if (!next_##name)                               \
        next_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

#define V4L2_CAMERA_MAJOR 81

enum { NOT_OURS, DEVICE, LINK, META };

/* DEVICE for the camera's path, LINK for its /dev/v4l links, META for its metadata node, NOT_OURS for every other
 * path. */
static int path_kind(const char *path) {
    if (!path || path[0] != '/')
        return NOT_OURS;
    fc_init();
    if (strcmp(path, fc.device) == 0)
        return DEVICE;
    if (fc.meta_device[0] && strcmp(path, fc.meta_device) == 0)
        return META;
    if (strncmp(path, "/dev/v4l/", 9) == 0 && (strcmp(path, fc.by_id) == 0 || strcmp(path, fc.by_path) == 0))
        return LINK;
    return NOT_OURS;
}

void fc_trace(const char *fmt, ...) {
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    n = n < 0 ? 0 : n > (int)sizeof line - 2 ? (int)sizeof line - 2 : n;
    line[n++] = '\n';
    if (write(2, line, n) < 0)
        return;
}

#define TRACE(...) \
    do { if (fc.trace) fc_trace("fakecam: " __VA_ARGS__); } while (0)

static int fail(int err) {
    errno = err;
    return -1;
}

/* ---- libc itself, for the other parts ---- */

int fc_real_open(const char *path, int flags) {
    NEXT(open);
    return next_open(path, flags);
}

int fc_real_close(int fd) {
    NEXT(close);
    return next_close(fd);
}

ssize_t fc_real_read(int fd, void *buf, size_t n) {
    NEXT(read);
    return next_read(fd, buf, n);
}

void *fc_real_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
    NEXT(mmap);
    return next_mmap(addr, len, prot, flags, fd, off);
}

/* ---- open ---- */

static int open_camera(const char *path, int flags) {
    int fd = fc_open(flags, path_kind(path) == META);
    TRACE("open(%s) = %d%s%s", path, fd < 0 ? -1 : fd, fd < 0 ? " " : "", fd < 0 ? strerror(-fd) : "");
    return fd < 0 ? fail(-fd) : fd;
}

static mode_t mode_arg(int flags, va_list ap) {
    return flags & (O_CREAT | O_TMPFILE) ? va_arg(ap, mode_t) : 0;
}

/* The body of each open: the camera's paths, or libc's open with the same arguments (the mode too, when the
 * flags create a file). */
#define OPEN_BODY(name, ...)                   \
    if (path_kind(path))                       \
        return open_camera(path, flags);       \
    va_list ap;                                \
    va_start(ap, flags);                       \
    mode_t mode = mode_arg(flags, ap);         \
    va_end(ap);                                \
    NEXT(name);                                \
    return next_##name(__VA_ARGS__, mode)

int open(const char *path, int flags, ...) { OPEN_BODY(open, path, flags); }
int open64(const char *path, int flags, ...) { OPEN_BODY(open64, path, flags); }
int openat(int dirfd, const char *path, int flags, ...) { OPEN_BODY(openat, dirfd, path, flags); }
int openat64(int dirfd, const char *path, int flags, ...) { OPEN_BODY(openat64, dirfd, path, flags); }

/* The fortified opens, which take no mode. */
#define OPEN_2_BODY(name, ...)                 \
    if (path_kind(path))                       \
        return open_camera(path, flags);       \
    NEXT(name);                                \
    return next_##name(__VA_ARGS__)

int __open_2(const char *path, int flags) { OPEN_2_BODY(__open_2, path, flags); }
int __open64_2(const char *path, int flags) { OPEN_2_BODY(__open64_2, path, flags); }
int __openat_2(int dirfd, const char *path, int flags) { OPEN_2_BODY(__openat_2, dirfd, path, flags); }
int __openat64_2(int dirfd, const char *path, int flags) { OPEN_2_BODY(__openat64_2, dirfd, path, flags); }

/* ---- the calls on an open camera ---- */

int close(int fd) {
    if (fc_is_camera_fd(fd)) {
        TRACE("close(%d)", fd);
        return fc_close(fd);
    }
    NEXT(close);
    return next_close(fd);
}

static const char *ioctl_name(unsigned long request) {
    switch (request) {
#define NAME(r) case r: return #r;
    NAME(VIDIOC_QUERYCAP) NAME(VIDIOC_ENUM_FMT) NAME(VIDIOC_G_FMT) NAME(VIDIOC_S_FMT) NAME(VIDIOC_TRY_FMT)
    NAME(VIDIOC_ENUM_FRAMESIZES) NAME(VIDIOC_ENUM_FRAMEINTERVALS) NAME(VIDIOC_G_PARM) NAME(VIDIOC_S_PARM)
    NAME(VIDIOC_REQBUFS) NAME(VIDIOC_QUERYBUF) NAME(VIDIOC_QBUF) NAME(VIDIOC_DQBUF) NAME(VIDIOC_STREAMON)
    NAME(VIDIOC_STREAMOFF) NAME(VIDIOC_QUERYCTRL) NAME(VIDIOC_G_CTRL) NAME(VIDIOC_S_CTRL) NAME(VIDIOC_QUERYMENU)
    NAME(VIDIOC_ENUMINPUT) NAME(VIDIOC_G_INPUT) NAME(VIDIOC_S_INPUT) NAME(VIDIOC_G_STD) NAME(VIDIOC_ENUMSTD)
    NAME(VIDIOC_S_STD) NAME(VIDIOC_QUERY_EXT_CTRL) NAME(VIDIOC_G_EXT_CTRLS) NAME(VIDIOC_S_EXT_CTRLS)
#undef NAME
    default: return "?";
    }
}

int ioctl(int fd, unsigned long request, ...) {
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    if (fc_is_camera_fd(fd)) {
        int err = fc_ioctl(fd, request, arg);
        if (fc.trace && (request == VIDIOC_S_CTRL || request == VIDIOC_G_CTRL)) /* the control and its value */
            fc_trace("fakecam: ioctl(%d, %s) = %d %s: id 0x%x value %d", fd, ioctl_name(request), err, strerror(-err),
                     ((struct v4l2_control *)arg)->id, ((struct v4l2_control *)arg)->value);
        else if (fc.trace && (request != VIDIOC_DQBUF && request != VIDIOC_QBUF))
            fc_trace("fakecam: ioctl(%d, %s 0x%lx) = %d %s", fd, ioctl_name(request), request, err, strerror(-err));
        else if (fc.trace) /* a frame's buffer: its index, sequence and size */
            fc_trace("fakecam: ioctl(%d, %s) = %d %s: index %u sequence %u bytesused %u", fd, ioctl_name(request),
                     err, strerror(-err), ((struct v4l2_buffer *)arg)->index,
                     ((struct v4l2_buffer *)arg)->sequence, ((struct v4l2_buffer *)arg)->bytesused);
        return err ? fail(-err) : 0;
    }
    NEXT(ioctl);
    return next_ioctl(fd, request, arg);
}

/* The camera's mappings, for the trace to name their munmap. */
static void *mapped[64];

static void *mmap_camera(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
    int err;
    void *p = fc_mmap(fd, addr, len, prot, flags, off, &err);
    TRACE("mmap(%d, length %zu, offset %lld) = %p %s", fd, len, (long long)off, p, strerror(err));
    if (p == MAP_FAILED) {
        errno = err;
        return p;
    }
    for (int i = 0; fc.trace && i < 64; i++) {
        void *none = NULL;
        if (__atomic_compare_exchange_n(&mapped[i], &none, p, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            break;
    }
    return p;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
    if (fc_is_camera_fd(fd))
        return mmap_camera(addr, len, prot, flags, fd, off);
    NEXT(mmap);
    return next_mmap(addr, len, prot, flags, fd, off);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off64_t off) {
    if (fc_is_camera_fd(fd))
        return mmap_camera(addr, len, prot, flags, fd, off);
    NEXT(mmap64);
    return next_mmap64(addr, len, prot, flags, fd, off);
}

/* A buffer's mapping is of a memfd: libc unmaps it. */
int munmap(void *addr, size_t len) {
    NEXT(munmap);
    int r = next_munmap(addr, len);
    for (int i = 0; fc.trace && addr && i < 64; i++) {
        void *was = addr;
        if (__atomic_compare_exchange_n(&mapped[i], &was, NULL, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            fc_trace("fakecam: munmap(%p, %zu) = %d", addr, len, r);
            break;
        }
    }
    return r;
}

/* uvcvideo has no read(): frames come only through the buffer queue. */
ssize_t read(int fd, void *buf, size_t n) {
    if (fc_is_camera_fd(fd)) {
        TRACE("read(%d) = -1 EINVAL", fd);
        return fail(EINVAL);
    }
    NEXT(read);
    return next_read(fd, buf, n);
}

/* ---- poll and select: the camera is readable when a filled buffer waits; other fds are polled by libc ---- */

static int poll_with_camera(struct pollfd *fds, nfds_t n, int timeout) {
    NEXT(poll);
    int64_t deadline = timeout < 0 ? INT64_MAX : fc_now_ns() + (int64_t)timeout * 1000000;
    struct pollfd small[16], *others = n <= 16 ? small : malloc(n * sizeof *others);
    short *camera = malloc(n * sizeof *camera);
    int ready = -1;
    while (others && camera && ready < 0) {
        int64_t now = fc_now_ns(), next = now + 20000000;
        int any = 0;
        for (nfds_t i = 0; i < n; i++) {
            others[i] = fds[i];
            camera[i] = 0;
            if (fc_is_camera_fd(fds[i].fd)) {
                others[i].fd = -1; /* the kernel fd behind the camera is not what to wait for */
                camera[i] = fc_poll(fds[i].fd, fds[i].events, &next);
                any |= camera[i] != 0;
            }
        }
        if (next > deadline)
            next = deadline;
        int wait = any || next <= now ? 0 : (int)((next - now + 999999) / 1000000);
        if (next_poll(others, n, wait) < 0)
            break;
        int count = 0;
        for (nfds_t i = 0; i < n; i++) {
            fds[i].revents = fc_is_camera_fd(fds[i].fd) ? camera[i] : others[i].revents;
            count += fds[i].revents != 0;
        }
        if (count > 0 || fc_now_ns() >= deadline)
            ready = count;
    }
    int err = errno;
    if (others != small)
        free(others);
    free(camera);
    errno = err;
    return ready;
}

int poll(struct pollfd *fds, nfds_t n, int timeout) {
    for (nfds_t i = 0; i < n; i++)
        if (fc_is_camera_fd(fds[i].fd))
            return poll_with_camera(fds, n, timeout);
    NEXT(poll);
    return next_poll(fds, n, timeout);
}

int __poll_chk(struct pollfd *fds, nfds_t n, int timeout, size_t fdslen) {
    (void)fdslen;
    return poll(fds, n, timeout);
}

int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv) {
    int camera = 0;
    for (int fd = 0; fd < nfds && fd < FD_SETSIZE && !camera; fd++)
        camera = fc_is_camera_fd(fd) && ((r && FD_ISSET(fd, r)) || (w && FD_ISSET(fd, w)) || (e && FD_ISSET(fd, e)));
    if (!camera) {
        NEXT(select);
        return next_select(nfds, r, w, e, tv);
    }
    struct pollfd fds[FD_SETSIZE];
    nfds_t n = 0;
    for (int fd = 0; fd < nfds && fd < FD_SETSIZE; fd++) {
        short events = (r && FD_ISSET(fd, r) ? POLLIN : 0) | (w && FD_ISSET(fd, w) ? POLLOUT : 0)
                       | (e && FD_ISSET(fd, e) ? POLLPRI : 0);
        if (events)
            fds[n++] = (struct pollfd){.fd = fd, .events = events};
    }
    int timeout = tv ? (int)(tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000) : -1;
    int ready = poll_with_camera(fds, n, timeout);
    if (ready < 0)
        return -1;
    ready = 0;
    for (nfds_t i = 0; i < n; i++) {
        short got = fds[i].revents;
        int in = r && FD_ISSET(fds[i].fd, r) && (got & (POLLIN | POLLHUP | POLLERR));
        int out = w && FD_ISSET(fds[i].fd, w) && (got & (POLLOUT | POLLERR));
        int ex = e && FD_ISSET(fds[i].fd, e) && (got & POLLPRI);
        if (r && !in) FD_CLR(fds[i].fd, r);
        if (w && !out) FD_CLR(fds[i].fd, w);
        if (e && !ex) FD_CLR(fds[i].fd, e);
        ready += in + out + ex;
    }
    return ready;
}

/* ---- the paths: a character device (major 81, mode 0660) and its udev links ---- */

/* What stat says of the camera (DEVICE) or a link (LINK); by path, fails with ENOENT while it is unplugged
 * (an fd open on it stays valid to fstat, as in the kernel). */
static int fill_stat(int kind, int of_fd, struct stat *st) {
    enum fc_state state = fc_read_state();
    unsigned node = kind == META ? fc.meta_minor : fc.minor;
    int device = kind == DEVICE || kind == META;
    if (state == FC_UNPLUGGED && !of_fd)
        return fail(ENOENT);
    memset(st, 0, sizeof *st);
    st->st_dev = makedev(0, 5);
    st->st_ino = device ? 1000 + node : 2000 + node;
    st->st_nlink = 1;
    st->st_mode = device ? S_IFCHR | 0660 : S_IFLNK | 0777;
    /* Denied: owned by root and group video (44) as on Debian, and this user in neither. */
    st->st_uid = state == FC_DENIED ? 0 : getuid();
    st->st_gid = state == FC_DENIED ? 44 : getgid();
    st->st_rdev = device ? makedev(V4L2_CAMERA_MAJOR, node) : 0;
    st->st_size = device ? 0 : (off_t)strlen(fc.link_target);
    st->st_blksize = 4096;
    return 0;
}

_Static_assert(sizeof(struct stat) == sizeof(struct stat64), "struct stat64 is struct stat on x86_64");

/* glibc 2.33 and later export stat, stat64 and the rest themselves, and the JDK and FFmpeg's libraries import
 * those (stat64@GLIBC_2.33): nothing here goes through the older __xstat family. */

#define STAT(name, type, follow)                                                        \
    int name(const char *path, struct type *st) {                                       \
        int kind = path_kind(path);                                                     \
        if (kind) {                                                                     \
            int r = fill_stat(follow && kind == LINK ? DEVICE : kind, 0, (struct stat *)st); \
            TRACE(#name "(%s) = %d", path, r);                                          \
            return r;                                                                   \
        }                                                                               \
        NEXT(name);                                                                     \
        return next_##name(path, st);                                                   \
    }
STAT(stat, stat, 1)
STAT(stat64, stat64, 1)
STAT(lstat, stat, 0)
STAT(lstat64, stat64, 0)

#define FSTAT(name, type)                                                               \
    int name(int fd, struct type *st) {                                                 \
        if (fc_is_camera_fd(fd))                                                        \
            return fill_stat(fc_fd_is_camera[fd] == FC_META_FD ? META : DEVICE, 1, (struct stat *)st); \
        NEXT(name);                                                                     \
        return next_##name(fd, st);                                                     \
    }
FSTAT(fstat, stat)
FSTAT(fstat64, stat64)

/* fstatat and statx with an absolute path (the JDK finds both with dlsym), or AT_EMPTY_PATH on a camera fd. */
static int by_fd(int dirfd, const char *path, int flags) {
    return (flags & AT_EMPTY_PATH) && path && !path[0] && fc_is_camera_fd(dirfd);
}

static int at_kind(int dirfd, const char *path, int flags) {
    if (by_fd(dirfd, path, flags))
        return fc_fd_is_camera[dirfd] == FC_META_FD ? META : DEVICE;
    int kind = path_kind(path);
    return kind == LINK && !(flags & AT_SYMLINK_NOFOLLOW) ? DEVICE : kind;
}

#define FSTATAT(name, type)                                                             \
    int name(int dirfd, const char *path, struct type *st, int flags) {                 \
        int kind = at_kind(dirfd, path, flags);                                         \
        if (kind)                                                                       \
            return fill_stat(kind, by_fd(dirfd, path, flags), (struct stat *)st);       \
        NEXT(name);                                                                     \
        return next_##name(dirfd, path, st, flags);                                     \
    }
FSTATAT(fstatat, stat)
FSTATAT(fstatat64, stat64)

int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *sx) {
    int kind = at_kind(dirfd, path, flags);
    struct stat st;
    if (!kind) {
        NEXT(statx);
        return next_statx(dirfd, path, flags, mask, sx);
    }
    if (fill_stat(kind, by_fd(dirfd, path, flags), &st) < 0)
        return -1;
    memset(sx, 0, sizeof *sx);
    sx->stx_mask = STATX_BASIC_STATS;
    sx->stx_blksize = st.st_blksize;
    sx->stx_nlink = st.st_nlink;
    sx->stx_uid = st.st_uid;
    sx->stx_gid = st.st_gid;
    sx->stx_mode = st.st_mode;
    sx->stx_ino = st.st_ino;
    sx->stx_size = st.st_size;
    sx->stx_rdev_major = major(st.st_rdev);
    sx->stx_rdev_minor = minor(st.st_rdev);
    sx->stx_dev_major = major(st.st_dev);
    sx->stx_dev_minor = minor(st.st_dev);
    TRACE("statx(%s) = 0", path);
    return 0;
}

int access(const char *path, int mode) {
    if (!path_kind(path)) {
        NEXT(access);
        return next_access(path, mode);
    }
    enum fc_state state = fc_read_state();
    int r = state == FC_UNPLUGGED                                        ? fail(ENOENT)
            : (state == FC_DENIED && (mode & (R_OK | W_OK))) || (mode & X_OK) ? fail(EACCES)
                                                                         : 0;
    TRACE("access(%s, %d) = %d", path, mode, r);
    return r;
}

ssize_t readlink(const char *path, char *buf, size_t size) {
    int kind = path_kind(path);
    if (!kind) {
        NEXT(readlink);
        return next_readlink(path, buf, size);
    }
    TRACE("readlink(%s)", path);
    if (fc_read_state() == FC_UNPLUGGED)
        return fail(ENOENT);
    if (kind != LINK)
        return fail(EINVAL);
    size_t len = strlen(fc.link_target);
    len = len < size ? len : size;
    memcpy(buf, fc.link_target, len);
    return (ssize_t)len;
}

static char *realpath_camera(const char *path, char *resolved) {
    TRACE("realpath(%s)", path);
    if (fc_read_state() == FC_UNPLUGGED) {
        errno = ENOENT;
        return NULL;
    }
    const char *node = path_kind(path) == META ? fc.meta_device : fc.device;
    if (!resolved)
        return strdup(node);
    return strcpy(resolved, node);
}

char *realpath(const char *path, char *resolved) {
    if (path_kind(path))
        return realpath_camera(path, resolved);
    NEXT(realpath);
    return next_realpath(path, resolved);
}

char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen) {
    if (path_kind(path))
        return realpath_camera(path, resolved);
    NEXT(__realpath_chk);
    return next___realpath_chk(path, resolved, resolvedlen);
}
