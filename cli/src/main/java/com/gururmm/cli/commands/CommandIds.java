package com.gururmm.cli.commands;

import java.util.UUID;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Command and token ids are full UUIDs (as printed by {@code run}); say so when one is not.
 * A {@link TypeConversionException} makes picocli report it as a usage error.
 */
public final class CommandIds implements ITypeConverter<UUID> {
    @Override
    public UUID convert(String value) {
        try {
            return UUID.fromString(value.strip());
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' is not an id; ids look like 3f2a9c4e-1b2d-4c5e-8f90-123456789abc.");
        }
    }
}
