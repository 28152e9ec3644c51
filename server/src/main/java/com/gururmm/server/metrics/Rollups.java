package com.gururmm.server.metrics;

import com.gururmm.protocol.api.Metrics.MetricSeries;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Hourly min/avg/max rollups, and the bucketing reads use. A rollup is a {@link SampleCodec.Frame}
 * whose row is the hour's start and whose columns are {@code n} (samples in the hour) and,
 * per metric, {@code <metric>|avg}, {@code |min}, {@code |max} and {@code |n}, so it is stored in the
 * same compact form as the samples. To keep it small, {@code |min} and {@code |max} are missing
 * where they equal the average (a constant: a disk's size, the memory total) and {@code |n} where it
 * equals the bucket's {@code n} (the metric was in every sample).
 *
 * <p>Why hourly and not also 5-minute: 5-minute rollups stored beside the samples took 1.1 kB per
 * agent-hour, nearly as much as the samples themselves (1.4 kB), and put storage over the 2 MiB per
 * agent per month the issue allows (docs/BENCHMARKS.md). A step of 5 minutes to an hour reads the
 * packed samples instead (a 7-day chart at 15 minutes decodes 168 hour rows, a few milliseconds);
 * from an hour up only the rollups are read, so a 30-day chart reads 720 small values, not 43,200 samples. An hour's rollups are built once, when the hour is packed; a read of any step of
 * 300 s or more combines them (an average weighted by {@code n}), which is also how the hourly and
 * daily figures of a long chart are made.
 */
final class Rollups {
    static final long BUCKET_SECONDS = 3600;

    private Rollups() {
    }

    static SampleCodec.Frame of(SampleCodec.Frame samples) {
        TreeMap<Long, Map<String, double[]>> buckets = new TreeMap<>(); // bucket -> metric -> {min, sum, max, n}
        for (int i = 0; i < samples.rows(); i++) {
            long bucket = Math.floorDiv(samples.times()[i], BUCKET_SECONDS) * BUCKET_SECONDS;
            Map<String, double[]> acc = buckets.computeIfAbsent(bucket, b -> new LinkedHashMap<>());
            int row = i;
            samples.columns().forEach((name, values) -> {
                double v = values[row];
                if (!Double.isNaN(v)) {
                    double[] a = acc.computeIfAbsent(name, n -> new double[] {Double.POSITIVE_INFINITY, 0, Double.NEGATIVE_INFINITY, 0});
                    a[0] = Math.min(a[0], v);
                    a[1] += v;
                    a[2] = Math.max(a[2], v);
                    a[3]++;
                }
            });
        }
        List<Long> times = new ArrayList<>(buckets.keySet());
        List<Map<String, Double>> rows = new ArrayList<>();
        for (Map<String, double[]> acc : buckets.values()) {
            Map<String, Double> row = new LinkedHashMap<>();
            double bucketN = acc.values().stream().mapToDouble(a -> a[3]).max().orElse(0);
            row.put("n", bucketN);
            acc.forEach((name, a) -> {
                double avg = SampleCodec.quantize(name, a[1] / a[3]);
                row.put(name + "|avg", avg);
                if (a[0] != avg || a[2] != avg) {
                    row.put(name + "|min", a[0]);
                    row.put(name + "|max", a[2]);
                }
                if (a[3] != bucketN) {
                    row.put(name + "|n", a[3]);
                }
            });
            rows.add(row);
        }
        return SampleCodec.fromRows(times, rows);
    }

    /** Aligned buckets [start + k*step, start + (k+1)*step) for k in [0, points). */
    static final class Buckets {
        private final long start;
        private final long step;
        private final int points;
        private final Map<String, double[][]> series = new TreeMap<>(); // name -> {min[], sum[], max[], n[]}

        Buckets(long start, long step, int points) {
            this.start = start;
            this.step = step;
            this.points = points;
        }

        private double[][] of(String name) {
            return series.computeIfAbsent(name, n -> {
                double[][] a = new double[4][points];
                Arrays.fill(a[0], Double.POSITIVE_INFINITY);
                Arrays.fill(a[2], Double.NEGATIVE_INFINITY);
                return a;
            });
        }

        private int index(long time) {
            long k = Math.floorDiv(time - start, step);
            return k < 0 || k >= points ? -1 : (int) k;
        }

        void addSamples(SampleCodec.Frame frame, long from, long to) {
            for (int i = 0; i < frame.rows(); i++) {
                long t = frame.times()[i];
                int k = t < from || t >= to ? -1 : index(t);
                if (k < 0) {
                    continue;
                }
                int row = i;
                frame.columns().forEach((name, values) -> {
                    double v = values[row];
                    if (!Double.isNaN(v)) {
                        add(of(name), k, v, v, v, 1);
                    }
                });
            }
        }

        void addRollups(SampleCodec.Frame frame, long from, long to) {
            for (int i = 0; i < frame.rows(); i++) {
                long t = frame.times()[i];
                // An hour counts where it starts; a range edge inside one takes the whole bucket.
                int k = t + BUCKET_SECONDS <= from || t >= to ? -1 : index(Math.max(t, from));
                if (k < 0) {
                    continue;
                }
                int row = i;
                double bucketN = frame.columns().containsKey("n") ? frame.columns().get("n")[row] : Double.NaN;
                frame.columns().forEach((column, values) -> {
                    if (!column.endsWith("|avg") || Double.isNaN(values[row])) {
                        return;
                    }
                    String name = column.substring(0, column.length() - 4);
                    double avg = values[row];
                    double n = or(frame.columns().get(name + "|n"), row, bucketN);
                    double min = or(frame.columns().get(name + "|min"), row, avg);
                    double max = or(frame.columns().get(name + "|max"), row, avg);
                    if (!Double.isNaN(n) && n > 0) {
                        add(of(name), k, min, avg * n, max, n);
                    }
                });
            }
        }

        private static double or(double[] column, int row, double fallback) {
            return column == null || Double.isNaN(column[row]) ? fallback : column[row];
        }

        private static void add(double[][] a, int k, double min, double sum, double max, double n) {
            a[0][k] = Math.min(a[0][k], min);
            a[1][k] += sum;
            a[2][k] = Math.max(a[2][k], max);
            a[3][k] += n;
        }

        MetricSeries toSeries(UUID agentId, long from, long to, String source) {
            List<Long> timestamps = new ArrayList<>(points);
            for (int k = 0; k < points; k++) {
                timestamps.add(start + k * step);
            }
            Map<String, List<Double>> avg = new LinkedHashMap<>();
            Map<String, List<Double>> min = new LinkedHashMap<>();
            Map<String, List<Double>> max = new LinkedHashMap<>();
            series.forEach((name, a) -> {
                List<Double> av = new ArrayList<>(points);
                List<Double> mn = new ArrayList<>(points);
                List<Double> mx = new ArrayList<>(points);
                for (int k = 0; k < points; k++) {
                    boolean has = a[3][k] > 0;
                    av.add(has ? SampleCodec.quantize(name, a[1][k] / a[3][k]) : null);
                    mn.add(has ? a[0][k] : null);
                    mx.add(has ? a[2][k] : null);
                }
                avg.put(name, av);
                min.put(name, mn);
                max.put(name, mx);
            });
            return new MetricSeries(agentId, from, to, step, source, timestamps, avg, min, max);
        }
    }
}
