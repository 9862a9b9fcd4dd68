package dev.specdec.hub;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body read chunk by chunk with an inactivity limit. The JDK client's own timeout stops at the
 * headers; a server that stalls mid-body would otherwise block the download forever.
 */
final class StreamingBody implements Flow.Subscriber<List<ByteBuffer>>, AutoCloseable {
    private static final Object END = new Object();

    private final BlockingQueue<Object> items = new LinkedBlockingQueue<>();
    private final Duration inactivityLimit;
    private volatile Flow.Subscription subscription;
    private boolean ended;

    StreamingBody(Flow.Publisher<List<ByteBuffer>> publisher, Duration inactivityLimit) {
        this.inactivityLimit = inactivityLimit;
        publisher.subscribe(this);
    }

    /** The next chunks, or null at the end of the body. */
    List<ByteBuffer> next() throws IOException {
        if (ended) {
            return null;
        }
        Object item;
        try {
            item = items.poll(inactivityLimit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (item == null) {
            throw new HttpTimeoutException("no data received for " + inactivityLimit.toMillis() / 1000.0 + " s");
        }
        if (item == END) {
            ended = true;
            return null;
        }
        if (item instanceof Throwable error) {
            ended = true;
            throw error instanceof IOException io ? io : new IOException(error.getMessage(), error);
        }
        subscription.request(1);
        @SuppressWarnings("unchecked")
        List<ByteBuffer> chunks = (List<ByteBuffer>) item;
        return chunks;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> chunks) {
        items.add(chunks);
    }

    @Override
    public void onError(Throwable error) {
        items.add(error);
    }

    @Override
    public void onComplete() {
        items.add(END);
    }

    /** Stops the transfer; the connection is dropped if the body was not read to the end. */
    @Override
    public void close() {
        Flow.Subscription s = subscription;
        if (s != null && !ended) {
            s.cancel();
        }
    }
}
