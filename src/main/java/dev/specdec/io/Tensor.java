package dev.specdec.io;

import dev.specdec.SpecdecException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named tensor of a checkpoint, backed by memory-mapped bytes in the checkpoint's own dtype.
 * Values are read as float32; F16 and BF16 are widened on read.
 *
 * @param name  tensor name without the {@code transformer.} prefix
 * @param file  the safetensors file holding the data, for error messages
 * @param dtype element type of {@code data}
 * @param shape dimensions, outermost first
 * @param data  read-only little-endian element bytes, valid while the checkpoint is open
 */
public record Tensor(String name, Path file, DType dtype, long[] shape, MemorySegment data) {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public Tensor {
        shape = shape.clone();
        long expectedBytes = Shapes.elementCount(shape) * dtype.byteSize();
        if (data.byteSize() != expectedBytes) {
            throw new IllegalArgumentException(name + ": " + data.byteSize() + " bytes for shape "
                    + Arrays.toString(shape) + " of " + dtype);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of elements: the product of the shape. */
    public long elementCount() {
        return Shapes.elementCount(shape);
    }

    /** Element {@code index} (row-major) as a float32. */
    public float getFloat(long index) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(F32, index);
            case F16 -> Float.float16ToFloat(data.getAtIndex(HALF, index));
            case BF16 -> Float.intBitsToFloat(data.getAtIndex(HALF, index) << 16);
        };
    }

    /** Converts {@code count} elements starting at {@code fromIndex} to float32 into {@code dst}. */
    public void readFloats(long fromIndex, float[] dst, int dstOffset, int count) {
        Objects.checkFromIndexSize(dstOffset, count, dst.length);
        Objects.checkFromIndexSize(fromIndex, count, elementCount());
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32, fromIndex * Float.BYTES, dst, dstOffset, count);
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = Float.float16ToFloat(data.getAtIndex(HALF, fromIndex + i));
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = Float.intBitsToFloat(data.getAtIndex(HALF, fromIndex + i) << 16);
                }
            }
        }
    }

    /** All elements as a new float32 array. */
    public float[] toFloatArray() {
        long count = elementCount();
        if (count > Integer.MAX_VALUE - 8) {
            throw new SpecdecException(file + ": tensor " + name + " has " + count
                    + " elements, too many for one Java array");
        }
        float[] values = new float[(int) count];
        readFloats(0, values, 0, values.length);
        return values;
    }

    /**
     * Returns this tensor when its shape is {@code expected}.
     *
     * @throws SpecdecException naming the file and tensor when the shape differs from what config.json implies
     */
    public Tensor requireShape(long... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new SpecdecException(file + ": tensor " + name + " has shape " + Arrays.toString(shape)
                    + " but config.json implies " + Arrays.toString(expected)
                    + "; the checkpoint does not match its config.json");
        }
        return this;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Tensor that && name.equals(that.name) && file.equals(that.file)
                && dtype == that.dtype && Arrays.equals(shape, that.shape) && data.equals(that.data);
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "Tensor[" + name + " " + dtype + " " + Arrays.toString(shape) + " in " + file + "]";
    }
}
