package com.gururmm.testkit;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Blocking work of a test (reading a child process's output until it prints a line or exits) on
 * a thread of its own. Never on {@code CompletableFuture.supplyAsync}'s common pool: on two cores
 * that pool has one worker, and any other blocking task in the test JVM (a library's, an earlier
 * test's) holds it, so the reader never ran and QuickStartTest timed out with the banner printed.
 */
public final class Background {
    private Background() {
    }

    public static <T> CompletableFuture<T> supply(String name, Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                result.complete(task.get());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }
}
