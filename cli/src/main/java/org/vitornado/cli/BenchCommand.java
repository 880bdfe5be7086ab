package org.vitornado.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import javax.imageio.ImageIO;

import org.vitornado.cli.bench.BenchChart;
import org.vitornado.cli.bench.BenchRow;
import org.vitornado.cli.bench.Benchmark;
import org.vitornado.model.source.ModelSource;
import org.vitornado.model.source.Presets;
import org.vitornado.runtime.Backend;
import org.vitornado.runtime.DeviceId;
import org.vitornado.runtime.ExecutionOptions;
import org.vitornado.runtime.PlanRunner;
import org.vitornado.runtime.Precision;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench}: latency and throughput of a model on each backend and batch size, with the FLOP rate the plan's
 * costs imply and, on the JVM, the fraction of the machine's measured FMA peak. A backend this process does not have
 * (a process has either our JVM API or the real TornadoVM) is measured by a child process, so one command compares
 * both; the speedup column divides by the JVM's images/s at the same batch.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Latency, images/s and GFLOP/s per backend and batch; JSON, CSV and a bar chart.",
        footer = {"", "Presets (random weights): " + Presets.SUMMARY})
final class BenchCommand extends CliCommand {

    @Option(names = "--model", required = true, paramLabel = "PATH|PRESET",
            description = "a checkpoint (ViT, backbone or segmenter) or a preset with random weights (e.g. vit_base_patch16_224, vitdet_b, segformer_b0)")
    String model;

    @Option(names = "--size", paramLabel = "HxW", converter = Size.Converter.class, description = "input size (default: the model's)")
    Size size;

    @Option(names = "--batch", paramLabel = "B,...", split = ",", defaultValue = "1,8", description = "batch sizes (default 1,8)")
    List<Integer> batches;

    @Option(names = "--backend", paramLabel = "B,...", split = ",",
            description = "backends to compare (default: this process's); the one this process lacks runs in a child process (bin/vitornado provides both class paths)")
    List<String> backendNames;

    @Option(names = "--device", paramLabel = "B:N", defaultValue = "0", converter = RunOptions.DeviceConverter.class,
            description = "TornadoVM device, BACKEND:N or N for device N of backend 0 (default 0); the jvm rows run on the JVM")
    DeviceId device;

