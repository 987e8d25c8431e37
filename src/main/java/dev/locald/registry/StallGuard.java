package dev.locald.registry;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes a response body that delivers no byte for longer than the idle limit. java.net.http has no read
 * timeout, so without this a registry that stops sending mid-blob would hang a pull forever; closing the
 * stream makes the blocked read fail, which the retry logic treats as a transient I/O error.
 */
final class StallGuard extends FilterInputStream {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "locald-registry-stall-guard");
        t.setDaemon(true);
        return t;
    });

    private final long idleNanos;
    private final Duration idle;
    private final ScheduledFuture<?> check;
    private volatile long lastProgress = System.nanoTime();
    private volatile boolean stalled;

    StallGuard(InputStream in, Duration idle) {
        super(in);
        this.idle = idle;
        this.idleNanos = idle.toNanos();
        long period = Math.max(20, idle.toMillis() / 4);
        this.check = TIMER.scheduleAtFixedRate(this::checkProgress, period, period, TimeUnit.MILLISECONDS);
    }

    private void checkProgress() {
        if (System.nanoTime() - lastProgress > idleNanos) {
            stalled = true;
            check.cancel(false);
            try {
                in.close();
            } catch (IOException ignored) {
                // the reader sees the stall through the flag; a failing close changes nothing for it
            }
        }
    }

    @Override
    public int read() throws IOException {
        int b = guarded(() -> in.read());
        if (b >= 0) {
            lastProgress = System.nanoTime();
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int off, int len) throws IOException {
        int n = guarded(() -> in.read(buffer, off, len));
        if (n > 0) {
            lastProgress = System.nanoTime();
        }
        return n;
    }

    private interface Read {
        int run() throws IOException;
    }

    private int guarded(Read read) throws IOException {
        try {
            int n = read.run();
            if (stalled) {
                throw stallError(null);
            }
            return n;
        } catch (IOException e) {
            throw stalled ? stallError(e) : e;
        }
    }

    private IOException stallError(IOException cause) {
        return new IOException("no data received for " + idle.toMillis() + " ms", cause);
    }

    @Override
    public void close() throws IOException {
        check.cancel(false);
        super.close();
    }
}
