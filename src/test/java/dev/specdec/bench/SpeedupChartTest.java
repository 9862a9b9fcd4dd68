package dev.specdec.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpeedupChartTest {

    @TempDir
    Path dir;

    @Test
    void writesADecodablePngOfTheAdvertisedSizeCreatingFolders() throws IOException {
        Path file = dir.resolve("out/nested/speedup.png");
        SpeedupChart.write(BenchTableTest.report(), "test chart", file);
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, "not a decodable image");
        assertEquals(SpeedupChart.WIDTH, image.getWidth());
        assertEquals(SpeedupChart.HEIGHT, image.getHeight());
        assertTrue(Files.size(file) > 5_000, "suspiciously small chart: " + Files.size(file) + " bytes");
    }

    @Test
    void oneLinePerDraftingVariantWithTheGreedyRowLeftOut() {
        var dataset = SpeedupChart.chart(BenchTableTest.report(), "t").getXYPlot().getDataset();
        assertEquals(2, dataset.getSeriesCount());
        assertEquals("q8_0", dataset.getSeriesKey(0));
        assertEquals("lookup", dataset.getSeriesKey(1));
        // Two series sit half a dodge either side of k.
        assertEquals(4.0 - SpeedupChart.DODGE / 2, dataset.getXValue(0, 0), 1e-12);
        assertEquals(2.0 + SpeedupChart.DODGE / 2, dataset.getXValue(1, 0), 1e-12);
        assertEquals(1.5, dataset.getYValue(0, 0));
    }
}
