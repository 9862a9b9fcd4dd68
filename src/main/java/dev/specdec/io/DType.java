package dev.specdec.io;

/** Element types specdec accepts in safetensors files, named as the safetensors header names them. */
public enum DType {
    F32(4), F16(2), BF16(2);

    private final int byteSize;

    DType(int byteSize) {
        this.byteSize = byteSize;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** The type for a header's {@code dtype} string, or null when specdec does not support it. */
    static DType fromHeaderName(String name) {
        for (DType type : values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        return null;
    }
}