    @Option(names = "--precision", paramLabel = "fp32|fp16", defaultValue = "fp32", converter = RunOptions.PrecisionConverter.class,
            description = "weights on the TornadoVM device (fp16: GPUs); the jvm rows are always fp32")
    Precision precision;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "10", description = "timed runs per configuration (default 10)")
    int iterations;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "untimed runs first (default 2)")
    int warmup;

    @Option(names = "--json", paramLabel = "FILE", description = "the rows as JSON (never overwritten)")
    Path json;

    @Option(names = "--csv", paramLabel = "FILE", description = "the rows as CSV (never overwritten)")
    Path csv;

    @Option(names = "--chart", paramLabel = "FILE.png", description = "a bar chart of images/s (never overwritten)")
    Path chart;

    @Option(names = "--no-peak", description = "skip measuring the machine's JVM FMA peak")
    boolean noPeak;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = out();
        // This command's own arguments, for the child process (the parse result holds the whole command line).
        List<String> all = spec.commandLine().getParseResult().originalArgs();
        String[] argv = all.subList(all.indexOf(spec.name()) + 1, all.size()).toArray(String[]::new);
        for (int b : batches) {
            if (b < 1) {
                throw usage("--batch: '" + b + "' is not a positive integer");
            }
        }
        batches = new ArrayList<>(new LinkedHashSet<>(batches));
        if (iterations < 1 || warmup < 0) {
            throw usage("--iterations must be >= 1 and --warmup >= 0");
        }
        Set<Backend> backends = new LinkedHashSet<>();
        for (String b : backendNames == null ? List.of(Backend.detect().cliName()) : backendNames) {
            try {
                backends.add(Backend.parse(b.trim()));
            } catch (IllegalArgumentException e) {
                throw usage("--backend: expected jvm or tornado, got '" + b + "'");
            }
        }
        for (Path p : new Path[] {json, csv, chart}) {
            if (p != null) {
                OutputFiles.requireAbsent(p);
            }
        }

        Backend here = Backend.detect();
        // The other backend runs in a child process: check it can be started before measuring this one.
        Map<Backend, List<String>> launchers = new EnumMap<>(Backend.class);
        for (Backend other : backends) {
            if (other != here) {
                launchers.put(other, launcher(other));
            }
        }
        List<BenchRow> rows = new ArrayList<>();
        String title = model;
        if (backends.contains(here)) {
            try (ModelSource target = ModelSource.open(model)) {
                title = target.describe();
                int h = size == null ? target.imgH() : size.height();
                int w = size == null ? target.imgW() : size.width();
                // --device names a TornadoVM device; the JVM backend's table always runs on the JVM's own.
                ExecutionOptions options = here == Backend.JVM ? new ExecutionOptions(here, DeviceId.DEFAULT, false)
                        : new ExecutionOptions(here, device, false, precision);
                for (int batch : batches) {
                    target.checkFits(batch, h, w, options);
                }
                double peak = Double.NaN;
                if (here == Backend.JVM && !noPeak) {
                    peak = PlanRunner.jvmPeakGflops();
                    out.printf("JVM FMA peak: %.1f GFLOP/s (%d threads)%n", peak, PlanRunner.jvmThreads());
                }
                out.printf("%s at %dx%d, %s%n", title, h, w, PlanRunner.deviceName(options));
                for (int batch : batches) {
                    rows.add(Benchmark.measure(target, model, batch, h, w, options, PlanRunner.deviceName(options), warmup, iterations, peak));
                }
            }
        }
        for (var other : launchers.entrySet()) {
            rows.addAll(child(other.getKey(), other.getValue(), argv, out));
        }
        withSpeedups(rows);
        print(rows, out);
        if (json != null) {
            OutputFiles.write(json, false, o -> o.write(toJson(rows).getBytes(StandardCharsets.UTF_8)));
            out.println("wrote " + json);
        }
        if (csv != null) {
            OutputFiles.write(csv, false, o -> o.write(toCsv(rows).getBytes(StandardCharsets.UTF_8)));
            out.println("wrote " + csv);
        }
        if (chart != null) {
            var picture = BenchChart.render(title, rows);
            OutputFiles.write(chart, false, o -> ImageIO.write(picture, "png", o));
            out.println("wrote " + chart);
        }
        return 0;
    }

    /** Set in a child's environment: it measures its own backend and never starts another process. */
    static final String CHILD = "VITORNADO_BENCH_CHILD";

    /**
     * Runs this command for {@code backend} in a child process (the other API implementation), told its backend, and
     * reads its rows. bin/vitornado says how to start each backend ({@code VITORNADO_*} in the environment).
     */
    private static List<String> launcher(Backend backend) {
        if (System.getenv(CHILD) != null) {
            throw new IllegalStateException("--backend " + backend.cliName() + ": this bench runs in a child process for "
                    + Backend.detect().cliName() + " only");
        }
        String java = System.getenv("VITORNADO_JAVA");
        String cp = System.getenv(backend == Backend.JVM ? "VITORNADO_CP_JVM" : "VITORNADO_CP_TORNADO");
        String argfile = System.getenv("VITORNADO_TORNADO_ARGFILE");
        if (java == null || cp == null) {
            throw new IllegalStateException("--backend " + backend.cliName() + ": this process runs on " + Backend.detect().cliName()
                    + "; measuring " + backend.cliName() + " too needs bin/vitornado, which says how to start it");
        }
        if (backend == Backend.TORNADO && (argfile == null || argfile.isEmpty())) {
            throw new IllegalStateException("--backend tornado: TornadoVM 5.2.0-jdk25 is not installed (set TORNADOVM_HOME to its SDK)");
        }
        List<String> command = new ArrayList<>(List.of(java));
        if (backend == Backend.JVM) {
            command.add("--add-modules=jdk.incubator.vector");
        } else {
            command.add("@" + argfile);
            command.addAll(List.of(System.getenv().getOrDefault("VITORNADO_TORNADO_FLAGS", "-Dtornado.recover.bailout=False").trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", cp, "org.vitornado.cli.Main", "bench"));
        return command;
    }

    /** Runs {@code launcher} (this command for another backend) in a child process and reads its rows. */
    private static List<BenchRow> child(Backend backend, List<String> launcher, String[] argv, PrintWriter out)
            throws IOException, InterruptedException {
        Path tmp = Files.createTempFile("vitornado-bench", ".json");
        Files.delete(tmp);
        List<String> command = new ArrayList<>(launcher);
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            boolean valued = a.equals("--backend") || a.equals("--json") || a.equals("--csv") || a.equals("--chart");
            if (valued) {
                i++;
            } else if (!a.startsWith("--backend=") && !a.startsWith("--json=") && !a.startsWith("--csv=") && !a.startsWith("--chart=")) {
                command.add(a);
            }
        }
        command.addAll(List.of("--backend", backend.cliName(), "--json", tmp.toString()));
        out.println(backend.cliName() + ": measuring in a child process");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put(CHILD, "1");
        Process p = pb.start();
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            lines.lines().forEach(out::println);
        }
        int code = p.waitFor();
        if (code != 0 || !Files.exists(tmp)) {
            throw new IllegalStateException("the " + backend.cliName() + " child process failed (exit " + code + "): see its output above");
        }
        JsonArray array = JsonParser.parseString(Files.readString(tmp)).getAsJsonArray();
        Files.delete(tmp);
        List<BenchRow> rows = new ArrayList<>();
        Gson gson = new Gson();
        for (JsonElement e : array) {
            rows.add(fromJson(e.getAsJsonObject(), gson));
        }
        return rows;
    }

    /** Images/s over the JVM row of the same batch and size, for the other rows. */
    static void withSpeedups(List<BenchRow> rows) {
        for (int i = 0; i < rows.size(); i++) {
            BenchRow r = rows.get(i);
            if (r.backend().equals("jvm")) {
                continue;
            }
            for (BenchRow j : rows) {
                if (j.backend().equals("jvm") && j.batch() == r.batch() && j.height() == r.height() && j.width() == r.width()) {
                    rows.set(i, r.withSpeedup(r.imagesPerS() / j.imagesPerS()));
                }
            }
        }
    }

    static void print(List<BenchRow> rows, PrintWriter out) {
        String fmt = "%-8s %-34s %6s %10s %10s %10s %10s %8s %8s %9s %9s%n";
        out.printf(fmt, "backend", "device", "batch", "p50 ms", "p90 ms", "images/s", "GFLOP/s", "%peak", "speedup", "arrays MB", "peak RSS");
        for (BenchRow r : rows) {
            out.printf(fmt, r.backend(), r.device().length() > 34 ? r.device().substring(0, 34) : r.device(), r.batch(),
                    String.format(Locale.ROOT, "%.1f", r.p50Ms()), String.format(Locale.ROOT, "%.1f", r.p90Ms()),
                    String.format(Locale.ROOT, "%.2f", r.imagesPerS()), String.format(Locale.ROOT, "%.1f", r.gflopsPerS()),
                    Double.isNaN(r.peakGflops()) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * r.gflopsPerS() / r.peakGflops()),
                    Double.isNaN(r.speedup()) ? "-" : String.format(Locale.ROOT, "%.2fx", r.speedup()), String.format(Locale.ROOT, "%.0f", r.arrayMb()),
                    Double.isNaN(r.peakRssMb()) ? "-" : String.format(Locale.ROOT, "%.0f", r.peakRssMb()));
        }
        if (!rows.isEmpty()) {
            out.printf(Locale.ROOT, "%.2f GFLOP per image (from the plan's task costs)%n", rows.get(0).gflopPerImage());
        }
    }

    static String toJson(List<BenchRow> rows) {
        JsonArray array = new JsonArray();
        for (BenchRow r : rows) {
            JsonObject o = new JsonObject();
            o.addProperty("model", r.model());
            o.addProperty("backend", r.backend());
            o.addProperty("device", r.device());
            o.addProperty("batch", r.batch());
            o.addProperty("height", r.height());
            o.addProperty("width", r.width());
            o.addProperty("iterations", r.iterations());
            o.addProperty("p50_ms", r.p50Ms());
            o.addProperty("p90_ms", r.p90Ms());
            o.addProperty("images_per_s", r.imagesPerS());
            o.addProperty("gflop_per_image", r.gflopPerImage());
            o.addProperty("gflops_per_s", r.gflopsPerS());
            if (!Double.isNaN(r.peakGflops())) {
                o.addProperty("peak_gflops_per_s", r.peakGflops());
            }
            if (!Double.isNaN(r.speedup())) {
                o.addProperty("speedup_vs_jvm", r.speedup());
            }
            o.addProperty("array_mb", r.arrayMb());
            if (!Double.isNaN(r.peakRssMb())) {
                o.addProperty("peak_rss_mb", r.peakRssMb());
            }
            array.add(o);
        }
        return new GsonBuilder().setPrettyPrinting().create().toJson(array) + "\n";
    }

    private static BenchRow fromJson(JsonObject o, Gson gson) {
        return new BenchRow(o.get("model").getAsString(), o.get("backend").getAsString(), o.get("device").getAsString(),
                o.get("batch").getAsInt(), o.get("height").getAsInt(), o.get("width").getAsInt(), o.get("iterations").getAsInt(),
                o.get("p50_ms").getAsDouble(), o.get("p90_ms").getAsDouble(), o.get("images_per_s").getAsDouble(),
                o.get("gflop_per_image").getAsDouble(), o.get("gflops_per_s").getAsDouble(),
                o.has("peak_gflops_per_s") ? o.get("peak_gflops_per_s").getAsDouble() : Double.NaN, Double.NaN,
                o.has("array_mb") ? o.get("array_mb").getAsDouble() : Double.NaN, o.has("peak_rss_mb") ? o.get("peak_rss_mb").getAsDouble() : Double.NaN);
    }

    static String toCsv(List<BenchRow> rows) {
        StringBuilder s = new StringBuilder(
                "model,backend,device,batch,height,width,iterations,p50_ms,p90_ms,images_per_s,gflop_per_image,gflops_per_s,peak_gflops_per_s,speedup_vs_jvm,array_mb,peak_rss_mb\n");
        for (BenchRow r : rows) {
            s.append(String.join(",", quote(r.model()), r.backend(), quote(r.device()), String.valueOf(r.batch()), String.valueOf(r.height()),
                    String.valueOf(r.width()), String.valueOf(r.iterations()), num(r.p50Ms()), num(r.p90Ms()), num(r.imagesPerS()),
                    num(r.gflopPerImage()), num(r.gflopsPerS()), num(r.peakGflops()), num(r.speedup()), num(r.arrayMb()), num(r.peakRssMb())))
                    .append('\n');
        }
        return s.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }
}
