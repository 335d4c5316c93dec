package io.mjpegserver.server.stream;

/** Told when a feed gains and loses a client, so an on-demand source opens and closes. Must not block. */
public interface ClientDemand {

    ClientDemand NONE = new ClientDemand() {
        @Override
        public void acquire() {
        }

        @Override
        public void release() {
        }
    };

    void acquire();

    void release();
}
