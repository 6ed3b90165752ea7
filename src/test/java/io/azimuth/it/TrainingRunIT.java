package io.azimuth.it;

import io.azimuth.support.JarProcess;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The packaged jar's --training-run (what a class-data sharing archive is written from) serves its requests and ends. */
class TrainingRunIT {
    @Test
    void theTrainingRunAnswersEveryRequestAndExits() throws Exception {
        Path log = Files.createTempFile("azimuth-training", ".log");
        try {
            Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", JarProcess.jar().toString(), "--training-run")).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("ends by itself").isTrue();
            assertThat(p.exitValue()).as(Files.readString(log)).isZero();
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
