package com.gururmm.server.metrics;

import com.gururmm.protocol.metrics.MetricName;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The compact columnar encoding metrics are stored in (issue 9: 10,000 agents at one sample a
 * minute must fit in under 2 MiB per agent per month, which a row per sample cannot: PostgreSQL
 * alone spends ~60 bytes of tuple and index overhead on each row).
 *
 * <p>A {@link Frame} is a run of rows (epoch seconds) and named columns. Each value is quantized
 * ({@link #scale}: percentages and load averages to 0.01, byte counts, rates, seconds and counts to
 * whole units), then every column is written as zig-zag varint deltas from its previous present
 * value, so a constant (memory total, a disk's size) costs one byte per row and then deflates to
 * almost nothing. A missing value (the agent could not read it, or it was refused) is a 0 byte.
 * Layout: {@code flag(0 plain|1 deflated) | version | rows | t0, dt... | columns | (name, values...)...}.
 */
final class SampleCodec {
    private static final int VERSION = 1;
    /** Frames smaller than this are stored plain: deflate's own header would outweigh its gain. */
    private static final int DEFLATE_FROM = 96;

    private SampleCodec() {
    }

    /** Rows at {@code times} (epoch seconds, ascending), one array per column (NaN = missing). */
    record Frame(long[] times, Map<String, double[]> columns) {
        int rows() {
            return times.length;
        }

        static Frame single(long time, Map<String, Double> values) {
            Map<String, double[]> columns = new LinkedHashMap<>();
            values.forEach((name, value) -> columns.put(name, new double[] {value}));
            return new Frame(new long[] {time}, columns);
        }

        /** Row {@code i} as a map of its present values. */
        Map<String, Double> row(int i) {
            Map<String, Double> out = new LinkedHashMap<>();
            columns.forEach((name, values) -> {
                if (!Double.isNaN(values[i])) {
                    out.put(name, values[i]);
                }
            });
            return out;
        }
    }

    /** Units a stored value counts in: 0.01 for percentages and load averages, 1 for the rest. */
    static double scale(String name) {
        String base = name;
        int bar = base.indexOf('|');
        if (bar >= 0) {
            base = base.substring(0, bar);
        }
        base = MetricName.base(base).orElse(base);
        return base.endsWith(".percent") || base.startsWith("load.") ? 100.0 : 1.0;
    }

    /** The value as it will read back (what the store keeps). */
    static double quantize(String name, double value) {
        double scale = scale(name);
        return Math.round(value * scale) / scale;
    }

    /** Deflated when that pays (packed hours). */
    static byte[] encode(Frame frame) {
        return encode(frame, true);
    }

    /**
     * {@code compress = false} for one-sample rows (recent, latest): they live for an hour, and a
     * Deflater's set-up costs more CPU than the whole row's other handling.
     */
    static byte[] encode(Frame frame, boolean compress) {
        Out out = new Out();
        out.varint(VERSION);
        int rows = frame.rows();
        out.varint(rows);
        long previous = 0;
        for (int i = 0; i < rows; i++) {
            out.signed(frame.times()[i] - previous);
            previous = frame.times()[i];
        }
        out.varint(frame.columns().size());
        frame.columns().forEach((name, values) -> {
            byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
            out.varint(bytes.length);
            out.bytes(bytes);
            double scale = scale(name);
            long last = 0;
            for (int i = 0; i < rows; i++) {
                if (Double.isNaN(values[i])) {
                    out.varint(0);
                } else {
                    long q = Math.round(values[i] * scale);
                    out.varint(zigzag(q - last) + 1);
                    last = q;
                }
            }
        });
        byte[] plain = out.toByteArray();
        if (!compress || plain.length < DEFLATE_FROM) {
            return prefixed((byte) 0, plain);
        }
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        deflater.setInput(plain);
        deflater.finish();
        ByteArrayOutputStream packed = new ByteArrayOutputStream(plain.length / 2 + 16);
        packed.write(1);
        byte[] buffer = new byte[4096];
        while (!deflater.finished()) {
            int n = deflater.deflate(buffer);
            packed.write(buffer, 0, n);
        }
        deflater.end();
        return packed.toByteArray();
    }

    static Frame decode(byte[] stored) {
        byte[] plain = stored[0] == 0 ? Arrays.copyOfRange(stored, 1, stored.length) : inflate(stored);
        In in = new In(plain);
        int version = (int) in.varint();
        if (version != VERSION) {
            throw new IllegalStateException("unknown metrics encoding version " + version);
        }
        int rows = (int) in.varint();
        long[] times = new long[rows];
        long previous = 0;
        for (int i = 0; i < rows; i++) {
            previous += in.signed();
            times[i] = previous;
        }
        int columns = (int) in.varint();
        Map<String, double[]> out = new LinkedHashMap<>();
        for (int c = 0; c < columns; c++) {
            String name = new String(in.bytes((int) in.varint()), StandardCharsets.UTF_8);
            double scale = scale(name);
            double[] values = new double[rows];
            long last = 0;
            for (int i = 0; i < rows; i++) {
                long v = in.varint();
                if (v == 0) {
                    values[i] = Double.NaN;
                } else {
                    last += unzigzag(v - 1);
                    values[i] = last / scale;
                }
            }
            out.put(name, values);
        }
        return new Frame(times, out);
    }

    /** Rows from maps: {@code rows} sorted by time, each a map of present values. */
    static Frame fromRows(List<Long> times, List<Map<String, Double>> rows) {
        Map<String, double[]> columns = new LinkedHashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            int row = i;
            rows.get(i).forEach((name, value) -> {
                double[] column = columns.computeIfAbsent(name, n -> {
                    double[] fresh = new double[rows.size()];
                    Arrays.fill(fresh, Double.NaN);
                    return fresh;
                });
                column[row] = value;
            });
        }
        long[] t = new long[times.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = times.get(i);
        }
        return new Frame(t, columns);
    }

    static List<Map<String, Double>> rows(Frame frame) {
        List<Map<String, Double>> out = new ArrayList<>(frame.rows());
        for (int i = 0; i < frame.rows(); i++) {
            out.add(frame.row(i));
        }
        return out;
    }

    private static byte[] inflate(byte[] stored) {
        Inflater inflater = new Inflater(true);
        inflater.setInput(stored, 1, stored.length - 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(stored.length * 4);
        byte[] buffer = new byte[4096];
        try {
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                out.write(buffer, 0, n);
            }
        } catch (DataFormatException e) {
            throw new IllegalStateException("corrupt metrics block: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
        return out.toByteArray();
    }

    private static byte[] prefixed(byte flag, byte[] body) {
        byte[] out = new byte[body.length + 1];
        out[0] = flag;
        System.arraycopy(body, 0, out, 1, body.length);
        return out;
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }

    private static final class Out extends ByteArrayOutputStream {
        void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            write((int) v);
        }

        void signed(long v) {
            varint(zigzag(v));
        }

        void bytes(byte[] b) {
            write(b, 0, b.length);
        }
    }

    private static final class In {
        private final byte[] data;
        private int pos;

        In(byte[] data) {
            this.data = data;
        }

        long varint() {
            long result = 0;
            int shift = 0;
            while (true) {
                if (pos >= data.length || shift > 63) {
                    throw new IllegalStateException("truncated metrics block");
                }
                byte b = data[pos++];
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
                shift += 7;
            }
        }

        long signed() {
            return unzigzag(varint());
        }

        byte[] bytes(int n) {
            if (n < 0 || pos + n > data.length) {
                throw new IllegalStateException("truncated metrics block");
            }
            byte[] out = Arrays.copyOfRange(data, pos, pos + n);
            pos += n;
            return out;
        }
    }
}
