package io.mjpegserver.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.channel.FileRegion;
import io.netty.channel.MessageSizeEstimator;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where parts are written for {@code sendfile(2)}: a directory on tmpfs (memory, never a disk), or nowhere, when every
 * part goes out from its buffers. A part that cannot be written (the directory full or gone) goes out from its buffers
 * too; the first such failure is logged.
 */
public final class PartFiles {

    private static final Logger log = LoggerFactory.getLogger(PartFiles.class);
    /** Linux's tmpfs for shared memory: on every systemd or Debian machine. */
    private static final Path SHM = Path.of("/dev/shm");

    /** No files: every part is written from its buffers. */
    public static final PartFiles NONE = new PartFiles(null);

    /**
     * Counts a part written as a file region by the bytes it sends (Netty's default counts a file region as 0), so the
     * water marks and the stalled-client clock see it as they see buffers.
     */
    public static final MessageSizeEstimator SIZE_ESTIMATOR = new MessageSizeEstimator() {
        private final Handle handle = new Handle() {
            private final Handle buffers = DefaultMessageSizeEstimator.DEFAULT.newHandle();

            @Override
            public int size(Object msg) {
                return msg instanceof FileRegion region ? (int) Math.min(Integer.MAX_VALUE, region.count()) : buffers.size(msg);
            }
        };

        @Override
        public Handle newHandle() {
            return handle;
        }
    };

    private final Path directory;
    private final String prefix = "mjpeg-part-" + ProcessHandle.current().pid() + "-";
    private final AtomicLong written = new AtomicLong();
    private final AtomicBoolean failureLogged = new AtomicBoolean();

    private PartFiles(Path directory) {
        this.directory = directory;
    }

    /** {@code /dev/shm} when it is a writable directory (Linux), else {@link #NONE}. */
    public static PartFiles tmpfs() {
        return Files.isDirectory(SHM) && Files.isWritable(SHM) ? new PartFiles(SHM) : NONE;
    }

    /**
     * The concatenation of {@code pieces} in an unlinked file (the caller owns the returned file), or {@code null}
     * when there is no directory or the file could not be written.
     */
    PartFile write(ByteBuf... pieces) {
        if (directory == null) {
            return null;
        }
        Path path = directory.resolve(prefix + written.incrementAndGet());
        FileChannel file;
        try {
            file = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            return failed(e);
        }
        try {
            // Unlinked at once: the open channel keeps the bytes, and nothing is left behind whatever happens next.
            Files.delete(path);
        } catch (IOException | RuntimeException e) {
            try {
                file.close();
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // Nothing more to do here: the failure is logged below.
            }
            return failed(e);
        }
        try {
            return PartFile.write(file, pieces);
        } catch (IOException | RuntimeException e) {
            return failed(e);
        }
    }

    private PartFile failed(Exception e) {
        if (failureLogged.compareAndSet(false, true)) {
            log.warn("cannot write a part to {} ({}): parts that cannot be go out from memory buffers instead", directory,
                    e.toString());
        }
        return null;
    }
}
