package io.azimuth.tools;

import io.azimuth.blobs.VhdFooter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code azimuth vhd}: fixed VHDs from the command line. {@code upload FILE URI} sends a fixed VHD (or, with
 * {@code --convert}, a raw disk image made one on the fly) as a page blob, only its non-zero pages, to the embedded
 * blob store ({@code http://127.0.0.1:10480/_azimuth/blobs/{account}/{container}/{blob}}), Azurite or Azure Storage (a
 * URL with a SAS); {@code create-fixed SIZE FILE} writes an empty fixed VHD (sparse); {@code info FILE} says what a
 * file is and how much of it is data.
 */
@Command(name = "vhd", mixinStandardHelpOptions = true, description = "Fixed VHDs: upload, create, inspect.",
        subcommands = {VhdCommand.Upload.class, VhdCommand.CreateFixed.class, VhdCommand.Info.class})
public final class VhdCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.err);
        return 2;
    }

    /** Runs {@code azimuth vhd ARGS...}: the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cl = new CommandLine(new VhdCommand());
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            err.println("azimuth vhd: " + ((e instanceof IllegalArgumentException || e instanceof IOException)
                    && e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        });
        return cl.execute(args);
    }

    @Command(name = "upload", mixinStandardHelpOptions = true,
            description = "Uploads FILE as a page blob at URI, sending only its non-zero pages.")
    static final class Upload implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE", description = "A fixed VHD (or, with --convert, a raw image).")
        Path file;

        @Parameters(index = "1", paramLabel = "URI", description = "The blob: an emulator blob endpoint "
                + "(http://127.0.0.1:10480/_azimuth/blobs/ACCOUNT/CONTAINER/BLOB), or an Azure Storage or Azurite "
                + "blob URL with a SAS granting create and write.")
        URI uri;

        @Option(names = "--convert", description = "FILE is a raw disk image: send it as a fixed VHD (its size "
                + "rounded up to a whole MiB, the footer appended).")
        boolean convert;

        @Option(names = "--trust", paramLabel = "PEM", description = "Trust this certificate (the emulator's: "
                + "GET /_azimuth/cert) for an https URI.")
        Path trust;

        @Option(names = "--parallel", paramLabel = "N", description = "Page writes in flight at once. "
                + "Default: ${DEFAULT-VALUE}.")
        int parallel = 4;

        @Option(names = "--quiet", description = "No progress bar.")
        boolean quiet;

        @Override
        public Integer call() throws Exception {
            if (parallel < 1 || parallel > 64) {
                throw new IllegalArgumentException("--parallel is 1 to 64");
            }
            PageSource source = PageSource.open(file, convert);
            try (source) {
                Progress progress = new Progress(spec.commandLine().getErr(), !quiet, source.blobSize());
                PageUpload.Result r = new PageUpload(uri, trust, parallel).send(source, progress);
                progress.done();
                double seconds = r.nanos() / 1e9;
                spec.commandLine().getOut().printf(Locale.ROOT, "uploaded %s (%s of data in %d page writes) in %.2f s: %s/s of "
                                + "blob, %s/s of data%n", Progress.size(source.blobSize()), Progress.size(r.dataBytes()),
                        r.writes(), seconds, Progress.size((long) (source.blobSize() / seconds)),
                        Progress.size((long) (r.dataBytes() / seconds)));
            }
            return 0;
        }
    }

    @Command(name = "create-fixed", mixinStandardHelpOptions = true,
            description = "Writes an empty fixed VHD of SIZE (a whole number of MiB: 30G, 512M, 1048576) to FILE, "
                    + "sparse where the file system allows.")
    static final class CreateFixed implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "SIZE")
        String size;

        @Parameters(index = "1", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws Exception {
            long virtual = parseSize(size);
            if (virtual <= 0 || virtual % VhdFooter.MIB != 0) {
                throw new IllegalArgumentException("the size must be a whole number of MiB greater than 0, and "
                        + size + " is " + virtual + " bytes");
            }
            if (Files.exists(file)) {
                throw new IllegalArgumentException(file + " exists: it is not overwritten");
            }
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.setLength(virtual); // a hole: no bytes written
                f.seek(virtual);
                f.write(VhdFooter.fixed(virtual));
            }
            spec.commandLine().getOut().printf(Locale.ROOT, "%s: a fixed VHD of %s (%d bytes, %d with its footer)%n", file,
                    Progress.size(virtual), virtual, virtual + VhdFooter.SIZE);
            return 0;
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Says whether FILE is a fixed VHD Azure "
            + "accepts, its virtual size, and how much of it is data (non-zero pages).")
    static final class Info implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws Exception {
            long size = Files.size(file);
            String what;
            int status = 0;
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long virtual = VhdFooter.check(ch);
                what = "a fixed VHD of " + Progress.size(virtual) + " (virtual size " + virtual + " bytes)";
            } catch (IllegalArgumentException e) {
                what = "not a fixed VHD Azure accepts: " + e.getMessage();
                status = 3;
            }
            long data;
            try (PageSource source = PageSource.open(file, status != 0)) {
                data = source.dataBytes();
            }
            spec.commandLine().getOut().printf(Locale.ROOT, "%s: %d bytes, %s; data (non-zero 512-byte pages): %s (%d bytes)%n", file,
                    size, what, Progress.size(data), data);
            return status;
        }
    }

    private static final Pattern SIZE = Pattern.compile("^(\\d+)([KMGT]i?B?)?$", Pattern.CASE_INSENSITIVE);

    /** {@code 30G}, {@code 512MiB}, {@code 1048576}: bytes (binary multiples). */
    static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("not a size: '" + text + "' (examples: 1048576, 512M, 30G)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).substring(0, 1).toUpperCase(Locale.ROOT);
        int shift = switch (unit) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        if (Long.numberOfLeadingZeros(n) <= shift) {
            throw new IllegalArgumentException("the size " + text + " is too large");
        }
        return n << shift;
    }
}
