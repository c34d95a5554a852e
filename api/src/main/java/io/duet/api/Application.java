package io.duet.api;

import io.micronaut.runtime.Micronaut;

/** Starts the Duet API on its own (the all-in-one local stack lives in {@code functions}). */
public final class Application {
    private Application() {}

    public static void main(String[] args) {
        Micronaut.build(args).mainClass(Application.class).banner(false).start();
    }
}
