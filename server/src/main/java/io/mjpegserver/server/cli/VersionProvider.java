package io.mjpegserver.server.cli;

import io.mjpegserver.server.Version;
import picocli.CommandLine.IVersionProvider;

/** {@code --version}: the release, and the Java and OS it runs on. */
final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {"mjpeg-server " + Version.get() + " (Java " + Runtime.version() + ", "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + ")"};
    }
}
