#!/bin/sh
# Installs mjpeg-server's .deb, with the Debian packages it depends on, into a Debian 12 image being built, as root:
# the Containerfile's one RUN step. Leaves no package lists or downloaded packages behind.
#   install.sh /path/to/mjpeg-server_VERSION_ARCH.deb
set -eu
deb=${1:?usage: install.sh PACKAGE.deb}
[ "$#" -eq 1 ] || { echo "install.sh: one package expected, got $# (keep one mjpeg-server_*.deb in server/target)" >&2; exit 2; }
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# The slim image drops manual pages, man1 with them; openjdk's postinst fails without it ("update-alternatives: error:
# error creating symbolic link '/usr/share/man/man1/java.1.gz.dpkg-tmp'").
mkdir -p /usr/share/man/man1
# The .deb's own Depends: (a Java 17 runtime, adduser); its postinst makes the system user mjpeg-server, in the
# group video.
apt-get install -y -qq --no-install-recommends "$deb"
apt-get clean
rm -rf /var/lib/apt/lists/*
# JavaCV unpacks its native libraries here at the first start (systemd's CacheDirectory= outside a container).
install -d -o mjpeg-server -g mjpeg-server -m 0750 /var/cache/mjpeg-server
