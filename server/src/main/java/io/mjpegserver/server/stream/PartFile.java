package io.mjpegserver.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One part's wire bytes, written once to an unlinked file on tmpfs, so each client's socket is sent them with one
 * {@code sendfile(2)}: the kernel hands the page-cache pages to the socket instead of copying the bytes from user
 * space into every client's socket buffer, which was most of the fan-out's CPU.
 *
 * <p>The file holds the chunked framing ({@code <hex>\r\n} + part headers + JPEG + {@code \r\n--B\r\n} + {@code \r\n});
 * the raw (HTTP/1.0) framing is the range after the chunk-size line and before the last CRLF, so one file serves both.
 *
 * <p>Reference counted: the part that made it owns one reference; every {@link #region} holds one more until Netty
 * releases the region (written or failed). The file is closed with the last reference.
 */
final class PartFile extends AbstractReferenceCounted {

    private static final Logger log = LoggerFactory.getLogger(PartFile.class);

    private final FileChannel file;

    PartFile(FileChannel file) {
        this.file = file;
    }

    /** Writes {@code pieces} (their readable bytes, indexes untouched) to {@code file}, which it owns from here. */
    static PartFile write(FileChannel file, ByteBuf... pieces) throws IOException {
        try {
            ByteBuffer[] buffers = new ByteBuffer[pieces.length];
            long total = 0;
            for (int i = 0; i < pieces.length; i++) {
                buffers[i] = pieces[i].nioBuffer();
                total += buffers[i].remaining();
            }
            for (long written = 0; written < total; ) {
                written += file.write(buffers);
            }
            return new PartFile(file);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * A region of this file for one client's write; it holds a reference to this file until Netty releases it
     * (released by Netty once written, or when the write fails).
     */
    FileRegion region(long position, long count) {
        retain();
        return new Region(this, position, count);
    }

    @Override
    protected void deallocate() {
        try {
            file.close();
        } catch (IOException e) {
            log.debug("closing a part's file: {}", e.toString());
        }
    }

    @Override
    public PartFile touch(Object hint) {
        return this;
    }

    /**
     * A {@link DefaultFileRegion}, so that the epoll transport sends it with {@code sendfile(2)}, over a file shared
     * by every client: released, it gives back its reference to the file instead of closing it.
     */
    private static final class Region extends DefaultFileRegion {

        private final PartFile owner;

        Region(PartFile owner, long position, long count) {
            super(owner.file, position, count);
            this.owner = owner;
        }

        @Override
        protected void deallocate() {
            owner.release();
        }
    }
}
