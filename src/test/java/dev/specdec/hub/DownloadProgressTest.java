package dev.specdec.hub;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DownloadProgressTest {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    final AtomicLong nanos = new AtomicLong();

    String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void terminalBarRedrawsOneLineWithBytesRateAndEta() {
        TerminalProgressBar bar = new TerminalProgressBar(out, nanos::get);
        bar.started("gpt2/model.safetensors", 10_000_000, 0);
        nanos.set(1_000_000_000L);
        bar.advanced(2_500_000);
        bar.finished(true);

        String text = text();
        assertEquals(1, text.chars().filter(c -> c == '\n').count(), text);
        assertTrue(text.contains("\rgpt2/model.safetensors  25% [======                  ] 2.5 MB/10.0 MB  "
                + "2.5 MB/s  ETA 0:03"), text);
        assertTrue(text.endsWith("\n"));
    }

    @Test
    void plainLinesAppearOnlyEveryFewSecondsAndAtTheEnd() {
        ProgressLines lines = new ProgressLines(out, nanos::get);
        lines.started("gpt2/model.safetensors", 4_000_000, 1_000_000);
        for (int i = 1; i <= 30; i++) {
            nanos.set(i * 1_000_000_000L);
            lines.advanced(100_000);
        }
        lines.finished(true);

        assertEquals("""
                resuming gpt2/model.safetensors at 1.0 MB
                downloading gpt2/model.safetensors: 2.0 MB of 4.0 MB (50%), 100.0 kB/s
                downloading gpt2/model.safetensors: 3.0 MB of 4.0 MB (75%), 100.0 kB/s
                downloading gpt2/model.safetensors: 4.0 MB of 4.0 MB (100%), 100.0 kB/s
                downloaded gpt2/model.safetensors (4.0 MB, 100.0 kB/s)
                """, text());
    }

    @Test
    void byteSizesUseDecimalUnits() {
        assertEquals("999 B", ByteSize.format(999));
        assertEquals("1.0 kB", ByteSize.format(1000));
        assertEquals("548.1 MB", ByteSize.format(548_105_171));
        assertEquals("1.0 GB", ByteSize.format(999_999_999));
    }
}
