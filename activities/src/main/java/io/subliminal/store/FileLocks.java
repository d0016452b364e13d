package io.subliminal.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive locks on a lock file, across the threads of this JVM (an in-process lock; the JDK forbids overlapping
 * file locks within one JVM) and the processes of this host (an OS file lock). Not reliable on network file systems.
 */
final class FileLocks {

    private static final ConcurrentHashMap<Path, ReentrantLock> THREAD_LOCKS = new ConcurrentHashMap<>();

    private FileLocks() {
    }

    /** Blocks until {@code lockFile} (created when missing) is held by this thread. */
    static Held acquire(Path lockFile) throws IOException {
        Path file = lockFile.toAbsolutePath().normalize();
        Files.createDirectories(file.getParent());
        ReentrantLock threadLock = THREAD_LOCKS.computeIfAbsent(file, p -> new ReentrantLock());
        threadLock.lock();
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return new Held(threadLock, ch, ch.lock());
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            threadLock.unlock();
            throw e;
        }
    }

    /**
     * {@code lockFile} held by this thread, or empty when another thread of this JVM or another process holds it
     * (never blocks).
     */
    static java.util.Optional<Held> tryAcquire(Path lockFile) throws IOException {
        Path file = lockFile.toAbsolutePath().normalize();
        Files.createDirectories(file.getParent());
        ReentrantLock threadLock = THREAD_LOCKS.computeIfAbsent(file, p -> new ReentrantLock());
        if (threadLock.isHeldByCurrentThread() || !threadLock.tryLock()) {
            return java.util.Optional.empty();
        }
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                FileLock lock = ch.tryLock();
                if (lock == null) {
                    ch.close();
                    threadLock.unlock();
                    return java.util.Optional.empty();
                }
                return java.util.Optional.of(new Held(threadLock, ch, lock));
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            if (threadLock.isHeldByCurrentThread()) {
                threadLock.unlock();
            }
            throw e;
        }
    }

    /** A held lock; closing releases it. */
    record Held(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                fileLock.release();
                channel.close();
            } finally {
                threadLock.unlock();
            }
        }
    }
}
