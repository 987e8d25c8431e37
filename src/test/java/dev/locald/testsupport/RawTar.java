package dev.locald.testsupport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes tar archives block by block, for the forms commons-compress cannot write: old-GNU sparse
 * entries (type {@code S}), PAX {@code GNU.sparse.*} headers of formats 0.0, 0.1 and 1.0, GNU long names
 * and links, and headers with a wrong checksum. Every header is a raw 512-byte ustar (or old GNU) block.
 */
public final class RawTar {

    public static final int BLOCK = 512;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public static RawTar create() {
        return new RawTar();
    }

    /** One header block. Fields are public so a test can set anything, hostile values included. */
    public static final class Header {
        public String name;
        public byte type;
        public long mode = 0644;
        public long uid;
        public long gid;
        public long size;
        public long mtime = 1_700_000_000L;
        public String linkName = "";
        /** True: old GNU magic {@code "ustar  \0"}; false: POSIX {@code "ustar\0" "00"}. */
        public boolean gnu;
        /** Old GNU sparse map in the header (at most 4 pairs of offset, length) and the real size. */
        public List<long[]> sparse = List.of();

        public long realSize;
        public long devMajor;
        public long devMinor;
        /** Added to the correct checksum: non-zero writes a header whose checksum is wrong. */
        public int checksumError;

        public Header(String name, byte type) {
            this.name = name;
            this.type = type;
        }

        public byte[] toBlock() {
            byte[] b = new byte[BLOCK];
            put(b, 0, 100, name);
            octal(b, 100, 8, mode);
            octal(b, 108, 8, uid);
            octal(b, 116, 8, gid);
            octal(b, 124, 12, size);
            octal(b, 136, 12, mtime);
            b[156] = type;
            put(b, 157, 100, linkName);
            if (gnu) {
                put(b, 257, 8, "ustar  ");
                for (int i = 0; i < sparse.size() && i < 4; i++) {
                    octal(b, 386 + i * 24, 12, sparse.get(i)[0]);
                    octal(b, 386 + i * 24 + 12, 12, sparse.get(i)[1]);
                }
                octal(b, 483, 12, realSize);
            } else {
                put(b, 257, 6, "ustar");
                put(b, 263, 2, "00");
                octal(b, 329, 8, devMajor);
                octal(b, 337, 8, devMinor);
            }
            put(b, 265, 32, "root");
            put(b, 297, 32, "root");
            for (int i = 148; i < 156; i++) {
                b[i] = ' ';
            }
            long sum = 0;
            for (byte x : b) {
                sum += x & 0xff;
            }
            sum += checksumError;
            String digits = String.format("%06o", sum & 0777777);
            put(b, 148, 6, digits);
            b[154] = 0;
            b[155] = ' ';
            return b;
        }
    }

    /** A header and its data, padded to whole blocks. */
    public RawTar entry(Header header, byte[] data) {
        out.writeBytes(header.toBlock());
        data(data);
        return this;
    }

    public RawTar file(String name, byte[] content) {
        Header h = new Header(name, (byte) '0');
        h.size = content.length;
        return entry(h, content);
    }

    /** A PAX extended header ({@code x}) for the next entry, or a global one ({@code g}). */
    public RawTar pax(Map<String, String> records, boolean global) {
        StringBuilder body = new StringBuilder();
        for (Map.Entry<String, String> r : records.entrySet()) {
            String rest = " " + r.getKey() + "=" + r.getValue() + "\n";
            int restBytes = rest.getBytes(StandardCharsets.UTF_8).length;
            int length = restBytes + 1;
            while (String.valueOf(length).length() + restBytes != length) {
                length++;
            }
            body.append(length).append(rest);
        }
        byte[] data = body.toString().getBytes(StandardCharsets.UTF_8);
        Header h = new Header("PaxHeaders/x", (byte) (global ? 'g' : 'x'));
        h.size = data.length;
        return entry(h, data);
    }

    public RawTar pax(Map<String, String> records) {
        return pax(records, false);
    }

    /** A GNU long name ({@code L}) or long link ({@code K}) block for the next entry. */
    public RawTar gnuLong(byte type, String value) {
        byte[] data = (value + "\0").getBytes(StandardCharsets.UTF_8);
        Header h = new Header("././@LongLink", type);
        h.gnu = true;
        h.size = data.length;
        return entry(h, data);
    }

    /** An old-GNU sparse file: a hole up to {@code realSize - data.length}, then {@code data}. */
    public RawTar oldGnuSparse(String name, long realSize, byte[] data) {
        Header h = new Header(name, (byte) 'S');
        h.gnu = true;
        h.size = data.length;
        h.realSize = realSize;
        h.sparse = List.of(new long[] {realSize - data.length, data.length});
        return entry(h, data);
    }

    /** PAX 0.0 sparse: {@code GNU.sparse.offset}/{@code numbytes} records. */
    public RawTar paxSparse00(String name, long realSize, byte[] data) {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("GNU.sparse.size", Long.toString(realSize));
        r.put("GNU.sparse.numblocks", "1");
        r.put("GNU.sparse.offset", Long.toString(realSize - data.length));
        r.put("GNU.sparse.numbytes", Integer.toString(data.length));
        return pax(r).file(name, data);
    }

    /** PAX 0.1 sparse: one {@code GNU.sparse.map} record. */
    public RawTar paxSparse01(String name, long realSize, byte[] data) {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("GNU.sparse.size", Long.toString(realSize));
        r.put("GNU.sparse.numblocks", "1");
        r.put("GNU.sparse.map", (realSize - data.length) + "," + data.length);
        return pax(r).file(name, data);
    }

    /** PAX 1.0 sparse: the map in decimal lines at the start of the data, padded to a block. */
    public RawTar paxSparse10(String name, long realSize, byte[] data) {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("GNU.sparse.major", "1");
        r.put("GNU.sparse.minor", "0");
        r.put("GNU.sparse.name", name);
        r.put("GNU.sparse.realsize", Long.toString(realSize));
        byte[] map = ("1\n" + (realSize - data.length) + "\n" + data.length + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[BLOCK + data.length];
        System.arraycopy(map, 0, body, 0, map.length);
        System.arraycopy(data, 0, body, BLOCK, data.length);
        return pax(r).file("GNUSparseFile.0/" + name, body);
    }

    /** Bytes appended as they are (no padding), for truncated or garbage archives. */
    public RawTar raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    private void data(byte[] data) {
        if (data == null || data.length == 0) {
            return;
        }
        out.writeBytes(data);
        int pad = (BLOCK - data.length % BLOCK) % BLOCK;
        out.writeBytes(new byte[pad]);
    }

    /** The archive with its two end-of-archive blocks. */
    public byte[] toBytes() {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        copy.writeBytes(out.toByteArray());
        copy.writeBytes(new byte[2 * BLOCK]);
        return copy.toByteArray();
    }

    /** The archive without end-of-archive blocks. */
    public byte[] toBytesUnterminated() {
        return out.toByteArray();
    }

    private static void put(byte[] b, int offset, int length, String value) {
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(v, 0, b, offset, Math.min(length, v.length));
    }

    /** Octal digits, NUL-terminated, right-aligned with leading zeros (values too big are truncated). */
    private static void octal(byte[] b, int offset, int length, long value) {
        String digits = Long.toOctalString(value);
        int width = length - 1;
        if (digits.length() > width) {
            digits = digits.substring(digits.length() - width);
        }
        put(b, offset, width, "0".repeat(width - digits.length()) + digits);
        b[offset + width] = 0;
    }
}
