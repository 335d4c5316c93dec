#!/usr/bin/env bash
# CPU per frame of a camera feed: an MJPEG camera passed through against a YUYV camera encoded, on the LD_PRELOAD
# camera of the tests (capture/src/test/c/fakecam), beside an MJPEG file passed through at the same size and rate.
# No client: what capturing (and encoding) one frame costs the server, from /proc/PID/stat over a window.
# Knobs (environment): CAMERA_SIZES="1280x720 1920x1080"  CAMERA_FPS=30  CAMERA_WINDOW=20 (seconds)
#   CAMERA_SKIP_BUILD=0 (1: use server/target/mjpeg-server.jar as it is)  CAMERA_OUT=bench/results/camera
. "$(dirname "$0")/common.sh"
need_tools "sudo apt-get install ffmpeg make gcc curl python3" ffmpeg make gcc curl python3
SIZES=${CAMERA_SIZES:-1280x720 1920x1080}
FPS=${CAMERA_FPS:-30}
WINDOW=${CAMERA_WINDOW:-20}
OUT=${CAMERA_OUT:-$ROOT/bench/results/camera}
mkdir -p "$OUT/logs"
build_jars "${CAMERA_SKIP_BUILD:-0}"
make -s -C capture/src/test/c/fakecam
make_work server/target/mjpeg-server.jar capture/target/fakecam/libfakecam.so

# The frames the source delivered so far, from /state: frames PORT
frames() {
  curl -s "http://127.0.0.1:$1/state" | python3 -c 'import json, sys; print(json.load(sys.stdin)["source"]["framesCaptured"])'
}

# Serves ARGS as NAME, lets it run 5 s, then prints the milliseconds of CPU per frame over WINDOW: per_frame NAME ARGS...
per_frame() {
  serve "$@" >/dev/null
  local pid=$LAST_PID port=$LAST_PORT t0 t1 f0 f1
  sleep 5
  t0=$(cpu_ticks "$pid"); f0=$(frames "$port")
  sleep "$WINDOW"
  t1=$(cpu_ticks "$pid"); f1=$(frames "$port")
  stop_pid "$pid"
  [ "$f1" -gt "$f0" ] || die "$1 captured no frame in $WINDOW s; see $OUT/logs"
  awk -v a="$t0" -v b="$t1" -v hz="$CLK_TCK" -v n=$((f1 - f0)) 'BEGIN { printf "%.2f", (b - a) * 1000 / hz / n }'
}

{
  echo "| size | fps | camera, MJPEG passed through | camera, YUYV encoded | MJPEG file passed through |"
  echo "|---|---|---|---|---|"
  for size in $SIZES; do
    dir="$WORK/$size"
    mkdir -p "$dir/frames"
    # UVC cameras send JPEGs with the standard Huffman tables (and no DHT, which the camera strips).
    ffmpeg -v error -f lavfi -i "testsrc2=size=$size:rate=$FPS" -frames:v 30 -q:v 5 -huffman default \
      "$dir/frames/%03d.jpg"
    ffmpeg -v error -f lavfi -i "testsrc2=size=$size:rate=$FPS" -frames:v 30 -c:v rawvideo -pix_fmt yuyv422 \
      -f image2 "$dir/frames/%03d.yuv"
    make_clip "$dir/clip.avi" "$size" "$FPS"
    file=$(per_frame "file-$size" /healthz --file "$dir/clip.avi")
    export LD_PRELOAD="$WORK/libfakecam.so" FAKECAM_FRAMES="$dir/frames" FAKECAM_SIZES="$size" FAKECAM_FPS="$FPS"
    mjpeg=$(FAKECAM_FORMATS=mjpeg per_frame "camera-mjpeg-$size" /healthz --device 7 --size "$size" --fps "$FPS")
    yuyv=$(FAKECAM_FORMATS=yuyv per_frame "camera-yuyv-$size" /healthz --device 7 --size "$size" --fps "$FPS")
    unset LD_PRELOAD FAKECAM_FRAMES FAKECAM_SIZES FAKECAM_FPS
    echo "| $size | $FPS | $mjpeg ms | $yuyv ms | $file ms |"
  done
  echo
  echo "CPU per frame (user + system), no client, over $WINDOW s; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
} | tee "$OUT/camera.md"
