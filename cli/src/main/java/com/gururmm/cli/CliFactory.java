package com.gururmm.cli;

import java.lang.reflect.Constructor;
import picocli.CommandLine;

/**
 * Creates commands and mixins, handing the {@link Terminal} to every class that takes one
 * in its constructor; everything else goes to picocli's default factory.
 */
final class CliFactory implements CommandLine.IFactory {
    private final Terminal terminal;

    CliFactory(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
        Constructor<K> constructor;
        try {
            constructor = type.getDeclaredConstructor(Terminal.class);
        } catch (NoSuchMethodException e) {
            return CommandLine.defaultFactory().create(type);
        }
        constructor.setAccessible(true);
        return constructor.newInstance(terminal);
    }
}
