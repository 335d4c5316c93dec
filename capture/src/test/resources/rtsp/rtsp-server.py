#!/usr/bin/env python3
"""A small RTSP server for the tests: GStreamer's gst-rtsp-server, bound to 127.0.0.1.

Serves live test streams (videotestsrc, a moving ball):
  /mjpeg   JPEG over RTP (RFC 2435)
  /h264    H.264 over RTP (x264, zero latency)
and on a second port (--secure-port) the MJPEG stream as /mjpeg behind Basic auth (--user / --password).
Port 0: any free port. Prints "READY <port> <secure port>" on stdout once both listen; runs until killed, or
--max-seconds (so that a server a dead test left behind does not outlive it for long).
--check: exits 0 when every GStreamer element it needs is installed, 3 naming the missing ones otherwise.
Debian 12: gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-base/-good/-ugly.
"""
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

SOURCE = "videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width={w},height={h},framerate={fps}/1"
MJPEG = "( " + SOURCE + " ! jpegenc quality=80 ! rtpjpegpay name=pay0 pt=26 )"
H264 = ("( " + SOURCE + " ! x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps}"
        " ! video/x-h264,profile=constrained-baseline ! rtph264pay name=pay0 pt=96 config-interval=1 )")


def factory(launch, role=None):
    f = GstRtspServer.RTSPMediaFactory()
    f.set_launch(launch)
    if role:
        f.add_role_from_structure(Gst.Structure.from_string(
            role + ", media.factory.access=(boolean)true, media.factory.construct=(boolean)true")[0])
    return f


def listen(server, port):
    server.set_address("127.0.0.1")
    server.set_service(str(port))
    if server.attach(None) == 0:
        print("FAILED to listen on 127.0.0.1:%d" % port, file=sys.stderr, flush=True)
        sys.exit(1)
    return server.get_bound_port()


ELEMENTS = ["videotestsrc", "jpegenc", "rtpjpegpay", "x264enc", "rtph264pay"]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--secure-port", type=int, default=0)
    p.add_argument("--width", type=int, default=320)
    p.add_argument("--height", type=int, default=240)
    p.add_argument("--fps", type=int, default=15)
    p.add_argument("--user", default="viewer")
    p.add_argument("--password", default="secret")
    p.add_argument("--max-seconds", type=int, default=300)
    p.add_argument("--check", action="store_true")
    a = p.parse_args()
    Gst.init(None)
    if a.check:
        missing = [e for e in ELEMENTS if Gst.ElementFactory.find(e) is None]
        if missing:
            print("missing GStreamer elements: " + " ".join(missing), file=sys.stderr, flush=True)
            sys.exit(3)
        sys.exit(0)
    size = dict(w=a.width, h=a.height, fps=a.fps)

    server = GstRtspServer.RTSPServer()
    mounts = server.get_mount_points()
    mounts.add_factory("/mjpeg", factory(MJPEG.format(**size)))
    mounts.add_factory("/h264", factory(H264.format(**size)))

    # A second server, every path behind Basic auth: a client sends credentials only once challenged (401),
    # and a server with an anonymous role answers 404, not 401, to a path that role may not see.
    secure = GstRtspServer.RTSPServer()
    auth = GstRtspServer.RTSPAuth()
    token = GstRtspServer.RTSPToken()
    token.set_string("media.factory.role", "user")
    auth.add_basic(GstRtspServer.RTSPAuth.make_basic(a.user, a.password), token)
    secure.set_auth(auth)
    secure.get_mount_points().add_factory("/mjpeg", factory(MJPEG.format(**size), "user"))

    print("READY %d %d" % (listen(server, a.port), listen(secure, a.secure_port)), flush=True)
    loop = GLib.MainLoop()
    GLib.timeout_add_seconds(a.max_seconds, loop.quit)
    loop.run()


if __name__ == "__main__":
    main()
